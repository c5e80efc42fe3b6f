package emulator

import (
	"time"
)

// agentState is what changes about a device from one version to the next.
type agentState struct {
	decommissioned, uninstalled, pendingUninstall bool
	active                                        bool
	networkStatus                                 string
	activeThreats                                 int
	agentVersion                                  string
	firewall, encrypted, upToDate                 bool
	mitigationMode                                string
}

var agentVersions = []string{"23.4.2.14", "24.1.4.257", "24.2.3.471", "25.1.3.334", "25.2.1.142"}

// agentStateOf is cheap (hashing only), so filters can use it on every
// record without rendering documents.
func (w *world) agentStateOf(i int, version uint32) agentState {
	h := mix(w.cfg.Seed, saltAgentDoc, uint64(i), uint64(version))
	s := agentState{
		decommissioned:   h%100 < 3,
		uninstalled:      h%100 == 3,
		pendingUninstall: h%1000 == 999,
		networkStatus:    []string{"connected", "connected", "connected", "disconnected", "connecting", "disconnecting"}[h>>8%6],
		agentVersion:     agentVersions[min(int(h>>16%8), len(agentVersions)-1)],
		firewall:         h>>24%4 != 0,
		encrypted:        h>>28%3 != 0,
		upToDate:         h>>32%5 != 0,
		mitigationMode:   []string{"protect", "protect", "detect"}[h>>36%3],
	}
	if version&decommissionedBit != 0 {
		s.decommissioned = true
	}
	s.active = !s.decommissioned && !s.uninstalled && s.networkStatus == "connected"
	if h>>40%25 == 0 {
		s.activeThreats = 1 + int(h>>44%4)
	}
	return s
}

// agentDoc is an agent as the console serialises it (real key names, real
// nulls). Keys the collector never reads are included for fidelity.
type agentDoc struct {
	AccountID             string           `json:"accountId"`
	AccountName           string           `json:"accountName"`
	ActiveDirectory       activeDirectory  `json:"activeDirectory"`
	ActiveProtection      []string         `json:"activeProtection"`
	ActiveThreats         any              `json:"activeThreats"`
	AgentVersion          string           `json:"agentVersion"`
	AllowRemoteShell      bool             `json:"allowRemoteShell"`
	AppsVulnStatus        string           `json:"appsVulnerabilityStatus"`
	CloudProviders        map[string]any   `json:"cloudProviders"`
	ComputerName          string           `json:"computerName"`
	ConsoleMigration      string           `json:"consoleMigrationStatus"`
	ContainerizedCounts   *int             `json:"containerizedWorkloadCounts"`
	CoreCount             any              `json:"coreCount"`
	CPUCount              any              `json:"cpuCount"`
	CreatedAt             string           `json:"createdAt"`
	Domain                string           `json:"domain"`
	EncryptedApplications bool             `json:"encryptedApplications"`
	ExternalID            string           `json:"externalId"`
	ExternalIP            string           `json:"externalIp"`
	FirewallEnabled       any              `json:"firewallEnabled"`
	GroupID               string           `json:"groupId"`
	GroupName             string           `json:"groupName"`
	ID                    string           `json:"id"`
	Infected              bool             `json:"infected"`
	InstallerType         string           `json:"installerType"`
	IsActive              any              `json:"isActive"`
	IsDecommissioned      bool             `json:"isDecommissioned"`
	IsPendingUninstall    bool             `json:"isPendingUninstall"`
	IsUninstalled         bool             `json:"isUninstalled"`
	IsUpToDate            bool             `json:"isUpToDate"`
	LastActiveDate        string           `json:"lastActiveDate"`
	LastIPToMgmt          string           `json:"lastIpToMgmt"`
	LastLoggedInUserName  string           `json:"lastLoggedInUserName"`
	Locations             []map[string]any `json:"locations"`
	MachineType           string           `json:"machineType"`
	MitigationMode        string           `json:"mitigationMode"`
	ModelName             *string          `json:"modelName"`
	NetworkInterfaces     []nicDoc         `json:"networkInterfaces"`
	NetworkStatus         string           `json:"networkStatus"`
	OSArch                string           `json:"osArch"`
	OSName                string           `json:"osName"`
	OSRevision            string           `json:"osRevision"`
	OSType                string           `json:"osType"`
	OSUsername            *string          `json:"osUsername"`
	ProxyStates           *map[string]bool `json:"proxyStates"`
	RegisteredAt          string           `json:"registeredAt"`
	SerialNumber          *string          `json:"serialNumber"`
	SiteID                string           `json:"siteId"`
	SiteName              string           `json:"siteName"`
	Tags                  map[string]any   `json:"tags"`
	TotalMemory           int              `json:"totalMemory"`
	UpdatedAt             string           `json:"updatedAt"`
	UserActionsNeeded     []string         `json:"userActionsNeeded"`
	UUID                  string           `json:"uuid"`
}

type activeDirectory struct {
	ComputerDistinguishedName *string  `json:"computerDistinguishedName"`
	ComputerMemberOf          []string `json:"computerMemberOf"`
	LastUserDistinguishedName *string  `json:"lastUserDistinguishedName"`
	LastUserMemberOf          []string `json:"lastUserMemberOf"`
}

// agentDocument renders agent i at its given version and updatedAt.
func (w *world) agentDocument(i int, version uint32, createdUs, updatedUs int64, odd bool) agentDoc {
	p := w.agentProfile(i)
	s := w.agentStateOf(i, version)
	lastActive := updatedUs - int64(mix(w.cfg.Seed, uint64(i), uint64(version), 7)%uint64(time.Hour.Microseconds()))
	d := agentDoc{
		AccountID: itoa(accountID), AccountName: "Emulated Account",
		ActiveDirectory:  activeDirectory{ComputerMemberOf: []string{}, LastUserMemberOf: []string{}},
		ActiveProtection: []string{"edr"}, ActiveThreats: s.activeThreats, AgentVersion: s.agentVersion,
		AppsVulnStatus: "up_to_date", CloudProviders: map[string]any{}, ComputerName: p.computerName,
		ConsoleMigration: "N/A", CoreCount: p.coreCount, CPUCount: p.cpuCount, CreatedAt: stamp(createdUs),
		Domain: p.domain, EncryptedApplications: s.encrypted, ExternalIP: "203.0.113." + itoa(uint64(i%254+1)),
		FirewallEnabled: s.firewall, GroupID: itoa(siteIDBase + uint64(p.site)*7919 + 1), GroupName: "Default Group",
		ID: p.id, Infected: s.activeThreats > 0, InstallerType: p.installer, IsActive: s.active,
		IsDecommissioned: s.decommissioned, IsPendingUninstall: s.pendingUninstall, IsUninstalled: s.uninstalled,
		IsUpToDate: s.upToDate, LastActiveDate: stamp(lastActive), LastIPToMgmt: p.nics[0].Inet[0],
		LastLoggedInUserName: p.user, MachineType: p.machineType, MitigationMode: s.mitigationMode,
		ModelName: p.modelName, NetworkInterfaces: p.nics, NetworkStatus: s.networkStatus, OSArch: p.osArch,
		OSName: p.osName, OSRevision: p.osRevision, OSType: p.osType, RegisteredAt: stamp(createdUs - 9000),
		SerialNumber: p.serial, SiteID: siteID(p.site), SiteName: siteName(p.site),
		Tags: map[string]any{"sentinelone": []any{}}, TotalMemory: p.memoryMB, UpdatedAt: stamp(updatedUs),
		UserActionsNeeded: []string{}, UUID: p.uuid,
	}
	if p.user != "" {
		dn := "CN=" + p.user + ",CN=Users,DC=corp,DC=example,DC=com"
		d.ActiveDirectory.LastUserDistinguishedName = &dn
	}
	if odd {
		// What sloppy consoles and old integrations send.
		d.FirewallEnabled = boolString(s.firewall)
		d.IsActive = boolString(s.active)
		d.CPUCount = itoa(uint64(p.cpuCount))
		d.ActiveThreats = itoa(uint64(s.activeThreats))
	}
	return d
}

func boolString(b bool) string {
	if b {
		return "True"
	}
	return "False"
}
