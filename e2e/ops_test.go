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
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"s1collector/e2e/proc"
	"s1collector/internal/emulator"
	"s1collector/internal/series"
)

// daemon runs "s1collector run" on a free port and returns the base URL of
// its status server once every stream has done a cycle.
func daemon(t *testing.T, w *workdir, cycles int) (string, *proc.Output) {
	t.Helper()
	return daemonEnv(t, w, nil, cycles)
}

func daemonEnv(t *testing.T, w *workdir, env []string, cycles int) (string, *proc.Output) {
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
// healthy source whose token expires in 10 days, one whose token expired,
// each with a day of recorded history seeded in the state. A person must
// see both sources, the failing one with its fix, the expiry warning, that
// the collector is not ready, and each stream's last 24 hours: a chart of
// 144 ten-minute buckets, the failed cycles marked, with a text
// alternative. The screenshots (light and dark) are test artifacts; with
// S1C_SCREENSHOT_DIR set (to docs/) they are copied there.
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
  - {name: paris, base_url: %[1]s, token: fresh-token, lookback: 72h, outputs: [local], supported_apis: [agents, activities, threats, alerts]}
  - {name: lyon, base_url: %[1]s, token: old-token, lookback: 72h, outputs: [local]}
outputs:
  - {name: local, type: file, file: {dir: out}}
`, c.URL))
	now := time.Now()
	day := map[string][]series.Bucket{}
	for _, s := range []string{"paris/agents", "paris/activities", "paris/threats", "paris/alerts", "lyon/agents", "lyon/activities", "lyon/threats"} {
		day[s] = recordedDay(strings.TrimPrefix(strings.TrimPrefix(s, "paris/"), "lyon/"), now)
	}
	seed(t, w, day)
	url, _ := daemon(t, w, 7)
	if code, body := fetch(t, url+"/readyz"); code != 503 || !strings.Contains(body, "lyon/agents: stopped") {
		t.Fatalf("readyz %d %s", code, body)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	args := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--window-size=1300,1900"}
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
	api := days(t, url)
	for key := range day {
		checkChart(t, string(dom), key, api[key], day[key])
	}
	for _, shot := range []struct{ name, flag string }{{"status-page.png", ""}, {"status-page-dark.png", "--force-dark-mode"}} {
		path := filepath.Join(t.ArtifactDir(), shot.name)
		flags := append(append([]string{}, args...), "--screenshot="+path, url+"/")
		if shot.flag != "" {
			flags = append([]string{shot.flag}, flags...)
		}
		if out, err := exec.CommandContext(ctx, chromium, flags...).CombinedOutput(); err != nil {
			t.Fatalf("screenshot: %v %s", err, out)
		}
		if dir := os.Getenv("S1C_SCREENSHOT_DIR"); dir != "" {
			b, _ := os.ReadFile(path)
			os.WriteFile(filepath.Join(dir, shot.name), b, 0o644)
		}
		t.Logf("screenshot: %s", path)
	}
}

// checkChart finds the chart of a stream in the page as the browser built
// it: a bar at the place of each bucket of the last 24 hours that /api/status
// says had events (of 144), a mark under each bucket with failed cycles, and
// a text alternative that says so.
func checkChart(t *testing.T, dom, key string, api streamDay, seeded []series.Bucket) {
	t.Helper()
	fig := regexp.MustCompile(`(?s)<figure class="chart" id="chart-` + regexp.QuoteMeta(strings.Replace(key, "/", "-", 1)) + `">.*?</figure>`).FindString(dom)
	if fig == "" {
		t.Errorf("%s: no chart", key)
		return
	}
	if n := len(api.Last24h.Delivered); n != series.PerDay {
		t.Errorf("%s: /api/status has %d buckets, want %d", key, n, series.PerDay)
	}
	for _, b := range seeded { // what was recorded before the run is there
		if i := int(b.Start.Sub(api.Last24h.From) / series.Width); i >= 0 && i < len(api.Last24h.Delivered) &&
			(api.Last24h.Delivered[i] < b.Delivered || api.Last24h.FailedCycles[i] < b.Failed) {
			t.Errorf("%s: bucket %d has %d events and %d failed cycles, want %d and %d at least", key, i, api.Last24h.Delivered[i], api.Last24h.FailedCycles[i], b.Delivered, b.Failed)
			break
		}
	}
	var withEvents, failed []int
	for i := range api.Last24h.Delivered {
		if api.Last24h.Delivered[i] > 0 {
			withEvents = append(withEvents, i)
		}
		if api.Last24h.FailedCycles[i] > 0 {
			failed = append(failed, i)
		}
	}
	places := func(re, in string) []int { // the buckets of the x of each match (a bucket is 5 wide)
		var out []int
		for _, m := range regexp.MustCompile(re).FindAllStringSubmatch(in, -1) {
			x, _ := strconv.ParseFloat(m[1], 64)
			out = append(out, int(x/5))
		}
		return out
	}
	var bars, fails []int
	if m := regexp.MustCompile(`<path class="bars" d="([^"]*)"`).FindStringSubmatch(fig); m != nil {
		bars = places(`M([0-9.]+) `, m[1])
	}
	if m := regexp.MustCompile(`(?s)<g class="fails">(.*?)</g>`).FindStringSubmatch(fig); m != nil {
		fails = places(`<rect x="([0-9.]+)" y="122"`, m[1])
	}
	if !slices.Equal(bars, withEvents) {
		t.Errorf("%s: bars at buckets %v, want %v", key, bars, withEvents)
	}
	if !slices.Equal(fails, failed) || len(failed) < 3 {
		t.Errorf("%s: failures marked at buckets %v, want %v (3 at least)", key, fails, failed)
	}
	if !regexp.MustCompile(`<svg [^>]*role="img"[^>]*aria-labelledby="[^"]+"`).MatchString(fig) ||
		!regexp.MustCompile(`<desc [^>]*>[^<]*events delivered in the last 24 hours[^<]*failed cycle\(s\)`).MatchString(fig) {
		t.Errorf("%s: the chart has no text alternative:\n%s", key, fig[:min(len(fig), 600)])
	}
}
