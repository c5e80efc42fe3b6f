package ocsf

// Profiles a Detection Finding may apply (metadata.profiles); each allows
// attributes the class does not have without it.
const (
	ProfileHost            = "host"             // actor
	ProfileSecurityControl = "security_control" // disposition
	ProfileIncident        = "incident"         // verdict, assignee, tickets
)

// DetectionFinding is class 2004: a detection by a security product.
type DetectionFinding struct {
	Header
	FindingInfo   FindingInfo    `json:"finding_info"`
	IsAlert       bool           `json:"is_alert"`
	ConfidenceID  *int           `json:"confidence_id,omitempty"`
	Confidence    string         `json:"confidence,omitempty"`
	StatusID      *int           `json:"status_id,omitempty"`
	Status        string         `json:"status,omitempty"`
	DispositionID *int           `json:"disposition_id,omitempty"` // security_control
	Disposition   string         `json:"disposition,omitempty"`
	VerdictID     *int           `json:"verdict_id,omitempty"` // incident
	Verdict       string         `json:"verdict,omitempty"`
	Assignee      *User          `json:"assignee,omitempty"` // incident
	Tickets       []Ticket       `json:"tickets,omitempty"`  // incident
	Actor         *Actor         `json:"actor,omitempty"`    // host
	Device        *Device        `json:"device,omitempty"`
	Evidences     []Evidence     `json:"evidences,omitempty"`
	Malware       []Malware      `json:"malware,omitempty"`
	Observables   []Observable   `json:"observables,omitempty"`
	Unmapped      map[string]any `json:"unmapped,omitempty"`
}

// FindingInfo describes the finding; UID is required.
type FindingInfo struct {
	UID           string    `json:"uid"`
	UIDAlt        string    `json:"uid_alt,omitempty"`
	Title         string    `json:"title,omitempty"`
	Desc          string    `json:"desc,omitempty"`
	Types         []string  `json:"types,omitempty"`
	Analytic      *Analytic `json:"analytic,omitempty"`
	Attacks       []Attack  `json:"attacks,omitempty"`
	DataSources   []string  `json:"data_sources,omitempty"`
	CreatedTime   int64     `json:"created_time,omitempty"`
	ModifiedTime  int64     `json:"modified_time,omitempty"`
	FirstSeenTime int64     `json:"first_seen_time,omitempty"`
	LastSeenTime  int64     `json:"last_seen_time,omitempty"`
}

// Analytic is the detection logic; TypeID is required.
type Analytic struct {
	UID      string `json:"uid,omitempty"`
	Name     string `json:"name,omitempty"`
	Category string `json:"category,omitempty"`
	Desc     string `json:"desc,omitempty"`
	TypeID   int    `json:"type_id"`
	Type     string `json:"type,omitempty"`
}

// Analytic type ids.
const (
	AnalyticUnknown        = 0
	AnalyticRule           = 1
	AnalyticBehavioral     = 2
	AnalyticLearning       = 4
	AnalyticFingerprinting = 5
	AnalyticOther          = 99
)

// AnalyticTypeCaption spells analytic.type_id as the schema does.
func AnalyticTypeCaption(id int) string {
	return caption(map[int]string{0: "Unknown", 1: "Rule", 2: "Behavioral", 3: "Statistical", 4: "Learning (ML/DL)",
		5: "Fingerprinting", 6: "Tagging", 7: "Keyword Match", 8: "Regular Expressions", 9: "Exact Data Match",
		10: "Partial Data Match", 11: "Indexed Data Match", 99: "Other"}, id)
}

// Attack is one MITRE ATT&CK tactic and technique.
type Attack struct {
	Tactic       *MitreEntry `json:"tactic,omitempty"`
	Technique    *MitreEntry `json:"technique,omitempty"`
	SubTechnique *MitreEntry `json:"sub_technique,omitempty"`
}

// MitreEntry is a tactic, technique or sub-technique.
type MitreEntry struct {
	UID    string `json:"uid,omitempty"`
	Name   string `json:"name,omitempty"`
	SrcURL string `json:"src_url,omitempty"`
}

// Ticket is an external ticket.
type Ticket struct {
	UID string `json:"uid"`
}

// Evidence holds the artifacts of a finding.
type Evidence struct {
	File        *File            `json:"file,omitempty"`
	Process     *Process         `json:"process,omitempty"`
	User        *User            `json:"user,omitempty"`
	SrcEndpoint *NetworkEndpoint `json:"src_endpoint,omitempty"`
	DstEndpoint *NetworkEndpoint `json:"dst_endpoint,omitempty"`
}

// File is a file; Name and TypeID are required.
type File struct {
	Name        string        `json:"name"`
	TypeID      int           `json:"type_id"`
	Type        string        `json:"type,omitempty"`
	Path        string        `json:"path,omitempty"`
	Ext         string        `json:"ext,omitempty"`
	Size        *int64        `json:"size,omitempty"`
	Hashes      []Fingerprint `json:"hashes,omitempty"`
	CompanyName string        `json:"company_name,omitempty"`
}

// File type ids.
const (
	FileUnknown    = 0
	FileRegular    = 1
	FileExecutable = 8
)

// FileTypeCaption spells file.type_id as the schema does.
func FileTypeCaption(id int) string {
	return caption(map[int]string{0: "Unknown", 1: "Regular File", 2: "Folder", 3: "Character Device", 4: "Block Device",
		5: "Local Socket", 6: "Named Pipe", 7: "Symbolic Link", 8: "Executable File", 99: "Other"}, id)
}

// Fingerprint is a hash of a file.
type Fingerprint struct {
	AlgorithmID int    `json:"algorithm_id"`
	Algorithm   string `json:"algorithm"`
	Value       string `json:"value"`
}

// Hash algorithm ids.
const (
	HashMD5    = 1
	HashSHA1   = 2
	HashSHA256 = 3
)

// HashCaption spells fingerprint.algorithm_id as the schema does.
func HashCaption(id int) string {
	return caption(map[int]string{1: "MD5", 2: "SHA-1", 3: "SHA-256"}, id)
}

// Process is a process; OCSF requires one of pid, uid or cpid.
type Process struct {
	PID           *int64   `json:"pid,omitempty"`
	UID           string   `json:"uid,omitempty"`
	Name          string   `json:"name,omitempty"`
	CmdLine       string   `json:"cmd_line,omitempty"`
	CreatedTime   int64    `json:"created_time,omitempty"`
	File          *File    `json:"file,omitempty"`
	User          *User    `json:"user,omitempty"`
	ParentProcess *Process `json:"parent_process,omitempty"`
}

// Malware names what was detected; ClassificationIDs is required.
type Malware struct {
	Name              string   `json:"name,omitempty"`
	ClassificationIDs []int    `json:"classification_ids"`
	Classifications   []string `json:"classifications,omitempty"`
	Path              string   `json:"path,omitempty"`
	Provider          string   `json:"provider,omitempty"`
}

// Malware classification ids.
var malwareClasses = map[int]string{0: "Unknown", 1: "Adware", 2: "Backdoor", 3: "Bot", 4: "Bootkit", 5: "DDOS", 6: "Downloader",
	7: "Dropper", 8: "Exploit-Kit", 9: "Keylogger", 10: "Ransomware", 11: "Remote-Access-Trojan", 13: "Resource-Exploitation",
	14: "Rogue-Security-Software", 15: "Rootkit", 16: "Screen-Capture", 17: "Spyware", 18: "Trojan", 19: "Virus",
	20: "Webshell", 21: "Wiper", 22: "Worm", 99: "Other"}

// MalwareClassCaption spells a malware classification id as the schema does.
func MalwareClassCaption(id int) string { return caption(malwareClasses, id) }

// Observable is a value worth pivoting on, named by its attribute path.
type Observable struct {
	Name   string `json:"name"`
	TypeID int    `json:"type_id"`
	Type   string `json:"type"`
	Value  string `json:"value"`
}

// Observable type ids.
const (
	ObservableHostname = 1
	ObservableIP       = 2
	ObservableUserName = 4
	ObservableHash     = 8
)

// ObservableTypeCaption spells observable.type_id as the schema does.
func ObservableTypeCaption(id int) string {
	return caption(map[int]string{1: "Hostname", 2: "IP Address", 4: "User Name", 8: "Hash"}, id)
}

// Finding status ids (status_id of findings).
const (
	FindingNew        = 1
	FindingInProgress = 2
	FindingSuppressed = 3
	FindingResolved   = 4
)

// FindingStatusCaption spells a finding's status_id as the schema does.
func FindingStatusCaption(id int) string {
	return caption(map[int]string{0: "Unknown", 1: "New", 2: "In Progress", 3: "Suppressed", 4: "Resolved", 5: "Archived",
		6: "Deleted", 99: "Other"}, id)
}

// Confidence ids.
const (
	ConfidenceLow    = 1
	ConfidenceMedium = 2
	ConfidenceHigh   = 3
)

// ConfidenceCaption spells confidence_id as the schema does.
func ConfidenceCaption(id int) string {
	return caption(map[int]string{0: "Unknown", 1: "Low", 2: "Medium", 3: "High", 99: "Other"}, id)
}

// Disposition ids used for SentinelOne's mitigation results.
const (
	DispositionBlocked     = 2
	DispositionQuarantined = 3
	DispositionRestored    = 9
	DispositionExonerated  = 10
	DispositionCorrected   = 11
	DispositionDetected    = 15
)

// DispositionCaption spells disposition_id as the schema does.
func DispositionCaption(id int) string {
	return caption(map[int]string{0: "Unknown", 1: "Allowed", 2: "Blocked", 3: "Quarantined", 4: "Isolated", 5: "Deleted",
		6: "Dropped", 7: "Custom Action", 8: "Approved", 9: "Restored", 10: "Exonerated", 11: "Corrected",
		12: "Partially Corrected", 13: "Uncorrected", 14: "Delayed", 15: "Detected", 16: "No Action", 17: "Logged",
		18: "Tagged", 19: "Alert", 99: "Other"}, id)
}

// Verdict ids.
const (
	VerdictFalsePositive = 1
	VerdictTruePositive  = 2
	VerdictSuspicious    = 4
	VerdictBenign        = 5
)

// VerdictCaption spells verdict_id as the schema does.
func VerdictCaption(id int) string {
	return caption(map[int]string{0: "Unknown", 1: "False Positive", 2: "True Positive", 3: "Disregard", 4: "Suspicious",
		5: "Benign", 6: "Test", 7: "Insufficient Data", 8: "Security Risk", 9: "Managed Externally", 10: "Duplicate", 99: "Other"}, id)
}
