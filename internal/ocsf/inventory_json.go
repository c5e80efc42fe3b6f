package ocsf

import "s1collector/internal/jsonenc"

// The types of this file write themselves as encoding/json would, field
// for field and omitempty for omitempty, without reflection: a Device
// Inventory Info event is written per agent. transform's
// TestEncodingMatchesEncodingJSON holds them to encoding/json; a field added
// to one of these types must be added here too (the test fails until it
// is).

// appendMembers writes the Header's members, which encoding/json writes
// inline where the Header is embedded.
func (v *Header) appendMembers(w *jsonenc.Writer) {
	w.KeyInt("activity_id", int64(v.ActivityID))
	w.KeyString("activity_name", v.ActivityName)
	w.KeyInt("category_uid", int64(v.CategoryUID))
	w.KeyString("category_name", v.CategoryName)
	w.KeyInt("class_uid", int64(v.ClassUID))
	w.KeyString("class_name", v.ClassName)
	w.KeyInt("type_uid", int64(v.TypeUID))
	w.KeyString("type_name", v.TypeName)
	w.KeyInt("severity_id", int64(v.SeverityID))
	w.KeyString("severity", v.Severity)
	w.KeyInt("time", v.Time)
	w.OmitString("message", v.Message)
	w.Key("metadata")
	v.Metadata.AppendJSON(w)
}

// AppendJSON writes the InventoryInfo as encoding/json does.
func (v *InventoryInfo) AppendJSON(w *jsonenc.Writer) {
	w.BeginObject()
	v.Header.appendMembers(w)
	w.Key("device")
	v.Device.AppendJSON(w)
	if len(v.Enrichments) > 0 {
		w.Key("enrichments")
		jsonenc.List(w, v.Enrichments)
	}
	if v.Unmapped != nil {
		w.Key("unmapped")
		v.Unmapped.AppendJSON(w)
	}
	w.EndObject()
}

// AppendJSON writes the Metadata as encoding/json does.
func (v *Metadata) AppendJSON(w *jsonenc.Writer) {
	w.BeginObject()
	w.KeyString("version", v.Version)
	w.Key("product")
	v.Product.AppendJSON(w)
	w.OmitString("uid", v.UID)
	w.OmitString("tenant_uid", v.TenantUID)
	w.OmitString("log_name", v.LogName)
	w.OmitString("log_provider", v.LogProvider)
	w.OmitString("original_time", v.OriginalTime)
	w.OmitInt("modified_time", v.ModifiedTime)
	w.OmitString("event_code", v.EventCode)
	if len(v.Profiles) > 0 {
		w.Key("profiles")
		w.Strings(v.Profiles)
	}
	w.EndObject()
}

// AppendJSON writes the Product as encoding/json does.
func (v *Product) AppendJSON(w *jsonenc.Writer) {
	w.BeginObject()
	w.OmitString("name", v.Name)
	w.OmitString("vendor_name", v.VendorName)
	w.OmitString("version", v.Version)
	w.OmitString("uid", v.UID)
	if v.Feature != nil {
		w.Key("feature")
		v.Feature.AppendJSON(w)
	}
	w.EndObject()
}

// AppendJSON writes the Feature as encoding/json does.
func (v *Feature) AppendJSON(w *jsonenc.Writer) {
	w.BeginObject()
	w.KeyString("name", v.Name)
	w.EndObject()
}

// AppendJSON writes the Device as encoding/json does.
func (v *Device) AppendJSON(w *jsonenc.Writer) {
	w.BeginObject()
	w.OmitString("uid", v.UID)
	w.OmitString("uid_alt", v.UIDAlt)
	w.OmitString("eid", v.EID)
	w.OmitString("name", v.Name)
	w.OmitString("hostname", v.Hostname)
	w.OmitString("domain", v.Domain)
	w.KeyInt("type_id", int64(v.TypeID))
	w.OmitString("type", v.Type)
	w.OmitString("vendor_name", v.VendorName)
	w.OmitString("model", v.Model)
	w.OmitString("ip", v.IP)
	w.OmitString("mac", v.MAC)
	if v.IsManaged != nil {
		w.Key("is_managed")
		w.Bool(*v.IsManaged)
	}
	w.OmitInt("created_time", v.CreatedTime)
	w.OmitInt("modified_time", v.ModifiedTime)
	w.OmitInt("last_seen_time", v.LastSeenTime)
	if v.RiskLevelID != nil {
		w.Key("risk_level_id")
		w.Int(int64(*v.RiskLevelID))
	}
	w.OmitString("risk_level", v.RiskLevel)
	if v.RiskScore != nil {
		w.Key("risk_score")
		w.Int(*v.RiskScore)
	}
	if v.Org != nil {
		w.Key("org")
		v.Org.AppendJSON(w)
	}
	if len(v.Groups) > 0 {
		w.Key("groups")
		jsonenc.List(w, v.Groups)
	}
	if v.OS != nil {
		w.Key("os")
		v.OS.AppendJSON(w)
	}
	if v.HWInfo != nil {
		w.Key("hw_info")
		v.HWInfo.AppendJSON(w)
	}
	if len(v.NetworkInterfaces) > 0 {
		w.Key("network_interfaces")
		jsonenc.List(w, v.NetworkInterfaces)
	}
	if len(v.AgentList) > 0 {
		w.Key("agent_list")
		jsonenc.List(w, v.AgentList)
	}
	if v.Owner != nil {
		w.Key("owner")
		v.Owner.AppendJSON(w)
	}
	w.EndObject()
}

// AppendJSON writes the OS as encoding/json does.
func (v *OS) AppendJSON(w *jsonenc.Writer) {
	w.BeginObject()
	w.KeyString("name", v.Name)
	w.KeyInt("type_id", int64(v.TypeID))
	w.OmitString("type", v.Type)
	w.OmitString("version", v.Version)
	w.OmitString("build", v.Build)
	w.EndObject()
}

// AppendJSON writes the HWInfo as encoding/json does.
func (v *HWInfo) AppendJSON(w *jsonenc.Writer) {
	w.BeginObject()
	if v.CPUCount != nil {
		w.Key("cpu_count")
		w.Int(*v.CPUCount)
	}
	if v.CPUCores != nil {
		w.Key("cpu_cores")
		w.Int(*v.CPUCores)
	}
	if v.RAMSize != nil {
		w.Key("ram_size")
		w.Int(*v.RAMSize)
	}
	w.OmitString("serial_number", v.SerialNumber)
	w.OmitString("vendor_name", v.VendorName)
	w.EndObject()
}

// AppendJSON writes the NetworkInterface as encoding/json does.
func (v *NetworkInterface) AppendJSON(w *jsonenc.Writer) {
	w.BeginObject()
	w.OmitString("name", v.Name)
	w.OmitString("mac", v.MAC)
	w.OmitString("ip", v.IP)
	w.OmitString("uid", v.UID)
	if v.TypeID != nil {
		w.Key("type_id")
		w.Int(int64(*v.TypeID))
	}
	w.OmitString("type", v.Type)
	w.EndObject()
}

// AppendJSON writes the Agent as encoding/json does.
func (v *Agent) AppendJSON(w *jsonenc.Writer) {
	w.BeginObject()
	w.OmitString("uid", v.UID)
	w.OmitString("name", v.Name)
	w.KeyInt("type_id", int64(v.TypeID))
	w.OmitString("type", v.Type)
	w.OmitString("vendor_name", v.VendorName)
	w.OmitString("version", v.Version)
	if len(v.Policies) > 0 {
		w.Key("policies")
		jsonenc.List(w, v.Policies)
	}
	w.EndObject()
}

// AppendJSON writes the Policy as encoding/json does.
func (v *Policy) AppendJSON(w *jsonenc.Writer) {
	w.BeginObject()
	w.KeyString("name", v.Name)
	w.Key("is_applied")
	w.Bool(v.IsApplied)
	w.EndObject()
}

// AppendJSON writes the User as encoding/json does.
func (v *User) AppendJSON(w *jsonenc.Writer) {
	w.BeginObject()
	w.OmitString("uid", v.UID)
	w.OmitString("name", v.Name)
	w.OmitString("full_name", v.FullName)
	w.OmitString("email_addr", v.EmailAddr)
	w.OmitString("domain", v.Domain)
	if v.TypeID != nil {
		w.Key("type_id")
		w.Int(int64(*v.TypeID))
	}
	w.OmitString("type", v.Type)
	w.EndObject()
}

// AppendJSON writes the Organization as encoding/json does.
func (v *Organization) AppendJSON(w *jsonenc.Writer) {
	w.BeginObject()
	w.OmitString("uid", v.UID)
	w.OmitString("name", v.Name)
	w.OmitString("ou_uid", v.OUUID)
	w.OmitString("ou_name", v.OUName)
	w.EndObject()
}

// AppendJSON writes the Group as encoding/json does.
func (v *Group) AppendJSON(w *jsonenc.Writer) {
	w.BeginObject()
	w.OmitString("uid", v.UID)
	w.OmitString("name", v.Name)
	w.EndObject()
}

// AppendJSON writes the Enrichment as encoding/json does.
func (v *Enrichment) AppendJSON(w *jsonenc.Writer) {
	w.BeginObject()
	w.KeyString("name", v.Name)
	w.KeyString("value", v.Value)
	w.OmitString("type", v.Type)
	w.OmitString("provider", v.Provider)
	w.Key("data")
	if v.Data == nil {
		w.Null()
	} else {
		v.Data.AppendJSON(w)
	}
	w.EndObject()
}
