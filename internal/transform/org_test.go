package transform

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestOrganizationKnownOnlyBySiteIsLeftOut: OCSF's organization needs a
// uid or a name; a record that names only its site (no account) must
// still map to strict OCSF, not to an org a strict consumer rejects.
func TestOrganizationKnownOnlyBySiteIsLeftOut(t *testing.T) {
	records := []struct {
		stream Stream
		raw    string
	}{
		{StreamActivities, `{"id":"1","activityType":19,"siteId":"5","agentId":"7","data":{"computerName":"e"}}`},
		{StreamActivities, `{"id":"1","activityType":5021,"siteId":"5","siteName":"Lab"}`},
		{StreamThreats, `{"id":"1","agentRealtimeInfo":{"agentId":"7","siteId":"5"},"agentDetectionInfo":{"siteName":"Lab"}}`},
		{StreamStarAlerts, `{"alertInfo":{"alertId":"1"},"agentDetectionInfo":{"uuid":"7","siteId":"5"}}`},
	}
	for _, tt := range records {
		ev, _, err := ProfileOCSF.MapRecord(tt.stream, []byte(tt.raw), collected)
		if err != nil {
			t.Fatalf("%s %s: record dropped: %v", tt.stream, tt.raw, err)
		}
		b, _ := json.Marshal(ev)
		checkOCSF(t, b)
	}
	_, b, _ := strictChecked(t, `{"id":"1","siteId":"5","siteName":"Lab"}`)
	if strings.Contains(string(b), `"org"`) {
		t.Errorf("agent without account carries an org: %s", b)
	}
}

// TestTechniqueKnownOnlyByLink: an ATT&CK technique needs a uid or a
// name. One given only by its ATT&CK link gets its id from the link; one
// with another link and no name is left out of the attacks.
func TestTechniqueKnownOnlyByLink(t *testing.T) {
	tests := []struct {
		link, want string
	}{
		{"https://attack.mitre.org/techniques/T1055/", `"uid":"T1055","src_url":"https://attack.mitre.org/techniques/T1055/"`},
		{"https://attack.mitre.org/techniques/T1055/012/", `"sub_technique":{"uid":"T1055.012"`},
		{"https://example.com/", `"attacks":[{"tactic":{"uid":"TA0002","name":"Execution"}}]`},
	}
	for _, tt := range tests {
		raw := `{"id":"1","threatInfo":{"threatId":"1"},"indicators":[{"tactics":[{"name":"Execution","techniques":[{"link":"` + tt.link + `"}]}]}]}`
		ev, _, err := ProfileOCSF.MapRecord(StreamThreats, []byte(raw), collected)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(ev)
		checkOCSF(t, b)
		if !strings.Contains(string(b), tt.want) {
			t.Errorf("%s: event lacks %s:\n%s", tt.link, tt.want, b)
		}
	}
}
