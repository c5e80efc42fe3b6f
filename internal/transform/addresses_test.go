package transform

import (
	"strings"
	"testing"
)

// TestInvalidAddressesAreReportedAndKept: an agent's address strict OCSF
// cannot carry (an IP such as "10.0.0.300", a MAC such as "00:11:22") is
// never dropped without a word: it is named in the problems and kept in
// the event's unmapped.
func TestInvalidAddressesAreReportedAndKept(t *testing.T) {
	agents := []struct {
		raw, value, kept string
	}{
		{`{"id":"1","networkInterfaces":[{"name":"eth0","inet":["10.0.0.300","10.0.0.4"],"physical":"aa:bb:cc:dd:ee:ff"}]}`,
			"10.0.0.300", `"invalidIpAddresses":["10.0.0.300"]`},
		{`{"id":"1","networkInterfaces":[{"name":"eth0","inet6":["fe80::zz"]}]}`, "fe80::zz", `"invalidIpAddresses":["fe80::zz"]`},
		{`{"id":"1","networkInterfaces":[{"name":"eth0","inet":["10.0.0.4"],"physical":"00:11:22"}]}`, "00:11:22", `"macAddresses":["00:11:22"]`},
	}
	for _, tt := range agents {
		_, b, problems := strictChecked(t, tt.raw)
		if !mentions(problems, tt.value) {
			t.Errorf("agent %s: problems %q do not name %s", tt.raw, problems, tt.value)
		}
		if !strings.Contains(string(b), tt.kept) {
			t.Errorf("agent %s: %s not kept in %s", tt.raw, tt.kept, b)
		}
	}

}
