package transform

import "s1collector/internal/jsonenc"

// The Sekoia.io profile's types write themselves as encoding/json would,
// key for key, without reflection: an event is written per agent.
// TestEncodingMatchesEncodingJSON holds them to encoding/json; a field
// added to a type must be added here too (the test fails until it is).

// AppendJSON writes the SekoiaEvent as encoding/json does.
func (v *SekoiaEvent) AppendJSON(w *jsonenc.Writer) {
	w.BeginObject()
	w.KeyInt("activity_id", int64(v.ActivityID))
	w.KeyString("activity_name", v.ActivityName)
	w.KeyString("category_name", v.CategoryName)
	w.KeyInt("category_uid", int64(v.CategoryUID))
	w.KeyString("class_name", v.ClassName)
	w.KeyInt("class_uid", int64(v.ClassUID))
	w.KeyString("type_name", v.TypeName)
	w.KeyInt("type_uid", int64(v.TypeUID))
	w.KeyString("severity", v.Severity)
	w.KeyInt("severity_id", int64(v.SeverityID))
	w.Key("time")
	w.IntPtr(v.Time)
	w.Key("metadata")
	v.Metadata.AppendJSON(w)
	w.Key("device")
	v.Device.AppendJSON(w)
	w.Key("enrichments")
	w.BeginArray()
	for i := range v.Enrichments {
		v.Enrichments[i].AppendJSON(w)
	}
	w.EndArray()
	w.EndObject()
}

// AppendJSON writes the SekoiaMetadata as encoding/json does.
func (v *SekoiaMetadata) AppendJSON(w *jsonenc.Writer) {
	w.BeginObject()
	w.Key("product")
	w.BeginObject()
	w.KeyString("name", v.Product.Name)
	w.EndObject()
	w.KeyString("version", v.Version)
	w.EndObject()
}

// AppendJSON writes the SekoiaDevice as encoding/json does.
func (v *SekoiaDevice) AppendJSON(w *jsonenc.Writer) {
	w.BeginObject()
	w.Key("uid")
	w.StringPtr(v.UID)
	w.Key("name")
	w.StringPtr(v.Name)
	w.Key("hostname")
	w.StringPtr(v.Hostname)
	w.Key("domain")
	w.StringPtr(v.Domain)
	w.Key("type")
	w.StringPtr(v.Type)
	w.Key("machine_type")
	w.StringPtr(v.MachineType)
	w.Key("serial_number")
	w.StringPtr(v.SerialNumber)
	w.Key("manufacturer")
	w.StringPtr(v.Manufacturer)
	w.Key("model")
	w.StringPtr(v.Model)
	w.Key("cpu_count")
	w.IntPtr(v.CPUCount)
	w.Key("core_count")
	w.IntPtr(v.CoreCount)
	w.Key("memory_size")
	w.IntPtr(v.MemorySize)
	w.Key("ip")
	w.StringPtr(v.IP)
	w.Key("ipv4_addresses")
	w.Strings(v.IPv4Addresses)
	w.Key("ipv6_addresses")
	w.Strings(v.IPv6Addresses)
	w.Key("mac_address")
	w.StringPtr(v.MACAddress)
	w.Key("mac_addresses")
	w.Strings(v.MACAddresses)
	w.Key("is_enabled")
	w.BoolPtr(v.IsEnabled)
	w.Key("is_online")
	w.BoolPtr(v.IsOnline)
	w.Key("is_encrypted")
	w.BoolPtr(v.IsEncrypted)
	w.Key("is_firewall_enabled")
	w.BoolPtr(v.IsFirewallEnabled)
	w.Key("is_tamper_protected")
	w.BoolPtr(v.IsTamperProtected)
	w.Key("threat_level")
	w.StringPtr(v.ThreatLevel)
	w.Key("threat_count")
	w.IntPtr(v.ThreatCount)
	w.Key("agent_status")
	w.StringPtr(v.AgentStatus)
	w.Key("agent_version")
	w.StringPtr(v.AgentVersion)
	w.Key("user_uid")
	w.StringPtr(v.UserUID)
	w.Key("user_name")
	w.StringPtr(v.UserName)
	w.Key("user_full_name")
	w.StringPtr(v.UserFullName)
	w.Key("created_time")
	w.IntPtr(v.CreatedTime)
	w.Key("updated_time")
	w.IntPtr(v.UpdatedTime)
	w.Key("last_seen_time")
	w.IntPtr(v.LastSeenTime)
	w.Key("last_incident_time")
	w.IntPtr(v.LastIncidentTime)
	w.Key("os")
	v.OS.AppendJSON(w)
	w.EndObject()
}

// AppendJSON writes the SekoiaOS as encoding/json does.
func (v *SekoiaOS) AppendJSON(w *jsonenc.Writer) {
	w.BeginObject()
	w.Key("name")
	w.StringPtr(v.Name)
	w.KeyString("type", v.Type)
	w.Key("version")
	w.StringPtr(v.Version)
	w.Key("build")
	w.StringPtr(v.Build)
	w.EndObject()
}

// AppendJSON writes the SekoiaEnrich as encoding/json does.
func (v *SekoiaEnrich) AppendJSON(w *jsonenc.Writer) {
	w.BeginObject()
	w.KeyString("name", v.Name)
	w.KeyString("value", v.Value)
	w.Key("data")
	v.Data.AppendJSON(w)
	w.EndObject()
}

// AppendJSON writes the SekoiaData as encoding/json does.
func (v *SekoiaData) AppendJSON(w *jsonenc.Writer) {
	w.BeginObject()
	w.Key("threat_level")
	w.StringPtr(v.ThreatLevel)
	w.Key("threat_count")
	w.IntPtr(v.ThreatCount)
	w.Key("is_enabled")
	w.BoolPtr(v.IsEnabled)
	w.Key("agent_status")
	w.StringPtr(v.AgentStatus)
	w.Key("agent_version")
	w.StringPtr(v.AgentVersion)
	w.Key("is_encrypted")
	w.BoolPtr(v.IsEncrypted)
	w.Key("is_firewall_enabled")
	w.BoolPtr(v.IsFirewallEnabled)
	w.Key("is_tamper_protected")
	w.BoolPtr(v.IsTamperProtected)
	w.Key("last_seen")
	w.IntPtr(v.LastSeen)
	w.EndObject()
}
