package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"s1collector/e2e/proc"
	"s1collector/internal/emulator"
	"s1collector/internal/output/outputtest"
	"s1collector/internal/sentinelone"
)

// TestChaos runs the real binary in run mode against a console that keeps
// changing, kills it with SIGKILL at random moments while the console
// answers 5xx and 429 storms and the webhook outputs go down for a while,
// then lets it finish. Every record the console holds must be in every
// output — the file and the webhooks that went down — in its latest
// version; each output's duplicates are bounded by the batches in flight
// at the kills: kills × page size × streams. CHAOS_KILLS sets the number of
// kills (default 20).
func TestChaos(t *testing.T) {
	kills := 20
	if n, err := strconv.Atoi(os.Getenv("CHAOS_KILLS")); err == nil && n > 0 {
		kills = n
	}
	c := startConsole(t, emulator.Config{Seed: 42, Agents: 4000, HistoryActivities: 1500, HistoryThreats: 100, Speed: 30,
		AgentUpdatesPerMinute: 120, NewAgentsPerHour: 600, ActivitiesPerMinute: 60, ThreatsPerHour: 600, ThreatUpdatesPerHour: 600})
	var peerDown atomic.Bool
	peer := outputtest.NewPeer(t, func(int) int {
		if peerDown.Load() {
			return 503
		}
		return 0
	})
	w := newWorkdir(t, fmt.Sprintf(`state: {path: state.db}
log: {format: json}
sources:
  - {name: emu, base_url: %[1]s, token: %[2]s, profile: raw, lookback: 72h, interval: 10s, page_size: %[4]d,
     outputs: [local, hook-agents, hook-activities, hook-threats]}
outputs:
  - {name: local, type: file, file: {dir: out}}
  - {name: hook-agents, type: webhook, streams: [agents], webhook: {url: "%[3]s/agents"}}
  - {name: hook-activities, type: webhook, streams: [activities], webhook: {url: "%[3]s/activities"}}
  - {name: hook-threats, type: webhook, streams: [threats], webhook: {url: "%[3]s/threats"}}
`, c.URL, emulator.DefaultToken, peer.URL, chaosPageSize))

	stopStorms := make(chan struct{})
	go storms(c, &peerDown, stopStorms)
	rng := rand.New(rand.NewPCG(42, uint64(time.Now().UnixNano())))
	for k := 0; k < kills; k++ {
		cmd := proc.Command(t, 0, bin(t), "run", "--listen", "off")
		cmd.Dir = w.dir
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(200+rng.IntN(1300)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
	}
	close(stopStorms)
	c.SetFault("*", emulator.Fault{})
	peerDown.Store(false)
	c.SetSpeed(0)
	if _, stderr, code := w.run(nil, "once"); code != 0 {
		t.Fatalf("final once exited %d:\n%s", code, stderr)
	}
	outputs := map[string]map[string][]map[string]any{"file": {}, "webhook": {}}
	for _, st := range streams {
		outputs["file"][st] = w.records("emu", st)
		outputs["webhook"][st] = webhookRecords(t, peer, st, kills)
	}
	for name, recs := range outputs {
		chaosVerify(t, c, name, recs, kills)
	}
}

// chaosPageSize is the page size, so the batch size, of the chaos test.
const chaosPageSize = 50

// webhookRecords decodes the NDJSON of every request the peer accepted
// on a stream's path. A body cut short — the collector was killed while
// sending it, so no real peer would have accepted it — is left out; there
// can be no more of those than kills.
func webhookRecords(t *testing.T, peer *outputtest.Peer, stream string, kills int) []map[string]any {
	t.Helper()
	var out []map[string]any
	cut := 0
	for _, r := range peer.Accepted() {
		if r.Path != "/"+stream || len(bytes.TrimSpace(r.Body)) == 0 {
			continue // another stream's, or the output's check (a HEAD)
		}
		var recs []map[string]any
		for _, line := range bytes.Split(bytes.TrimSpace(r.Body), []byte("\n")) {
			var m map[string]any
			if err := json.Unmarshal(line, &m); err != nil {
				recs = nil
				cut++
				break
			}
			recs = append(recs, m)
		}
		out = append(out, recs...)
	}
	if cut > kills {
		t.Fatalf("webhook %s: %d requests whose body is not whole lines, more than the %d kills", stream, cut, kills)
	}
	return out
}

// storms alternates calm and storms of 5xx and 429, and takes the
// webhook down for a while, until stop closes.
func storms(c *console, peerDown *atomic.Bool, stop <-chan struct{}) {
	for i := 0; ; i++ {
		switch i % 4 {
		case 1:
			c.SetFault("*", emulator.Fault{ServerErrors: 0.3, Throttle: 0.3, Truncate: 0.05})
		case 2:
			c.SetFault("*", emulator.Fault{})
			peerDown.Store(true)
		case 3:
			peerDown.Store(false)
		}
		select {
		case <-stop:
			return
		case <-time.After(1500 * time.Millisecond):
		}
	}
}

func chaosVerify(t *testing.T, c *console, output string, recs map[string][]map[string]any, kills int) {
	versions := map[string]func(map[string]any) string{
		"agents":     func(m map[string]any) string { return fmt.Sprint(m["id"], "@", m["updatedAt"]) },
		"activities": func(m map[string]any) string { return fmt.Sprint(m["id"]) },
		"threats": func(m map[string]any) string {
			return fmt.Sprint(m["id"], "@", m["threatInfo"].(map[string]any)["updatedAt"])
		},
	}
	produced, delivered, lost, dups := 0, 0, 0, 0
	for _, s := range streams {
		seen := map[string]int{}
		for _, m := range recs[s] {
			seen[versions[s](m)]++
		}
		delivered += len(recs[s])
		for _, n := range seen {
			dups += n - 1
		}
		for _, r := range c.Snapshot(s) {
			produced++
			key := r.ID
			if s != "activities" {
				key += "@" + sentinelone.FormatTime(r.UpdatedAt)
			}
			if seen[key] == 0 {
				lost++
				if lost <= 5 {
					t.Errorf("%s: %s: %s not delivered", output, s, key)
				}
			}
		}
	}
	faults, _ := json.Marshal(c.Injected())
	t.Logf("chaos, %s output: records produced %d, lines delivered %d, lost %d, duplicated %d, kills %d, faults injected %s",
		output, produced, delivered, lost, dups, kills, faults)
	if lost > 0 {
		t.Fatalf("%s output: %d records lost", output, lost)
	}
	if limit := kills * chaosPageSize * len(streams); dups > limit {
		t.Fatalf("%s output: %d duplicates, more than a batch per stream per kill (%d)", output, dups, limit)
	}
}
