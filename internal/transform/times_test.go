package transform

import (
	"encoding/json"
	"strings"
	"testing"

	"s1collector/internal/sentinelone"
)

// TestPlaceholderTimesAreNotSentAsNegative: a console's "0000-01-01",
// "1970-01-01" or "9999-12-31" placeholder is outside the times OCSF
// events carry; it must never become a negative, tiny or huge timestamp a
// strict consumer rejects. The field is left out and named in the
// problems, and the record is still delivered.
func TestPlaceholderTimesAreNotSentAsNegative(t *testing.T) {
	records := []struct {
		stream Stream
		field  string
		raw    string
	}{
		{StreamStarAlerts, "pidStarttime", `{"alertInfo":{"alertId":"1"},"targetProcessInfo":{"tgtProcUid":"0","tgtProcessStartTime":"0000-01-01 0:00:00"}}`},
		{StreamThreats, "createdAt", `{"id":"1","threatInfo":{"createdAt":"0001-01-01T00:00:00Z"}}`},
		{StreamActivities, "createdAt", `{"id":"1","activityType":27,"createdAt":"1969-12-31T23:59:59Z"}`},
		{StreamActivities, "createdAt", `{"id":"1","activityType":27,"createdAt":"1970-01-02T00:00:00Z"}`},
		{StreamThreats, "updatedAt", `{"id":"1","threatInfo":{"createdAt":"2025-01-01T00:00:00Z","updatedAt":"9999-12-31T23:59:59Z"}}`},
	}
	for _, tt := range records {
		ev, problems, err := ProfileOCSF.MapRecord(tt.stream, []byte(tt.raw), collected)
		if err != nil {
			t.Fatalf("%s: record dropped: %v", tt.stream, err)
		}
		b, _ := json.Marshal(ev)
		checkOCSF(t, b)
		if !mentions(problems, tt.field, "placeholder") {
			t.Errorf("%s: problems %q do not name %s as a placeholder", tt.stream, problems, tt.field)
		}
	}

	a, _, problems := strictChecked(t, `{"id":"1","lastActiveDate":"0001-01-01T00:00:00Z","registeredAt":"0001-01-01T00:00:00Z"}`)
	if !mentions(problems, "lastActiveDate", "placeholder") {
		t.Errorf("agent: problems %q do not name lastActiveDate as a placeholder", problems)
	}
	sek, _, _ := Sekoia(a)
	if s, _ := json.Marshal(sek); strings.Contains(string(s), "-62135596800") {
		t.Errorf("sekoia asset carries the placeholder as a negative time: %s", s)
	}
}

func mentions(problems []string, words ...string) bool {
	for _, p := range problems {
		all := true
		for _, w := range words {
			all = all && strings.Contains(p, w)
		}
		if all {
			return true
		}
	}
	return false
}

// strictChecked maps an agent given as JSON to a strict OCSF event, which
// must pass the strict check.
func strictChecked(t *testing.T, in string) (*sentinelone.Agent, []byte, []string) {
	t.Helper()
	var a sentinelone.Agent
	if err := sentinelone.Unmarshal([]byte(in), &a); err != nil {
		t.Fatal(err)
	}
	strict, problems, err := Strict(&a, collected)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(strict)
	checkOCSF(t, b)
	return &a, b, problems
}
