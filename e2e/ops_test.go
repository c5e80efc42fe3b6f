package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"s1collector/internal/emulator"
)

// daemon runs "s1collector run" on a free port and returns the base URL of
// its status server once every stream has done a cycle.
func daemon(t *testing.T, w *workdir, cycles int) (string, *syncBuffer) {
	t.Helper()
	return daemonEnv(t, w, nil, cycles)
}

func daemonEnv(t *testing.T, w *workdir, env []string, cycles int) (string, *syncBuffer) {
	t.Helper()
	_, url, stderr := runDaemon(t, w, env, "--listen", "127.0.0.1:0")
	waitFor(t, stderr, `"duration":"`, cycles) // every cycle's closing line, done, failed or stopped
	return url, stderr
}

func fetch(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestMetricsCountWhatWasDelivered: after a run, the delivered counters
// equal the lines the file output holds, and the collector is ready.
func TestMetricsCountWhatWasDelivered(t *testing.T) {
	c := startConsole(t, emulator.Config{Agents: 1200, HistoryActivities: 700, HistoryThreats: 30})
	w := newWorkdir(t, collectorConfig(c.URL, emulator.DefaultToken, ""))
	url, _ := daemon(t, w, 3)
	if code, body := fetch(t, url+"/readyz"); code != 200 {
		t.Fatalf("readyz %d %s", code, body)
	}
	_, metrics := fetch(t, url+"/metrics")
	for _, s := range streams {
		want := fmt.Sprintf(`s1collector_events_delivered_total{source="emu",stream="%s"} %d`, s, len(w.records("emu", s)))
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if !strings.Contains(metrics, `s1collector_token_expiry_seconds{source="emu"}`) {
		t.Error("no token expiry metric")
	}
}

// TestStatusPageInBrowser loads the status page in headless Chromium: one
// healthy source whose token expires in 10 days, one whose token expired.
// A person must see both sources, the failing one with its fix, the
// expiry warning, and that the collector is not ready.
func TestStatusPageInBrowser(t *testing.T) {
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		const why = "chromium is not installed: the status page's browser test needs it (apt-get install chromium; .ci/run installs it and sets REQUIRE_BROWSER=1)"
		if os.Getenv("REQUIRE_BROWSER") != "" {
			t.Fatal(why)
		}
		t.Skip(why)
	}
	c := startConsole(t, emulator.Config{Agents: 200, HistoryActivities: 50, HistoryThreats: 5, Tokens: []emulator.Token{
		{Value: "fresh-token", ExpiresAt: time.Now().Add(10*24*time.Hour + time.Hour)},
		{Value: "old-token", ExpiresAt: time.Now().Add(-24 * time.Hour)},
	}})
	w := newWorkdir(t, fmt.Sprintf(`state: {path: state.db}
log: {format: json}
sources:
  - {name: paris, base_url: %[1]s, token: fresh-token, lookback: 72h, outputs: [local]}
  - {name: lyon, base_url: %[1]s, token: old-token, lookback: 72h, outputs: [local]}
outputs:
  - {name: local, type: file, file: {dir: out}}
`, c.URL))
	url, _ := daemon(t, w, 6)
	if code, body := fetch(t, url+"/readyz"); code != 503 || !strings.Contains(body, "lyon/agents: stopped") {
		t.Fatalf("readyz %d %s", code, body)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	args := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--window-size=1300,1000"}
	dom, err := exec.CommandContext(ctx, chromium, append(args, "--dump-dom", url+"/")...).Output()
	if err != nil {
		t.Fatalf("chromium --dump-dom: %v", err)
	}
	text := regexp.MustCompile(`<[^>]+>`).ReplaceAllString(string(dom), " ")
	text = strings.Join(strings.Fields(text), " ")
	for _, want := range []string{
		"✗ Not ready",
		"Console paris", "Console lyon",
		"API token expires in 10 day(s)", "Generate a new token for the service user",
		"stopped", "HTTP 401 Authentication Failed",
		"Fix: the API token is wrong, revoked or expired: generate a new one for the service user and update the config",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the page does not show %q:\n%s", want, text)
		}
	}
	if strings.Contains(string(dom), "fresh-token") || strings.Contains(string(dom), "old-token") {
		t.Error("the page shows a token")
	}
	shot := filepath.Join(t.ArtifactDir(), "status-page.png")
	if out, err := exec.CommandContext(ctx, chromium, append(args, "--screenshot="+shot, url+"/")...).CombinedOutput(); err != nil {
		t.Fatalf("screenshot: %v %s", err, out)
	}
	if dir := os.Getenv("S1C_SCREENSHOT_DIR"); dir != "" {
		b, _ := os.ReadFile(shot)
		os.WriteFile(filepath.Join(dir, "status-page.png"), b, 0o644)
	}
	t.Logf("screenshot: %s", shot)
}
