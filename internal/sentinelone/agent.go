package sentinelone

// Agent is one device as GET /web/api/v2.1/agents returns it. It also reads
// the simplified field names of the Sekoia.io documentation ("seed" names such
// as osVersion or ipv4Addresses), which the mapping contract accepts too.
// Fields the collector does not use are not decoded here; the raw record keeps
// them.
type Agent struct {
	ID                    String                                       `json:"id"`
	UUID                  String                                       `json:"uuid"`
	ComputerName          String                                       `json:"computerName"`
	Domain                String                                       `json:"domain"`
	OSType                String                                       `json:"osType"`
	OSName                String                                       `json:"osName"`
	OSRevision            String                                       `json:"osRevision"`
	OSArch                String                                       `json:"osArch"`
	ModelName             String                                       `json:"modelName"`
	SerialNumber          String                                       `json:"serialNumber"`
	CPUCount              Int                                          `json:"cpuCount"`
	CoreCount             Int                                          `json:"coreCount"`
	TotalMemory           Int                                          `json:"totalMemory"`
	NetworkInterfaces     Objects[NetworkInterface, *NetworkInterface] `json:"networkInterfaces"`
	MachineType           String                                       `json:"machineType"`
	IsActive              Bool                                         `json:"isActive"`
	NetworkStatus         String                                       `json:"networkStatus"`
	IsUninstalled         Bool                                         `json:"isUninstalled"`
	IsDecommissioned      Bool                                         `json:"isDecommissioned"`
	IsPendingUninstall    Bool                                         `json:"isPendingUninstall"`
	IsUpToDate            Bool                                         `json:"isUpToDate"`
	AgentVersion          String                                       `json:"agentVersion"`
	Infected              Bool                                         `json:"infected"`
	ActiveThreats         Int                                          `json:"activeThreats"`
	EncryptedApplications Bool                                         `json:"encryptedApplications"`
	FirewallEnabled       Bool                                         `json:"firewallEnabled"`
	LastLoggedInUserName  String                                       `json:"lastLoggedInUserName"`
	CreatedAt             String                                       `json:"createdAt"`
	UpdatedAt             String                                       `json:"updatedAt"`
	LastActiveDate        String                                       `json:"lastActiveDate"`
	RegisteredAt          String                                       `json:"registeredAt"`
	AccountID             String                                       `json:"accountId"`
	AccountName           String                                       `json:"accountName"`
	SiteID                String                                       `json:"siteId"`
	SiteName              String                                       `json:"siteName"`
	GroupID               String                                       `json:"groupId"`
	GroupName             String                                       `json:"groupName"`
	ExternalID            String                                       `json:"externalId"`
	ExternalIP            String                                       `json:"externalIp"`
	LastIPToMgmt          String                                       `json:"lastIpToMgmt"`
	MitigationMode        String                                       `json:"mitigationMode"`
	ActiveDirectory       *AgentActiveDirectory                        `json:"activeDirectory"`

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

	state
	spareAD *AgentActiveDirectory // the ActiveDirectory of a previous decode, reused
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
