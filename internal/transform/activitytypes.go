package transform

import (
	"slices"

	"s1collector/internal/ocsf"
)

// activityKind is what an activity type means in OCSF: its class and
// activity, and for the classes that need them the outcome and the kind of
// entity changed.
type activityKind struct {
	Name     string // the console's name for the type
	Class    int
	Activity int
	Failed   bool   // a failed logon or change: status Failure
	MFA      bool   // a logon with a second factor
	Entity   int    // Entity Management: the managed entity's type_id
	Label    string // Entity Management: what kind of entity, when Other or a policy
	// Confidence is what a new-threat type says of the threat (malicious,
	// suspicious) when its data does not.
	Confidence string
}

// auth, account, entity and finding build the table's rows.
func auth(name string, activity int, failed bool) activityKind {
	return activityKind{Name: name, Class: ocsf.ClassAuthentication, Activity: activity, Failed: failed}
}

func account(name string, activity int) activityKind {
	return activityKind{Name: name, Class: ocsf.ClassAccountChange, Activity: activity}
}

func entity(name string, activity, typ int, label string) activityKind {
	return activityKind{Name: name, Class: ocsf.ClassEntityManagement, Activity: activity, Entity: typ, Label: label}
}

func finding(name string, activity int) activityKind {
	return activityKind{Name: name, Class: ocsf.ClassDetectionFinding, Activity: activity}
}

func newThreat(name, confidence string) activityKind {
	k := finding(name, 1)
	k.Confidence = confidence
	return k
}

// Entity Management activities.
const (
	eCreate, eUpdate, eDelete, eMove, eEnable, eDisable, eActivate, eDeactivate = 1, 3, 4, 5, 8, 9, 10, 11
)

// activityKinds is the one table that classifies console activities, from
// Microsoft's ASIM parsers for SentinelOne (Authentication, UserManagement,
// AuditEvent) and OCSF's class definitions. A type not listed is a Base
// Event (class 0) carrying the console's description.
var activityKinds = map[int64]activityKind{
	// Console logons and logoffs: Authentication 3002.
	27:   auth("User Logged In", 1, false),
	33:   auth("User Logged Out", 2, false),
	133:  auth("Existing User Login Failure", 1, true),
	134:  auth("Unknown User Login", 1, true),
	139:  auth("Failed to Start an Unrestricted Session", 1, true),
	3629: {Name: "Login Using Saved 2FA Recovery Code", Class: ocsf.ClassAuthentication, Activity: 1, MFA: true},

	// Console users: Account Change 3001.
	23:   account("User Added", 1),
	24:   account("User Modified", other),
	37:   account("User Modified", other),
	25:   account("User Deleted", 6),
	102:  account("User Deleted", 6),
	3711: account("User Changed Password", 3),
	3710: account("User Password Reset", 4),
	3715: account("User Password Reset", 4),
	145:  account("User Enrolled 2FA", 10),
	147:  account("User Configured 2FA", 10),
	146:  account("User Reset 2FA", 11),
	140:  account("Service User Created", 1),
	141:  account("Service User Modified", other),
	142:  account("Service User Deleted", 6),

	// Changes at the console: Entity Management 3004.
	54:   entity("User Decommissioned Agent", eDeactivate, ocsf.EntityDevice, ""),
	55:   entity("User Recommissioned Agent", eActivate, ocsf.EntityDevice, ""),
	61:   entity("User Disconnected Agent From Network", eDisable, ocsf.EntityDevice, ""),
	62:   entity("User Reconnected Agent to Network", eEnable, ocsf.EntityDevice, ""),
	95:   entity("User Moved Agent to Group", eMove, ocsf.EntityDevice, ""),
	117:  entity("User Disabled Agent", eDisable, ocsf.EntityDevice, ""),
	118:  entity("User Enabled Agent", eEnable, ocsf.EntityDevice, ""),
	3608: entity("Agent Upgraded", eUpdate, ocsf.EntityDevice, ""),
	5006: entity("Group Deleted", eDelete, ocsf.EntityGroup, ""),
	5008: entity("Group Created", eCreate, ocsf.EntityGroup, ""),
	5020: entity("Site Created", eCreate, ocsf.EntityOrg, "Site"),
	5021: entity("Site Modified", eUpdate, ocsf.EntityOrg, "Site"),
	5022: entity("Site Deleted", eDelete, ocsf.EntityOrg, "Site"),
	5024: entity("Site Policy Reverted", eUpdate, ocsf.EntityPolicy, "Site Policy"),
	5025: entity("Site Marked As Expired", eDeactivate, ocsf.EntityOrg, "Site"),
	5026: entity("Site Duplicated", eCreate, ocsf.EntityOrg, "Site"),
	5027: entity("Site Token Regenerated", eUpdate, ocsf.EntityOrg, "Site"),
	5040: entity("Account Created", eCreate, ocsf.EntityOrg, "Account"),
	5041: entity("Account Modified", eUpdate, ocsf.EntityOrg, "Account"),
	5042: entity("Account Deleted", eDelete, ocsf.EntityOrg, "Account"),
	5044: entity("Account Policy Reverted", eUpdate, ocsf.EntityPolicy, "Account Policy"),
	39:   entity("Research Settings Modified", eUpdate, ocsf.EntityPolicy, "Research Settings"),
	41:   entity("Learning Mode Settings Modified", eUpdate, ocsf.EntityPolicy, "Mitigation Policy"),
	56:   entity("Auto Mitigation Actions Modified", eUpdate, ocsf.EntityPolicy, "Mitigation Actions"),
	57:   entity("Quarantine Network Settings Modified", eUpdate, ocsf.EntityPolicy, "Network Quarantine Settings"),
	68:   entity("Engine Modified In Policy", eUpdate, ocsf.EntityPolicy, "Engine Policy"),
	69:   entity("Mitigation Policy Modified", eUpdate, ocsf.EntityPolicy, "Threat Mitigation Policy"),
	116:  entity("Policy Settings Modified", eUpdate, ocsf.EntityPolicy, "Policy Settings"),
	150:  entity("Live Security Updates Policy Modified", eUpdate, ocsf.EntityPolicy, "Live Security Updates Policy"),
	151:  entity("Live Security Updates Policy Inheritance Setting Changed", eUpdate, ocsf.EntityPolicy, "Live Security Updates Policy"),
	200:  entity("File Upload Settings Modified", eUpdate, ocsf.EntityPolicy, "Binary Vault Settings"),
	201:  entity("File Upload Enabled/Disabled", eUpdate, ocsf.EntityPolicy, "Binary Vault"),
	4004: entity("Show Suspicious Activities Enabled", eEnable, ocsf.EntityPolicy, "Policy Setting"),
	4005: entity("Show Suspicious Activities Disabled", eDisable, ocsf.EntityPolicy, "Policy Setting"),
	3001: entity("User Added Hash Exclusion", eCreate, ocsf.EntityOther, "Exclusion"),
	3002: entity("User Added Blocklist Hash", eCreate, ocsf.EntityOther, "Blocklist"),
	3008: entity("New Path Exclusion", eCreate, ocsf.EntityOther, "Exclusion"),
	3009: entity("New Signer Identity Exclusion", eCreate, ocsf.EntityOther, "Exclusion"),
	3010: entity("New File Type Exclusion", eCreate, ocsf.EntityOther, "Exclusion"),
	3011: entity("New Browser Type Exclusion", eCreate, ocsf.EntityOther, "Exclusion"),
	3012: entity("Path Exclusion Modified", eUpdate, ocsf.EntityOther, "Exclusion"),
	3013: entity("Signer Identity Exclusion Modified", eUpdate, ocsf.EntityOther, "Exclusion"),
	3014: entity("File Type Exclusion Modified", eUpdate, ocsf.EntityOther, "Exclusion"),
	3015: entity("Browser Type Exclusion Modified", eUpdate, ocsf.EntityOther, "Exclusion"),
	3016: entity("Path Exclusion Deleted", eDelete, ocsf.EntityOther, "Exclusion"),
	3017: entity("Signer Identity Exclusion Deleted", eDelete, ocsf.EntityOther, "Exclusion"),
	3018: entity("File Type Exclusion Deleted", eDelete, ocsf.EntityOther, "Exclusion"),
	3019: entity("Browser Type Exclusion Deleted", eDelete, ocsf.EntityOther, "Exclusion"),
	3020: entity("User Deleted Hash From Blocklist", eDelete, ocsf.EntityOther, "Blocklist"),
	3021: entity("User Deleted Hash Exclusion", eDelete, ocsf.EntityOther, "Exclusion"),
	3600: entity("Custom Rules - User Created A Rule", eCreate, ocsf.EntityPolicy, "Custom Rule"),
	3601: entity("Custom Rules - User Changed A Rule", eUpdate, ocsf.EntityPolicy, "Custom Rule"),
	3602: entity("Custom Rules - User Deleted A Rule", eDelete, ocsf.EntityPolicy, "Custom Rule"),
	3603: entity("Custom Rules - Rule Status Changed", eUpdate, ocsf.EntityPolicy, "Custom Rule"),
	3604: {Name: "Custom Rules - Rule Status Change Failed", Class: ocsf.ClassEntityManagement, Activity: eUpdate,
		Failed: true, Entity: ocsf.EntityPolicy, Label: "Custom Rule"},

	// Scans an agent ran: Scan Activity 6007.
	90: {Name: "Agent Started Full Disk Scan", Class: ocsf.ClassScanActivity, Activity: 1},
	92: {Name: "Agent Completed Full Disk Scan", Class: ocsf.ClassScanActivity, Activity: 2},

	// The life of a threat: Detection Finding 2004.
	18:   finding("New Threat Mitigated", 1),
	19:   newThreat("New Malicious Threat Not Mitigated", "malicious"),
	20:   finding("New Threat Preemptive Block", 1),
	4003: newThreat("New Suspicious Threat Not Mitigated", "suspicious"),
	4108: newThreat("New Malicious Threat Not Mitigated (Cloud)", "malicious"),
	4109: newThreat("New Suspicious Threat Not Mitigated (Cloud)", "suspicious"),
	2011: finding("User Issued Kill Command", 2),
	2012: finding("User Issued Remediate Command", 2),
	2013: finding("User Issued Rollback Command", 2),
	2014: finding("User Issued Quarantine Command", 2),
	2015: finding("User Issued Unquarantine Command", 2),
	2028: finding("Threat Incident Status Changed", 2),
	2030: finding("Analyst Verdict Changes", 2),
	2036: finding("Threat Confidence Level Changed By Agent", 2),
	2037: finding("Threat Confidence Level Changed By Cloud", 2),
}

// ActivityType is one row of the table, for documentation and tests.
type ActivityType struct {
	ID       int64
	Name     string
	Class    int
	Activity int
	Failed   bool
}

// ActivityTypes lists the table by class, then type.
func ActivityTypes() []ActivityType {
	out := make([]ActivityType, 0, len(activityKinds))
	for id, k := range activityKinds {
		out = append(out, ActivityType{ID: id, Name: k.Name, Class: k.Class, Activity: k.Activity, Failed: k.Failed})
	}
	slices.SortFunc(out, func(a, b ActivityType) int {
		if a.Class != b.Class {
			return a.Class - b.Class
		}
		return int(a.ID - b.ID)
	})
	return out
}
