package transform

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"s1collector/internal/jsonenc"
	"s1collector/internal/ocsf"
	"s1collector/internal/sentinelone"
)

// Strict maps an agent to OCSF 1.6.0 Device Inventory Info that validates
// against the official schema: no nulls, no unknown keys, milliseconds,
// captions spelled as the schema spells them. collected is the event time.
// Facts OCSF has no attribute for go to one device.uid enrichment and to
// unmapped. It also returns the fields that were present but unreadable. An
// agent without an id gives ErrNoID.
func Strict(a *sentinelone.Agent, collected time.Time) (ocsf.InventoryInfo, []string, error) {
	f, err := resolve(a)
	if err != nil {
		return ocsf.InventoryInfo{}, nil, err
	}
	return strictEvent(f, collected, new(strictParts)), f.problems, nil
}

// strictEvent builds the event of f, its parts in p, which must be zero;
// it points into both.
func strictEvent(f *facts, collected time.Time, p *strictParts) ocsf.InventoryInfo {
	a := f.a
	ev := ocsf.InventoryInfo{Header: inventoryHeader}
	ev.Time = collected.UnixMilli()
	ev.Metadata = ocsf.Metadata{
		Version: ocsf.Version, Product: ocsf.Product{Name: "SentinelOne", VendorName: "SentinelOne"},
		UID: eventUID(f), TenantUID: a.AccountID.Value, LogName: "agents", LogProvider: "SentinelOne Management API",
		OriginalTime: a.UpdatedAt.Value,
	}
	ev.Device = strictDevice(f, p)
	if a.UpdatedDate.Set {
		ev.Metadata.OriginalTime = a.UpdatedDate.Value
	}
	if e, ok := strictEnrichment(f, ev.Device.UID, &p.state); ok {
		p.enrichments[0] = e
		ev.Enrichments = p.enrichments[:]
	}
	ev.Unmapped = strictUnmapped(f, &p.unmapped)
	return ev
}

// inventoryHeader is every strict event's header but its time: the
// schema's captions are looked up once, not per agent.
var inventoryHeader = ocsf.NewHeader(ocsf.ClassDeviceInventoryInfo, ocsf.ActivityCollect, ocsf.SeverityInformational, time.Time{})

// eventUID is stable for the same device state: the device id and its
// updatedAt in milliseconds, so a re-delivered record can be de-duplicated
// downstream and a changed one cannot.
func eventUID(f *facts) string {
	id := *f.uid
	if f.updated != nil {
		// One allocation: the id, '-' and the milliseconds written in place.
		var b strings.Builder
		b.Grow(len(id) + 21)
		b.WriteString(id)
		var ms [24]byte
		b.Write(strconv.AppendInt(append(ms[:0], '-'), f.updated.UnixMilli(), 10))
		return b.String()
	}
	// No updatedAt: hash what was read, which encodes deterministically.
	state, _ := json.Marshal(f.a)
	sum := sha256.Sum256(state)
	return id + "-" + hex.EncodeToString(sum[:8])
}

// strictParts holds what a strict event points at, so that they cost one
// allocation together.
type strictParts struct {
	org         ocsf.Organization
	os          ocsf.OS
	hw          ocsf.HWInfo
	owner       ocsf.User
	groups      [1]ocsf.Group
	agents      [1]ocsf.Agent
	policies    [2]ocsf.Policy
	enrichments [1]ocsf.Enrichment
	state       agentState
	unmapped    agentUnmapped
	managed     bool
	risk        int
	// Room for the network interfaces most agents have, and their type ids.
	ifaces     [4]ocsf.NetworkInterface
	ifaceTypes [4]int
	// w writes the event where it is written at once (appendStrict): a
	// Writer of its own would be an allocation, as the objects that
	// write themselves behind interfaces take it.
	w jsonenc.Writer
}

func strictDevice(f *facts, p *strictParts) ocsf.Device {
	a := f.a
	d := ocsf.Device{
		UID: str(f.uid), UIDAlt: a.UUID.Value, EID: a.ExternalID.Value, Name: str(f.name), Hostname: str(f.hostname),
		Domain: str(f.domain), VendorName: str(f.manufacturer), Model: str(f.model),
		CreatedTime: epochMillis(f.created), ModifiedTime: epochMillis(f.updated), LastSeenTime: epochMillis(f.lastSeen),
		NetworkInterfaces: strictInterfaces(f, p),
	}
	d.TypeID, d.Type = deviceTypeID(f.machineType)
	if d.IP = firstValidIP(f.ipv4); d.IP == "" {
		d.IP = firstValidIP(f.ipv6)
	}
	d.MAC = firstValidMAC(f.macs)
	p.managed = !a.IsUninstalled.Value && !a.IsDecommissioned.Value && !strings.EqualFold(str(f.agentStatus), "uninstalled")
	d.IsManaged = &p.managed
	if id, ok := riskLevel(f.threatLevel); ok {
		p.risk = id
		d.RiskLevelID, d.RiskLevel = &p.risk, ocsf.RiskLevelCaption(id)
	}
	d.RiskScore = f.threatCount
	if a.AccountID.Value != "" || a.AccountName.Value != "" || a.SiteID.Value != "" || a.SiteName.Value != "" {
		p.org = ocsf.Organization{UID: a.AccountID.Value, Name: a.AccountName.Value, OUUID: a.SiteID.Value, OUName: a.SiteName.Value}
		d.Org = p.org.OrNil()
	}
	if a.GroupID.Value != "" || a.GroupName.Value != "" {
		p.groups[0] = ocsf.Group{UID: a.GroupID.Value, Name: a.GroupName.Value}
		d.Groups = p.groups[:]
	}
	if os, ok := osOf(f); ok {
		p.os = os
		d.OS = &p.os
	}
	if hw := (ocsf.HWInfo{CPUCount: f.cpuCount, CPUCores: f.coreCount, RAMSize: f.memoryMB,
		SerialNumber: str(f.serial), VendorName: str(f.manufacturer)}); !hw.IsZero() {
		p.hw = hw
		d.HWInfo = &p.hw
	}
	p.agents[0] = strictAgent(f, p.policies[:0])
	d.AgentList = p.agents[:]
	if o := (ocsf.User{UID: str(f.userUID), Name: str(f.userName), FullName: str(f.userFullName)}); o != (ocsf.User{}) {
		if o.UID == "" && o.Name == "" {
			o.Name = o.FullName // OCSF's user needs a uid or name
		}
		p.owner = o
		d.Owner = &p.owner
	}
	return d
}

// deviceTypeID maps machineType: laptop 3, desktop 2, server 1, missing or
// "unknown" 0; any other value is 99 Other with the value as its caption.
func deviceTypeID(mt *string) (int, string) {
	switch v := str(mt); v {
	case "laptop":
		return ocsf.DeviceLaptop, ocsf.DeviceTypeCaption(ocsf.DeviceLaptop)
	case "desktop":
		return ocsf.DeviceDesktop, ocsf.DeviceTypeCaption(ocsf.DeviceDesktop)
	case "server":
		return ocsf.DeviceServer, ocsf.DeviceTypeCaption(ocsf.DeviceServer)
	case "", "unknown":
		return ocsf.DeviceUnknown, ocsf.DeviceTypeCaption(ocsf.DeviceUnknown)
	default:
		return ocsf.DeviceOther, v
	}
}

// riskLevel maps the threat level: good → Info, suspicious → Medium,
// bad → High. Unknown has no risk level.
func riskLevel(level *string) (int, bool) {
	switch str(level) {
	case "good":
		return ocsf.RiskInfo, true
	case "suspicious":
		return ocsf.RiskMedium, true
	case "bad":
		return ocsf.RiskHigh, true
	}
	return 0, false
}

// strictOS is the device's OS object, nil when nothing is known.
func strictOS(f *facts) *ocsf.OS {
	if os, ok := osOf(f); ok {
		return &os
	}
	return nil
}

// osOf is the device's OS, and whether anything is known of it.
func osOf(f *facts) (ocsf.OS, bool) {
	id := ocsf.OSUnknown
	switch str(f.osType) {
	case "windows", "windows_legacy":
		id = ocsf.OSWindows
	case "linux":
		id = ocsf.OSLinux
	case "macos":
		id = ocsf.OSMacOS
	case "":
	default:
		id = ocsf.OSOther
	}
	name := str(f.osVersion)
	if name == "" {
		name = str(f.osType)
	}
	if name == "" && f.osBuild == nil {
		return ocsf.OS{}, false
	}
	if name == "" {
		name = ocsf.OSTypeCaption(id)
	}
	return ocsf.OS{Name: name, TypeID: id, Type: ocsf.OSTypeCaption(id), Build: str(f.osBuild)}, true
}

// strictAgent describes the SentinelOne agent; its policies are appended to
// policies (whose room the caller provides).
func strictAgent(f *facts, policies []ocsf.Policy) ocsf.Agent {
	uid := f.a.UUID.Value
	if uid == "" {
		uid = str(f.uid)
	}
	ag := ocsf.Agent{UID: uid, Name: "SentinelOne Agent", TypeID: ocsf.AgentEDR, Type: ocsf.AgentTypeCaption(ocsf.AgentEDR),
		VendorName: "SentinelOne", Version: str(f.agentVersion), Policies: policies}
	if f.firewall != nil {
		ag.Policies = append(ag.Policies, ocsf.Policy{Name: "Firewall Control", IsApplied: *f.firewall})
	}
	if f.tamper != nil {
		ag.Policies = append(ag.Policies, ocsf.Policy{Name: "Tamper Protection", IsApplied: *f.tamper})
	}
	return ag
}

// isMAC reports whether m is six pairs of hex digits separated by ':' or
// '-' (^([0-9A-Fa-f]{2}[:-]){5}([0-9A-Fa-f]{2})$).
func isMAC(m string) bool {
	if len(m) != 17 {
		return false
	}
	for i := 0; i < len(m); i++ {
		c := m[i]
		if i%3 == 2 {
			if c != ':' && c != '-' {
				return false
			}
			continue
		}
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

func validIP(s string) bool {
	_, err := netip.ParseAddr(s)
	return err == nil && len(s) <= 40
}

func firstValidIP(addrs []string) string {
	for _, s := range addrs {
		if validIP(s) {
			return s
		}
	}
	return ""
}

func firstValidMAC(macs []string) string {
	for _, m := range macs {
		if isMAC(m) {
			return m
		}
	}
	return ""
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
