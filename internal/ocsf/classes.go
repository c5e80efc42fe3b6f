package ocsf

import "time"

// Categories and classes beyond Discovery.
const (
	CategoryUncategorized = 0
	CategoryIAM           = 3
	CategoryApplication   = 6

	ClassBaseEvent        = 0
	ClassAccountChange    = 3001
	ClassAuthentication   = 3002
	ClassEntityManagement = 3004
	ClassScanActivity     = 6007
)

var categoryNames = map[int]string{0: "Uncategorized", 2: "Findings", 3: "Identity & Access Management", 5: "Discovery",
	6: "Application Activity"}

type classInfo struct {
	name       string
	category   int
	activities map[int]string
}

// classes holds, per class, its caption, category and activity captions as
// the schema spells them.
var classes = map[int]classInfo{
	ClassBaseEvent: {"Base Event", CategoryUncategorized, map[int]string{}},
	ClassDetectionFinding: {"Detection Finding", CategoryFindings,
		map[int]string{1: "Create", 2: "Update", 3: "Close"}},
	ClassAccountChange: {"Account Change", CategoryIAM, map[int]string{1: "Create", 2: "Enable", 3: "Password Change",
		4: "Password Reset", 5: "Disable", 6: "Delete", 7: "Attach Policy", 8: "Detach Policy", 9: "Lock",
		10: "MFA Factor Enable", 11: "MFA Factor Disable", 12: "Unlock"}},
	ClassAuthentication: {"Authentication", CategoryIAM, map[int]string{1: "Logon", 2: "Logoff", 3: "Authentication Ticket",
		4: "Service Ticket Request", 5: "Service Ticket Renew", 6: "Preauth", 7: "Account Switch"}},
	ClassEntityManagement: {"Entity Management", CategoryIAM, map[int]string{1: "Create", 2: "Read", 3: "Update", 4: "Delete",
		5: "Move", 6: "Enroll", 7: "Unenroll", 8: "Enable", 9: "Disable", 10: "Activate", 11: "Deactivate", 12: "Suspend", 13: "Resume"}},
	ClassDeviceInventoryInfo: {"Device Inventory Info", CategoryDiscovery, map[int]string{1: "Log", 2: "Collect"}},
	ClassScanActivity: {"Scan Activity", CategoryApplication, map[int]string{1: "Started", 2: "Completed", 3: "Cancelled",
		4: "Duration Violation", 5: "Pause Violation", 6: "Error", 7: "Paused", 8: "Resumed", 9: "Restarted", 10: "Delayed"}},
}

// Header is what every event starts with: its classification, severity,
// time, message and metadata. Classes embed it, so the keys come first.
type Header struct {
	ActivityID   int      `json:"activity_id"`
	ActivityName string   `json:"activity_name"`
	CategoryUID  int      `json:"category_uid"`
	CategoryName string   `json:"category_name"`
	ClassUID     int      `json:"class_uid"`
	ClassName    string   `json:"class_name"`
	TypeUID      int      `json:"type_uid"`
	TypeName     string   `json:"type_name"`
	SeverityID   int      `json:"severity_id"`
	Severity     string   `json:"severity"`
	Time         int64    `json:"time"`
	Message      string   `json:"message,omitempty"`
	Metadata     Metadata `json:"metadata"`
}

// NewHeader classifies an event: the captions of class, category, activity
// and type come from the schema's tables, so they cannot disagree with the
// ids. t is when the thing happened.
func NewHeader(class, activity, severity int, t time.Time) Header {
	c := classes[class]
	name := ActivityCaption(class, activity)
	return Header{
		ActivityID: activity, ActivityName: name,
		CategoryUID: c.category, CategoryName: categoryNames[c.category],
		ClassUID: class, ClassName: c.name,
		TypeUID: TypeUID(class, activity), TypeName: c.name + ": " + name,
		SeverityID: severity, Severity: SeverityCaption(severity),
		Time: t.UnixMilli(),
	}
}

// ActivityCaption spells a class's activity_id as the schema does.
func ActivityCaption(class, activity int) string {
	switch activity {
	case ActivityUnknown:
		return "Unknown"
	case ActivityOther:
		return "Other"
	}
	return caption(classes[class].activities, activity)
}

// Status ids of the IAM classes (status_id).
const (
	StatusUnknown = 0
	StatusSuccess = 1
	StatusFailure = 2
)

// StatusCaption spells the event status_id as the schema does.
func StatusCaption(id int) string {
	return caption(map[int]string{0: "Unknown", 1: "Success", 2: "Failure", 99: "Other"}, id)
}
