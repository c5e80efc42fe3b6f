package e2e

import (
	"fmt"
	"strings"
	"testing"

	"s1collector/internal/emulator"
)

// TestScopeChangesBetweenRuns: site_ids is edited between runs of the
// real binary, with a full listing due only every 24 h. Widening it
// delivers the added site's devices at once (a full listing starts);
// narrowing it reports none of the live devices now out of scope removed;
// the next listing (after a state reset: one is due at once) reports
// exactly the devices of the scope the console removed.
func TestScopeChangesBetweenRuns(t *testing.T) {
	c := startConsole(t, emulator.Config{Seed: 13, Agents: 1200, Sites: 4, AgentUpdatesPerMinute: 1e-9, NewAgentsPerHour: 1e-9,
		HistoryActivities: 1, HistoryThreats: 1})
	config := func(sites string) string {
		return collectorConfig(c.URL, emulator.DefaultToken, fmt.Sprintf(
			"    supported_apis: [agents]\n    site_ids: [%s]\n    full_sync_interval: 24h\n", sites))
	}
	const site0, site1 = `"1300000000000000000"`, `"1300000000000007919"`
	w := newWorkdir(t, config(site0))
	w.noRace = true // the unit tests run the same code with the race detector
	once := func(step string) (map[string]int, int, string) {
		t.Helper()
		from := w.lines("emu", "agents")
		stdout, stderr, code := w.run(nil, "once")
		if code != 0 {
			t.Fatalf("%s: once exited %d:\n%s%s", step, code, stdout, stderr)
		}
		recs := w.recordsFrom("emu", "agents", from)
		return ids("agents", recs), len(recs) - len(ids("agents", recs)), stdout
	}
	first, _, _ := once("one site")
	w.write("s1collector.yaml", config(site0+", "+site1))
	both, removed, stdout := once("widened")
	if !strings.Contains(stdout, "(full listing)") || removed != 0 || len(both) < len(first)*3/2 {
		t.Fatalf("widened to two sites: %d devices delivered (one site: %d), %d removal events:\n%s", len(both), len(first), removed, stdout)
	}
	w.write("s1collector.yaml", config(site1))
	second, removed, stdout := once("narrowed")
	if removed != 0 || strings.Contains(stdout, "removed") || len(second) != len(both)-len(first) {
		t.Fatalf("narrowed to the second site: %d devices delivered, %d removal events (%d live devices left the scope):\n%s",
			len(second), removed, len(first), stdout)
	}
	var want []string
	for _, id := range c.RemoveAgents(40) {
		if second[id] > 0 {
			want = append(want, id)
		}
	}
	if len(want) == 0 {
		t.Fatal("none of the removed agents was in the second site")
	}
	if _, stderr, code := w.run(nil, "state", "reset", "--source", "emu", "--stream", "agents"); code != 0 { // a listing now
		t.Fatalf("state reset: %s", stderr)
	}
	_, removed, stdout = once("same scope")
	if removed != len(want) || !strings.Contains(stdout, fmt.Sprintf("%d device(s) removed from the console", len(want))) {
		t.Fatalf("the next listing of the second site reported %d removed, want the %d of its devices the console removed:\n%s",
			removed, len(want), stdout)
	}
}
