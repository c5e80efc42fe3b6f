package transform

import (
	"cmp"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"s1collector/internal/ocsf"
	"s1collector/internal/sentinelone"
)

// alertRecord is a node of the Unified Alerts GraphQL API.
type alertRecord struct {
	ID, ExternalID, Name, Description, Severity, Status, AnalystVerdict s
	Classification, ConfidenceLevel, Result, StorylineID, TicketID      s
	CreatedAt, UpdatedAt, DetectedAt, FirstSeenAt, LastSeenAt           s
	NoteExists                                                          sentinelone.Bool
	AttackSurfaces, DataSources                                         sentinelone.Strings
	DetectionSource                                                     obj[struct{ Product, Vendor s }]
	Analytics                                                           obj[struct{ Category, Name, TypeValue, UID s }]
	Assets                                                              sentinelone.List[alertAsset]
	Assignee                                                            obj[struct{ UserID, Email, FullName s }]
	Process                                                             obj[alertProcess]
	DetectionTime                                                       obj[alertDetectionTime]
	RealTime                                                            obj[struct{ Scope obj[alertRealScope] }]
	SLODetails                                                          json.RawMessage `json:"sloDetails"`
	AIInvestigation                                                     json.RawMessage `json:"aiInvestigation"`
}

type alertAsset struct {
	ID, Name, AgentUUID, AgentVersion, Category, Subcategory, OSType, OSVersion, Status, Role s
	ConnectivityToConsole, Policy, LastLoggedInUser, AssetTypeClassifier                      s
}

type alertProcess struct {
	CmdLine, ParentName s
	File                obj[struct{ Name, Path, MD5, SHA1, SHA256, CertSubject s }]
}

type alertDetectionTime struct {
	Scope      obj[struct{ AccountID, AccountName, SiteName, GroupName s }]
	Attacker   obj[struct{ Host, IP s }]
	TargetUser obj[struct{ Name, Domain, EmailAddress s }]
	Assets     sentinelone.List[struct {
		Asset      obj[struct{ IPV4, IPV6, Domain, OSName, OSType, AgentVersion s }]
		Kubernetes json.RawMessage
		Cloud      json.RawMessage
	}]
}

type alertRealScope struct {
	Account, Site, Group obj[struct{ ID, Name s }]
}

// Alert maps a Unified Alert to an OCSF Detection Finding (class 2004):
// severity and status as the console names them, the analytic that fired,
// the asset as device, the process image and users as evidence, and the
// product that detected it (EDR, CWS, Identity…) as the product's feature.
func Alert(raw json.RawMessage, collected time.Time) (ocsf.DetectionFinding, []string, error) {
	var a alertRecord
	if !isObject(raw) {
		return ocsf.DetectionFinding{}, nil, fmt.Errorf("not a JSON object: %s", preview(raw))
	}
	if err := json.Unmarshal(raw, &a); err != nil {
		return ocsf.DetectionFinding{}, nil, fmt.Errorf("not a JSON object: %s", preview(raw))
	}
	if strings.TrimSpace(a.ID.Value) == "" {
		return ocsf.DetectionFinding{}, nil, NoID("alert")
	}
	r := &reader{raw: raw}
	r.wrongTypes(&a)
	created, _ := r.time("createdAt", a.CreatedAt)
	updated, _ := r.time("updatedAt", a.UpdatedAt)
	when := r.eventTime("updatedAt", updated, collected)
	status := strings.ToUpper(a.Status.Value)
	activity := findingActivity(firstVersion(created, updated, status == "NEW"), status == "RESOLVED" || status == "FALSE_POSITIVE")
	ev := ocsf.DetectionFinding{
		Header:  ocsf.NewHeader(ocsf.ClassDetectionFinding, activity, alertSeverity(a.Severity.Value), when),
		IsAlert: true,
		FindingInfo: ocsf.FindingInfo{
			UID: a.ID.Value, UIDAlt: a.ExternalID.Value, Title: a.Name.Value, Desc: a.Description.Value,
			Analytic: alertAnalytic(a), DataSources: a.DataSources.Values,
			CreatedTime: epochMillis(nonZero(created)), ModifiedTime: epochMillis(nonZero(updated)),
			FirstSeenTime: r.millis("firstSeenAt", a.FirstSeenAt), LastSeenTime: r.millis("lastSeenAt", a.LastSeenAt),
		},
	}
	ev.Message = a.Name.Value
	if c := a.Classification.Value; c != "" {
		ev.FindingInfo.Types = []string{c}
	}
	ev.Metadata = metadata("alerts", a.ID.Value, updated, alertTenant(a), a.UpdatedAt.Value)
	ev.Metadata.LogProvider = "SentinelOne Unified Alerts API"
	ev.Metadata.Profiles = []string{ocsf.ProfileSecurityControl, ocsf.ProfileIncident}
	if p := a.DetectionSource.V.Product.Value; p != "" {
		ev.Metadata.Product.Feature = &ocsf.Feature{Name: p}
	}
	if id, ok := confidenceOf(a.ConfidenceLevel.Value); ok {
		ev.ConfidenceID, ev.Confidence = &id, ocsf.ConfidenceCaption(id)
	}
	ev.StatusID, ev.Status = findingStatus(a.Status.Value, map[string]int{"new": ocsf.FindingNew,
		"in_progress": ocsf.FindingInProgress, "resolved": ocsf.FindingResolved, "false_positive": ocsf.FindingSuppressed})
	if strings.EqualFold(a.Result.Value, "MITIGATED") {
		ev.DispositionID, ev.Disposition = intPtr(ocsf.DispositionBlocked), ocsf.DispositionCaption(ocsf.DispositionBlocked)
	}
	ev.VerdictID, ev.Verdict = verdictOf(a.AnalystVerdict.Value)
	if as := a.Assignee.V; as.UserID.Value != "" || as.Email.Value != "" || as.FullName.Value != "" {
		ev.Assignee = &ocsf.User{UID: as.UserID.Value, FullName: as.FullName.Value, EmailAddr: r.email("assignee.email", as.Email)}
		if ev.Assignee.UID == "" && ev.Assignee.FullName == "" && ev.Assignee.EmailAddr == "" {
			ev.Assignee = nil // OCSF's user needs a uid or name
		} else if ev.Assignee.UID == "" {
			ev.Assignee.Name = cmp.Or(as.FullName.Value, ev.Assignee.EmailAddr) // console logins are emails
		}
	}
	if id := a.TicketID.Value; id != "" {
		ev.Tickets = []ocsf.Ticket{{UID: id}}
	}
	ev.Device = alertDevice(r, a)
	ev.Evidences = alertEvidences(r, a)
	ev.Observables = observables(ev.Device, ev.Evidences)
	ev.Unmapped = r.keepInto(alertUnmapped(a))
	return ev, r.problems, nil
}

// alertSeverity maps CRITICAL 5, HIGH 4, MEDIUM 3, LOW 2, INFO 1, anything
// else (UNKNOWN) 0.
func alertSeverity(v string) int {
	switch strings.ToUpper(v) {
	case "CRITICAL":
		return ocsf.SeverityCritical
	case "HIGH":
		return ocsf.SeverityHigh
	case "MEDIUM":
		return ocsf.SeverityMedium
	case "LOW":
		return ocsf.SeverityLow
	case "INFO", "INFORMATIONAL":
		return ocsf.SeverityInformational
	}
	return ocsf.SeverityUnknown
}

// alertAnalytic: a STATIC analytic is a Rule, a DYNAMIC one Behavioral;
// another type value is Other under its own name.
func alertAnalytic(a alertRecord) *ocsf.Analytic {
	an := a.Analytics.V
	if an.Name.Value == "" && an.UID.Value == "" {
		return nil
	}
	out := &ocsf.Analytic{UID: an.UID.Value, Name: an.Name.Value, Category: an.Category.Value}
	switch v := strings.ToUpper(an.TypeValue.Value); v {
	case "STATIC":
		out.TypeID = ocsf.AnalyticRule
	case "DYNAMIC":
		out.TypeID = ocsf.AnalyticBehavioral
	case "":
	default:
		out.TypeID, out.Type = other, an.TypeValue.Value
	}
	if out.Type == "" {
		out.Type = ocsf.AnalyticTypeCaption(out.TypeID)
	}
	return out
}

func alertTenant(a alertRecord) string {
	if id := a.DetectionTime.V.Scope.V.AccountID.Value; id != "" {
		return id
	}
	return a.RealTime.V.Scope.V.Account.V.ID.Value
}

// alertDevice is the alert's first asset (its target), with the addresses
// and OS seen at detection time and the scope as org and group.
func alertDevice(r *reader, a alertRecord) *ocsf.Device {
	var asset alertAsset
	for i, as := range a.Assets.Values {
		if i == 0 || strings.EqualFold(as.Role.Value, "TARGET") && !strings.EqualFold(asset.Role.Value, "TARGET") {
			asset = as
		}
	}
	var at struct{ IPV4, IPV6, Domain, OSName, OSType, AgentVersion s }
	if dts := a.DetectionTime.V.Assets.Values; len(dts) > 0 {
		at = dts[0].Asset.V
	}
	d := &ocsf.Device{UID: asset.ID.Value, Name: asset.Name.Value, Hostname: asset.Name.Value, Domain: at.Domain.Value}
	d.TypeID, d.Type = assetType(asset.Category.Value)
	d.IP = firstNonEmpty(r.ip("detectionTime.assets[0].asset.ipV4", at.IPV4), r.ip("detectionTime.assets[0].asset.ipV6", at.IPV6))
	osType := strings.ToLower(firstNonEmpty(asset.OSType.Value, at.OSType.Value))
	if name := firstNonEmpty(asset.OSVersion.Value, at.OSName.Value, osType); name != "" {
		d.OS = strictOS(&facts{osType: &osType, osVersion: &name})
	}
	if u := asset.AgentUUID.Value; u != "" {
		d.AgentList = []ocsf.Agent{{UID: u, Name: "SentinelOne Agent", TypeID: ocsf.AgentEDR, Type: ocsf.AgentTypeCaption(ocsf.AgentEDR),
			VendorName: "SentinelOne", Version: firstNonEmpty(asset.AgentVersion.Value, at.AgentVersion.Value)}}
	}
	if u := asset.LastLoggedInUser.Value; u != "" {
		d.Owner = &ocsf.User{Name: u}
	}
	rs, ds := a.RealTime.V.Scope.V, a.DetectionTime.V.Scope.V
	if id, name := firstNonEmpty(rs.Account.V.ID.Value, ds.AccountID.Value), firstNonEmpty(rs.Account.V.Name.Value, ds.AccountName.Value); id != "" || name != "" {
		d.Org = &ocsf.Organization{UID: id, Name: name, OUUID: rs.Site.V.ID.Value, OUName: firstNonEmpty(rs.Site.V.Name.Value, ds.SiteName.Value)}
	}
	if id, name := rs.Group.V.ID.Value, firstNonEmpty(rs.Group.V.Name.Value, ds.GroupName.Value); id != "" || name != "" {
		d.Groups = []ocsf.Group{{UID: id, Name: name}}
	}
	if d.UID == "" && d.Hostname == "" && d.IP == "" {
		return nil
	}
	return d
}

// assetType reads an asset's category: Server, Workstation/Desktop,
// Laptop; other categories are Other under their own name.
func assetType(category string) (int, string) {
	switch strings.ToLower(category) {
	case "server":
		return ocsf.DeviceServer, ocsf.DeviceTypeCaption(ocsf.DeviceServer)
	case "workstation", "desktop":
		return ocsf.DeviceDesktop, ocsf.DeviceTypeCaption(ocsf.DeviceDesktop)
	case "laptop":
		return ocsf.DeviceLaptop, ocsf.DeviceTypeCaption(ocsf.DeviceLaptop)
	case "", "unknown":
		return ocsf.DeviceUnknown, ocsf.DeviceTypeCaption(ocsf.DeviceUnknown)
	}
	return ocsf.DeviceOther, category
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
