package transform

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"s1collector/internal/sentinelone"
)

// TestEncodingMatchesEncodingJSON: every event of both profiles is written
// byte for byte as encoding/json writes it, HTML-escaped (the pipeline) or
// not (transform): goldens, an emulated fleet with odd types, and strings
// with every character encoding/json escapes.
func TestEncodingMatchesEncodingJSON(t *testing.T) {
	records := goldenAndFleet(t, 9, 400, 0.5)
	records = append(records, []byte(`{"id":"<&>\"\\\u2028\u2029\u0001\b\f\n\r\t é","computerName":"a<b>&c","osName":"\ud800x",`+
		`"networkInterfaces":[{"name":"eth0","inet":["10.0.0.1"],"physical":"zz:zz"}],"macAddresses":["not a mac","<mac>"],`+
		"\"domain\":\"bad \xff\xfe utf-8\",\"osType\":\"\u2028\",\"lastIncidentDate\":\"2026-01-01T00:00:00Z\",\"threatLevel\":\"suspicious\"}"))
	n := 0
	for i, raw := range records {
		var a sentinelone.Agent
		if err := sentinelone.Unmarshal(raw, &a); err != nil {
			t.Fatal(err)
		}
		for _, p := range []Profile{ProfileSekoia, ProfileOCSF} {
			ev, _, err := p.Map(&a, collected)
			if err != nil {
				continue
			}
			want, _ := json.Marshal(ev)
			if got, _, _ := p.AppendMapped(nil, &a, collected, true); !bytes.Equal(got, want) {
				t.Fatalf("record %d, %s, escaped: differs from encoding/json\ngot  %s\nwant %s", i, p, got, want)
			}
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			_ = enc.Encode(ev)
			got, _, _ := p.AppendMapped(nil, &a, collected, false)
			if want := strings.TrimSuffix(buf.String(), "\n"); string(got) != want {
				t.Fatalf("record %d, %s: differs from encoding/json\ngot  %s\nwant %s", i, p, got, want)
			}
			n++
		}
	}
	if n < 800 {
		t.Fatalf("only %d events compared", n)
	}
}
