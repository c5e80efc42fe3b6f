package transform

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// TestThreatMappingFollowsTheSpec checks the threat mapping row by row
// against spec/findings-and-activities.md ("Threats → Detection Finding"),
// on the Elastic fixture with indicators, mitigation and an analyst.
func TestThreatMappingFollowsTheSpec(t *testing.T) {
	ev := mapThreat(t, readFile(t, "testdata/threat-elastic-indicators/threat.json"), nil)
	rows := []struct {
		spec, path string
		want       any
	}{
		{"activity_id: 3 Close when resolved", "activity_id", 3.0},
		{"time = threatInfo.updatedAt (ms)", "time", 1649235257194.0},
		{"created_time = threatInfo.createdAt", "finding_info.created_time", 1649234754519.0},
		{"modified_time = threatInfo.updatedAt", "finding_info.modified_time", 1649235257194.0},
		{"first_seen_time = threatInfo.identifiedAt", "finding_info.first_seen_time", 1649234753968.0},
		{"finding_info.uid = id", "finding_info.uid", "1234567890123456789"},
		{"finding_info.title = threatName", "finding_info.title", "default.exe"},
		{"finding_info.desc = classification + detection type", "finding_info.desc", "Trojan (dynamic detection)"},
		{"analytic.name = join(engines)", "finding_info.analytic.name", "Behavioral AI"},
		{"analytic.type_id from detectionType (dynamic: Behavioral)", "finding_info.analytic.type_id", 2.0},
		{"attacks: tactic from indicators[].tactics[]", "finding_info.attacks.0.tactic.name", "Execution"},
		{"attacks: the tactic's ATT&CK id", "finding_info.attacks.0.tactic.uid", "TA0002"},
		{"attacks: technique from tactics[].techniques[]", "finding_info.attacks.0.technique.uid", "T1234"},
		{"attacks: each tactic and technique once", "finding_info.attacks.#", 2},
		{"attacks: second tactic", "finding_info.attacks.1.tactic.uid", "TA0001"},
		{"status_id: resolved → 4 Resolved", "status_id", 4.0},
		{"confidence_id: malicious → 3 High", "confidence_id", 3.0},
		{"severity_id: malicious → 4 High", "severity_id", 4.0},
		{"disposition_id: mitigated with a quarantine → 3 Quarantined", "disposition_id", 3.0},
		{"device.uid = agentId", "device.uid", "1234567890123456789"},
		{"device.uid_alt = agentUuid", "device.uid_alt", "fwfbxxxxxxxxxxqcfjfnxxxxxxxxx"},
		{"device.hostname = agentComputerName", "device.hostname", "test-LINUX"},
		{"device.domain = agentDomain", "device.domain", "WORKGROUP"},
		{"device.os from agentOsType", "device.os.type_id", 200.0},
		{"device.type_id as for 5001 (server)", "device.type_id", 1.0},
		{"device.ip from agentDetectionInfo", "device.ip", "10.0.0.1"},
		{"evidences[].file.name", "evidences.0.file.name", "default.exe"},
		{"evidences[].file.path = filePath", "evidences.0.file.path", "default.exe"},
		{"evidences[].file.size = fileSize", "evidences.0.file.size", 1234.0},
		{"evidences[].file.hashes: md5", "evidences.0.file.hashes.0.algorithm_id", 1.0},
		{"evidences[].file.hashes: sha1", "evidences.0.file.hashes.1.value", "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"},
		{"evidences[].file.hashes: sha256", "evidences.0.file.hashes.2.algorithm_id", 3.0},
		{"evidences[].file publisher", "evidences.0.file.company_name", "Example Software Ltd"},
		{"process user = processUser", "evidences.0.user.name", "test user"},
		{"malware[].name = threatName", "malware.0.name", "default.exe"},
		{"malware[].classification_ids from classification", "malware.0.classification_ids.0", 18.0},
		{"malware[].path", "malware.0.path", "default.exe"},
		{"is_alert = true", "is_alert", true},
		{"unmapped.analystVerdict", "unmapped.analystVerdict", "true_positive"},
		{"unmapped.storyline", "unmapped.storyline", "D0XXXXXXXXXXAF4D"},
		{"unmapped.externalTicketId", "unmapped.externalTicketId", "INC-4711"},
		{"unmapped: mitigation status", "unmapped.mitigationStatus", "mitigated"},
		{"unmapped: originator process (no pid for OCSF's process)", "unmapped.originatorProcess", "default.exe"},
		{"unmapped: process arguments", "unmapped.maliciousProcessArguments", "default.exe --silent"},
		{"metadata.uid = id + updatedAt", "metadata.uid", "1234567890123456789-1649235257194"},
		{"metadata.tenant_uid = accountId", "metadata.tenant_uid", "1234567890123456789"},
		{"metadata.product", "metadata.product.vendor_name", "SentinelOne"},
		{"verdict (incident profile) from analystVerdict", "verdict_id", 2.0},
		{"actor: the user who initiated it (host profile)", "actor.user.name", "soc.analyst@example.com"},
	}
	for _, r := range rows {
		if got := at(ev, r.path); !reflect.DeepEqual(got, r.want) {
			t.Errorf("%s: %s = %#v, want %#v", r.spec, r.path, got, r.want)
		}
	}
}

// TestThreatRules checks each rule of the spec's table on variations of
// the fixture: the value in, the OCSF value out.
func TestThreatRules(t *testing.T) {
	base := readFile(t, "testdata/threat-elastic/threat.json")
	cases := []struct {
		rule   string
		change map[string]any // threatInfo keys
		path   string
		want   any
	}{
		{"first version is Create", map[string]any{"updatedAt": "2022-04-06T08:45:54.519988Z"}, "activity_id", 1.0},
		{"first version stamped a little after its creation is Create", map[string]any{"updatedAt": "2022-04-06T08:45:54.931000Z"}, "activity_id", 1.0},
		{"unresolved version 11 s after creation is Update", map[string]any{"updatedAt": "2022-04-06T08:46:05.600000Z"}, "activity_id", 2.0},
		{"in progress within a second is Update", map[string]any{"updatedAt": "2022-04-06T08:45:54.931000Z", "incidentStatus": "in_progress"}, "activity_id", 2.0},
		{"resolved at its creation is Close", map[string]any{"updatedAt": "2022-04-06T08:45:54.519988Z", "incidentStatus": "resolved"}, "activity_id", 3.0},
		{"a later version is Update", nil, "activity_id", 2.0},
		{"resolved is Close", map[string]any{"incidentStatus": "resolved"}, "activity_id", 3.0},
		{"unresolved → New", map[string]any{"incidentStatus": "unresolved"}, "status", "New"},
		{"in_progress → In Progress", map[string]any{"incidentStatus": "in_progress"}, "status", "In Progress"},
		{"resolved → Resolved", map[string]any{"incidentStatus": "resolved"}, "status_id", 4.0},
		{"unknown status → Other, as said", map[string]any{"incidentStatus": "escalated"}, "status", "escalated"},
		{"suspicious → Medium confidence", map[string]any{"confidenceLevel": "suspicious"}, "confidence_id", 2.0},
		{"suspicious → Medium severity", map[string]any{"confidenceLevel": "suspicious"}, "severity_id", 3.0},
		{"n/a → no confidence", map[string]any{"confidenceLevel": "n/a"}, "confidence_id", nil},
		{"n/a → Low severity", map[string]any{"confidenceLevel": "n/a"}, "severity_id", 2.0},
		{"not_mitigated → Detected", map[string]any{"mitigationStatus": "not_mitigated"}, "disposition", "Detected"},
		{"mitigated (no quarantine step) → Blocked", map[string]any{"mitigationStatus": "mitigated"}, "disposition", "Blocked"},
		{"mitigated preemptively → Blocked", map[string]any{"mitigationStatus": "not_mitigated", "mitigatedPreemptively": true}, "disposition", "Blocked"},
		{"marked_as_benign → Exonerated", map[string]any{"mitigationStatus": "marked_as_benign"}, "disposition_id", 10.0},
		{"static cloud engine → Fingerprinting", nil, "finding_info.analytic.type", "Fingerprinting"},
		{"static AI → Learning", map[string]any{"engines": []string{"On-Write Static AI"}, "detectionEngines": []any{}}, "finding_info.analytic.type_id", 4.0},
		{"STAR rule → Rule", map[string]any{"engines": []string{"STAR"}}, "finding_info.analytic.type_id", 1.0},
		{"false_positive verdict", map[string]any{"analystVerdict": "false_positive"}, "verdict", "False Positive"},
		{"undefined verdict → none", map[string]any{"analystVerdict": "undefined"}, "verdict_id", nil},
		{"ransomware classification", map[string]any{"classification": "Ransomware"}, "malware.0.classification_ids.0", 10.0},
		{"PUA classification → Other under its name", map[string]any{"classification": "PUA"}, "malware.0.classifications.0", "PUA"},
		{"Windows path → file name", map[string]any{"filePath": `\Device\HarddiskVolume3\Users\Public\x.exe`}, "evidences.0.file.name", "x.exe"},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			ev := mapThreat(t, base, c.change)
			if got := at(ev, c.path); !reflect.DeepEqual(got, c.want) {
				t.Errorf("%s = %#v, want %#v", c.path, got, c.want)
			}
		})
	}
}

// mapThreat maps a threat with some threatInfo keys changed, checks the
// event is strict OCSF and returns it as generic JSON.
func mapThreat(t *testing.T, raw []byte, change map[string]any) map[string]any {
	t.Helper()
	if change != nil {
		var rec map[string]any
		if err := json.Unmarshal(raw, &rec); err != nil {
			t.Fatal(err)
		}
		ti := rec["threatInfo"].(map[string]any)
		for k, v := range change {
			ti[k] = v
		}
		raw, _ = json.Marshal(rec)
	}
	ev, problems, err := Threat(raw, collected)
	if err != nil || len(problems) > 0 {
		t.Fatalf("%v %v", err, problems)
	}
	return strictJSON(t, ev)
}

// strictJSON holds an event to strict OCSF and returns it as generic JSON.
func strictJSON(t *testing.T, ev any) map[string]any {
	t.Helper()
	b, _ := json.Marshal(ev)
	checkOCSF(t, b)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return m
}

// at reads a dotted path; a number indexes a list, "#" is a list's length.
func at(v any, path string) any {
	for _, k := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[k]
		case []any:
			if k == "#" {
				return len(x)
			}
			i, err := strconv.Atoi(k)
			if err != nil || i >= len(x) {
				return fmt.Sprintf("no %s", k)
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

// TestThreatAgentIsItsUUID: a threat's device.agent_list[].uid is the
// agent's UUID, as for agents and alerts, never its console id; without
// a UUID the agent has none.
func TestThreatAgentIsItsUUID(t *testing.T) {
	raw := readFile(t, "testdata/threat-elastic/threat.json")
	for _, c := range []struct {
		name string
		set  map[string]any
		want any
	}{
		{"with a UUID", nil, "fwfbxxxxxxxxxxqcfjfnxxxxxxxxx"},
		{"without", map[string]any{"agentRealtimeInfo.agentUuid": nil, "agentDetectionInfo.agentUuid": nil}, nil},
	} {
		ev, _, err := Threat(patch(t, raw, c.set), collected)
		if err != nil {
			t.Fatal(err)
		}
		m := strictJSON(t, ev)
		if got := at(m, "device.agent_list.0.uid"); got != c.want {
			t.Errorf("%s: agent uid %v, want %v", c.name, got, c.want)
		}
	}
}

// TestNewThreatActivitiesAgreeWithTheThreat: an activity announcing a new
// malicious (suspicious) threat gives the finding High (Medium) severity
// and confidence, as the threats stream does, even when its data does not
// repeat the confidence; a type that does not say is Unknown, not Low.
func TestNewThreatActivitiesAgreeWithTheThreat(t *testing.T) {
	for _, c := range []struct {
		typ                  int64
		severity, confidence any
	}{{19, 4.0, 3.0}, {4108, 4.0, 3.0}, {4003, 3.0, 2.0}, {4109, 3.0, 2.0}, {18, 0.0, nil}} {
		raw := sampleActivity(ActivityType{ID: c.typ, Class: 2004, Activity: 1})
		raw = patch(t, raw, map[string]any{"data.confidenceLevel": nil})
		ev, problems, err := Activity(raw, collected)
		if err != nil || len(problems) > 0 {
			t.Fatal(err, problems)
		}
		m := strictJSON(t, ev)
		if m["severity_id"] != c.severity || m["confidence_id"] != c.confidence {
			t.Errorf("type %d: severity %v confidence %v, want %v %v", c.typ, m["severity_id"], m["confidence_id"], c.severity, c.confidence)
		}
	}
}
