package sentinelone

import (
	"errors"

	"github.com/go-json-experiment/json/jsontext"
)

// Agent is one device as GET /web/api/v2.1/agents returns it. It also reads
// the simplified field names of the Sekoia.io documentation ("seed" names such
// as osVersion or ipv4Addresses), which the mapping contract accepts too.
// Fields the collector does not use are not decoded here; the raw record keeps
// them.
type Agent struct {
	ID                    String                                    `json:"id"`
	UUID                  String                                    `json:"uuid"`
	ComputerName          String                                    `json:"computerName"`
	Domain                String                                    `json:"domain"`
	OSType                String                                    `json:"osType"`
	OSName                String                                    `json:"osName"`
	OSRevision            String                                    `json:"osRevision"`
	OSArch                String                                    `json:"osArch"`
	ModelName             String                                    `json:"modelName"`
	SerialNumber          String                                    `json:"serialNumber"`
	CPUCount              Int                                       `json:"cpuCount"`
	CoreCount             Int                                       `json:"coreCount"`
	TotalMemory           Int                                       `json:"totalMemory"`
	NetworkInterfaces     List[NetworkInterface, *NetworkInterface] `json:"networkInterfaces"`
	MachineType           String                                    `json:"machineType"`
	IsActive              Bool                                      `json:"isActive"`
	NetworkStatus         String                                    `json:"networkStatus"`
	IsUninstalled         Bool                                      `json:"isUninstalled"`
	IsDecommissioned      Bool                                      `json:"isDecommissioned"`
	IsPendingUninstall    Bool                                      `json:"isPendingUninstall"`
	IsUpToDate            Bool                                      `json:"isUpToDate"`
	AgentVersion          String                                    `json:"agentVersion"`
	Infected              Bool                                      `json:"infected"`
	ActiveThreats         Int                                       `json:"activeThreats"`
	EncryptedApplications Bool                                      `json:"encryptedApplications"`
	FirewallEnabled       Bool                                      `json:"firewallEnabled"`
	LastLoggedInUserName  String                                    `json:"lastLoggedInUserName"`
	CreatedAt             String                                    `json:"createdAt"`
	UpdatedAt             String                                    `json:"updatedAt"`
	LastActiveDate        String                                    `json:"lastActiveDate"`
	RegisteredAt          String                                    `json:"registeredAt"`
	AccountID             String                                    `json:"accountId"`
	AccountName           String                                    `json:"accountName"`
	SiteID                String                                    `json:"siteId"`
	SiteName              String                                    `json:"siteName"`
	GroupID               String                                    `json:"groupId"`
	GroupName             String                                    `json:"groupName"`
	ExternalID            String                                    `json:"externalId"`
	ExternalIP            String                                    `json:"externalIp"`
	LastIPToMgmt          String                                    `json:"lastIpToMgmt"`
	MitigationMode        String                                    `json:"mitigationMode"`
	ActiveDirectory       *AgentActiveDirectory                     `json:"activeDirectory"`

	// Seed (Sekoia.io documentation) names. When present they win over the
	// real-API fields above.
	Name                      String  `json:"name"`
	Type                      String  `json:"type"`
	OSVersion                 String  `json:"osVersion"`
	Manufacturer              String  `json:"manufacturer"`
	ProcessorCount            Int     `json:"processorCount"`
	MemorySize                Int     `json:"memorySize"`
	IPv4Addresses             Strings `json:"ipv4Addresses"`
	IPv6Addresses             Strings `json:"ipv6Addresses"`
	MACAddresses              Strings `json:"macAddresses"`
	IsOnline                  Bool    `json:"isOnline"`
	AgentStatus               String  `json:"agentStatus"`
	ThreatLevel               String  `json:"threatLevel"`
	ThreatCount               Int     `json:"threatCount"`
	LastIncidentDate          String  `json:"lastIncidentDate"`
	EncryptionEnabled         Bool    `json:"encryptionEnabled"`
	IsFirewallEnabled         Bool    `json:"isFirewallEnabled"`
	IsTamperProtectionEnabled Bool    `json:"isTamperProtectionEnabled"`
	UserID                    String  `json:"userId"`
	UserName                  String  `json:"userName"`
	UserFullName              String  `json:"userFullName"`
	CreatedDate               String  `json:"createdDate"`
	UpdatedDate               String  `json:"updatedDate"`

	maybeOdd bool // some member was odd when decoded: OddFields looks
}

// UnmarshalJSONFrom decodes an agent; a value that is not an object is
// skipped and reported as an error, null leaves the agent empty.
func (a *Agent) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	*a = Agent{}
	odd, err := decodeObject(dec, a)
	a.maybeOdd = odd
	return err
}

// UnmarshalMembersFrom decodes an agent whose '{' and first member name
// were read by the caller.
func (a *Agent) UnmarshalMembersFrom(dec *jsontext.Decoder, first []byte) error {
	*a = Agent{}
	odd, err := continueObject(dec, a, first)
	a.maybeOdd = odd
	return err
}

func (a *Agent) decodeMember(dec *jsontext.Decoder, name []byte) (bool, error) {
	switch string(name) {
	case "id":
		return a.ID.read(dec)
	case "uuid":
		return a.UUID.read(dec)
	case "computerName":
		return a.ComputerName.read(dec)
	case "domain":
		return a.Domain.read(dec)
	case "osType":
		return a.OSType.read(dec)
	case "osName":
		return a.OSName.read(dec)
	case "osRevision":
		return a.OSRevision.read(dec)
	case "osArch":
		return a.OSArch.read(dec)
	case "modelName":
		return a.ModelName.read(dec)
	case "serialNumber":
		return a.SerialNumber.read(dec)
	case "cpuCount":
		return a.CPUCount.read(dec)
	case "coreCount":
		return a.CoreCount.read(dec)
	case "totalMemory":
		return a.TotalMemory.read(dec)
	case "networkInterfaces":
		return a.NetworkInterfaces.read(dec)
	case "machineType":
		return a.MachineType.read(dec)
	case "isActive":
		return a.IsActive.read(dec)
	case "networkStatus":
		return a.NetworkStatus.read(dec)
	case "isUninstalled":
		return a.IsUninstalled.read(dec)
	case "isDecommissioned":
		return a.IsDecommissioned.read(dec)
	case "isPendingUninstall":
		return a.IsPendingUninstall.read(dec)
	case "isUpToDate":
		return a.IsUpToDate.read(dec)
	case "agentVersion":
		return a.AgentVersion.read(dec)
	case "infected":
		return a.Infected.read(dec)
	case "activeThreats":
		return a.ActiveThreats.read(dec)
	case "encryptedApplications":
		return a.EncryptedApplications.read(dec)
	case "firewallEnabled":
		return a.FirewallEnabled.read(dec)
	case "lastLoggedInUserName":
		return a.LastLoggedInUserName.read(dec)
	case "createdAt":
		return a.CreatedAt.read(dec)
	case "updatedAt":
		return a.UpdatedAt.read(dec)
	case "lastActiveDate":
		return a.LastActiveDate.read(dec)
	case "registeredAt":
		return a.RegisteredAt.read(dec)
	case "accountId":
		return a.AccountID.read(dec)
	case "accountName":
		return a.AccountName.read(dec)
	case "siteId":
		return a.SiteID.read(dec)
	case "siteName":
		return a.SiteName.read(dec)
	case "groupId":
		return a.GroupID.read(dec)
	case "groupName":
		return a.GroupName.read(dec)
	case "externalId":
		return a.ExternalID.read(dec)
	case "externalIp":
		return a.ExternalIP.read(dec)
	case "lastIpToMgmt":
		return a.LastIPToMgmt.read(dec)
	case "mitigationMode":
		return a.MitigationMode.read(dec)
	case "activeDirectory":
		return false, a.readActiveDirectory(dec)
	case "name":
		return a.Name.read(dec)
	case "type":
		return a.Type.read(dec)
	case "osVersion":
		return a.OSVersion.read(dec)
	case "manufacturer":
		return a.Manufacturer.read(dec)
	case "processorCount":
		return a.ProcessorCount.read(dec)
	case "memorySize":
		return a.MemorySize.read(dec)
	case "ipv4Addresses":
		return a.IPv4Addresses.read(dec)
	case "ipv6Addresses":
		return a.IPv6Addresses.read(dec)
	case "macAddresses":
		return a.MACAddresses.read(dec)
	case "isOnline":
		return a.IsOnline.read(dec)
	case "agentStatus":
		return a.AgentStatus.read(dec)
	case "threatLevel":
		return a.ThreatLevel.read(dec)
	case "threatCount":
		return a.ThreatCount.read(dec)
	case "lastIncidentDate":
		return a.LastIncidentDate.read(dec)
	case "encryptionEnabled":
		return a.EncryptionEnabled.read(dec)
	case "isFirewallEnabled":
		return a.IsFirewallEnabled.read(dec)
	case "isTamperProtectionEnabled":
		return a.IsTamperProtectionEnabled.read(dec)
	case "userId":
		return a.UserID.read(dec)
	case "userName":
		return a.UserName.read(dec)
	case "userFullName":
		return a.UserFullName.read(dec)
	case "createdDate":
		return a.CreatedDate.read(dec)
	case "updatedDate":
		return a.UpdatedDate.read(dec)
	}
	return false, dec.SkipValue()
}

// readActiveDirectory keeps encoding/json's reading: null is nil, an object
// is read, any other value gives an empty object.
func (a *Agent) readActiveDirectory(dec *jsontext.Decoder) error {
	if dec.PeekKind() == 'n' {
		a.ActiveDirectory = nil
		_, err := dec.ReadValue()
		return err
	}
	a.ActiveDirectory = new(AgentActiveDirectory)
	_, err := decodeObject(dec, a.ActiveDirectory)
	if errors.Is(err, errNotObject) {
		return nil
	}
	return err
}

// Key returns the agent's id and updatedAt, the time agents are listed by.
func (a *Agent) Key() (id, at String) { return a.ID, a.UpdatedAt }

// OddFields names the fields whose values were present but unreadable.
func (a *Agent) OddFields() []string {
	if !a.maybeOdd {
		return nil
	}
	return OddFields(a)
}

// NetworkInterface is one element of an agent's networkInterfaces.
type NetworkInterface struct {
	ID                String  `json:"id"`
	Name              String  `json:"name"`
	Physical          String  `json:"physical"`
	Inet              Strings `json:"inet"`
	Inet6             Strings `json:"inet6"`
	GatewayIP         String  `json:"gatewayIp"`
	GatewayMacAddress String  `json:"gatewayMacAddress"`
}

func (n *NetworkInterface) decodeMember(dec *jsontext.Decoder, name []byte) (bool, error) {
	switch string(name) {
	case "id":
		return n.ID.read(dec)
	case "name":
		return n.Name.read(dec)
	case "physical":
		return n.Physical.read(dec)
	case "inet":
		return n.Inet.read(dec)
	case "inet6":
		return n.Inet6.read(dec)
	case "gatewayIp":
		return n.GatewayIP.read(dec)
	case "gatewayMacAddress":
		return n.GatewayMacAddress.read(dec)
	}
	return false, dec.SkipValue()
}

// AgentActiveDirectory is the agent's activeDirectory object.
type AgentActiveDirectory struct {
	ComputerDistinguishedName String `json:"computerDistinguishedName"`
	LastUserDistinguishedName String `json:"lastUserDistinguishedName"`
	UserPrincipalName         String `json:"userPrincipalName"`
}

func (a *AgentActiveDirectory) decodeMember(dec *jsontext.Decoder, name []byte) (bool, error) {
	switch string(name) {
	case "computerDistinguishedName":
		return a.ComputerDistinguishedName.read(dec)
	case "lastUserDistinguishedName":
		return a.LastUserDistinguishedName.read(dec)
	case "userPrincipalName":
		return a.UserPrincipalName.read(dec)
	}
	return false, dec.SkipValue()
}
