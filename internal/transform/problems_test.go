package transform

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"s1collector/internal/sentinelone"
)

// TestProblemsNameTheField: an unreadable field is dropped (null), named,
// and never costs the device.
func TestProblemsNameTheField(t *testing.T) {
	tests := []struct {
		dir  string
		want []string
	}{
		{"garbage-types", []string{"cpuCount:", "isActive:", "networkInterfaces:", "updatedAt:", "computerName:"}},
		{"odd-types", []string{`lastActiveDate: timestamp "not a date" is not RFC 3339, set to null`}},
		{"seed-inactive", nil},
		{"fixture-demisto", nil},
	}
	for _, tt := range tests {
		var a sentinelone.Agent
		if err := sentinelone.Unmarshal(readFile(t, "testdata/"+tt.dir+"/agent.json"), &a); err != nil {
			t.Fatal(err)
		}
		_, p1, err1 := Sekoia(&a)
		_, p2, err2 := Strict(&a, collected)
		if err1 != nil || err2 != nil {
			t.Fatalf("%s: device dropped: %v %v", tt.dir, err1, err2)
		}
		got := strings.Join(p1, "\n")
		if strings.Join(p2, "\n") != got {
			t.Errorf("%s: profiles disagree on problems:\n%v\n%v", tt.dir, p1, p2)
		}
		if len(tt.want) == 0 && len(p1) > 0 {
			t.Errorf("%s: unexpected problems %v", tt.dir, p1)
		}
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: problems %q do not mention %q", tt.dir, got, w)
			}
		}
	}
}

func TestAgentWithoutIDIsRejected(t *testing.T) {
	for _, in := range []string{`{}`, `{"id":null,"computerName":"x"}`, `{"id":"  "}`} {
		var a sentinelone.Agent
		if err := sentinelone.Unmarshal([]byte(in), &a); err != nil {
			t.Fatal(err)
		}
		if _, _, err := Sekoia(&a); !errors.Is(err, ErrNoID) {
			t.Errorf("%s: sekoia err %v", in, err)
		}
		if _, _, err := Strict(&a, collected); !errors.Is(err, ErrNoID) {
			t.Errorf("%s: strict err %v", in, err)
		}
	}
}

// TestValidatorRejects proves the schema check and the extra checks can
// fail, on events broken the ways strict consumers reject.
func TestValidatorRejects(t *testing.T) {
	good := readFile(t, "testdata/real-2025-cribl/ocsf.json")
	breakers := map[string]func(map[string]any){
		"unknown key":   func(e map[string]any) { e["device"].(map[string]any)["cpu_count"] = 2 },
		"null":          func(e map[string]any) { e["device"].(map[string]any)["model"] = nil },
		"seconds":       func(e map[string]any) { e["time"] = 1767323045 },
		"bad type_uid":  func(e map[string]any) { e["type_uid"] = 500101 },
		"bad caption":   func(e map[string]any) { e["device"].(map[string]any)["os"].(map[string]any)["type"] = "windows" },
		"missing os id": func(e map[string]any) { delete(e["device"].(map[string]any)["os"].(map[string]any), "type_id") },
		"bad mac":       func(e map[string]any) { e["device"].(map[string]any)["mac"] = "00:25:96:FF:FE:12:34:56" },
	}
	for name, breakIt := range breakers {
		var ev map[string]any
		_ = json.Unmarshal(good, &ev)
		breakIt(ev)
		b, _ := json.Marshal(ev)
		ft := &fakeT{}
		checkOCSF(ft, b)
		if !ft.failed {
			t.Errorf("%s: accepted", name)
		}
	}
}

// fakeT records failures instead of failing the test.
type fakeT struct {
	testing.TB
	failed bool
}

func (f *fakeT) Helper()               {}
func (f *fakeT) Errorf(string, ...any) { f.failed = true }
func (f *fakeT) Fatal(...any)          { f.failed = true }
func (f *fakeT) Fatalf(string, ...any) { f.failed = true }

// TestRecordWithoutIDNamesWhatIsMissing: a record nobody can identify is
// refused with the field that is missing and what it is, never another
// stream's words.
func TestRecordWithoutIDNamesWhatIsMissing(t *testing.T) {
	tests := []struct {
		stream Stream
		raw    string
		want   string
	}{
		{StreamStarAlerts, `{"alertInfo":{"alertId":""},"ruleInfo":{"name":"r"}}`, "alertInfo.alertId: missing or empty; the alert cannot be identified"},
		{StreamThreats, `{"threatInfo":{"threatName":"x"}}`, "id: missing or empty; the threat cannot be identified"},
		{StreamAgents, `{"computerName":"x"}`, "id: missing or empty; the device cannot be identified"},
	}
	for _, tt := range tests {
		_, _, err := ProfileOCSF.MapRecord(tt.stream, []byte(tt.raw), collected)
		if !errors.Is(err, ErrNoID) || err.Error() != tt.want {
			t.Errorf("%s: err %v, want %q", tt.stream, err, tt.want)
		}
	}
}
