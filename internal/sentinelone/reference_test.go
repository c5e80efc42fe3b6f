package sentinelone_test

// The reference decoder: the models as encoding/json decoded them before
// the single-pass decoder replaced it, kept as the oracle the differential
// tests compare with (TestDecoderMatchesReference, FuzzDecodePage). Do not
// "fix" it: it is the tolerance the new decoder promises to keep.

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
)

// Real consoles are sloppy with types: booleans arrive as "True", numbers as
// strings, lists and objects as null. The types below decode all of these and
// never fail a record: a value that cannot be read leaves the field unset and
// marks it Odd, so callers can count it.

// refBool is a leniently decoded JSON boolean.
type refBool struct {
	Value bool
	Set   bool // a usable value was present (not null, not odd)
	Odd   bool // a value was present but could not be read as a boolean
}

// UnmarshalJSON accepts true/false, "true"/"False"/"1"/"0"/"yes"/"no", 1/0 and null.
func (b *refBool) UnmarshalJSON(p []byte) error {
	*b = refBool{}
	s := strings.ToLower(string(refUnquote(p)))
	switch s {
	case "null", "":
		if string(p) == `""` {
			b.Odd = true
		}
	case "true", "1", "yes":
		b.Value, b.Set = true, true
	case "false", "0", "no":
		b.Set = true
	default:
		b.Odd = true
	}
	return nil
}

// refInt is a leniently decoded JSON integer.
type refInt struct {
	Value int64
	Set   bool
	Odd   bool
}

// UnmarshalJSON accepts numbers (integral floats too), numeric strings and null.
func (n *refInt) UnmarshalJSON(p []byte) error {
	*n = refInt{}
	s := strings.TrimSpace(string(refUnquote(p)))
	if s == "null" || (s == "" && p[0] != '"') {
		return nil
	}
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		n.Value, n.Set = v, true
		return nil
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		n.Value, n.Set = int64(f), true
		return nil
	}
	n.Odd = true
	return nil
}

// refString is a leniently decoded JSON string: numbers and booleans are kept as
// their text, null leaves it unset.
type refString struct {
	Value string
	Set   bool
	Odd   bool
}

// UnmarshalJSON accepts strings, numbers, booleans and null.
func (s *refString) UnmarshalJSON(p []byte) error {
	*s = refString{}
	p = bytes.TrimSpace(p)
	switch {
	case len(p) == 0 || string(p) == "null":
	case p[0] == '"' && len(p) >= 2 && bytes.IndexByte(p, '\\') < 0:
		// No escapes: the decoder has already validated the document.
		s.Value, s.Set = string(p[1:len(p)-1]), true
	case p[0] == '"':
		if err := json.Unmarshal(p, &s.Value); err != nil {
			s.Odd = true
			return nil
		}
		s.Set = true
	case p[0] == '{' || p[0] == '[':
		s.Odd = true
	default:
		s.Value, s.Set = string(p), true
	}
	return nil
}

// refStrings is a leniently decoded list of strings: null gives an empty list, a
// lone string gives a list of one, and non-string elements are dropped (Odd).
type refStrings struct {
	Values  []string
	Present bool // the key held a list or a string
	Odd     bool
}

// UnmarshalJSON accepts an array, a string or null.
func (l *refStrings) UnmarshalJSON(p []byte) error {
	*l = refStrings{}
	p = bytes.TrimSpace(p)
	if len(p) == 0 || string(p) == "null" {
		return nil
	}
	if p[0] == '"' {
		var s refString
		_ = s.UnmarshalJSON(p)
		l.Values, l.Odd, l.Present = []string{s.Value}, s.Odd, !s.Odd
		return nil
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(p, &raw); err != nil {
		l.Odd = true
		return nil
	}
	l.Present = true
	for _, r := range raw {
		var s refString
		_ = s.UnmarshalJSON(r)
		if !s.Set {
			l.Odd = l.Odd || s.Odd
			continue
		}
		l.Values = append(l.Values, s.Value)
	}
	return nil
}

// refList is a leniently decoded JSON array of objects: null or a non-array gives
// an empty list, and elements that do not decode are dropped (Odd).
type refList[T any] struct {
	Values []T
	Odd    bool
}

// UnmarshalJSON accepts an array or null.
func (l *refList[T]) UnmarshalJSON(p []byte) error {
	*l = refList[T]{}
	p = bytes.TrimSpace(p)
	if len(p) == 0 || string(p) == "null" {
		return nil
	}
	if p[0] != '[' {
		l.Odd = true
		return nil
	}
	// Fast path: every element decodes (lenient fields never fail).
	if err := json.Unmarshal(p, &l.Values); err == nil {
		return nil
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(p, &raw); err != nil {
		l.Odd = true
		return nil
	}
	l.Values = make([]T, 0, len(raw))
	for _, r := range raw {
		var v T
		if err := json.Unmarshal(r, &v); err != nil {
			l.Odd = true
			continue
		}
		l.Values = append(l.Values, v)
	}
	return nil
}

func refUnquote(p []byte) []byte {
	p = bytes.TrimSpace(p)
	if len(p) >= 2 && p[0] == '"' && p[len(p)-1] == '"' {
		return p[1 : len(p)-1]
	}
	return p
}

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
