package e2e

import (
	"bytes"
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"s1collector/internal/emulator"
	"s1collector/internal/output/outputtest"
)

func webhookIDs(reqs []outputtest.Request) map[string]int {
	seen := map[string]int{}
	for _, r := range reqs {
		for _, line := range bytes.Split(bytes.TrimSpace(r.Body), []byte("\n")) {
			var ev struct {
				ID string `json:"id"`
			}
			if json.Unmarshal(line, &ev) == nil && ev.ID != "" {
				seen[ev.ID]++
			}
		}
	}
	return seen
}

// TestTwoOutputsOneFailing: activities go to a file and a webhook. While
// the webhook refuses, the file may receive the first batch but the
// checkpoint holds; once the webhook is back, both outputs hold every
// activity and the webhook got each exactly once.
func TestTwoOutputsOneFailing(t *testing.T) {
	c := startConsole(t, emulator.Config{Agents: 10, HistoryActivities: 2500, HistoryThreats: 1})
	var down atomic.Bool
	down.Store(true)
	peer := outputtest.NewPeer(t, func(int) int {
		if down.Load() {
			return 503
		}
		return 0
	})
	w := newWorkdir(t, `state: {path: state.db}
sources:
  - name: emu
    base_url: `+c.URL+`
    token: `+emulator.DefaultToken+`
    supported_apis: [activities]
    lookback: 72h
    outputs: [local, hook]
outputs:
  - {name: local, type: file, file: {dir: out}}
  - {name: hook, type: webhook, webhook: {url: "`+peer.URL+`/ingest"}}
`)
	_, stderr, code := w.run(nil, "once", "--delivery-attempts", "2")
	if code != 1 || !strings.Contains(stderr, "output hook: HTTP 503") {
		t.Fatalf("with the webhook down: exit %d\n%s", code, stderr)
	}
	if out, _, _ := w.run(nil, "state", "show"); !strings.Contains(out, "no checkpoints yet") {
		t.Fatalf("the checkpoint moved while an output refused:\n%s", out)
	}
	fileBefore := len(w.records("emu", "activities"))

	down.Store(false)
	if _, stderr, code := w.run(nil, "once"); code != 0 {
		t.Fatalf("with the webhook back: exit %d\n%s", code, stderr)
	}
	got := webhookIDs(peer.Accepted())
	if len(got) != 2500 {
		t.Fatalf("webhook accepted %d distinct activities, want 2500", len(got))
	}
	for id, n := range got {
		if n != 1 {
			t.Fatalf("webhook accepted %s %d times", id, n)
		}
	}
	file := ids("activities", w.records("emu", "activities"))
	if len(file) != 2500 || len(w.records("emu", "activities"))-2500 != fileBefore {
		t.Fatalf("file: %d distinct; %d lines were written while the webhook was down, repeated after", len(file), fileBefore)
	}
}

// TestSumoCloudSIEM: a Sumo Logic source definition with _siemForward, as
// Sumo users have it, collected into a Sumo Logic HTTP source. Cloud SIEM
// takes a message's fields from X-Sumo-Fields only: in every request, each
// event's _siemEventID is the one in X-Sumo-Fields, and it is the one
// Sumo's own source gives (agents, activities-{type}, threats-{id}).
func TestSumoCloudSIEM(t *testing.T) {
	c := startConsole(t, emulator.Config{Agents: 300, HistoryActivities: 400, HistoryThreats: 30, History: 12 * time.Hour})
	peer := outputtest.NewPeer(t, nil)
	w := newWorkdir(t, `state: {path: state.db}
sumo_sources:
  - path: sumo.json
    outputs: [sumo]
outputs:
  - {name: sumo, type: sumologic, sumologic: {url: "`+peer.URL+`/receiver/v1/http/SECRET"}}
`)
	w.write("sumo.json", `{"api.version":"v1","source":{"config":{"name":"SentinelOne",
"supported_apis":["activities","agents","threats"],"api_secret":"`+emulator.DefaultToken+`","base_url":"`+c.URL+`/",
"fields":{"_siemForward":true,"env":"prod"}},"schemaRef":{"type":"SentinelOne Mgmt API"},"sourceType":"Universal"}}`)
	if _, stderr, code := w.run(nil, "once"); code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	seen := map[string]int{}
	for _, r := range peer.Accepted() {
		fields := map[string]string{}
		for _, kv := range strings.Split(r.Header.Get("X-Sumo-Fields"), ",") {
			k, v, _ := strings.Cut(kv, "=")
			fields[k] = v
		}
		if fields["_siemForward"] != "true" || fields["env"] != "prod" || fields["_siemVendor"] != "SentinelOne" {
			t.Fatalf("X-Sumo-Fields %q", r.Header.Get("X-Sumo-Fields"))
		}
		for _, line := range bytes.Split(bytes.TrimSpace(r.Body), []byte("\n")) {
			var ev struct {
				ID           string               `json:"id"`
				SiemEventID  string               `json:"_siemEventID"`
				ActivityType json.Number          `json:"activityType"`
				Device       struct{ UID string } `json:"device"`
			}
			if err := json.Unmarshal(line, &ev); err != nil {
				t.Fatal(err)
			}
			if ev.SiemEventID != fields["_siemEventID"] {
				t.Fatalf("an event with _siemEventID %q in a request whose X-Sumo-Fields say %q", ev.SiemEventID, fields["_siemEventID"])
			}
			want, id := "agents", ev.Device.UID
			switch {
			case ev.ActivityType != "":
				want, id = "activities-"+ev.ActivityType.String(), "activity "+ev.ID
			case ev.ID != "":
				want, id = "threats-"+ev.ID, "threat "+ev.ID
			}
			if ev.SiemEventID != want || (want == "agents") != (fields["_siemDataType"] == "Inventory") {
				t.Fatalf("%s: _siemEventID %q, want %q; X-Sumo-Fields %q", id, ev.SiemEventID, want, r.Header.Get("X-Sumo-Fields"))
			}
			seen[id]++
		}
	}
	if len(seen) != 300+400+30 {
		t.Fatalf("%d distinct events, want 730", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("%s sent %d times", id, n)
		}
	}
}

// TestSplunkTokenWithoutAcknowledgement: ack: true, as the example has it,
// on a HEC token without indexer acknowledgement (Splunk Cloud's). HEC
// indexes what it answers 200 without an ackId: every event is indexed
// exactly once, one warning says to set ack: false, and `test` says so
// before anything is sent.
func TestSplunkTokenWithoutAcknowledgement(t *testing.T) {
	c := startConsole(t, emulator.Config{Agents: 10, HistoryActivities: 2500, HistoryThreats: 100})
	peer := outputtest.NewPeer(t, nil)
	outputtest.HECWithoutAck(peer)
	w := newWorkdir(t, `state: {path: state.db}
sources:
  - name: emu
    base_url: `+c.URL+`
    token: `+emulator.DefaultToken+`
    supported_apis: [activities, threats]
    lookback: 72h
    outputs: [splunk]
outputs:
  - {name: splunk, type: splunk_hec, splunk_hec: {url: "`+peer.URL+`", token: hec-token, ack: true}}
`)
	out, _, code := w.run(nil, "test")
	if code != 0 || !strings.Contains(out, "! output splunk (splunk_hec): indexer acknowledgement is off on this HEC token") || !strings.Contains(out, "set ack: false") {
		t.Fatalf("test: exit %d\n%s", code, out)
	}
	_, stderr, code := w.run(nil, "once")
	if code != 0 {
		t.Fatalf("once: exit %d\n%s", code, stderr)
	}
	if n := strings.Count(stderr, "set ack: false"); n != 1 {
		t.Fatalf("%d warnings, want one:\n%s", n, stderr)
	}
	indexed := map[string]int{}
	for _, r := range peer.Accepted() {
		if r.Path != "/services/collector/event" {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(r.Body))
		for dec.More() {
			var env struct {
				Sourcetype string
				Event      struct{ ID string }
			}
			if err := dec.Decode(&env); err != nil {
				t.Fatal(err)
			}
			indexed[env.Sourcetype+" "+env.Event.ID]++
		}
	}
	if len(indexed) != 2600 {
		t.Fatalf("%d distinct events indexed, want 2,500 activities and 100 threats", len(indexed))
	}
	for id, n := range indexed {
		if n != 1 {
			t.Fatalf("%s indexed %d times", id, n)
		}
	}
}
