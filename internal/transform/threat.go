package transform

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"s1collector/internal/ocsf"
	"s1collector/internal/sentinelone"
)

type s = sentinelone.String

// threatRecord is what the threat mapping reads of GET /threats.
type threatRecord struct {
	ID                 s                                `json:"id"`
	ThreatInfo         obj[threatInfo]                  `json:"threatInfo"`
	AgentRealtimeInfo  obj[agentRealtime]               `json:"agentRealtimeInfo"`
	AgentDetectionInfo obj[agentDetection]              `json:"agentDetectionInfo"`
	Indicators         sentinelone.List[indicator]      `json:"indicators"`
	MitigationStatus   sentinelone.List[mitigationStep] `json:"mitigationStatus"`
	ContainerInfo      json.RawMessage                  `json:"containerInfo"`
	KubernetesInfo     json.RawMessage                  `json:"kubernetesInfo"`
	ECSInfo            json.RawMessage                  `json:"ecsInfo"`
}

type threatInfo struct {
	ThreatName, Classification, ClassificationSource, ConfidenceLevel        s
	DetectionType, IncidentStatus, MitigationStatus, AnalystVerdict          s
	CreatedAt, UpdatedAt, IdentifiedAt                                       s
	FilePath, FileExtension, FileExtensionType, PublisherName                s
	MD5, SHA1, SHA256                                                        s
	OriginatorProcess, MaliciousProcessArguments, ProcessUser                s
	InitiatedBy, InitiatingUserID, InitiatingUsername, Storyline             s
	ExternalTicketID, CloudFilesHashVerdict, FileVerificationType            s
	RootProcUPN                                                              s `json:"rootProcessUpn"`
	FileSize                                                                 sentinelone.Int
	Engines                                                                  sentinelone.Strings
	DetectionEngines                                                         sentinelone.List[struct{ Key, Title s }]
	MitigatedPreemptively, IsFileless, RebootRequired, AutomaticallyResolved sentinelone.Bool
}

type indicator struct {
	Category, Description s
	Tactics               sentinelone.List[struct {
		Name       s
		Techniques sentinelone.List[struct{ Name, Link s }]
	}]
}

type mitigationStep struct {
	Action, Status s
}

// Threat maps a threat to an OCSF Detection Finding (class 2004), field by
// field as the README's table says. It also returns the fields that were
// present but unreadable; a threat without an id is skipped (ErrNoID). The
// event's time is when the threat last changed, or collected when the
// threat's times cannot be read.
func Threat(raw json.RawMessage, collected time.Time) (ocsf.DetectionFinding, []string, error) {
	var t threatRecord
	if !isObject(raw) || json.Unmarshal(raw, &t) != nil {
		return ocsf.DetectionFinding{}, nil, fmt.Errorf("not a JSON object: %s", preview(raw))
	}
	if strings.TrimSpace(t.ID.Value) == "" {
		return ocsf.DetectionFinding{}, nil, NoID("threat")
	}
	r := &reader{raw: raw}
	r.wrongTypes(&t)
	ti := t.ThreatInfo.V
	created, _ := r.time("threatInfo.createdAt", ti.CreatedAt)
	updated, ok := r.time("threatInfo.updatedAt", ti.UpdatedAt)
	if !ok {
		updated = created
	}
	when := r.eventTime("threatInfo.updatedAt", updated, collected)
	initial := strings.EqualFold(ti.IncidentStatus.Value, "unresolved")
	activity := findingActivity(firstVersion(created, updated, initial), strings.EqualFold(ti.IncidentStatus.Value, "resolved"))
	confidence := strings.ToLower(ti.ConfidenceLevel.Value)
	severity := threatSeverity(confidence)
	if ti.ConfidenceLevel.Odd {
		severity = ocsf.SeverityUnknown // reported: never a guess lower than the console's
	}
	ev := ocsf.DetectionFinding{
		Header:  ocsf.NewHeader(ocsf.ClassDetectionFinding, activity, severity, when),
		IsAlert: true,
		FindingInfo: ocsf.FindingInfo{
			UID: t.ID.Value, Title: ti.ThreatName.Value, Desc: threatDesc(ti),
			Analytic: threatAnalytic(ti), Attacks: threatAttacks(t.Indicators.Values),
			CreatedTime: epochMillis(nonZero(created)), ModifiedTime: epochMillis(nonZero(updated)),
			FirstSeenTime: r.millis("threatInfo.identifiedAt", ti.IdentifiedAt),
		},
	}
	if c := ti.Classification.Value; c != "" {
		ev.FindingInfo.Types = []string{c}
	}
	ev.Metadata = metadata("threats", t.ID.Value, updated, t.AgentRealtimeInfo.V.AccountID.Value, ti.UpdatedAt.Value)
	ev.Metadata.Profiles = []string{ocsf.ProfileSecurityControl, ocsf.ProfileIncident}
	ev.Message = threatMessage(ti, t.AgentRealtimeInfo.V.AgentComputerName.Value)
	if id, ok := confidenceOf(confidence); ok {
		ev.ConfidenceID, ev.Confidence = &id, ocsf.ConfidenceCaption(id)
	}
	ev.StatusID, ev.Status = findingStatus(ti.IncidentStatus.Value, map[string]int{
		"unresolved": ocsf.FindingNew, "in_progress": ocsf.FindingInProgress, "resolved": ocsf.FindingResolved})
	ev.DispositionID, ev.Disposition = threatDisposition(ti, t.MitigationStatus.Values)
	ev.VerdictID, ev.Verdict = verdictOf(ti.AnalystVerdict.Value)
	if id := ti.ExternalTicketID.Value; id != "" {
		ev.Tickets = []ocsf.Ticket{{UID: id}}
	}
	if u := ti.InitiatingUsername.Value; u != "" {
		ev.Actor = &ocsf.Actor{User: &ocsf.User{Name: u, UID: ti.InitiatingUserID.Value}}
		ev.Metadata.Profiles = append(ev.Metadata.Profiles, ocsf.ProfileHost)
	}
	ev.Device = agentDevice(r, t.AgentRealtimeInfo.V, t.AgentDetectionInfo.V)
	ev.Evidences = threatEvidences(r, ti)
	ev.Malware = threatMalware(ti)
	ev.Observables = observables(ev.Device, ev.Evidences)
	ev.Unmapped = r.keepInto(threatUnmapped(t))
	return ev, r.problems, nil
}

// findingActivity: the first version of a finding is Create, a closed one
// Close, anything else Update.
func findingActivity(first, closed bool) int {
	switch {
	case first:
		return 1
	case closed:
		return 3
	}
	return 2
}

// firstVersionWithin is how long after its creation a finding's first
// version may be stamped: consoles write updatedAt a little after
// createdAt on the first version (0.1–0.5 s in real payloads), never equal
// to it as the spec's rule of thumb (createdAt = updatedAt) assumes.
const firstVersionWithin = 10 * time.Second

// firstVersion reports whether a finding's record is its first version:
// still in the status findings start in (initial: new, unresolved) and
// last changed within firstVersionWithin of its creation.
func firstVersion(created, updated time.Time, initial bool) bool {
	if !initial || created.IsZero() || updated.IsZero() {
		return false
	}
	d := updated.Sub(created)
	return d >= 0 && d <= firstVersionWithin
}

// threatSeverity: malicious High, suspicious Medium, anything else Low.
func threatSeverity(confidence string) int {
	switch confidence {
	case "malicious":
		return ocsf.SeverityHigh
	case "suspicious":
		return ocsf.SeverityMedium
	}
	return ocsf.SeverityLow
}

func confidenceOf(level string) (int, bool) {
	switch strings.ToLower(level) {
	case "malicious":
		return ocsf.ConfidenceHigh, true
	case "suspicious":
		return ocsf.ConfidenceMedium, true
	case "informational":
		return ocsf.ConfidenceLow, true
	}
	return 0, false
}

// findingStatus maps a source status through m (keys lower case); an
// unknown value is 99 Other with the source's words.
func findingStatus(v string, m map[string]int) (*int, string) {
	if v == "" {
		return nil, ""
	}
	if id, ok := m[strings.ToLower(v)]; ok {
		return &id, ocsf.FindingStatusCaption(id)
	}
	return intPtr(other), v
}

func verdictOf(v string) (*int, string) {
	l := strings.ToLower(v)
	var id int
	switch {
	case strings.HasPrefix(l, "true_positive"):
		id = ocsf.VerdictTruePositive
	case strings.HasPrefix(l, "false_positive"):
		id = ocsf.VerdictFalsePositive
	case l == "suspicious":
		id = ocsf.VerdictSuspicious
	default:
		return nil, ""
	}
	return &id, ocsf.VerdictCaption(id)
}

func threatDesc(ti threatInfo) string {
	c, d := ti.Classification.Value, ti.DetectionType.Value
	switch {
	case c != "" && d != "":
		return fmt.Sprintf("%s (%s detection)", c, d)
	case c != "":
		return c
	}
	return ""
}

func threatMessage(ti threatInfo, host string) string {
	msg := "Threat detected: " + ti.ThreatName.Value
	if c := ti.ConfidenceLevel.Value; c != "" {
		msg += " (" + c + ")"
	}
	if host != "" {
		msg += " on " + host
	}
	return msg
}

// threatAnalytic names the engines and says what kind of detection it
// was: a STAR or custom rule is a Rule, dynamic (behavioural AI) is
// Behavioral, the cloud's hash reputation is Fingerprinting, static AI is
// Learning; anything else is Other with the detection type as caption.
func threatAnalytic(ti threatInfo) *ocsf.Analytic {
	names := ti.Engines.Values
	var keys []string
	for _, e := range ti.DetectionEngines.Values {
		keys = append(keys, strings.ToLower(e.Key.Value+" "+e.Title.Value))
		if len(ti.Engines.Values) == 0 && e.Title.Value != "" {
			names = append(names, e.Title.Value)
		}
	}
	all := strings.ToLower(strings.Join(append(keys, names...), " "))
	a := &ocsf.Analytic{Name: strings.Join(names, ", ")}
	switch dt := strings.ToLower(ti.DetectionType.Value); {
	case strings.Contains(all, "star") || strings.Contains(all, "custom"):
		a.TypeID = ocsf.AnalyticRule
	case dt == "dynamic":
		a.TypeID = ocsf.AnalyticBehavioral
	case strings.Contains(all, "cloud") || strings.Contains(all, "reputation"):
		a.TypeID = ocsf.AnalyticFingerprinting
	case dt == "static":
		a.TypeID = ocsf.AnalyticLearning
	case dt != "":
		a.TypeID, a.Type = ocsf.AnalyticOther, ti.DetectionType.Value
	}
	if a.Type == "" {
		a.Type = ocsf.AnalyticTypeCaption(a.TypeID)
	}
	if a.Name == "" {
		if a.TypeID == ocsf.AnalyticUnknown {
			return nil
		}
		a.Name = a.Type
	}
	return a
}

// threatDisposition says what the agent did: mitigated with a successful
// quarantine is Quarantined, otherwise mitigated (or mitigated
// preemptively) is Blocked; not mitigated Detected; marked as benign
// Exonerated.
func threatDisposition(ti threatInfo, steps []mitigationStep) (*int, string) {
	var id int
	switch strings.ToLower(ti.MitigationStatus.Value) {
	case "mitigated":
		id = ocsf.DispositionBlocked
		for _, st := range steps {
			if strings.EqualFold(st.Action.Value, "quarantine") && strings.EqualFold(st.Status.Value, "success") {
				id = ocsf.DispositionQuarantined
			}
		}
	case "not_mitigated":
		id = ocsf.DispositionDetected
		if ti.MitigatedPreemptively.Value {
			id = ocsf.DispositionBlocked
		}
	case "marked_as_benign":
		id = ocsf.DispositionExonerated
	case "":
		return nil, ""
	default:
		return intPtr(other), ti.MitigationStatus.Value
	}
	return &id, ocsf.DispositionCaption(id)
}

// threatEvidences: the file that was detected and the user its process
// ran as. OCSF's process needs a pid or uid, which a threat does not
// carry: the originating process and its arguments go to unmapped.
func threatEvidences(r *reader, ti threatInfo) []ocsf.Evidence {
	var e ocsf.Evidence
	path := ti.FilePath.Value
	if name := baseName(path); name != "" || ti.ThreatName.Value != "" {
		if name == "" {
			name = ti.ThreatName.Value
		}
		f := &ocsf.File{Name: name, Path: path, Ext: strings.ToLower(ti.FileExtension.Value), Size: ti.FileSize.Ptr(),
			Hashes: r.hashes(hashField{"threatInfo.md5", ocsf.HashMD5, ti.MD5}, hashField{"threatInfo.sha1", ocsf.HashSHA1, ti.SHA1},
				hashField{"threatInfo.sha256", ocsf.HashSHA256, ti.SHA256}),
			CompanyName: ti.PublisherName.Value}
		f.TypeID = ocsf.FileRegular
		if strings.EqualFold(ti.FileExtensionType.Value, "Executable") {
			f.TypeID = ocsf.FileExecutable
		}
		f.Type = ocsf.FileTypeCaption(f.TypeID)
		e.File = f
	}
	if u := ti.ProcessUser.Value; u != "" {
		e.User = &ocsf.User{Name: u}
	}
	if e == (ocsf.Evidence{}) {
		return nil
	}
	return []ocsf.Evidence{e}
}

func threatMalware(ti threatInfo) []ocsf.Malware {
	name := ti.ThreatName.Value
	if name == "" {
		return nil
	}
	id, caption := malwareClass(ti.Classification.Value)
	return []ocsf.Malware{{Name: name, ClassificationIDs: []int{id}, Classifications: []string{caption},
		Path: ti.FilePath.Value, Provider: "SentinelOne"}}
}

// malwareClasses maps SentinelOne's classifications to OCSF's; the others
// (Malware, PUA, Hacktool, Exploit…) are 99 Other under their own name.
var malwareClasses = map[string]int{
	"adware": 1, "backdoor": 2, "bot": 3, "bootkit": 4, "downloader": 6, "dropper": 7, "keylogger": 9,
	"ransomware": 10, "remote_admin_tool": 11, "rat": 11, "miner": 13, "cryptominer": 13, "rootkit": 15,
	"spyware": 17, "infostealer": 17, "trojan": 18, "virus": 19, "webshell": 20, "wiper": 21, "worm": 22,
}

func malwareClass(c string) (int, string) {
	if id, ok := malwareClasses[strings.ToLower(c)]; ok {
		return id, ocsf.MalwareClassCaption(id)
	}
	if c == "" {
		return 0, ocsf.MalwareClassCaption(0)
	}
	return other, c
}
