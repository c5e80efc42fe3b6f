package transform

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestUsersKnownOnlyByFullNameOrEmail: OCSF's user needs a uid or a name.
// An agent's owner known only by full name, or an alert's assignee known
// only by email, must still map to strict OCSF with the person named, and
// an owner with nothing in it is left out.
func TestUsersKnownOnlyByFullNameOrEmail(t *testing.T) {
	agents := []struct {
		raw, want string
	}{
		{`{"id":"1","userFullName":"Ada Lovelace"}`, `"owner":{"name":"Ada Lovelace","full_name":"Ada Lovelace"}`},
		{`{"id":"1","userId":"","userName":"","userFullName":""}`, ``},
		{`{"id":"1","userId":"42"}`, `"owner":{"uid":"42"}`},
	}
	for _, tt := range agents {
		_, b, _ := strictChecked(t, tt.raw)
		if tt.want == "" && strings.Contains(string(b), `"owner"`) || tt.want != "" && !strings.Contains(string(b), tt.want) {
			t.Errorf("agent %s: want %q in %s", tt.raw, tt.want, b)
		}
	}

	raw := `{"id":"1","name":"x","severity":"HIGH","detectedAt":"2025-01-01T00:00:00Z","assignee":{"email":"ada@example.com"}}`
	ev, _, err := ProfileOCSF.MapRecord(StreamAlerts, []byte(raw), collected)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(ev)
	checkOCSF(t, b)
	if want := `"assignee":{"name":"ada@example.com","email_addr":"ada@example.com"}`; !strings.Contains(string(b), want) {
		t.Errorf("alert: want %s in %s", want, b)
	}
}
