package transform

import (
	"testing"

	"regexp"

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

// macPattern is the schema's MAC address pattern, which isMAC implements.
var macPattern = regexp.MustCompile(`^([0-9A-Fa-f]{2}[:-]){5}([0-9A-Fa-f]{2})$`)

func TestIsMACIsThePattern(t *testing.T) {
	for _, m := range []string{"bc:24:11:b4:ad:14", "BC-24-11-B4-AD-14", "bc:24-11:b4-ad:14", "bc:24:11:b4:ad:1", "bc:24:11:b4:ad:145",
		"bc:24:11:b4:ad:1g", "bc.24.11.b4.ad.14", "", "00:25:96:FF:FE:12:34:56", "zz:zz", "bc:24:11:b4:ad:14\n", " bc:24:11:b4:ad:14"} {
		if isMAC(m) != macPattern.MatchString(m) {
			t.Errorf("%q: isMAC %v, pattern %v", m, isMAC(m), macPattern.MatchString(m))
		}
	}
}
