package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"s1collector/e2e/proc"
	"s1collector/internal/emulator"
)

// TestFullListingsOfAChangingConsole: 5,000 agents change 600 times an
// emulated minute at 60× speed. Over five full listings, every agent the
// console lists when a listing starts and still lists when it ends is
// delivered by that listing, and no live agent is ever reported removed;
// 50 agents really removed during listings 2–5 are reported — as removal
// events in the output — exactly once each (the last by a sixth listing).
// The binary runs without the race detector: 600 changes a second outrun
// a collector slowed ten times.
func TestFullListingsOfAChangingConsole(t *testing.T) {
	c := startConsole(t, emulator.Config{Seed: 11, Agents: 5000, Speed: 60, AgentUpdatesPerMinute: 600, NewAgentsPerHour: 1e-9,
		HistoryActivities: 1, HistoryThreats: 1})
	w := newWorkdir(t, collectorConfig(c.URL, emulator.DefaultToken, "    supported_apis: [agents]\n"))
	w.noRace = true
	var removed []string
	reported := map[string]int{}
	for listing := 1; listing <= 6; listing++ {
		if listing > 1 {
			if _, stderr, code := w.run(nil, "state", "reset", "--source", "emu", "--stream", "agents"); code != 0 {
				t.Fatalf("state reset: %s", stderr)
			}
		}
		atStart := idsOf(c.Snapshot("agents"))
		from := w.lines("emu", "agents")
		cmd, stderr := w.start("once")
		if listing >= 2 && listing <= 5 {
			time.Sleep(time.Duration(200+100*listing) * time.Millisecond)
			removed = append(removed, c.RemoveAgents(12+listing/4)...) // 12, 12, 13, 13
		}
		if err := cmd.Wait(); err != nil {
			t.Fatalf("listing %d: %v\n%s", listing, err, stderr.String())
		}
		atEnd := idsOf(c.Snapshot("agents"))
		delivered := map[string]bool{}
		for _, m := range w.recordsFrom("emu", "agents", from) {
			if m["removed"] == true {
				reported[m["id"].(string)]++
				continue
			}
			delivered[m["device"].(map[string]any)["uid"].(string)] = true
		}
		missed := 0
		for id := range atEnd {
			if atStart[id] && !delivered[id] {
				missed++
			}
		}
		t.Logf("listing %d: %d agents at its start, %d at its end, %d delivered, %d listed throughout not delivered",
			listing, len(atStart), len(atEnd), len(delivered), missed)
		if missed > 0 {
			t.Errorf("listing %d: %d agents listed at its start and end were not delivered by it", listing, missed)
		}
	}
	if len(removed) != 50 {
		t.Fatalf("the console removed %d agents, want 50", len(removed))
	}
	for _, id := range removed {
		if reported[id] != 1 {
			t.Errorf("removed agent %s reported %d times", id, reported[id])
		}
		delete(reported, id)
	}
	if len(reported) > 0 {
		t.Errorf("%d live agents reported removed: %v", len(reported), reported)
	}
}

func idsOf(recs []emulator.Record) map[string]bool {
	out := make(map[string]bool, len(recs))
	for _, r := range recs {
		out[r.ID] = true
	}
	return out
}

// TestStopMidListingThenChangeThePlan: a listing stopped with concurrency
// 8, then with concurrency 1, then run to its end with 8: it lists all
// 20,000 agents and reports nothing removed, and so does the next one.
// (Without the race detector, which would make four listings of 20,000
// agents take minutes; the unit tests run the same code with it.) The
// console's clock runs (with a fleet that does not change): the collector
// tells when a listing is due by the console's clock, read from its
// answers, and a frozen one would never make the second listing due.
func TestStopMidListingThenChangeThePlan(t *testing.T) {
	c := startConsole(t, emulator.Config{Seed: 12, Agents: 20000, AgentUpdatesPerMinute: 1e-9, NewAgentsPerHour: 1e-9,
		HistoryActivities: 1, HistoryThreats: 1, Speed: 1})
	c.SetFault("agents", emulator.Fault{Latency: 30 * time.Millisecond})
	config := func(conc int) string {
		return collectorConfig(c.URL, emulator.DefaultToken, fmt.Sprintf(
			"    supported_apis: [agents]\n    interval: 10s\n    full_sync_interval: 10s\n    full_sync_concurrency: %d\n", conc))
	}
	w := newWorkdir(t, config(8))
	w.noRace = true
	agentsFile := filepath.Join(w.dir, "out", "emu", "agents.ndjson")
	for _, step := range []struct {
		conc   int
		signal syscall.Signal
	}{{8, syscall.SIGTERM}, {1, syscall.SIGKILL}} {
		w.write("s1collector.yaml", config(step.conc))
		stopMidListing(t, w, agentsFile, step.signal)
	}
	for listing, conc := range []int{8, 8} {
		if listing == 1 {
			time.Sleep(10 * time.Second) // the next listing is due
		}
		w.write("s1collector.yaml", config(conc))
		from := w.lines("emu", "agents")
		_, stderr, code := w.run(nil, "once")
		if code != 0 {
			t.Fatalf("once exited %d:\n%s", code, stderr)
		}
		recs := w.recordsFrom("emu", "agents", from)
		got := ids("agents", recs)
		if len(got) != 20000 || len(recs) != 20000 || strings.Contains(stderr, "no longer listed") {
			t.Fatalf("listing %d: %d agents in %d lines, want 20,000 once each and none removed:\n%s", listing+1, len(got), len(recs), stderr)
		}
	}
}

// start starts the binary in the workdir and returns it with its
// standard error.
func (w *workdir) start(args ...string) (*exec.Cmd, *bytes.Buffer) {
	w.t.Helper()
	cmd := proc.Command(w.t, 0, w.binary(), args...)
	cmd.Dir = w.dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		w.t.Fatal(err)
	}
	return cmd, &stderr
}

// stopMidListing starts "once" and stops it with sig once it has written
// a few thousand agents.
func stopMidListing(t *testing.T, w *workdir, agentsFile string, sig syscall.Signal) {
	t.Helper()
	before := w.lines("emu", "agents")
	cmd, stderr := w.start("once")
	if !waitLines(agentsFile, before+3000, 60*time.Second) {
		cmd.Process.Kill()
		t.Fatalf("the listing never reached 3,000 agents:\n%s", stderr.String())
	}
	cmd.Process.Signal(sig)
	cmd.Wait()
	if sig == syscall.SIGTERM && !strings.Contains(stderr.String(), "interrupted") {
		t.Fatalf("SIGTERM did not interrupt the listing:\n%s", stderr.String())
	}
}

func waitLines(path string, n int, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(path); err == nil && bytes.Count(b, []byte{'\n'}) >= n {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

// TestLateRecordsWithDefaultSettings: 2,000 activities and 200 threats,
// of which 10% become visible 1–4 minutes after their time. Polled every
// two emulated minutes with the default settings, each is delivered
// exactly once.
func TestLateRecordsWithDefaultSettings(t *testing.T) {
	c := startConsole(t, emulator.Config{Seed: 13, Agents: 10, HistoryActivities: 200, HistoryThreats: 20, History: 20 * time.Minute,
		ActivitiesPerMinute: 90, ThreatsPerHour: 540, ThreatUpdatesPerHour: 1e-9, NewAgentsPerHour: 1e-9,
		Realism: emulator.Realism{LateShare: 0.1}})
	w := newWorkdir(t, collectorConfig(c.URL, emulator.DefaultToken, "    supported_apis: [activities, threats]\n"))
	want := map[string]int{"activities": 2000, "threats": 200}
	for minutes := 0; minutes <= 26; minutes += 2 {
		if minutes == 20 {
			c.StopChanges() // nothing new from here; the late ones keep appearing
		}
		if _, stderr, code := w.run(nil, "once"); code != 0 {
			t.Fatalf("once exited %d:\n%s", code, stderr)
		}
		c.Advance(2 * time.Minute)
	}
	for _, s := range []string{"activities", "threats"} {
		got := ids(s, w.records("emu", s))
		snap := c.Snapshot(s)
		if len(snap) != want[s] {
			t.Fatalf("%s: the console lists %d, want %d", s, len(snap), want[s])
		}
		for _, r := range snap {
			if got[r.ID] != 1 {
				t.Errorf("%s: %s delivered %d times", s, r.ID, got[r.ID])
			}
		}
		if len(got) != len(snap) {
			t.Errorf("%s: %d delivered, the console lists %d", s, len(got), len(snap))
		}
		t.Logf("%s: %d records, each delivered once", s, len(snap))
	}
}
