package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"s1collector/internal/emulator"
)

// TestInitThenCollect is the Install section's path for a new user: init
// writes a config, validate accepts it once the token variable is set, and
// once collects every stream with it; commands then find the config in
// $S1COLLECTOR_CONFIG without --config.
func TestInitThenCollect(t *testing.T) {
	c := startConsole(t, emulator.Config{Seed: 5, Agents: 250, HistoryActivities: 40, HistoryThreats: 5})
	w := &workdir{t: t, dir: t.TempDir()}
	config := filepath.Join(w.dir, "etc", "s1collector.yaml")
	_, stderr, code := w.run(nil, "init", "--console-url", c.URL, "--token-env", "S1_E2E_TOKEN",
		"--output", "file", "--state-dir", filepath.Join(w.dir, "state"), "--config", config)
	if code != 0 || !strings.Contains(stderr, "S1_E2E_TOKEN") {
		t.Fatalf("init: exit %d, %s", code, stderr)
	}
	if _, stderr, code = w.run(nil, "validate", "--config", config); code != 1 || !strings.Contains(stderr, "S1_E2E_TOKEN is not set") {
		t.Errorf("validate without the token: exit %d, %s", code, stderr)
	}
	env := []string{"S1_E2E_TOKEN=" + emulator.DefaultToken, "S1COLLECTOR_CONFIG=" + config}
	if out, stderr, code := w.run(env, "validate"); code != 0 || !strings.Contains(out, "is valid") {
		t.Fatalf("validate: exit %d, %s%s", code, out, stderr)
	}
	if _, stderr, code := w.run(env, "once"); code != 0 {
		t.Fatalf("once: exit %d, %s", code, stderr)
	}
	for stream, want := range map[string]int{"agents": 250, "activities": 1, "threats": 1} {
		b, err := os.ReadFile(filepath.Join(w.dir, "state", "out", "console", stream+".ndjson"))
		if n := strings.Count(string(b), "\n"); err != nil || n < want {
			t.Errorf("%s: %d events (%v), want at least %d", stream, n, err, want)
		}
	}
	if _, stderr, code := w.run(nil, "init", "--console-url", c.URL, "--config", config); code != 1 || !strings.Contains(stderr, "--force") {
		t.Errorf("init over an existing config: exit %d, %s", code, stderr)
	}
}
