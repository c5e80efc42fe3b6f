package e2e

import (
	"bytes"
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"

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
