package emulator

import (
	"fmt"
	"math/rand/v2"
)

// activityType is one entry of GET /activities/types.
type activityType struct {
	ID                  int    `json:"id"`
	Action              string `json:"action"`
	DescriptionTemplate string `json:"descriptionTemplate"`
	agent, threat       bool
}

// activityTypes are types seen on real consoles (api-notes §6.2) and common
// management actions; weights favour the frequent ones by repetition.
var activityTypes = []activityType{
	{ID: 18, Action: "New Threat Mitigated", DescriptionTemplate: "Threat {{ threat_name }} on {{ computer_name }} was mitigated", agent: true, threat: true},
	{ID: 19, Action: "New Malicious Threat Not Mitigated", DescriptionTemplate: "Threat {{ threat_name }} on {{ computer_name }} was detected", agent: true, threat: true},
	{ID: 20, Action: "New Threat Preemptive Block", DescriptionTemplate: "Threat {{ threat_name }} on {{ computer_name }} was blocked", agent: true, threat: true},
	{ID: 4003, Action: "New Suspicious Threat Not Mitigated", DescriptionTemplate: "Suspicious threat {{ threat_name }} on {{ computer_name }}", agent: true, threat: true},
	{ID: 27, Action: "User Logged In", DescriptionTemplate: "The management user {{ username }} logged in to the management console"},
	{ID: 33, Action: "User Logged Out", DescriptionTemplate: "The management user {{ username }} logged out"},
	{ID: 61, Action: "Agent Disconnected From Network", DescriptionTemplate: "The management user {{ username }} disconnected {{ computer_name }} from network", agent: true},
	{ID: 90, Action: "Agent Started Full Disk Scan", DescriptionTemplate: "Agent {{ computer_name }} started full disk scan", agent: true},
	{ID: 92, Action: "Agent Completed Full Disk Scan", DescriptionTemplate: "Agent {{ computer_name }} completed full disk scan", agent: true},
	{ID: 3608, Action: "Agent Upgraded", DescriptionTemplate: "Agent {{ computer_name }} was upgraded to {{ new_version }}", agent: true},
	{ID: 5020, Action: "Site Created", DescriptionTemplate: "The management user {{ username }} created site {{ site_name }}"},
}

var activityWeights = []int{0, 1, 2, 3, 4, 4, 4, 5, 6, 7, 7, 8, 8, 9, 10}

type activityDoc struct {
	AccountID            string         `json:"accountId"`
	AccountName          string         `json:"accountName"`
	ActivityType         any            `json:"activityType"`
	ActivityUUID         string         `json:"activityUuid"`
	AgentID              *string        `json:"agentId"`
	AgentUpdatedVersion  *string        `json:"agentUpdatedVersion"`
	Comments             *string        `json:"comments"`
	CreatedAt            string         `json:"createdAt"`
	Data                 map[string]any `json:"data"`
	Description          *string        `json:"description"`
	GroupID              *string        `json:"groupId"`
	GroupName            *string        `json:"groupName"`
	Hash                 *string        `json:"hash"`
	ID                   string         `json:"id"`
	OSFamily             *string        `json:"osFamily"`
	PrimaryDescription   string         `json:"primaryDescription"`
	SecondaryDescription *string        `json:"secondaryDescription"`
	SiteID               *string        `json:"siteId"`
	SiteName             *string        `json:"siteName"`
	ThreatID             *string        `json:"threatId"`
	UpdatedAt            string         `json:"updatedAt"`
	UserID               *string        `json:"userId"`
}

func (w *world) activityDocument(i int, createdUs, updatedUs int64, odd bool) activityDoc {
	r := rand.New(rand.NewPCG(w.cfg.Seed, mix(saltActivity, uint64(i))))
	t := activityTypes[activityWeights[r.IntN(len(activityWeights))]]
	user := fmt.Sprintf("%s.%s@example.com", firstNames[r.IntN(len(firstNames))], lastNames[r.IntN(len(lastNames))])
	d := activityDoc{
		AccountID: itoa(accountID), AccountName: "Emulated Account", ActivityType: t.ID,
		ActivityUUID: fmt.Sprintf("%08x-%04x-4%03x-a%03x-%012x", r.Uint32(), r.IntN(1<<16), r.IntN(1<<12), r.IntN(1<<12), r.Uint64()&(1<<48-1)),
		CreatedAt:    stamp(createdUs), ID: recordID(activityIDBase, w.cfg.Seed, saltActivity, i), UpdatedAt: stamp(updatedUs),
		Data: map[string]any{"accountName": "Emulated Account", "fullScopeDetails": "Account Emulated Account", "username": user,
			"accountId": int64(accountID)}, // real consoles put numeric ids inside data
		PrimaryDescription: fmt.Sprintf("%s (%s).", t.Action, user),
	}
	// References use the start fleet and history, fixed sizes: a record
	// renders the same whenever it is asked for, and rendering (done
	// outside the lock) never reads the growing tables.
	if t.agent && w.cfg.Agents > 0 {
		a := w.agentProfile(r.IntN(w.cfg.Agents))
		d.AgentID, d.SiteID = &a.id, ptr(siteID(a.site))
		d.SiteName, d.OSFamily = ptr(siteName(a.site)), ptr(a.osType)
		d.Data["computerName"] = a.computerName
		d.PrimaryDescription = fmt.Sprintf("%s on %s.", t.Action, a.computerName)
	}
	if t.threat && w.cfg.HistoryThreats > 0 {
		d.ThreatID = ptr(recordID(threatIDBase, w.cfg.Seed, saltThreat, r.IntN(w.cfg.HistoryThreats)))
	}
	if odd {
		d.ActivityType = itoa(uint64(t.ID))
	}
	return d
}

type threatDoc struct {
	AgentDetectionInfo map[string]any   `json:"agentDetectionInfo"`
	AgentRealtimeInfo  map[string]any   `json:"agentRealtimeInfo"`
	ContainerInfo      map[string]any   `json:"containerInfo"`
	ID                 string           `json:"id"`
	Indicators         []map[string]any `json:"indicators"`
	KubernetesInfo     map[string]any   `json:"kubernetesInfo"`
	MitigationStatus   []map[string]any `json:"mitigationStatus"`
	ThreatInfo         map[string]any   `json:"threatInfo"`
	WhiteningOptions   []string         `json:"whiteningOptions"`
}

var threatNames = []string{"Mimikatz.exe", "invoice_2026.pdf.exe", "cobaltstrike_beacon.dll", "EICAR.com", "xmrig", "powershell_dropper.ps1"}

// threatDocument renders threat i at a version: later versions move through
// mitigation, analyst verdict and resolution.
func (w *world) threatDocument(i int, version uint32, createdUs, updatedUs int64, odd bool) threatDoc {
	r := rand.New(rand.NewPCG(w.cfg.Seed, mix(saltThreat, uint64(i))))
	id := recordID(threatIDBase, w.cfg.Seed, saltThreat, i)
	a := w.agentProfile(r.IntN(max(w.cfg.Agents, 1)))
	name := threatNames[r.IntN(len(threatNames))]
	step := min(int(version), 3)
	ti := map[string]any{
		"threatId": id, "threatName": name, "classification": []string{"Malware", "Trojan", "Ransomware", "PUA", "Hacktool"}[r.IntN(5)],
		"confidenceLevel": []string{"malicious", "suspicious"}[r.IntN(2)], "sha1": fmt.Sprintf("%016x%016x%08x", r.Uint64(), r.Uint64(), r.Uint32()),
		"filePath":         `\Device\HarddiskVolume3\Users\Public\` + name,
		"mitigationStatus": []string{"not_mitigated", "mitigated", "mitigated", "mitigated"}[step],
		"analystVerdict":   []string{"undefined", "undefined", "true_positive", "true_positive"}[step],
		"incidentStatus":   []string{"unresolved", "in_progress", "in_progress", "resolved"}[step],
		"createdAt":        stamp(createdUs), "updatedAt": stamp(updatedUs), "identifiedAt": stamp(createdUs - 2_000_000),
		"detectionType": "static", "engines": []string{"SentinelOne Cloud"}, "initiatedBy": "agent_policy",
		"storyline": fmt.Sprintf("%016X", r.Uint64()), "mitigatedPreemptively": false,
	}
	if odd {
		ti["mitigatedPreemptively"] = "False"
	}
	return threatDoc{
		AgentDetectionInfo: map[string]any{"accountId": itoa(accountID), "agentOsName": a.osName, "agentVersion": agentVersions[0], "siteId": siteID(a.site)},
		AgentRealtimeInfo: map[string]any{"agentId": a.id, "agentComputerName": a.computerName, "agentOsType": a.osType,
			"agentMachineType": a.machineType, "siteId": siteID(a.site), "siteName": siteName(a.site), "accountId": itoa(accountID)},
		ContainerInfo: map[string]any{}, ID: id, Indicators: []map[string]any{}, KubernetesInfo: map[string]any{},
		MitigationStatus: []map[string]any{}, ThreatInfo: ti, WhiteningOptions: []string{"hash", "path"},
	}
}

func ptr[T any](v T) *T { return &v }
