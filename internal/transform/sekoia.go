package transform

import (
	"net/netip"

	"s1collector/internal/jsonenc"
	"s1collector/internal/ocsf"
	"s1collector/internal/sentinelone"
)

// SekoiaEvent is the Sekoia.io asset connector's "OCSF Model Structure" of
// the seed document, key for key. Every device key is always written: a
// missing value is null and a missing list is []. Times are epoch seconds.
type SekoiaEvent struct {
	ActivityID   int             `json:"activity_id"`
	ActivityName string          `json:"activity_name"`
	CategoryName string          `json:"category_name"`
	CategoryUID  int             `json:"category_uid"`
	ClassName    string          `json:"class_name"`
	ClassUID     int             `json:"class_uid"`
	TypeName     string          `json:"type_name"`
	TypeUID      int             `json:"type_uid"`
	Severity     string          `json:"severity"`
	SeverityID   int             `json:"severity_id"`
	Time         *int64          `json:"time"`
	Metadata     SekoiaMetadata  `json:"metadata"`
	Device       SekoiaDevice    `json:"device"`
	Enrichments  [1]SekoiaEnrich `json:"enrichments"`
}

// SekoiaMetadata is the seed's metadata object.
type SekoiaMetadata struct {
	Product struct {
		Name string `json:"name"`
	} `json:"product"`
	Version string `json:"version"`
}

// SekoiaDevice is the seed's device object.
type SekoiaDevice struct {
	UID               *string  `json:"uid"`
	Name              *string  `json:"name"`
	Hostname          *string  `json:"hostname"`
	Domain            *string  `json:"domain"`
	Type              *string  `json:"type"`
	MachineType       *string  `json:"machine_type"`
	SerialNumber      *string  `json:"serial_number"`
	Manufacturer      *string  `json:"manufacturer"`
	Model             *string  `json:"model"`
	CPUCount          *int64   `json:"cpu_count"`
	CoreCount         *int64   `json:"core_count"`
	MemorySize        *int64   `json:"memory_size"`
	IP                *string  `json:"ip"`
	IPv4Addresses     []string `json:"ipv4_addresses"`
	IPv6Addresses     []string `json:"ipv6_addresses"`
	MACAddress        *string  `json:"mac_address"`
	MACAddresses      []string `json:"mac_addresses"`
	IsEnabled         *bool    `json:"is_enabled"`
	IsOnline          *bool    `json:"is_online"`
	IsEncrypted       *bool    `json:"is_encrypted"`
	IsFirewallEnabled *bool    `json:"is_firewall_enabled"`
	IsTamperProtected *bool    `json:"is_tamper_protected"`
	ThreatLevel       *string  `json:"threat_level"`
	ThreatCount       *int64   `json:"threat_count"`
	AgentStatus       *string  `json:"agent_status"`
	AgentVersion      *string  `json:"agent_version"`
	UserUID           *string  `json:"user_uid"`
	UserName          *string  `json:"user_name"`
	UserFullName      *string  `json:"user_full_name"`
	CreatedTime       *int64   `json:"created_time"`
	UpdatedTime       *int64   `json:"updated_time"`
	LastSeenTime      *int64   `json:"last_seen_time"`
	LastIncidentTime  *int64   `json:"last_incident_time"`
	OS                SekoiaOS `json:"os"`
}

// SekoiaOS is the seed's device.os object.
type SekoiaOS struct {
	Name    *string `json:"name"`
	Type    string  `json:"type"`
	Version *string `json:"version"`
	Build   *string `json:"build"`
}

// SekoiaEnrich is the seed's single enrichment.
type SekoiaEnrich struct {
	Name  string     `json:"name"`
	Value string     `json:"value"`
	Data  SekoiaData `json:"data"`
}

// SekoiaData is the device_security enrichment's data.
type SekoiaData struct {
	ThreatLevel       *string `json:"threat_level"`
	ThreatCount       *int64  `json:"threat_count"`
	IsEnabled         *bool   `json:"is_enabled"`
	AgentStatus       *string `json:"agent_status"`
	AgentVersion      *string `json:"agent_version"`
	IsEncrypted       *bool   `json:"is_encrypted"`
	IsFirewallEnabled *bool   `json:"is_firewall_enabled"`
	IsTamperProtected *bool   `json:"is_tamper_protected"`
	LastSeen          *int64  `json:"last_seen"`
}

// Sekoia maps an agent to the Sekoia.io profile. It also returns the fields
// that were present but unreadable (their values are null in the event). An
// agent without an id gives ErrNoID.
func Sekoia(a *sentinelone.Agent) (SekoiaEvent, []string, error) {
	f, err := resolve(a)
	if err != nil {
		return SekoiaEvent{}, nil, err
	}
	return sekoiaEvent(f), f.problems, nil
}

// appendSekoia maps a and appends its event's JSON to dst. The facts come
// from a pool and go back once the event is written: an agent is mapped
// without allocating.
func appendSekoia(dst []byte, a *sentinelone.Agent, html bool) ([]byte, []string, error) {
	f := spareFacts.Get().(*facts)
	defer putFacts(f)
	if err := f.fill(a); err != nil {
		return dst, nil, err
	}
	ev := sekoiaEvent(f)
	w := jsonenc.Writer{B: dst, HTML: html}
	ev.AppendJSON(&w)
	return w.B, f.problems, nil
}

// sekoiaEvent builds the event of f; it points into f.
func sekoiaEvent(f *facts) SekoiaEvent {
	d := SekoiaDevice{
		UID: f.uid, Name: f.name, Hostname: f.hostname, Domain: f.domain, Type: f.deviceType, MachineType: f.machineType,
		SerialNumber: f.serial, Manufacturer: f.manufacturer, Model: f.model, CPUCount: f.cpuCount, CoreCount: f.coreCount,
		MemorySize: f.memoryMB, IPv4Addresses: list(f.ipv4), IPv6Addresses: list(f.ipv6), MACAddresses: list(f.macs),
		IsEnabled: f.isEnabled, IsOnline: f.isOnline, IsEncrypted: f.encrypted, IsFirewallEnabled: f.firewall,
		IsTamperProtected: f.tamper, ThreatLevel: f.threatLevel, ThreatCount: f.threatCount, AgentStatus: f.agentStatus,
		AgentVersion: f.agentVersion, UserUID: f.userUID, UserName: f.userName, UserFullName: f.userFullName,
		CreatedTime: f.epochSeconds(f.created), UpdatedTime: f.epochSeconds(f.updated), LastSeenTime: f.epochSeconds(f.lastSeen),
		LastIncidentTime: f.epochSeconds(f.lastIn),
		OS:               SekoiaOS{Name: f.osType, Type: sekoiaOSType(f.osType), Version: f.osVersion, Build: f.osBuild},
	}
	d.IP = firstIPv4(f.ipv4, f.a.IPv4Addresses.Present)
	if len(f.macs) > 0 {
		d.MACAddress = &f.macs[0]
	}
	ev := SekoiaEvent{
		ActivityID: ocsf.ActivityCollect, ActivityName: "Collect", CategoryName: "Discovery", CategoryUID: ocsf.CategoryDiscovery,
		ClassName: "Device Inventory Info", ClassUID: ocsf.ClassDeviceInventoryInfo,
		TypeName: "Device Inventory Info: Collect", TypeUID: ocsf.TypeUID(ocsf.ClassDeviceInventoryInfo, ocsf.ActivityCollect),
		Severity: "Informational", SeverityID: ocsf.SeverityInformational, Time: d.CreatedTime, Device: d,
	}
	ev.Metadata.Product.Name = "SentinelOne"
	ev.Metadata.Version = ocsf.Version
	ev.Enrichments[0] = SekoiaEnrich{Name: "device_security", Value: "sentinelone_device", Data: SekoiaData{
		ThreatLevel: d.ThreatLevel, ThreatCount: d.ThreatCount, IsEnabled: d.IsEnabled, AgentStatus: d.AgentStatus,
		AgentVersion: d.AgentVersion, IsEncrypted: d.IsEncrypted, IsFirewallEnabled: d.IsFirewallEnabled,
		IsTamperProtected: d.IsTamperProtected, LastSeen: d.LastSeenTime,
	}}
	return ev
}

// list is a list field of the profile: [] when empty, never null, as the
// seed's table asks ("ipv6Addresses": [] gives "ipv6_addresses": []).
func list(values []string) []string {
	if values == nil {
		return []string{}
	}
	return values
}

// sekoiaOSType is the seed's os.type: Windows, AppleOS, Linux, Other, Unknown.
func sekoiaOSType(osType *string) string {
	if osType == nil {
		return "Unknown"
	}
	switch *osType {
	case "windows", "windows_legacy":
		return "Windows"
	case "macos":
		return "AppleOS"
	case "linux":
		return "Linux"
	}
	return "Other"
}

// firstIPv4 is the seed's "first of ipv4Addresses", or, for a real agent,
// the first address of the interfaces that is IPv4.
func firstIPv4(addrs []string, seed bool) *string {
	for i, s := range addrs {
		if seed {
			return &addrs[i]
		}
		if ip, err := netip.ParseAddr(s); err == nil && ip.Is4() {
			return &addrs[i]
		}
	}
	return nil
}
