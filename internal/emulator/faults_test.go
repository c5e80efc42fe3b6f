package emulator

import (
	"strings"
	"testing"
	"time"
)

func TestParseFault(t *testing.T) {
	tests := []struct {
		spec, endpoint string
		want           Fault
		err            string
	}{
		{"agents:latency=1.4s", "agents", Fault{Latency: 1400 * time.Millisecond}, ""},
		{"*:throttle=0.5,server_errors=0.1,truncate=0.01", "*", Fault{Throttle: 0.5, ServerErrors: 0.1, Truncate: 0.01}, ""},
		{"threats:repeat_cursor=1,odd_types=0.2,malformed=0.3", "threats", Fault{RepeatCursor: 1, OddTypes: 0.2, Malformed: 0.3}, ""},
		{"agents", "", Fault{}, "want ENDPOINT:key=value"},
		{"groups:throttle=1", "", Fault{}, `endpoint "groups"`},
		{"agents:storm=1", "", Fault{}, `unknown key "storm" (graphql_errors, malformed, odd_types, repeat_cursor, server_errors, throttle, truncate, latency)`},
		{"agents:throttle=lots", "", Fault{}, `"lots" is not a number`},
		{"agents:throttle=2", "", Fault{}, "between 0 and 1"},
		{"agents:latency=soon", "", Fault{}, "latency"},
	}
	for _, tt := range tests {
		ep, f, err := ParseFault(tt.spec)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: err %v, want %q", tt.spec, err, tt.err)
			}
			continue
		}
		if err != nil || ep != tt.endpoint || f != tt.want {
			t.Errorf("%q: got %s %+v %v", tt.spec, ep, f, err)
		}
	}
}
