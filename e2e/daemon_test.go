package e2e

import (
	"strings"
	"syscall"
	"testing"
	"time"

	"s1collector/e2e/proc"
	"s1collector/internal/emulator"
)

func waitFor(t *testing.T, buf *proc.Output, text string, n int) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if strings.Count(buf.String(), text) >= n {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("never saw %q %d times:\n%s", text, n, buf.String())
}

// TestRunReloadsAndStopsGracefully: run collects, SIGHUP with a broken
// config is refused, SIGHUP with a good one reloads, SIGTERM exits 0 with
// checkpoints saved.
func TestRunReloadsAndStopsGracefully(t *testing.T) {
	c := startConsole(t, emulator.Config{Agents: 500, HistoryActivities: 100, HistoryThreats: 10})
	good := collectorConfig(c.URL, emulator.DefaultToken, "")
	w := newWorkdir(t, good)
	cmd := proc.Command(t, 0, bin(t), "run", "--listen", "127.0.0.1:0") // never the demo's port
	cmd.Dir = w.dir
	var stderr proc.Output
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	waitFor(t, &stderr, `"msg":"cycle done"`, 3)

	w.write("s1collector.yaml", good+"bogus_key: 1\n")
	cmd.Process.Signal(syscall.SIGHUP)
	waitFor(t, &stderr, "reload refused", 1)
	if !strings.Contains(stderr.String(), "bogus_key: unknown key") {
		t.Errorf("refusal does not name the problem:\n%s", stderr.String())
	}

	w.write("s1collector.yaml", strings.Replace(good, "lookback: 72h", "lookback: 72h\n    category: reloaded", 1))
	cmd.Process.Signal(syscall.SIGHUP)
	waitFor(t, &stderr, "configuration reloaded", 1)
	waitFor(t, &stderr, `"msg":"cycle done"`, 6)

	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run exited with %v:\n%s", err, stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("run did not stop on SIGTERM")
	}
	if !strings.Contains(stderr.String(), "stopped; checkpoints saved") {
		t.Errorf("no clean stop message:\n%s", stderr.String())
	}
	if n := len(w.records("emu", "agents")); n != 500 {
		t.Errorf("%d agents delivered, want 500", n)
	}
}

func TestConnectionTest(t *testing.T) {
	c := startConsole(t, emulator.Config{Agents: 42, Tokens: []emulator.Token{
		{Value: "good", ExpiresAt: time.Now().Add(100 * 24 * time.Hour)},
		{Value: "no-threats", Deny: []string{"threats"}, ExpiresAt: time.Now().Add(5 * 24 * time.Hour)},
	}})
	tests := []struct {
		token string
		code  int
		want  []string
	}{
		{"good", 0, []string{"✓ emu: console " + c.URL + " reachable", "✓ emu: API token accepted", "(99 days left)",
			"✓ emu: agents readable (42 records)", "✓ emu: threats readable", "✓ output local (file): ready"}},
		{"no-threats", 1, []string{"! emu: API token expires", "(4 days left) — generate a new token",
			`✗ emu: threats not readable: threats: HTTP 403 Insufficient permissions (code 4030010) — the token's role lacks the "Threats.view" permission`,
			"1 check(s) failed"}},
		{"wrong", 1, []string{"✓ emu: console " + c.URL + " reachable", "✗ emu: API token rejected"}},
	}
	for _, tt := range tests {
		w := newWorkdir(t, collectorConfig(c.URL, tt.token, ""))
		out, stderr, code := w.run(nil, "test")
		if code != tt.code {
			t.Errorf("%s: exit %d, want %d:\n%s%s", tt.token, code, tt.code, out, stderr)
		}
		for _, want := range tt.want {
			if !strings.Contains(out, want) {
				t.Errorf("%s: output lacks %q:\n%s", tt.token, want, out)
			}
		}
	}
}

func TestStateShowAndReset(t *testing.T) {
	c := startConsole(t, emulator.Config{Agents: 50, HistoryActivities: 20, HistoryThreats: 2})
	w := newWorkdir(t, collectorConfig(c.URL, emulator.DefaultToken, ""))
	if out, _, _ := w.run(nil, "state", "show"); !strings.Contains(out, "no checkpoints yet") {
		t.Errorf("fresh state: %s", out)
	}
	w.run(nil, "once")
	out, _, code := w.run(nil, "state", "show")
	if code != 0 || !strings.Contains(out, "emu/agents") || !strings.Contains(out, "emu/threats") {
		t.Fatalf("state show:\n%s", out)
	}
	if _, stderr, code := w.run(nil, "state", "reset"); code == 0 || !strings.Contains(stderr, "--all") {
		t.Errorf("reset without a target should refuse: %s", stderr)
	}
	out, _, code = w.run(nil, "state", "reset", "--source", "emu", "--stream", "threats")
	if code != 0 || strings.TrimSpace(out) != "reset emu/threats" {
		t.Fatalf("reset: %d %s", code, out)
	}
	w.run(nil, "once")
	if n := len(w.records("emu", "threats")); n != 4 {
		t.Errorf("after reset, threats collected again from the look-back: %d lines, want 4", n)
	}
}
