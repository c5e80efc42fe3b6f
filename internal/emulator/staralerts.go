package emulator

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// starAlertParams are the query parameters the official spec declares for
// GET /cloud-detection/alerts.
var starAlertParams = []string{
	"accountIds", "analystVerdict", "containerImageName__contains", "containerLabels__contains", "containerName__contains",
	"countOnly", "createdAt__gt", "createdAt__gte", "createdAt__lt", "createdAt__lte", "cursor", "disablePagination",
	"groupIds", "ids", "incidentStatus", "k8sCluster__contains", "k8sControllerLabels__contains", "k8sControllerName__contains",
	"k8sNamespaceLabels__contains", "k8sNamespaceName__contains", "k8sNode__contains", "k8sPodLabels__contains", "k8sPod__contains",
	"limit", "machineType", "origAgentName__contains", "origAgentOsRevision__contains", "origAgentUuid__contains",
	"origAgentVersion__contains", "osType", "query", "reportedAt__gt", "reportedAt__gte", "reportedAt__lt", "reportedAt__lte",
	"ruleName__contains", "scopes", "severity", "siteIds", "skip", "skipCount", "sortBy", "sortOrder",
	"sourceProcessCommandline__contains", "sourceProcessFileHashMd5__contains", "sourceProcessFileHashSha1__contains",
	"sourceProcessFileHashSha256__contains", "sourceProcessFilePath__contains", "sourceProcessName__contains",
	"sourceProcessStoryline__contains", "tenant",
}

// starAlertsImplemented are those the emulator implements.
var starAlertsImplemented = []string{"limit", "cursor", "skipCount", "sortBy", "sortOrder",
	"createdAt__gt", "createdAt__gte", "createdAt__lt", "createdAt__lte", "siteIds", "accountIds"}

// starAlerts serves the legacy STAR alerts, oldest first by
// alertInfo.createdAt, or 403 4030010 on a console without Custom Rules.
func (e *Emulator) starAlerts(w http.ResponseWriter, r *http.Request, c *call) {
	if e.cfg.NoCustomRules {
		writeError(w, http.StatusForbidden, 4030010, "Insufficient permissions", "This scope does not have Custom Rules enabled.")
		return
	}
	v := r.URL.Query()
	lo, hi, limit, err := parseStarQuery(v)
	if err != nil {
		writeError(w, http.StatusBadRequest, 4000010, "Validation Error", err.Error())
		return
	}
	e.mu.Lock()
	now := e.clock.now().UnixMilli()
	e.alerts.advanceTo(now)
	times := slices.Clone(e.alerts.star)
	e.mu.Unlock()
	var hits []int
	for i, t := range times {
		if lo.contains(t*1000) && hi.contains(t*1000) && e.starInScope(v, i, t) {
			hits = append(hits, i)
		}
	}
	key := filterKey(v)
	pos := 0
	if cur := v.Get("cursor"); cur != "" {
		st, err := decodeCursor(cur, key)
		if err != nil {
			writeError(w, http.StatusBadRequest, 4000010, "Validation Error", err.Error())
			return
		}
		pos = int(st.pos)
	}
	total := int64(len(hits))
	hits = hits[min(pos, len(hits)):]
	body := listBody{Pagination: pagination{TotalItems: &total}}
	if len(hits) > limit {
		next := encodeCursor(cursorState{pos: int64(pos + limit), total: total, key: key})
		body.Pagination.NextCursor = &next
		hits = hits[:limit]
	}
	if strings.EqualFold(v.Get("skipCount"), "true") {
		body.Pagination.TotalItems = nil
	}
	docs := make([]map[string]any, len(hits))
	for i, idx := range hits {
		docs[i] = e.starAlertDocument(idx, times[idx])
	}
	body.Data = docs
	e.writePage(w, c, body)
}

// parseStarQuery checks the parameters and reads the createdAt range.
func parseStarQuery(v url.Values) (lo, hi bounds, limit int, err error) {
	limit = 10
	for name := range v {
		if !slices.Contains(starAlertParams, name) {
			return lo, hi, 0, invalid("%s: Unknown field.", name)
		}
		if !slices.Contains(starAlertsImplemented, name) {
			return lo, hi, 0, invalid("%s: not implemented by the s1collector emulator (the real console accepts it)", name)
		}
	}
	if s := v.Get("limit"); s != "" {
		if limit, err = strconv.Atoi(s); err != nil || limit < 1 || limit > 1000 {
			return lo, hi, 0, invalid("limit: Must be greater than or equal to 1 and less than or equal to 1000.")
		}
	}
	if s := v.Get("sortBy"); s != "" && s != "alertInfoCreatedAt" {
		return lo, hi, 0, invalid("sortBy: %q is not a sort order the s1collector emulator implements (alertInfoCreatedAt).", s)
	}
	if s := v.Get("sortOrder"); s != "" && s != "asc" {
		return lo, hi, 0, invalid("sortOrder: only asc is implemented by the s1collector emulator.")
	}
	for _, op := range []string{"gt", "gte", "lt", "lte"} {
		s := v.Get("createdAt__" + op)
		if s == "" {
			continue
		}
		t, perr := parseFilterTime(s)
		if perr != nil {
			return lo, hi, 0, invalid("createdAt__%s: Not a valid datetime.", op)
		}
		if op[0] == 'g' {
			lo = bounds{lo: micros(t), hasLo: true, loOpen: op == "gt"}
		} else {
			hi = bounds{hi: micros(t), hasHi: true, hiOpen: op == "lt"}
		}
	}
	return lo, hi, limit, nil
}

// starInScope reports whether STAR alert i is in the sites and accounts
// the query names (siteIds, accountIds), as its agentDetectionInfo says.
func (e *Emulator) starInScope(v url.Values, i int, createdMs int64) bool {
	if v.Get("siteIds") == "" && v.Get("accountIds") == "" {
		return true
	}
	det := e.starAlertDocument(i, createdMs)["agentDetectionInfo"].(map[string]any)
	for param, key := range map[string]string{"siteIds": "siteId", "accountIds": "accountId"} {
		if ids := v.Get(param); ids != "" && !slices.Contains(strings.Split(ids, ","), det[key].(string)) {
			return false
		}
	}
	return true
}

// starAlertDocument renders STAR alert i in the shape of the console's
// (alertInfo, ruleInfo, the agent, source and target process).
func (e *Emulator) starAlertDocument(i int, createdMs int64) map[string]any {
	r := rand.New(rand.NewPCG(e.cfg.Seed, mix(saltAlert, uint64(i), 7)))
	a := e.world.agentProfile(r.IntN(max(e.cfg.Agents, 1)))
	us := createdMs * 1000
	rules := []string{"Encoded PowerShell", "LSASS Memory Read", "Suspicious Cron Job"}
	pid := 1000 + r.IntN(60000)
	return map[string]any{
		"alertInfo": map[string]any{"alertId": itoa(1700000000000000000 + uint64(i)), "analystVerdict": "Undefined",
			"createdAt": stamp(us), "updatedAt": stamp(us + 125000), "reportedAt": stamp(us + 125000), "eventType": "PROCESSCREATION",
			"hitType": "Events", "incidentStatus": "Unresolved", "isEdr": true, "source": "STAR", "dvEventId": fmt.Sprintf("01J%023X_%d", r.Uint64(), r.IntN(100)),
			"srcIp": nil, "dstIp": nil, "srcPort": nil, "dstPort": nil, "dnsRequest": nil, "loginsUserName": nil},
		"ruleInfo": map[string]any{"id": itoa(1800000000000000000 + uint64(r.IntN(3))), "name": rules[r.IntN(len(rules))], "description": nil,
			"queryLang": "2.0", "queryType": "events", "s1ql": `SrcProcName = "powershell.exe"`, "scopeLevel": "site",
			"severity": []string{"Critical", "High", "Medium", "Low"}[r.IntN(4)], "treatAsThreat": "Suspicious"},
		"agentDetectionInfo": map[string]any{"accountId": itoa(accountID), "machineType": a.machineType, "name": a.computerName,
			"osFamily": a.osType, "osName": a.osName, "osRevision": a.osRevision, "siteId": siteID(a.site), "uuid": a.uuid, "version": agentVersions[0]},
		"agentRealtimeInfo": map[string]any{"id": a.id, "infected": false, "isActive": true, "isDecommissioned": false,
			"machineType": a.machineType, "name": a.computerName, "os": a.osType, "uuid": a.uuid},
		"sourceProcessInfo": map[string]any{"commandline": "powershell.exe -enc SQBFAFgA", "name": "powershell.exe", "pid": itoa(uint64(pid)),
			"uniqueId": fmt.Sprintf("%016X", r.Uint64()), "storyline": fmt.Sprintf("%016X", r.Uint64()), "user": "NT AUTHORITY\\SYSTEM",
			"filePath": `C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`, "fileHashSha1": fmt.Sprintf("%016x%016x%08x", r.Uint64(), r.Uint64(), r.Uint32()),
			"pidStarttime": stamp(us - 5000000), "integrityLevel": "system", "fileSignerIdentity": "MICROSOFT WINDOWS"},
		"sourceParentProcessInfo": map[string]any{"name": "cmd.exe", "pid": itoa(uint64(pid - 7)), "uniqueId": fmt.Sprintf("%016X", r.Uint64())},
		"targetProcessInfo":       map[string]any{"tgtProcName": nil, "tgtProcPid": nil},
		"containerInfo":           map[string]any{"id": nil, "image": nil, "labels": nil, "name": nil},
		"kubernetesInfo":          map[string]any{"cluster": nil, "namespace": nil, "pod": nil},
	}
}
