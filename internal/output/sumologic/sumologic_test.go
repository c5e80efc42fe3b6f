package sumologic

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"s1collector/internal/delivery"
	"s1collector/internal/output/outputtest"
)

func ids(t *testing.T, r outputtest.Request) []string {
	if r.Header.Get("Content-Encoding") != "gzip" {
		t.Fatal("not gzip'd")
	}
	if len(r.Body) > MaxRequestBytes {
		t.Fatalf("%d bytes uncompressed, over 1 MB", len(r.Body))
	}
	var out []string
	for _, line := range bytes.Split(bytes.TrimSpace(r.Body), []byte("\n")) {
		var ev struct {
			ID     string `json:"id"`
			Source string `json:"_source"`
		}
		if err := json.Unmarshal(line, &ev); err != nil || ev.Source != "prod" {
			t.Fatalf("line %q: %v", line[:min(len(line), 80)], err)
		}
		out = append(out, ev.ID)
	}
	return out
}

func TestScenarios(t *testing.T) {
	outputtest.Run(t, outputtest.Protocol{
		New: func(t *testing.T, url string) delivery.Output {
			o, _ := New("sumo", Config{URL: url + "/receiver/v1/http/SECRETCODE"}, http.DefaultClient)
			return o
		},
		IDs: ids,
	})
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
		total += len(ids(t, r))
	}
	if total != 300 {
		t.Fatalf("%d events", total)
	}
}

func TestFieldsWithoutSiem(t *testing.T) {
	got := Fields(delivery.SourceInfo{Fields: map[string]string{"b": "2", "a": "x,y=z"}}, "threats")
	if got != "a=x y z,b=2" {
		t.Fatalf("got %q", got)
	}
}

func TestErrorsHideTheURL(t *testing.T) {
	o, _ := New("sumo", Config{URL: "http://127.0.0.1:1/receiver/v1/http/SECRETCODE"}, http.DefaultClient)
	err := o.Deliver(t.Context(), outputtest.Batch("agents", 0, 1, 1))
	if err == nil || bytes.Contains([]byte(err.Error()), []byte("SECRETCODE")) {
		t.Fatalf("err = %v", err)
	}
}
