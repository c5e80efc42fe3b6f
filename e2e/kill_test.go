package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"s1collector/internal/emulator"
)

// TestKilledMidSyncLosesNothing kills the collector (SIGKILL) three times
// in the middle of its first sync, then lets it finish: every agent and
// event is in the output, and duplicates are bounded by the batch in
// flight at each kill.
func TestKilledMidSyncLosesNothing(t *testing.T) {
	c := startConsole(t, emulator.Config{Seed: 8, Agents: 12000, HistoryActivities: 4000, HistoryThreats: 300,
		AgentUpdatesPerMinute: 1e-9, NewAgentsPerHour: 1e-9, ActivitiesPerMinute: 1e-9, ThreatsPerHour: 1e-9, ThreatUpdatesPerHour: 1e-9})
	c.SetFault("*", emulator.Fault{Latency: 60 * time.Millisecond})
	w := newWorkdir(t, collectorConfig(c.URL, emulator.DefaultToken, ""))
	agentsFile := filepath.Join(w.dir, "out", "emu", "agents.ndjson")
	kills := 0
	for _, atLines := range []int{1500, 4500, 8000} {
		cmd := exec.Command(bin(t), "once")
		cmd.Dir = w.dir
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if !waitLines(agentsFile, atLines, 60*time.Second) {
			cmd.Process.Kill()
			t.Fatalf("output never reached %d lines:\n%s", atLines, stderr.String())
		}
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		kills++
	}
	c.SetFault("*", emulator.Fault{})
	if _, stderr, code := w.run(nil, "once"); code != 0 {
		t.Fatalf("final once exited %d:\n%s", code, stderr)
	}
	for _, s := range streams {
		got := ids(s, w.records("emu", s))
		lines := len(w.records("emu", s))
		snap := c.Snapshot(s)
		for _, r := range snap {
			if got[r.ID] == 0 {
				t.Fatalf("%s: record %s lost", s, r.ID)
			}
		}
		if dups := lines - len(snap); dups > kills*1000 {
			t.Errorf("%s: %d duplicates after %d kills; at most one 1000-record batch per kill", s, dups, kills)
		}
		t.Logf("%s: %d records, %d lines, %d duplicates after %d kills", s, len(snap), lines, lines-len(snap), kills)
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
