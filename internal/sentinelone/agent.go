package sentinelone

import (
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

	maybeOdd bool
	ar       arena // the strings of the records decoded into it // some member was odd when decoded: OddFields looks
}

// UnmarshalJSONFrom decodes an agent; a value that is not an object is
// skipped and reported as an error, null leaves the agent empty.
func (a *Agent) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	v, err := dec.ReadValue()
	if err != nil {
		*a = Agent{}
		return err
	}
	return a.decodeBytes(v)
}

// decodeBytes reads the value v (checked JSON) into a, as
// UnmarshalJSONFrom.
func (a *Agent) decodeBytes(v []byte) error {
	_, err := a.decodeAt(v, 0)
	return err
}

// decodeAt reads the value at b[i] into a and returns the index after it.
func (a *Agent) decodeAt(b []byte, i int) (int, error) {
	ar, nics := a.ar, a.NetworkInterfaces.spare
	if nics == nil {
		nics = a.NetworkInterfaces.Values
	}
	*a = Agent{ar: ar}
	a.NetworkInterfaces.spare = nics[:0] // a reused agent reuses its list's memory, as encoding/json does
	end, odd, err := setObject(b, i, a, &a.ar)
	a.maybeOdd = odd
	return end, err
}

func (a *Agent) setMember(name, value []byte, ar *arena) bool {
	switch string(name) {
	case "id":
		return a.ID.set(value, ar)
	case "uuid":
		return a.UUID.set(value, ar)
	case "computerName":
		return a.ComputerName.set(value, ar)
	case "domain":
		return a.Domain.set(value, ar)
	case "osType":
		return a.OSType.set(value, ar)
	case "osName":
		return a.OSName.set(value, ar)
	case "osRevision":
		return a.OSRevision.set(value, ar)
	case "osArch":
		return a.OSArch.set(value, ar)
	case "modelName":
		return a.ModelName.set(value, ar)
	case "serialNumber":
		return a.SerialNumber.set(value, ar)
	case "cpuCount":
		return a.CPUCount.set(value, ar)
	case "coreCount":
		return a.CoreCount.set(value, ar)
	case "totalMemory":
		return a.TotalMemory.set(value, ar)
	case "networkInterfaces":
		return a.NetworkInterfaces.set(value, ar)
	case "machineType":
		return a.MachineType.set(value, ar)
	case "isActive":
		return a.IsActive.set(value, ar)
	case "networkStatus":
		return a.NetworkStatus.set(value, ar)
	case "isUninstalled":
		return a.IsUninstalled.set(value, ar)
	case "isDecommissioned":
		return a.IsDecommissioned.set(value, ar)
	case "isPendingUninstall":
		return a.IsPendingUninstall.set(value, ar)
	case "isUpToDate":
		return a.IsUpToDate.set(value, ar)
	case "agentVersion":
		return a.AgentVersion.set(value, ar)
	case "infected":
		return a.Infected.set(value, ar)
	case "activeThreats":
		return a.ActiveThreats.set(value, ar)
	case "encryptedApplications":
		return a.EncryptedApplications.set(value, ar)
	case "firewallEnabled":
		return a.FirewallEnabled.set(value, ar)
	case "lastLoggedInUserName":
		return a.LastLoggedInUserName.set(value, ar)
	case "createdAt":
		return a.CreatedAt.set(value, ar)
	case "updatedAt":
		return a.UpdatedAt.set(value, ar)
	case "lastActiveDate":
		return a.LastActiveDate.set(value, ar)
	case "registeredAt":
		return a.RegisteredAt.set(value, ar)
	case "accountId":
		return a.AccountID.set(value, ar)
	case "accountName":
		return a.AccountName.set(value, ar)
	case "siteId":
		return a.SiteID.set(value, ar)
	case "siteName":
		return a.SiteName.set(value, ar)
	case "groupId":
		return a.GroupID.set(value, ar)
	case "groupName":
		return a.GroupName.set(value, ar)
	case "externalId":
		return a.ExternalID.set(value, ar)
	case "externalIp":
		return a.ExternalIP.set(value, ar)
	case "lastIpToMgmt":
		return a.LastIPToMgmt.set(value, ar)
	case "mitigationMode":
		return a.MitigationMode.set(value, ar)
	case "activeDirectory":
		a.setActiveDirectory(value, ar)
		return false
	case "name":
		return a.Name.set(value, ar)
	case "type":
		return a.Type.set(value, ar)
	case "osVersion":
		return a.OSVersion.set(value, ar)
	case "manufacturer":
		return a.Manufacturer.set(value, ar)
	case "processorCount":
		return a.ProcessorCount.set(value, ar)
	case "memorySize":
		return a.MemorySize.set(value, ar)
	case "ipv4Addresses":
		return a.IPv4Addresses.set(value, ar)
	case "ipv6Addresses":
		return a.IPv6Addresses.set(value, ar)
	case "macAddresses":
		return a.MACAddresses.set(value, ar)
	case "isOnline":
		return a.IsOnline.set(value, ar)
	case "agentStatus":
		return a.AgentStatus.set(value, ar)
	case "threatLevel":
		return a.ThreatLevel.set(value, ar)
	case "threatCount":
		return a.ThreatCount.set(value, ar)
	case "lastIncidentDate":
		return a.LastIncidentDate.set(value, ar)
	case "encryptionEnabled":
		return a.EncryptionEnabled.set(value, ar)
	case "isFirewallEnabled":
		return a.IsFirewallEnabled.set(value, ar)
	case "isTamperProtectionEnabled":
		return a.IsTamperProtectionEnabled.set(value, ar)
	case "userId":
		return a.UserID.set(value, ar)
	case "userName":
		return a.UserName.set(value, ar)
	case "userFullName":
		return a.UserFullName.set(value, ar)
	case "createdDate":
		return a.CreatedDate.set(value, ar)
	case "updatedDate":
		return a.UpdatedDate.set(value, ar)
	}
	return false
}

// setActiveDirectory keeps encoding/json's reading: null is nil, an
// object is read, any other value gives an empty object.
func (a *Agent) setActiveDirectory(value []byte, ar *arena) {
	a.ActiveDirectory = nil
	if value[0] == 'n' {
		return
	}
	a.ActiveDirectory = new(AgentActiveDirectory)
	_, _, _ = setObject(value, 0, a.ActiveDirectory, ar) // not an object: left empty
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

	physical [1]string // PhysicalList's list
}

// PhysicalList is the interface's MAC address as a list of one, without
// allocating.
func (n *NetworkInterface) PhysicalList() []string {
	n.physical[0] = n.Physical.Value
	return n.physical[:]
}

func (n *NetworkInterface) setMember(name, value []byte, ar *arena) bool {
	switch string(name) {
	case "id":
		return n.ID.set(value, ar)
	case "name":
		return n.Name.set(value, ar)
	case "physical":
		return n.Physical.set(value, ar)
	case "inet":
		return n.Inet.set(value, ar)
	case "inet6":
		return n.Inet6.set(value, ar)
	case "gatewayIp":
		return n.GatewayIP.set(value, ar)
	case "gatewayMacAddress":
		return n.GatewayMacAddress.set(value, ar)
	}
	return false
}

// AgentActiveDirectory is the agent's activeDirectory object.
type AgentActiveDirectory struct {
	ComputerDistinguishedName String `json:"computerDistinguishedName"`
	LastUserDistinguishedName String `json:"lastUserDistinguishedName"`
	UserPrincipalName         String `json:"userPrincipalName"`
}

func (a *AgentActiveDirectory) setMember(name, value []byte, ar *arena) bool {
	switch string(name) {
	case "computerDistinguishedName":
		return a.ComputerDistinguishedName.set(value, ar)
	case "lastUserDistinguishedName":
		return a.LastUserDistinguishedName.set(value, ar)
	case "userPrincipalName":
		return a.UserPrincipalName.set(value, ar)
	}
	return false
}
