package sumologic

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"s1collector/internal/delivery"
	"s1collector/internal/output/outputtest"
)

// line is what the tests read of an event line.
type line struct {
	ID          string `json:"id"`
	Source      string `json:"_source"`
	SiemEventID string `json:"_siemEventID"`
}

func lines(t *testing.T, r outputtest.Request) []line {
	t.Helper()
	if r.Header.Get("Content-Encoding") != "gzip" {
		t.Fatal("not gzip'd")
	}
	if len(r.Body) > MaxRequestBytes {
		t.Fatalf("%d bytes uncompressed, over 1 MB", len(r.Body))
	}
	var out []line
	for _, l := range bytes.Split(bytes.TrimSpace(r.Body), []byte("\n")) {
		var ev line
		if err := json.Unmarshal(l, &ev); err != nil || ev.Source != "prod" {
			t.Fatalf("line %q: %v", l[:min(len(l), 80)], err)
		}
		out = append(out, ev)
	}
	return out
}

func ids(t *testing.T, r outputtest.Request) []string {
	var out []string
	for _, l := range lines(t, r) {
		out = append(out, l.ID)
	}
	return out
}

// headerFields reads X-Sumo-Fields back into a map.
func headerFields(t *testing.T, r outputtest.Request) map[string]string {
	t.Helper()
	f := map[string]string{}
	for _, kv := range strings.Split(r.Header.Get("X-Sumo-Fields"), ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			t.Fatalf("X-Sumo-Fields %q", r.Header.Get("X-Sumo-Fields"))
		}
		f[k] = v
	}
	if len(f) > MaxFields {
		t.Fatalf("%d fields in a request, Sumo Logic takes %d", len(f), MaxFields)
	}
	return f
}

func newOutput(t *testing.T, url string) delivery.Output {
	o, err := New("sumo", Config{URL: url + "/receiver/v1/http/SECRETCODE"}, http.DefaultClient)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestScenarios(t *testing.T) {
	outputtest.Run(t, outputtest.Protocol{New: newOutput, IDs: ids})
}

// siemEventIDsMatch checks what Cloud SIEM needs of a request: every
// event's _siemEventID is the one in X-Sumo-Fields, where Sumo takes a
// message's fields from.
func siemEventIDsMatch(t *testing.T, r outputtest.Request) []string {
	t.Helper()
	want := headerFields(t, r)["_siemEventID"]
	var out []string
	for _, l := range lines(t, r) {
		if l.SiemEventID == "" || l.SiemEventID != want {
			t.Fatalf("event %s has _siemEventID %q in a request whose X-Sumo-Fields say %q", l.ID, l.SiemEventID, want)
		}
		out = append(out, l.ID)
	}
	return out
}

// TestCloudSIEMScenarios: activities of seven types and threats, each with
// its own _siemEventID, through every fault: each request carries its
// events' _siemEventID, and each event arrives once.
func TestCloudSIEMScenarios(t *testing.T) {
	for _, stream := range []string{"activities", "threats"} {
		t.Run(stream, func(t *testing.T) {
			outputtest.Run(t, outputtest.Protocol{
				New: newOutput,
				IDs: siemEventIDsMatch,
				Batch: func(b delivery.Batch) delivery.Batch {
					b.Stream, b.Info.SiemForward = stream, true
					for i := range b.Events {
						b.Events[i].Kind = fmt.Sprint(i % 7)
					}
					if stream == "threats" {
						b.Events = b.Events[:20] // a request each
					}
					return b
				},
			})
		})
	}
}

func TestHeadersAndSizeLimit(t *testing.T) {
	peer := outputtest.NewPeer(t, nil)
	o, _ := New("sumo", Config{URL: peer.URL + "/receiver/v1/http/SECRETCODE", Category: "override/cat"}, http.DefaultClient)
	b := outputtest.Batch("agents", 0, 300, 10_000) // ~3 MB uncompressed
	b.Info.SiemForward = true
	if err := outputtest.Deliver(t.Context(), o, b); err != nil {
		t.Fatal(err)
	}
	reqs := peer.Accepted()
	if len(reqs) < 3 {
		t.Fatalf("%d requests for 3 MB; 1 MB each at most", len(reqs))
	}
	h := reqs[0].Header
	want := map[string]string{
		"X-Sumo-Category": "override/cat",
		"X-Sumo-Name":     "prod",
		"X-Sumo-Host":     "eu.sentinelone.net",
		"X-Sumo-Fields":   "_siemDataType=Inventory,_siemEventID=agents,_siemFormat=JSON,_siemForward=true,_siemProduct=MGMT API,_siemVendor=SentinelOne,env=prod",
	}
	for k, v := range want {
		if h.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, h.Get(k), v)
		}
	}
	total := 0
	for _, r := range reqs {
		total += len(siemEventIDsMatch(t, r))
	}
	if total != 300 {
		t.Fatalf("%d events", total)
	}
}

// TestOnlyCloudSIEMSourcesGetSiemFields: without siem_forward, neither the
// events nor the headers carry _siem* fields, and a batch is not split.
func TestOnlyCloudSIEMSourcesGetSiemFields(t *testing.T) {
	peer := outputtest.NewPeer(t, nil)
	o := newOutput(t, peer.URL)
	b := outputtest.Batch("threats", 0, 20, 10)
	if err := outputtest.Deliver(t.Context(), o, b); err != nil {
		t.Fatal(err)
	}
	reqs := peer.Accepted()
	if len(reqs) != 1 || reqs[0].Header.Get("X-Sumo-Fields") != "env=prod" || bytes.Contains(reqs[0].Body, []byte("_siem")) {
		t.Fatalf("%d requests, X-Sumo-Fields %q, body %.200s", len(reqs), reqs[0].Header.Get("X-Sumo-Fields"), reqs[0].Body)
	}
}

func TestFieldsEncoding(t *testing.T) {
	got := encodeFields(Fields(delivery.SourceInfo{Fields: map[string]string{"b": "2", "a": "x,y=z"}}, "threats", "threats-1"))
	if got != "a=x y z,b=2" {
		t.Fatalf("got %q", got)
	}
	long := strings.Repeat("9", 300)
	b := delivery.Batch{Stream: "threats", Info: delivery.SourceInfo{SiemForward: true}, Events: []delivery.Event{{ID: long + ",x"}}}
	g := groups(b)
	if id := g[0].eventID; len(id) != MaxFieldValue || strings.Contains(id, ",") || g[0].events[0].Meta[3].Value != id {
		t.Fatalf("an over-long or separated id must be cut the same in the header and the event: %q", id)
	}
}

func TestCheckFields(t *testing.T) {
	many := map[string]string{}
	for i := range 25 {
		many[fmt.Sprintf("f%02d", i)] = "v"
	}
	tests := []struct {
		name   string
		info   delivery.SourceInfo
		stream string
		want   []string // one substring per problem
	}{
		{"within limits", delivery.SourceInfo{Fields: map[string]string{"env": "prod"}, SiemForward: true}, "agents", nil},
		{"25 fields alone", delivery.SourceInfo{Fields: many}, "agents", nil},
		{"25 fields and 6 of Cloud SIEM", delivery.SourceInfo{Fields: many, SiemForward: true}, "agents", []string{"make 31 in X-Sumo-Fields; Sumo Logic takes at most 30 a request: drop 1"}},
		{"25 fields and 5 of Cloud SIEM", delivery.SourceInfo{Fields: many, SiemForward: true}, "threats", nil},
		{"long key", delivery.SourceInfo{Fields: map[string]string{strings.Repeat("k", 256): "v"}}, "threats", []string{"key of 256 characters; Sumo Logic takes keys of at most 255"}},
		{"long value", delivery.SourceInfo{Fields: map[string]string{"k": strings.Repeat("é", 201)}}, "threats", []string{"value of 201 characters; Sumo Logic takes values of at most 200"}},
		{"separator in key", delivery.SourceInfo{Fields: map[string]string{"a=b": "v"}}, "threats", []string{"separators"}},
	}
	for _, tt := range tests {
		got := CheckFields(tt.info, tt.stream)
		if len(got) != len(tt.want) {
			t.Errorf("%s: %v", tt.name, got)
			continue
		}
		for i, w := range tt.want {
			if !strings.Contains(got[i].Msg, w) {
				t.Errorf("%s: %q does not say %q", tt.name, got[i].Msg, w)
			}
		}
	}
}

func TestErrorsHideTheURL(t *testing.T) {
	o, _ := New("sumo", Config{URL: "http://127.0.0.1:1/receiver/v1/http/SECRETCODE"}, http.DefaultClient)
	err := o.Deliver(t.Context(), outputtest.Batch("agents", 0, 1, 1))
	if err == nil || bytes.Contains([]byte(err.Error()), []byte("SECRETCODE")) {
		t.Fatalf("err = %v", err)
	}
}
