package transform

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// TestUnusableValuesAreReportedAndKept: a value the mapping cannot use —
// of the wrong type, or not what its field holds — is named in the
// record's problems and kept as it came under unmapped.unreadable; it
// never silently lowers severity or confidence, and the event stays
// strict OCSF.
func TestUnusableValuesAreReportedAndKept(t *testing.T) {
	threat := readFile(t, "testdata/threat-elastic/threat.json")
	alert := patch(t, readFile(t, "testdata/alert-elastic-cwp/alert.json"), map[string]any{ // without its masked values
		"process.file.md5": nil, "process.file.sha1": nil, "process.file.sha256": nil, "detectionTime.targetUser.emailAddress": nil})
	star := readFile(t, "testdata/star-alert-elastic/star_alert.json")
	cases := []struct {
		name   string
		stream Stream
		raw    []byte
		set    map[string]any // dotted path → new value (nil deletes)
		kept   string         // key under unmapped.unreadable ("" none)
		want   any            // the value kept
		check  string         // an event path…
		value  any            // …and its value
	}{
		{"threat confidence a list", StreamThreats, threat, map[string]any{"threatInfo.confidenceLevel": []any{"malicious"}},
			"threatInfo.confidenceLevel", []any{"malicious"}, "severity_id", 0.0},
		{"threat mitigation status an object", StreamThreats, threat, map[string]any{"threatInfo.mitigationStatus": map[string]any{"a": "b"}},
			"threatInfo.mitigationStatus", map[string]any{"a": "b"}, "disposition_id", nil},
		{"threat sha1 not a hash", StreamThreats, threat, map[string]any{"threatInfo.sha1": "not-a-hash"},
			"threatInfo.sha1", "not-a-hash", "evidences.0.file.hashes", nil},
		{"threat sha256 too short", StreamThreats, threat, map[string]any{"threatInfo.sha256": "abc"},
			"threatInfo.sha256", "abc", "evidences.0.file.hashes.#", 1},
		{"threat file size in words", StreamThreats, threat, map[string]any{"threatInfo.fileSize": "12kb"},
			"threatInfo.fileSize", "12kb", "evidences.0.file.size", nil},
		{"threat IP out of range", StreamThreats, threat, map[string]any{"agentDetectionInfo.agentIpV4": "10.0.0.300"},
			"agentDetectionInfo.agentIpV4", "10.0.0.300", "device.ip", "2a02:cf40:add:4002:91f2:a9b2:e09a:6fc6"},
		{"threat MAC not a MAC", StreamThreats, threat, map[string]any{"agentRealtimeInfo.networkInterfaces": []any{
			map[string]any{"name": "eth0", "inet": []any{"10.0.0.1"}, "physical": "zz-zz"}}},
			"agentRealtimeInfo.networkInterfaces[0].physical", "zz-zz", "device.network_interfaces.0.ip", "10.0.0.1"},
		{"alert severity a list", StreamAlerts, alert, map[string]any{"severity": []any{"HIGH"}},
			"severity", []any{"HIGH"}, "severity_id", 0.0},
		{"alert status an object", StreamAlerts, alert, map[string]any{"status": map[string]any{"value": "NEW"}},
			"status", map[string]any{"value": "NEW"}, "status_id", nil},
		{"alert IPv4 out of range", StreamAlerts, alert, map[string]any{"detectionTime.assets": []any{
			map[string]any{"asset": map[string]any{"ipV4": "10.0.0.300"}}}},
			"detectionTime.assets[0].asset.ipV4", "10.0.0.300", "device.ip", nil},
		{"alert assignee e-mail", StreamAlerts, alert, map[string]any{"assignee": map[string]any{"userId": "7", "email": "not-an-email"}},
			"assignee.email", "not-an-email", "assignee.uid", "7"},
		{"alert time unreadable", StreamAlerts, alert, map[string]any{"updatedAt": "yesterday"},
			"updatedAt", "yesterday", "time", float64(collected.UnixMilli())},
		{"alert sha1 with 0x is read", StreamAlerts, alert, map[string]any{"process.file.sha1": "0xaaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"},
			"", nil, "evidences.0.file.hashes.0.value", "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"},
		{"STAR process hash masked", StreamStarAlerts, star, map[string]any{"sourceProcessInfo.fileHashMd5": "masked"},
			"sourceProcessInfo.fileHashMd5", "masked", "evidences.0.process.file.hashes.#", 2},
		{"STAR pid not a number", StreamStarAlerts, star, map[string]any{"sourceProcessInfo.pid": "abc"},
			"sourceProcessInfo.pid", "abc", "evidences.0.process.name", "powershell.exe"},
		{"STAR process with neither pid nor unique id", StreamStarAlerts, star, map[string]any{"sourceProcessInfo.pid": "abc", "sourceProcessInfo.uniqueId": nil},
			"sourceProcessInfo", map[string]any{"name": "powershell.exe", "commandline": "powershell.exe -ExecutionPolicy Restricted -Command Write-Host 'Final result: 1';",
				"filePath": `C:\Windows\System32\WINDOWSPOWERSHELL\V1.0\powershell.exe`}, "evidences.#", 1},
		{"STAR rule severity a number", StreamStarAlerts, star, map[string]any{"ruleInfo.severity": map[string]any{"level": 5}},
			"ruleInfo.severity", map[string]any{"level": 5.0}, "severity_id", 0.0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ev, problems, err := ProfileOCSF.MapRecord(c.stream, patch(t, c.raw, c.set), collected)
			if err != nil {
				t.Fatal(err)
			}
			m := strictJSON(t, ev)
			kept, _ := at(m, "unmapped.unreadable").(map[string]any)
			if c.kept == "" {
				if len(problems) > 0 || kept != nil {
					t.Errorf("problems %v, kept %v: want none", problems, kept)
				}
			} else {
				if !strings.Contains(strings.Join(problems, "\n"), c.kept+": ") {
					t.Errorf("problems %q do not name %s", problems, c.kept)
				}
				if !reflect.DeepEqual(kept[c.kept], c.want) {
					t.Errorf("unmapped.unreadable[%q] = %#v, want %#v (all: %v)", c.kept, kept[c.kept], c.want, kept)
				}
			}
			if got := at(m, c.check); !reflect.DeepEqual(got, c.value) {
				t.Errorf("%s = %#v, want %#v", c.check, got, c.value)
			}
		})
	}
}

// TestMissingTimeIsReported: a threat without threatInfo takes the
// collection time as its time, and says so.
func TestMissingTimeIsReported(t *testing.T) {
	raw := patch(t, readFile(t, "testdata/threat-elastic/threat.json"), map[string]any{"threatInfo": nil})
	ev, problems, err := Threat(raw, collected)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Time != collected.UnixMilli() || len(problems) != 1 || !strings.Contains(problems[0], "threatInfo.updatedAt: missing; the event's time is when it was collected") {
		t.Fatalf("time %d, problems %q", ev.Time, problems)
	}
}

// patch sets values at dotted paths of a JSON object (nil deletes).
func patch(t *testing.T, raw []byte, set map[string]any) []byte {
	t.Helper()
	var rec map[string]any
	if err := json.Unmarshal(raw, &rec); err != nil {
		t.Fatal(err)
	}
	for path, v := range set {
		keys := strings.Split(path, ".")
		m := rec
		for _, k := range keys[:len(keys)-1] {
			next, ok := m[k].(map[string]any)
			if !ok {
				next = map[string]any{}
				m[k] = next
			}
			m = next
		}
		if last := keys[len(keys)-1]; v == nil {
			delete(m, last)
		} else {
			m[last] = v
		}
	}
	b, _ := json.Marshal(rec)
	return b
}
