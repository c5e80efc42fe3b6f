package collector

import (
	"bufio"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"s1collector/internal/config"
	"s1collector/internal/emulator"
)

type fixture struct {
	emu *emulator.Emulator
	cfg *config.Config
	dir string
}

func newFixture(t *testing.T, ecfg emulator.Config, profile string) *fixture {
	t.Helper()
	if ecfg.RateLimits == nil {
		ecfg.RateLimits = map[string]emulator.RateLimit{}
	}
	emu, err := emulator.New(ecfg)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	yaml := `
state: {path: state.db}
sources:
  - name: emu
    base_url: http://127.0.0.1:1
    token: ` + emulator.DefaultToken + `
    profile: ` + profile + `
    category: test/s1
    fields: {env: test}
    lookback: 72h
    outputs: [local]
outputs:
  - {name: local, type: file, file: {dir: out}}
`
	cfg, err := config.Parse([]byte(yaml), dir, func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{emu: emu, cfg: cfg, dir: dir}
}

// once builds the collector, runs one cycle of each stream and closes it,
// as "s1collector once" does.
func (f *fixture) once(t *testing.T) {
	t.Helper()
	b, err := Build(t.Context(), f.cfg, Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Stdout: io.Discard,
		HTTPClient: &http.Client{Transport: f.emu.Transport()}, Now: f.emu.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for _, r := range b.Collector.Once(t.Context(), nil) {
		if r.Err != nil {
			t.Fatalf("%s: %v", r.Stream.Key(), r.Err)
		}
	}
}

// lines reads an output file as records keyed by id → list of versions.
func (f *fixture) lines(t *testing.T, stream string) []map[string]any {
	t.Helper()
	fh, err := os.Open(filepath.Join(f.dir, "out", "emu", stream+".ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	var out []map[string]any
	sc := bufio.NewScanner(fh)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("%s: bad line: %v", stream, err)
		}
		out = append(out, m)
	}
	return out
}

func idOf(stream string, m map[string]any) string {
	if stream == "agents" {
		return m["device"].(map[string]any)["uid"].(string)
	}
	return m["id"].(string)
}

func TestFirstSyncThenExactlyTheChanges(t *testing.T) {
	f := newFixture(t, emulator.Config{Seed: 4, Agents: 2500, HistoryActivities: 1500, HistoryThreats: 60,
		AgentUpdatesPerMinute: 20, ActivitiesPerMinute: 10, ThreatsPerHour: 60, ThreatUpdatesPerHour: 60, NewAgentsPerHour: 30}, "sekoia")
	f.once(t)
	a, acts, th := f.emu.Counts()
	got := map[string]int{"agents": len(f.lines(t, "agents")), "activities": len(f.lines(t, "activities")), "threats": len(f.lines(t, "threats"))}
	if got["agents"] != a || got["activities"] != acts || got["threats"] != th {
		t.Fatalf("first sync delivered %v; console has %d agents, %d activities, %d threats", got, a, acts, th)
	}
	first := f.lines(t, "agents")[0]
	if first["_source"] != "emu" || first["_sourceCategory"] != "test/s1" || first["_fields"].(map[string]any)["env"] != "test" {
		t.Fatalf("metadata missing: %v %v %v", first["_source"], first["_sourceCategory"], first["_fields"])
	}

	f.emu.Advance(6 * time.Minute)
	f.once(t)
	// Agents: 120 updates (some twice on one agent) and 3 new; activities:
	// 60 new; threats: 6 new and 6 updates.
	newAgents := f.lines(t, "agents")[got["agents"]:]
	seen := map[string]bool{}
	for _, m := range newAgents {
		id := idOf("agents", m)
		if seen[id] {
			t.Fatalf("agent %s delivered twice in one incremental cycle", id)
		}
		seen[id] = true
	}
	snap := f.emu.Snapshot("agents")
	changed := 0
	for _, r := range snap {
		if r.UpdatedAt.After(f.emu.Now().Add(-6 * time.Minute)) {
			changed++
			if !seen[r.ID] {
				t.Fatalf("changed agent %s not delivered", r.ID)
			}
		}
	}
	if changed != len(newAgents) {
		t.Fatalf("second cycle delivered %d agents, %d changed", len(newAgents), changed)
	}
	if n := len(f.lines(t, "activities")) - got["activities"]; n != 60 {
		t.Fatalf("second cycle delivered %d activities, want 60", n)
	}
	if n := len(f.lines(t, "threats")) - got["threats"]; n < 6 || n > 12 {
		t.Fatalf("second cycle delivered %d threats", n)
	}

	// Nothing changed: nothing delivered, one request per stream.
	before := map[string]int64{"agents": f.emu.Requests("agents"), "activities": f.emu.Requests("activities"), "threats": f.emu.Requests("threats")}
	total := len(f.lines(t, "agents")) + len(f.lines(t, "activities")) + len(f.lines(t, "threats"))
	f.once(t)
	if after := len(f.lines(t, "agents")) + len(f.lines(t, "activities")) + len(f.lines(t, "threats")); after != total {
		t.Fatalf("idle cycle delivered %d records", after-total)
	}
	for ep, n := range before {
		if got := f.emu.Requests(ep) - n; got != 1 {
			t.Errorf("idle cycle made %d %s requests, want 1", got, ep)
		}
	}
}
