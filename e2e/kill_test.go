package e2e

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"s1collector/e2e/proc"
	"s1collector/internal/collector"
	"s1collector/internal/emulator"
)

// TestKilledMidSyncLosesNothing kills the collector (SIGKILL) three times
// in its first sync, each time after every output accepted a batch and
// before that batch's checkpoint was saved — the worst moment, held there
// by a test hook — then lets it finish. Every agent and event is in the
// output; each batch held at a kill is delivered again, and nothing else:
// the duplicates of a held stream are exactly the batches in flight, and
// no stream has more than one batch per kill.
func TestKilledMidSyncLosesNothing(t *testing.T) {
	c := startConsole(t, emulator.Config{Seed: 8, Agents: 6000, HistoryActivities: 3000, HistoryThreats: 300,
		AgentUpdatesPerMinute: 1e-9, NewAgentsPerHour: 1e-9, ActivitiesPerMinute: 1e-9, ThreatsPerHour: 1e-9, ThreatUpdatesPerHour: 1e-9})
	c.SetFault("*", emulator.Fault{Latency: 20 * time.Millisecond})
	w := newWorkdir(t, collectorConfig(c.URL, emulator.DefaultToken, ""))
	held := map[string]int{} // events delivered and not checkpointed, by stream
	holds := []string{"agents:2,activities:2", "agents:4", "agents:3,threats:1"}
	for _, hold := range holds {
		for stream, n := range killWhenHeld(t, w, hold, "agents") {
			held[stream] += n
		}
	}
	c.SetFault("*", emulator.Fault{})
	if _, stderr, code := w.run(nil, "once"); code != 0 {
		t.Fatalf("final once exited %d:\n%s", code, stderr)
	}
	kills := len(holds)
	for _, s := range streams {
		recs := w.records("emu", s)
		got := ids(s, recs)
		snap := c.Snapshot(s)
		for _, r := range snap {
			if got[r.ID] == 0 {
				t.Fatalf("%s: record %s lost", s, r.ID)
			}
		}
		dups := len(recs) - len(snap)
		t.Logf("%s: %d records, %d lines, %d duplicates after %d kills; batches held at the kills: %d events", s, len(snap), len(recs), dups, kills, held[s])
		if dups > kills*1000 {
			t.Errorf("%s: %d duplicates after %d kills; at most one 1000-record batch per kill", s, dups, kills)
		}
		if s == "agents" && dups != held[s] {
			t.Errorf("agents: %d duplicates; the batches held at the kills had %d events", dups, held[s])
		}
		if dups < held[s] {
			t.Errorf("%s: %d duplicates, fewer than the %d events held between delivery and checkpoint: the kills did not land there", s, dups, held[s])
		}
	}
}

var holdLine = regexp.MustCompile(`s1collector-test: holding (\w+) after batch \d+ \((\d+) events\)`)

// killWhenHeld runs "once" with the hold hook, kills it (SIGKILL) as soon
// as the trigger stream is held (the others named by hold park when they
// reach theirs), and returns the events held, by stream.
func killWhenHeld(t *testing.T, w *workdir, hold, trigger string) map[string]int {
	t.Helper()
	cmd := proc.Command(t, 0, bin(t), "once")
	cmd.Dir = w.dir
	cmd.Env = append(os.Environ(), collector.HoldEnv+"="+hold)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 64)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	held := map[string]int{}
	var log strings.Builder
	timeout := time.After(90 * time.Second)
	for held[trigger] == 0 {
		select {
		case line, ok := <-lines:
			if !ok {
				cmd.Wait()
				t.Fatalf("once (%s) ended without being held:\n%s", hold, log.String())
			}
			fmt.Fprintln(&log, line)
			if m := holdLine.FindStringSubmatch(line); m != nil {
				held[m[1]], _ = strconv.Atoi(m[2])
			}
		case <-timeout:
			cmd.Process.Kill()
			t.Fatalf("once (%s) was never held:\n%s", hold, log.String())
		}
	}
	cmd.Process.Signal(syscall.SIGKILL)
	for line := range lines {
		if m := holdLine.FindStringSubmatch(line); m != nil {
			held[m[1]], _ = strconv.Atoi(m[2])
		}
	}
	io.Copy(io.Discard, stderr)
	cmd.Wait()
	return held
}
