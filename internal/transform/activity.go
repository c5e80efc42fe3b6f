package transform

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"s1collector/internal/ocsf"
	"s1collector/internal/sentinelone"
)

// activityRecord is a record of GET /activities.
type activityRecord struct {
	ID, ActivityUUID, CreatedAt, UpdatedAt, PrimaryDescription, SecondaryDescription s
	Description, Comments, UserID, AgentID, ThreatID, Hash, OSFamily                 s
	AccountID, AccountName, SiteID, SiteName, GroupID, GroupName                     s
	ActivityType                                                                     sentinelone.Int
	Data                                                                             obj[activityData] `json:"-"`
	RawData                                                                          json.RawMessage   `json:"data"`
}

// activityData is what the mapping reads of an activity's data object; the
// whole object goes to unmapped.
type activityData struct {
	Username, ByUser, FullScopeDetails, ComputerName, IPAddress, Email, Role s
	ThreatName, FileDisplayName, FilePath, FileContentHash, ConfidenceLevel  s
	ThreatClassification, NewStatus, GroupName, SiteName, AccountName, Name  s
	RuleName, PolicyName                                                     s
}

// Activity maps an activity to the OCSF class its activityType means (the
// table in activitytypes.go): Authentication, Account Change, Entity
// Management, Detection Finding, Scan Activity, or a Base Event for the
// rest. time is
// when it happened (createdAt); message is the console's description.
func Activity(raw json.RawMessage, collected time.Time) (any, []string, error) {
	var a activityRecord
	if !isObject(raw) || json.Unmarshal(raw, &a) != nil {
		return nil, nil, fmt.Errorf("not a JSON object: %s", preview(raw))
	}
	if strings.TrimSpace(a.ID.Value) == "" {
		return nil, nil, NoID("activity")
	}
	if len(a.RawData) > 0 {
		_ = a.Data.UnmarshalJSON(a.RawData)
	}
	r := &reader{raw: raw}
	r.wrongTypes(&a)
	if a.Data.Odd {
		r.problems = append(r.problems, "data: "+preview(a.RawData)+" is of the wrong type; kept in unmapped.data")
	}
	created, _ := r.time("createdAt", a.CreatedAt)
	version, ok := r.time("updatedAt", a.UpdatedAt)
	if !ok {
		version = created
	}
	k, known := activityKinds[a.ActivityType.Value]
	if !known || !a.ActivityType.Set {
		k = activityKind{Class: ocsf.ClassBaseEvent, Activity: ocsf.ActivityOther}
	}
	severity := ocsf.SeverityInformational
	switch {
	case k.Failed:
		severity = ocsf.SeverityLow
	case k.Class == ocsf.ClassDetectionFinding && k.Activity == 1:
		severity = newThreatSeverity(k, a.Data.V.ConfidenceLevel)
	case k.Class == ocsf.ClassDetectionFinding && strings.EqualFold(a.Data.V.NewStatus.Value, "resolved"):
		k.Activity = 3 // the status change that resolved the threat closes the finding
	}
	h := ocsf.NewHeader(k.Class, k.Activity, severity, r.eventTime("createdAt", created, collected))
	h.Message = a.PrimaryDescription.Value
	h.Metadata = metadata("activities", a.ID.Value, version, a.AccountID.Value, a.CreatedAt.Value)
	if a.ActivityType.Set {
		h.Metadata.EventCode = fmt.Sprint(a.ActivityType.Value)
	}
	u := activityUnmapped(a)
	var ev any
	switch k.Class {
	case ocsf.ClassAuthentication:
		ev = authEvent(h, k, a, u)
	case ocsf.ClassAccountChange:
		ev = accountEvent(h, a, u)
	case ocsf.ClassEntityManagement:
		ev = entityEvent(h, k, a, u)
	case ocsf.ClassDetectionFinding:
		ev = activityFinding(h, k, a, u)
	case ocsf.ClassScanActivity:
		ev = scanEvent(h, a, u)
	default:
		if h.Message == "" {
			h.Message = fmt.Sprintf("SentinelOne activity type %d", a.ActivityType.Value)
		}
		ev = baseEvent(h, a, u)
	}
	return ev, r.problems, nil
}

// actor is the console user who acted: userId, and the name data gives.
func actor(a activityRecord) *ocsf.Actor {
	name := firstNonEmpty(a.Data.V.ByUser.Value, a.Data.V.Username.Value)
	if a.UserID.Value == "" && name == "" {
		return nil
	}
	return &ocsf.Actor{User: &ocsf.User{UID: a.UserID.Value, Name: name}}
}

func status(failed bool) (*int, string) {
	id := ocsf.StatusSuccess
	if failed {
		id = ocsf.StatusFailure
	}
	return &id, ocsf.StatusCaption(id)
}

func authEvent(h ocsf.Header, k activityKind, a activityRecord, u map[string]any) ocsf.Authentication {
	d := a.Data.V
	ev := ocsf.Authentication{Header: h, Unmapped: u, Service: &ocsf.Service{Name: "SentinelOne Management Console"}}
	ev.StatusID, ev.Status = status(k.Failed)
	if k.Failed {
		ev.StatusDetail = a.Comments.Value
	}
	ev.User = ocsf.User{UID: a.UserID.Value, Name: firstNonEmpty(d.Username.Value, d.Email.Value), EmailAddr: validEmail(d.Email.Value)}
	if ev.User.UID == "" && ev.User.Name == "" {
		ev.User.Name = "unknown" // OCSF requires the user; the console did not name one
	}
	if k.MFA {
		ev.IsMFA = &k.MFA
	}
	if ip := firstValidIP(splitList(d.IPAddress.Value)); ip != "" {
		ev.SrcEndpoint = &ocsf.NetworkEndpoint{IP: ip}
	}
	return ev
}

func accountEvent(h ocsf.Header, a activityRecord, u map[string]any) ocsf.AccountChange {
	d := a.Data.V
	ev := ocsf.AccountChange{Header: h, Actor: actor(a), Unmapped: u}
	ev.StatusID, ev.Status = status(false)
	ev.User = ocsf.User{Name: firstNonEmpty(d.Username.Value, d.Email.Value, d.Name.Value), EmailAddr: validEmail(d.Email.Value)}
	if ev.User.Name == "" {
		ev.User.Name = "unknown"
	}
	return ev
}

// entityEvent names what changed: the agent (with its device), the group,
// the site or account, or the policy, rule or exclusion of a scope.
func entityEvent(h ocsf.Header, k activityKind, a activityRecord, u map[string]any) ocsf.EntityManagement {
	d := a.Data.V
	ev := ocsf.EntityManagement{Header: h, Actor: actor(a), Comment: a.Comments.Value, Unmapped: u}
	ev.StatusID, ev.Status = status(k.Failed)
	e := ocsf.ManagedEntity{TypeID: k.Entity, Type: ocsf.EntityTypeCaption(k.Entity)}
	if k.Label != "" && (k.Entity == ocsf.EntityOther || k.Entity == ocsf.EntityPolicy) {
		e.Type = k.Label
		if k.Entity == ocsf.EntityPolicy {
			e.Type = ocsf.EntityTypeCaption(k.Entity)
		}
	}
	switch k.Entity {
	case ocsf.EntityDevice:
		e.UID, e.Name = a.AgentID.Value, d.ComputerName.Value
		if dev := activityDevice(a); dev != nil {
			e.Device = dev
		}
	case ocsf.EntityGroup:
		e.UID, e.Name = a.GroupID.Value, firstNonEmpty(a.GroupName.Value, d.GroupName.Value)
	case ocsf.EntityOrg:
		org := &ocsf.Organization{UID: a.AccountID.Value, Name: firstNonEmpty(a.AccountName.Value, d.AccountName.Value)}
		e.UID, e.Name = org.UID, org.Name
		if k.Label == "Site" {
			org.OUUID, org.OUName = a.SiteID.Value, firstNonEmpty(a.SiteName.Value, d.SiteName.Value)
			e.UID, e.Name = org.OUUID, org.OUName
		}
		e.Org = org.OrNil()
	default:
		e.Name = firstNonEmpty(d.RuleName.Value, d.PolicyName.Value, d.Name.Value)
		if e.Name == "" {
			e.Name = strings.TrimSpace(k.Label + " of " + d.FullScopeDetails.Value)
		}
	}
	if e.UID == "" && e.Name == "" && e.Device == nil && e.Org == nil {
		e.Name = k.Name
	}
	ev.Entity = e
	return ev
}

// activityDevice is the agent an activity is about, as far as it says.
func activityDevice(a activityRecord) *ocsf.Device {
	name := a.Data.V.ComputerName.Value
	if a.AgentID.Value == "" && name == "" {
		return nil
	}
	d := &ocsf.Device{UID: a.AgentID.Value, Hostname: name, TypeID: ocsf.DeviceUnknown, Type: ocsf.DeviceTypeCaption(ocsf.DeviceUnknown)}
	d.Org = (&ocsf.Organization{UID: a.AccountID.Value, Name: a.AccountName.Value, OUUID: a.SiteID.Value, OUName: a.SiteName.Value}).OrNil()
	if a.GroupID.Value != "" || a.GroupName.Value != "" {
		d.Groups = []ocsf.Group{{UID: a.GroupID.Value, Name: a.GroupName.Value}}
	}
	return d
}

// activityFinding is a threat's lifecycle as the activity log tells it:
// the threat id is the finding's uid, so it joins the threat stream's
// findings; the status change closes it when the new status is resolved.
func activityFinding(h ocsf.Header, k activityKind, a activityRecord, u map[string]any) ocsf.DetectionFinding {
	d := a.Data.V
	confidence := strings.ToLower(firstNonEmpty(d.ConfidenceLevel.Value, k.Confidence))
	ev := ocsf.DetectionFinding{Header: h, IsAlert: h.ActivityID == 1, Unmapped: u,
		FindingInfo: ocsf.FindingInfo{UID: firstNonEmpty(a.ThreatID.Value, a.ID.Value),
			Title: firstNonEmpty(d.ThreatName.Value, d.FileDisplayName.Value)}}
	if id, ok := confidenceOf(confidence); ok {
		ev.ConfidenceID, ev.Confidence = &id, ocsf.ConfidenceCaption(id)
	}
	ev.Device = activityDevice(a)
	if name := firstNonEmpty(d.FileDisplayName.Value, baseName(d.FilePath.Value)); name != "" {
		ev.Evidences = []ocsf.Evidence{{File: &ocsf.File{Name: name, Path: d.FilePath.Value, TypeID: ocsf.FileRegular,
			Type: ocsf.FileTypeCaption(ocsf.FileRegular), Hashes: sha1Only(d.FileContentHash.Value)}}}
	}
	if c := d.ThreatClassification.Value; c != "" && ev.FindingInfo.Title != "" {
		id, caption := malwareClass(c)
		ev.Malware = []ocsf.Malware{{Name: ev.FindingInfo.Title, ClassificationIDs: []int{id}, Classifications: []string{caption},
			Path: d.FilePath.Value, Provider: "SentinelOne"}}
	}
	if act := actor(a); act != nil && a.UserID.Value != "" {
		ev.Actor = act
		ev.Metadata.Profiles = []string{ocsf.ProfileHost}
	}
	ev.Observables = observables(ev.Device, ev.Evidences)
	return ev
}

// sha1Only keeps a hash of SHA-1's form (activities name no algorithm;
// the value stays in unmapped.data whatever it is).
func sha1Only(h string) []ocsf.Fingerprint {
	if len(h) != 40 || !isHex(h) {
		return nil
	}
	return []ocsf.Fingerprint{{AlgorithmID: ocsf.HashSHA1, Algorithm: ocsf.HashCaption(ocsf.HashSHA1), Value: h}}
}

// newThreatSeverity is the severity of a new threat an activity reports:
// from data.confidenceLevel as for threats, else from what its type says
// (19 "New Malicious Threat…" High, 4003 "New Suspicious Threat…" Medium),
// else Unknown — never lower than the threat stream says of the finding.
func newThreatSeverity(k activityKind, confidence s) int {
	c := strings.ToLower(firstNonEmpty(confidence.Value, k.Confidence))
	if c == "" {
		return ocsf.SeverityUnknown
	}
	return threatSeverity(c)
}

// scanEvent is a full disk scan on the agent the activity names.
func scanEvent(h ocsf.Header, a activityRecord, u map[string]any) ocsf.ScanActivity {
	ev := ocsf.ScanActivity{Header: h, Scan: ocsf.Scan{Name: "Full Disk Scan", TypeID: other, Type: "Full Disk Scan"}, Unmapped: u}
	if ev.Device = activityDevice(a); ev.Device != nil {
		ev.Metadata.Profiles = []string{ocsf.ProfileHost}
	}
	return ev
}

func baseEvent(h ocsf.Header, a activityRecord, u map[string]any) ocsf.BaseEvent {
	return ocsf.BaseEvent{Header: h, Unmapped: u}
}

// activityUnmapped keeps the activity's own fields and its whole data
// object, so a consumer can still read everything the console said.
func activityUnmapped(a activityRecord) map[string]any {
	b := bag{}
	b.number("activityType", a.ActivityType)
	for k, v := range map[string]s{
		"activityUuid": a.ActivityUUID, "secondaryDescription": a.SecondaryDescription, "description": a.Description,
		"comments": a.Comments, "userId": a.UserID, "agentId": a.AgentID, "threatId": a.ThreatID, "hash": a.Hash,
		"osFamily": a.OSFamily, "accountName": a.AccountName, "siteId": a.SiteID, "siteName": a.SiteName,
		"groupId": a.GroupID, "groupName": a.GroupName, "updatedAt": a.UpdatedAt,
	} {
		b.str(k, v)
	}
	b.json("data", a.RawData)
	return b.orNil()
}
