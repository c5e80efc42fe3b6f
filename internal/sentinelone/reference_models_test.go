package sentinelone_test

import "encoding/json"

// The models of the reference decoder (see reference_test.go).

// refAgent is one device as GET /web/api/v2.1/agents returns it. It also reads
// the simplified field names of the Sekoia.io documentation ("seed" names such
// as osVersion or ipv4Addresses), which the mapping contract accepts too.
// Fields the collector does not use are not decoded here; the raw record keeps
// them.
type refAgent struct {
	ID                    refString                    `json:"id"`
	UUID                  refString                    `json:"uuid"`
	ComputerName          refString                    `json:"computerName"`
	Domain                refString                    `json:"domain"`
	OSType                refString                    `json:"osType"`
	OSName                refString                    `json:"osName"`
	OSRevision            refString                    `json:"osRevision"`
	OSArch                refString                    `json:"osArch"`
	ModelName             refString                    `json:"modelName"`
	SerialNumber          refString                    `json:"serialNumber"`
	CPUCount              refInt                       `json:"cpuCount"`
	CoreCount             refInt                       `json:"coreCount"`
	TotalMemory           refInt                       `json:"totalMemory"`
	NetworkInterfaces     refList[refNetworkInterface] `json:"networkInterfaces"`
	MachineType           refString                    `json:"machineType"`
	IsActive              refBool                      `json:"isActive"`
	NetworkStatus         refString                    `json:"networkStatus"`
	IsUninstalled         refBool                      `json:"isUninstalled"`
	IsDecommissioned      refBool                      `json:"isDecommissioned"`
	IsPendingUninstall    refBool                      `json:"isPendingUninstall"`
	IsUpToDate            refBool                      `json:"isUpToDate"`
	AgentVersion          refString                    `json:"agentVersion"`
	Infected              refBool                      `json:"infected"`
	ActiveThreats         refInt                       `json:"activeThreats"`
	EncryptedApplications refBool                      `json:"encryptedApplications"`
	FirewallEnabled       refBool                      `json:"firewallEnabled"`
	LastLoggedInUserName  refString                    `json:"lastLoggedInUserName"`
	CreatedAt             refString                    `json:"createdAt"`
	UpdatedAt             refString                    `json:"updatedAt"`
	LastActiveDate        refString                    `json:"lastActiveDate"`
	RegisteredAt          refString                    `json:"registeredAt"`
	AccountID             refString                    `json:"accountId"`
	AccountName           refString                    `json:"accountName"`
	SiteID                refString                    `json:"siteId"`
	SiteName              refString                    `json:"siteName"`
	GroupID               refString                    `json:"groupId"`
	GroupName             refString                    `json:"groupName"`
	ExternalID            refString                    `json:"externalId"`
	ExternalIP            refString                    `json:"externalIp"`
	LastIPToMgmt          refString                    `json:"lastIpToMgmt"`
	MitigationMode        refString                    `json:"mitigationMode"`
	ActiveDirectory       *refAgentActiveDirectory     `json:"activeDirectory"`

	// Seed (Sekoia.io documentation) names. When present they win over the
	// real-API fields above.
	Name                      refString  `json:"name"`
	Type                      refString  `json:"type"`
	OSVersion                 refString  `json:"osVersion"`
	Manufacturer              refString  `json:"manufacturer"`
	ProcessorCount            refInt     `json:"processorCount"`
	MemorySize                refInt     `json:"memorySize"`
	IPv4Addresses             refStrings `json:"ipv4Addresses"`
	IPv6Addresses             refStrings `json:"ipv6Addresses"`
	MACAddresses              refStrings `json:"macAddresses"`
	IsOnline                  refBool    `json:"isOnline"`
	AgentStatus               refString  `json:"agentStatus"`
	ThreatLevel               refString  `json:"threatLevel"`
	ThreatCount               refInt     `json:"threatCount"`
	LastIncidentDate          refString  `json:"lastIncidentDate"`
	EncryptionEnabled         refBool    `json:"encryptionEnabled"`
	IsFirewallEnabled         refBool    `json:"isFirewallEnabled"`
	IsTamperProtectionEnabled refBool    `json:"isTamperProtectionEnabled"`
	UserID                    refString  `json:"userId"`
	UserName                  refString  `json:"userName"`
	UserFullName              refString  `json:"userFullName"`
	CreatedDate               refString  `json:"createdDate"`
	UpdatedDate               refString  `json:"updatedDate"`
}

// refNetworkInterface is one element of an agent's networkInterfaces.
type refNetworkInterface struct {
	ID                refString  `json:"id"`
	Name              refString  `json:"name"`
	Physical          refString  `json:"physical"`
	Inet              refStrings `json:"inet"`
	Inet6             refStrings `json:"inet6"`
	GatewayIP         refString  `json:"gatewayIp"`
	GatewayMacAddress refString  `json:"gatewayMacAddress"`
}

// refAgentActiveDirectory is the agent's activeDirectory object.
type refAgentActiveDirectory struct {
	ComputerDistinguishedName refString `json:"computerDistinguishedName"`
	LastUserDistinguishedName refString `json:"lastUserDistinguishedName"`
	UserPrincipalName         refString `json:"userPrincipalName"`
}

// UnmarshalJSON tolerates an activeDirectory that is not an object.
func (a *refAgentActiveDirectory) UnmarshalJSON(p []byte) error {
	type plain refAgentActiveDirectory
	var v plain
	if json.Unmarshal(p, &v) == nil {
		*a = refAgentActiveDirectory(v)
	}
	return nil
}

// Activity is one record of GET /web/api/v2.1/activities.
type refActivity struct {
	ID                 refString       `json:"id"`
	ActivityType       refInt          `json:"activityType"`
	ActivityUUID       refString       `json:"activityUuid"`
	CreatedAt          refString       `json:"createdAt"`
	UpdatedAt          refString       `json:"updatedAt"`
	PrimaryDescription refString       `json:"primaryDescription"`
	AgentID            refString       `json:"agentId"`
	ThreatID           refString       `json:"threatId"`
	SiteID             refString       `json:"siteId"`
	AccountID          refString       `json:"accountId"`
	Data               json.RawMessage `json:"data"`
}

// refThreat is one record of GET /web/api/v2.1/threats. Its timestamps are
// nested in threatInfo; the console's createdAt/updatedAt filters apply to them.
type refThreat struct {
	ID                refString            `json:"id"`
	ThreatInfo        refThreatInfo        `json:"threatInfo"`
	AgentRealtimeInfo refAgentRealtimeInfo `json:"agentRealtimeInfo"`
}

// refThreatInfo is the threatInfo object of a threat.
type refThreatInfo struct {
	ThreatID         refString `json:"threatId"`
	ThreatName       refString `json:"threatName"`
	Classification   refString `json:"classification"`
	ConfidenceLevel  refString `json:"confidenceLevel"`
	MitigationStatus refString `json:"mitigationStatus"`
	AnalystVerdict   refString `json:"analystVerdict"`
	IncidentStatus   refString `json:"incidentStatus"`
	SHA1             refString `json:"sha1"`
	FilePath         refString `json:"filePath"`
	CreatedAt        refString `json:"createdAt"`
	UpdatedAt        refString `json:"updatedAt"`
	IdentifiedAt     refString `json:"identifiedAt"`
}

// UnmarshalJSON tolerates a threatInfo that is not an object.
func (t *refThreatInfo) UnmarshalJSON(p []byte) error {
	type plain refThreatInfo
	var v plain
	if json.Unmarshal(p, &v) == nil {
		*t = refThreatInfo(v)
	}
	return nil
}

// refAgentRealtimeInfo is the agentRealtimeInfo object of a threat.
type refAgentRealtimeInfo struct {
	AgentID           refString `json:"agentId"`
	AgentComputerName refString `json:"agentComputerName"`
	AgentOSType       refString `json:"agentOsType"`
	SiteID            refString `json:"siteId"`
	AccountID         refString `json:"accountId"`
}

// UnmarshalJSON tolerates an agentRealtimeInfo that is not an object.
func (a *refAgentRealtimeInfo) UnmarshalJSON(p []byte) error {
	type plain refAgentRealtimeInfo
	var v plain
	if json.Unmarshal(p, &v) == nil {
		*a = refAgentRealtimeInfo(v)
	}
	return nil
}
