package transform

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"s1collector/internal/ocsf"
	"s1collector/internal/sentinelone"
)

// starAlert is a record of GET /cloud-detection/alerts: a STAR custom rule
// that matched. It has no top-level id: alertInfo.alertId identifies it.
type starAlert struct {
	AlertInfo      obj[starAlertInfo]                                                                                      `json:"alertInfo"`
	RuleInfo       obj[struct{ ID, Name, Description, Severity, TreatAsThreat, QueryType, QueryLang, S1QL, ScopeLevel s }] `json:"ruleInfo"`
	AgentDetection obj[struct{ UUID, Name, OSFamily, OSName, OSRevision, MachineType, Version, AccountID, SiteID s }]      `json:"agentDetectionInfo"`
	AgentRealtime  obj[struct{ ID, UUID, Name, OS, MachineType s }]                                                        `json:"agentRealtimeInfo"`
	SourceProcess  obj[starProcess]                                                                                        `json:"sourceProcessInfo"`
	SourceParent   obj[starProcess]                                                                                        `json:"sourceParentProcessInfo"`
	TargetProcess  obj[starTarget]                                                                                         `json:"targetProcessInfo"`
	ContainerInfo  json.RawMessage                                                                                         `json:"containerInfo"`
	KubernetesInfo json.RawMessage                                                                                         `json:"kubernetesInfo"`
}

type starAlertInfo struct {
	AlertID, AnalystVerdict, IncidentStatus, CreatedAt, UpdatedAt, ReportedAt s
	EventType, HitType, Source, DVEventID, SrcIP, SrcPort, DstIP, DstPort     s
	DNSRequest, DNSResponse, LoginsUserName, LoginType, IndicatorName         s
	IsEdr                                                                     sentinelone.Bool
}

type starProcess struct {
	PID, UniqueID, Name, Commandline, FilePath, FileHashMd5, FileHashSha1, FileHashSha256 s
	FileSignerIdentity, User, PIDStarttime, Storyline, IntegrityLevel                     s
}

type starTarget struct {
	TgtProcPid, TgtProcUID, TgtProcName, TgtProcCmdLine, TgtProcImagePath, TgtProcessStartTime s
}

// StarAlert maps a legacy STAR alert (GET /cloud-detection/alerts) to an
// OCSF Detection Finding the way Alert maps a unified one: the rule as
// the analytic and title, its severity, the source process (with its
// parent) and the target process as evidence.
func StarAlert(raw json.RawMessage, collected time.Time) (ocsf.DetectionFinding, []string, error) {
	var a starAlert
	if !isObject(raw) || json.Unmarshal(raw, &a) != nil {
		return ocsf.DetectionFinding{}, nil, fmt.Errorf("not a JSON object: %s", preview(raw))
	}
	ai, rule := a.AlertInfo.V, a.RuleInfo.V
	if strings.TrimSpace(ai.AlertID.Value) == "" {
		return ocsf.DetectionFinding{}, nil, noIDError{"alertInfo.alertId", "alert"}
	}
	r := &reader{raw: raw}
	r.wrongTypes(&a)
	created, _ := r.time("alertInfo.createdAt", ai.CreatedAt)
	updatedField, updatedValue := "alertInfo.updatedAt", ai.UpdatedAt
	if !ai.UpdatedAt.Set {
		updatedField, updatedValue = "alertInfo.createdAt", ai.CreatedAt
	}
	updated, _ := r.time(updatedField, updatedValue)
	when := r.eventTime(updatedField, updated, collected)
	status := strings.ToLower(ai.IncidentStatus.Value)
	activity := findingActivity(firstVersion(created, updated, status == "unresolved"), status == "resolved")
	ev := ocsf.DetectionFinding{
		Header:  ocsf.NewHeader(ocsf.ClassDetectionFinding, activity, alertSeverity(rule.Severity.Value), when),
		IsAlert: true,
		FindingInfo: ocsf.FindingInfo{UID: ai.AlertID.Value, Title: rule.Name.Value, Desc: rule.Description.Value,
			CreatedTime: epochMillis(nonZero(created)), ModifiedTime: epochMillis(nonZero(updated))},
	}
	if rule.Name.Value != "" || rule.ID.Value != "" {
		ev.FindingInfo.Analytic = &ocsf.Analytic{UID: rule.ID.Value, Name: rule.Name.Value, Category: rule.QueryType.Value,
			TypeID: ocsf.AnalyticRule, Type: ocsf.AnalyticTypeCaption(ocsf.AnalyticRule)}
	}
	ev.Message = rule.Name.Value
	ev.Metadata = metadata("cloud_detection_alerts", ai.AlertID.Value, updated, a.AgentDetection.V.AccountID.Value, updatedValue.Value)
	ev.Metadata.Profiles = []string{ocsf.ProfileIncident}
	if id, ok := confidenceOf(rule.TreatAsThreat.Value); ok {
		ev.ConfidenceID, ev.Confidence = &id, ocsf.ConfidenceCaption(id)
	}
	ev.StatusID, ev.Status = findingStatus(strings.ReplaceAll(status, " ", "_"), map[string]int{
		"unresolved": ocsf.FindingNew, "in_progress": ocsf.FindingInProgress, "resolved": ocsf.FindingResolved})
	ev.VerdictID, ev.Verdict = verdictOf(strings.ReplaceAll(ai.AnalystVerdict.Value, " ", "_"))
	ev.Device = starDevice(a)
	ev.Evidences = starEvidences(a, r)
	ev.Observables = observables(ev.Device, nil)
	ev.Unmapped = r.keepInto(starUnmapped(a))
	return ev, r.problems, nil
}

func starDevice(a starAlert) *ocsf.Device {
	rt, det := a.AgentRealtime.V, a.AgentDetection.V
	d := &ocsf.Device{UID: rt.ID.Value, UIDAlt: firstNonEmpty(rt.UUID.Value, det.UUID.Value), Hostname: firstNonEmpty(rt.Name.Value, det.Name.Value)}
	mt := firstNonEmpty(rt.MachineType.Value, det.MachineType.Value)
	d.TypeID, d.Type = deviceTypeID(&mt)
	osType := strings.ToLower(firstNonEmpty(rt.OS.Value, det.OSFamily.Value))
	if name := firstNonEmpty(det.OSName.Value, osType); name != "" {
		d.OS = strictOS(&facts{osType: &osType, osVersion: &name, osBuild: det.OSRevision.NonEmpty()})
	}
	d.Org = (&ocsf.Organization{UID: det.AccountID.Value, OUUID: det.SiteID.Value}).OrNil()
	if d.UIDAlt != "" {
		d.AgentList = []ocsf.Agent{{UID: d.UIDAlt, Name: "SentinelOne Agent", TypeID: ocsf.AgentEDR,
			Type: ocsf.AgentTypeCaption(ocsf.AgentEDR), VendorName: "SentinelOne", Version: det.Version.Value}}
	}
	if d.UID == "" && d.Hostname == "" {
		return nil
	}
	return d
}

// starEvidences: the source process with its parent, and the target
// process, each only when it has a pid or unique id as OCSF requires.
func starEvidences(a starAlert, r *reader) []ocsf.Evidence {
	var out []ocsf.Evidence
	if p := starProc(a.SourceProcess.V, r, "sourceProcessInfo"); p != nil {
		p.ParentProcess = starProc(a.SourceParent.V, r, "sourceParentProcessInfo")
		out = append(out, ocsf.Evidence{Process: p})
	}
	t := a.TargetProcess.V
	if p := starProc(starProcess{PID: t.TgtProcPid, UniqueID: t.TgtProcUID, Name: t.TgtProcName, Commandline: t.TgtProcCmdLine,
		FilePath: t.TgtProcImagePath, PIDStarttime: t.TgtProcessStartTime}, r, "targetProcessInfo"); p != nil {
		out = append(out, ocsf.Evidence{Process: p})
	}
	return out
}

func starProc(sp starProcess, r *reader, where string) *ocsf.Process {
	p := &ocsf.Process{UID: sp.UniqueID.Value, Name: sp.Name.Value, CmdLine: sp.Commandline.Value,
		CreatedTime: r.millis(where+".pidStarttime", sp.PIDStarttime)}
	if n, err := strconv.ParseInt(sp.PID.Value, 10, 64); err == nil {
		p.PID = &n
	} else if sp.PID.Value != "" {
		r.unusable(where+".pid", fmt.Sprintf("%q is not a process id", sp.PID.Value), sp.PID.Value)
	}
	if p.PID == nil && p.UID == "" {
		seen := bag{}
		seen.str("name", sp.Name)
		seen.str("commandline", sp.Commandline)
		seen.str("filePath", sp.FilePath)
		if len(seen) > 0 {
			r.unusable(where, "a process with neither pid nor unique id, which OCSF's process needs", map[string]any(seen))
		}
		return nil
	}
	if path := sp.FilePath.Value; path != "" {
		p.File = &ocsf.File{Name: baseName(path), Path: path, TypeID: ocsf.FileRegular, Type: ocsf.FileTypeCaption(ocsf.FileRegular),
			Hashes: r.hashes(hashField{where + ".fileHashMd5", ocsf.HashMD5, sp.FileHashMd5}, hashField{where + ".fileHashSha1", ocsf.HashSHA1, sp.FileHashSha1},
				hashField{where + ".fileHashSha256", ocsf.HashSHA256, sp.FileHashSha256}), CompanyName: sp.FileSignerIdentity.Value}
	}
	if u := sp.User.Value; u != "" {
		p.User = &ocsf.User{Name: u}
	}
	return p
}

func starUnmapped(a starAlert) map[string]any {
	ai, rule := a.AlertInfo.V, a.RuleInfo.V
	b := bag{}
	for k, v := range map[string]s{
		"analystVerdict": ai.AnalystVerdict, "incidentStatus": ai.IncidentStatus, "reportedAt": ai.ReportedAt,
		"eventType": ai.EventType, "hitType": ai.HitType, "source": ai.Source, "dvEventId": ai.DVEventID,
		"srcIp": ai.SrcIP, "srcPort": ai.SrcPort, "dstIp": ai.DstIP, "dstPort": ai.DstPort, "dnsRequest": ai.DNSRequest,
		"dnsResponse": ai.DNSResponse, "loginsUserName": ai.LoginsUserName, "loginType": ai.LoginType,
		"indicatorName": ai.IndicatorName, "ruleSeverity": rule.Severity, "ruleTreatAsThreat": rule.TreatAsThreat,
		"ruleQueryLang": rule.QueryLang, "ruleS1ql": rule.S1QL, "ruleScopeLevel": rule.ScopeLevel,
		"storyline": a.SourceProcess.V.Storyline, "integrityLevel": a.SourceProcess.V.IntegrityLevel,
	} {
		b.str(k, v)
	}
	b.boolean("isEdr", ai.IsEdr)
	b.json("containerInfo", a.ContainerInfo)
	b.json("kubernetesInfo", a.KubernetesInfo)
	return b.orNil()
}
