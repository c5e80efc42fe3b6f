package webhook

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"s1collector/internal/delivery"
	"s1collector/internal/output/outputtest"
	"s1collector/internal/retry"
)

func TestScenarios(t *testing.T) {
	for _, arr := range []bool{false, true} {
		outputtest.Run(t, outputtest.Protocol{
			New: func(t *testing.T, url string) delivery.Output {
				o, _ := New("hook", Config{URL: url, JSONArray: arr, Gzip: true, Headers: map[string]string{"X-Api-Key": "k"}, MaxEvents: 300}, http.DefaultClient)
				return o
			},
			IDs: func(t *testing.T, r outputtest.Request) []string {
				if r.Header.Get("X-Api-Key") != "k" || r.Header.Get("Content-Encoding") != "gzip" {
					t.Fatalf("headers %v", r.Header)
				}
				var docs []struct{ ID string }
				if arr {
					if err := json.Unmarshal(r.Body, &docs); err != nil || r.Header.Get("Content-Type") != "application/json" {
						t.Fatalf("json array: %v", err)
					}
				} else {
					for _, l := range bytes.Split(bytes.TrimSpace(r.Body), []byte("\n")) {
						var d struct{ ID string }
						json.Unmarshal(l, &d)
						docs = append(docs, d)
					}
				}
				if len(docs) > 300 {
					t.Fatalf("%d events in a request, max_events 300", len(docs))
				}
				var out []string
				for _, d := range docs {
					out = append(out, d.ID)
				}
				return out
			},
		})
	}
}

func TestCheck(t *testing.T) {
	peer := outputtest.NewPeer(t, func(int) int { return 405 })
	o, _ := New("hook", Config{URL: peer.URL}, http.DefaultClient)
	if err := o.Check(t.Context()); err != nil {
		t.Fatalf("any answer proves reachability: %v", err)
	}
	down, _ := New("hook", Config{URL: "http://127.0.0.1:1/hook?token=SECRET"}, http.DefaultClient)
	if err := down.Check(t.Context()); err == nil || bytes.Contains([]byte(err.Error()), []byte("SECRET")) {
		t.Fatalf("err = %v", err)
	}
}

// TestRefusalsNameTheSetting: credentials the endpoint refuses fail the
// delivery for good, naming the setting.
func TestRefusalsNameTheSetting(t *testing.T) {
	for _, status := range []int{401, 403} {
		peer := outputtest.NewPeer(t, func(int) int { return status })
		o, _ := New("hook", Config{URL: peer.URL}, http.DefaultClient)
		err := o.Deliver(t.Context(), outputtest.Batch("threats", 0, 3, 10))
		if !retry.IsPermanent(err) || !strings.Contains(err.Error(), `check webhook.headers (its authorization) of output "hook"`) || delivery.FixOf(err) == "" {
			t.Errorf("answered %d: %v", status, err)
		}
	}
}
