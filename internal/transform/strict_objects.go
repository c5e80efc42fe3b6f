package transform

import "s1collector/internal/jsonenc"

// The strict event's unmapped and its enrichment's data are objects whose
// possible members are known: structs with their fields declared in the
// byte order of their keys, which is how encoding/json writes a map, so
// the events read exactly as when they were maps. TestObjectsReadAsMaps
// holds them to that order; TestEncodingMatchesEncodingJSON holds
// AppendJSON to encoding/json.

// agentUnmapped is what an agent says that OCSF has no attribute for.
type agentUnmapped struct {
	DeviceType         string   `json:"deviceType,omitempty"`
	ExternalIP         string   `json:"externalIp,omitempty"`
	Infected           *bool    `json:"infected,omitempty"`
	InvalidIPAddresses []string `json:"invalidIpAddresses,omitempty"`
	IsDecommissioned   *bool    `json:"isDecommissioned,omitempty"`
	IsPendingUninstall *bool    `json:"isPendingUninstall,omitempty"`
	IsUninstalled      *bool    `json:"isUninstalled,omitempty"`
	IsUpToDate         *bool    `json:"isUpToDate,omitempty"`
	LastIPToMgmt       string   `json:"lastIpToMgmt,omitempty"`
	MACAddresses       []string `json:"macAddresses,omitempty"`
	MachineType        string   `json:"machineType,omitempty"`
	MitigationMode     string   `json:"mitigationMode,omitempty"`
	NetworkStatus      string   `json:"networkStatus,omitempty"`
	OSArch             string   `json:"osArch,omitempty"`
	OSType             string   `json:"osType,omitempty"`
	RegisteredAt       string   `json:"registeredAt,omitempty"`

	// flags holds what the *bool members point at: the values are the
	// event's own, not the decoded agent's, which is reused.
	flags [5]bool
	n     int // members set
}

// AppendJSON writes the object as encoding/json does.
func (v *agentUnmapped) AppendJSON(w *jsonenc.Writer) {
	w.BeginObject()
	w.OmitString("deviceType", v.DeviceType)
	w.OmitString("externalIp", v.ExternalIP)
	w.OmitBoolPtr("infected", v.Infected)
	w.OmitStrings("invalidIpAddresses", v.InvalidIPAddresses)
	w.OmitBoolPtr("isDecommissioned", v.IsDecommissioned)
	w.OmitBoolPtr("isPendingUninstall", v.IsPendingUninstall)
	w.OmitBoolPtr("isUninstalled", v.IsUninstalled)
	w.OmitBoolPtr("isUpToDate", v.IsUpToDate)
	w.OmitString("lastIpToMgmt", v.LastIPToMgmt)
	w.OmitStrings("macAddresses", v.MACAddresses)
	w.OmitString("machineType", v.MachineType)
	w.OmitString("mitigationMode", v.MitigationMode)
	w.OmitString("networkStatus", v.NetworkStatus)
	w.OmitString("osArch", v.OSArch)
	w.OmitString("osType", v.OSType)
	w.OmitString("registeredAt", v.RegisteredAt)
	w.EndObject()
}

// agentState is the agent's security state, the data of the device.uid
// enrichment. A member is written when the fact is known, even when it is
// false, 0 or empty.
type agentState struct {
	AgentStatus       *string `json:"agent_status,omitempty"`
	IsEnabled         *bool   `json:"is_enabled,omitempty"`
	IsEncrypted       *bool   `json:"is_encrypted,omitempty"`
	IsFirewallEnabled *bool   `json:"is_firewall_enabled,omitempty"`
	IsOnline          *bool   `json:"is_online,omitempty"`
	IsTamperProtected *bool   `json:"is_tamper_protected,omitempty"`
	LastIncidentTime  *int64  `json:"last_incident_time,omitempty"`
	ThreatCount       *int64  `json:"threat_count,omitempty"`
	ThreatLevel       *string `json:"threat_level,omitempty"`
}

// AppendJSON writes the object as encoding/json does.
func (v *agentState) AppendJSON(w *jsonenc.Writer) {
	w.BeginObject()
	w.OmitStringPtr("agent_status", v.AgentStatus)
	w.OmitBoolPtr("is_enabled", v.IsEnabled)
	w.OmitBoolPtr("is_encrypted", v.IsEncrypted)
	w.OmitBoolPtr("is_firewall_enabled", v.IsFirewallEnabled)
	w.OmitBoolPtr("is_online", v.IsOnline)
	w.OmitBoolPtr("is_tamper_protected", v.IsTamperProtected)
	w.OmitIntPtr("last_incident_time", v.LastIncidentTime)
	w.OmitIntPtr("threat_count", v.ThreatCount)
	w.OmitStringPtr("threat_level", v.ThreatLevel)
	w.EndObject()
}

// isZero reports whether no member is set.
func (v *agentState) isZero() bool { return *v == agentState{} }
