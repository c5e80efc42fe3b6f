package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"s1collector/internal/emulator"
)

// TestConnectionTestAnswersInTime: with the default --timeout (10 s), test
// exits 1 within 15 s however many checks hang — a console that answers
// its first request but no API, or two silent consoles and a silent
// webhook — and each hint says what was seen: a console that answered is
// slow, not the wrong host; a webhook's hint does not speak of a console.
func TestConnectionTestAnswersInTime(t *testing.T) {
	t.Parallel()
	const limit = 15 * time.Second
	slowAPIs := startFlakyConsole(t, emulator.Config{Agents: 10})
	slowAPIs.SetFault("*", emulator.Fault{Latency: time.Hour})
	slowAPIs.SetFault("system/info", emulator.Fault{})
	silent := "http://" + silentListener(t)
	twoSilent := fmt.Sprintf(`state: {path: state.db}
sources:
  - {name: one, base_url: %[1]s, token: t1, outputs: [hook]}
  - {name: two, base_url: %[1]s, token: t2, outputs: [hook]}
outputs:
  - {name: hook, type: webhook, webhook: {url: "%[1]s/in"}}
`, silent)
	for _, tt := range []struct {
		name       string
		cfg        string
		want, lack []string
	}{
		{"console answers, APIs hang", collectorConfig(slowAPIs.URL, emulator.DefaultToken, ""),
			[]string{"✓ emu: console " + slowAPIs.URL + " reachable", "✗ emu: agents not readable",
				"answered its first request but not this one within --timeout (10s)", "(--timeout)"},
			[]string{"check it is the right host", "the source's timeout setting"}},
		{"two silent consoles and a silent webhook", twoSilent,
			[]string{"✗ one: console " + silent + " unreachable", "✗ two: console " + silent + " unreachable", "✗ output hook (webhook)", "did not answer within the timeout"},
			[]string{"slow console"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWorkdir(t, tt.cfg)
			start := time.Now()
			out, stderr, code := w.run(nil, "test")
			took := time.Since(start)
			t.Logf("%s", took.Round(time.Millisecond))
			if code != 1 || took > limit {
				t.Errorf("exit %d after %s, want 1 within %s:\n%s%s", code, took.Round(time.Millisecond), limit, out, stderr)
			}
			for _, want := range tt.want {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
			for _, lack := range tt.lack {
				if strings.Contains(out, lack) {
					t.Errorf("output says %q:\n%s", lack, out)
				}
			}
		})
	}
}
