package transform

import (
	"testing"

	"s1collector/internal/ocsf/ocsfcheck"
)

// checkOCSF holds an event to strict OCSF 1.6.0: the JSON Schema of its
// class generated from the official compiled schema, and the checks the
// schema cannot make (internal/ocsf/ocsfcheck).
func checkOCSF(t testing.TB, event []byte) {
	t.Helper()
	if err := ocsfcheck.Check(event); err != nil {
		t.Errorf("event is not strict OCSF 1.6.0:\n%v\n%s", err, event)
	}
}
