package e2e

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"s1collector/e2e/proc"
	"s1collector/internal/emulator"
)

// flakyConsole is an emulator whose server a test can take down (every
// connection cut, nothing listening) and bring back on the same address.
type flakyConsole struct {
	*emulator.Emulator
	URL  string
	addr string
	t    *testing.T
	mu   sync.Mutex
	srv  *http.Server
}

func startFlakyConsole(t *testing.T, cfg emulator.Config) *flakyConsole {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c := &flakyConsole{Emulator: newEmulator(t, cfg), addr: ln.Addr().String(), t: t}
	c.URL = "http://" + c.addr
	c.serve(ln)
	t.Cleanup(c.down)
	return c
}

func (c *flakyConsole) serve(ln net.Listener) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.srv = &http.Server{Handler: c.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go c.srv.Serve(ln)
}

// down closes the listener and every connection, requests in flight too.
func (c *flakyConsole) down() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.srv != nil {
		c.srv.Close()
		c.srv = nil
	}
}

// up listens again on the same address.
func (c *flakyConsole) up() {
	c.t.Helper()
	var ln net.Listener
	var err error
	for range 50 { // the port was just released
		if ln, err = net.Listen("tcp", c.addr); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		c.t.Fatalf("the console cannot listen again on %s: %v", c.addr, err)
	}
	c.serve(ln)
}

// runDaemon starts "s1collector run" with extra arguments and returns the
// status server's URL and its standard error. It is stopped with the test.
func runDaemon(t *testing.T, w *workdir, env []string, args ...string) (*exec.Cmd, string, *proc.Output) {
	t.Helper()
	cmd := proc.Command(t, 0, bin(t), append([]string{"run"}, args...)...)
	cmd.Dir = w.dir
	cmd.Env = append(os.Environ(), env...)
	var stderr proc.Output
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(2 * time.Second): // a held batch waits out its grace: stop now
			cmd.Process.Signal(syscall.SIGTERM)
			<-done
		}
	})
	waitFor(t, &stderr, `"url":"http://`, 1)
	url := regexp.MustCompile(`"url":"(http://[^"]+)/"`).FindStringSubmatch(stderr.String())[1]
	return cmd, url, &stderr
}

// apiStatus is what the test reads of /api/status.
type apiStatus struct {
	Ready   bool `json:"ready"`
	Sources []struct {
		Streams []struct {
			Stream    string `json:"stream"`
			State     string `json:"state"`
			LastError string `json:"last_error"`
			Retry     *struct {
				Endpoint string    `json:"endpoint"`
				Error    string    `json:"error"`
				Attempt  int       `json:"attempt"`
				NextTry  time.Time `json:"next_try"`
			} `json:"retry"`
		} `json:"streams"`
	} `json:"sources"`
}

func status(t *testing.T, url string) apiStatus {
	t.Helper()
	_, body := fetch(t, url+"/api/status")
	var st apiStatus
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		t.Fatalf("api/status: %v\n%s", err, body)
	}
	return st
}

// eventually polls cond every 100ms until it holds or the time is out.
func eventually(t *testing.T, within time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for time.Since(start) < within {
		if cond() {
			return time.Since(start)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("not within %s: %s", within, what)
	return 0
}

// collectedEverything reports whether the output holds every record the
// console has, once each by id.
func collectedEverything(w *workdir, c *emulator.Emulator) bool {
	a, acts, th := c.Counts()
	want := map[string]int{"agents": a, "activities": acts, "threats": th}
	for _, s := range streams {
		if len(ids(s, w.records("emu", s))) != want[s] {
			return false
		}
	}
	return true
}

// TestSlowConsoleThenFast: a console slower than the request timeout for a
// whole cycle fails that cycle (and /readyz says so); once it is fast
// again, the next cycle collects every agent. A request's timeout never
// stops a stream.
func TestSlowConsoleThenFast(t *testing.T) {
	t.Parallel()
	c := startConsole(t, emulator.Config{Agents: 300, HistoryActivities: 50, HistoryThreats: 5})
	c.SetFault("agents", emulator.Fault{Latency: 3 * time.Second})
	w := newWorkdir(t, collectorConfig(c.URL, emulator.DefaultToken, "    interval: 10s\n    timeout: 1s\n"))
	_, url, stderr := runDaemon(t, w, nil, "--listen", "127.0.0.1:0")
	// Each request is tried 8 times over 1–2 minutes before the cycle fails.
	eventually(t, 4*time.Minute, "the slow cycle failed", func() bool {
		return strings.Contains(stderr.String(), "cycle failed; the next cycle starts again from the checkpoint")
	})
	if code, body := fetch(t, url+"/readyz"); code != 503 || !strings.Contains(body, "emu/agents: failing") {
		t.Errorf("readyz while agents fail: %d %s", code, body)
	}
	c.SetFault("agents", emulator.Fault{}) // fast again
	eventually(t, 60*time.Second, "every agent collected after the console was fast again", func() bool {
		return len(ids("agents", w.records("emu", "agents"))) == 300
	})
	eventually(t, 20*time.Second, "/readyz 200 once agents succeeded", func() bool {
		code, _ := fetch(t, url+"/readyz")
		return code == 200
	})
}

// TestConsoleOutageDuringRun: the console goes away for 30 s in the middle
// of a cycle. Within 10 s a warn line names the console and the error, the
// status page shows the stream retrying with the error, attempt and next
// try, and after the console returns everything is collected.
func TestConsoleOutageDuringRun(t *testing.T) {
	t.Parallel()
	c := startFlakyConsole(t, emulator.Config{Agents: 3000, HistoryActivities: 300, HistoryThreats: 10})
	c.SetFault("agents", emulator.Fault{Latency: 2 * time.Second})
	w := newWorkdir(t, collectorConfig(c.URL, emulator.DefaultToken, "    interval: 10s\n    full_sync_concurrency: 1\n"))
	_, url, stderr := runDaemon(t, w, nil, "--listen", "127.0.0.1:0")
	eventually(t, 30*time.Second, "an agents page requested", func() bool { return c.Requests("agents") >= 1 })
	c.down()
	outage := time.Now()
	took := eventually(t, 10*time.Second, "a warn line about the console", func() bool {
		return strings.Contains(stderr.String(), `"msg":"console request failed; retrying"`)
	})
	t.Logf("warned %s after the console went down", took.Round(time.Millisecond))
	line := lineWith(stderr.String(), `"msg":"console request failed; retrying"`)
	for _, want := range []string{`"level":"WARN"`, `"console":"` + c.URL + `"`, `"endpoint":"`, `"error":"`, `"retry_in":"`, `"source":"emu"`} {
		if !strings.Contains(line, want) {
			t.Errorf("the retry line lacks %s:\n%s", want, line)
		}
	}
	eventually(t, 10*time.Second, "the page shows agents retrying", func() bool {
		for _, s := range status(t, url).Sources[0].Streams {
			if s.Stream == "agents" && s.State == "retrying" && s.Retry != nil && s.Retry.Error != "" && s.Retry.Attempt >= 1 {
				return true
			}
		}
		return false
	})
	if _, page := fetch(t, url+"/"); !strings.Contains(page, `class="state retrying">retrying`) || !strings.Contains(page, "next try") {
		t.Error("the status page does not show agents retrying with the next try")
	}
	time.Sleep(30*time.Second - time.Since(outage))
	c.SetFault("agents", emulator.Fault{})
	c.up()
	eventually(t, 3*time.Minute, "everything collected after the console returned", func() bool { return collectedEverything(w, c.Emulator) })
}

func lineWith(text, s string) string {
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}

// TestReadyOnlyOnceStreamsSucceed: with the console unreachable at start,
// /readyz is 503 at once (not after the first interval) and the page
// header agrees; once the console answers and the streams complete a
// cycle, it is 200.
func TestReadyOnlyOnceStreamsSucceed(t *testing.T) {
	t.Parallel()
	c := startFlakyConsole(t, emulator.Config{Agents: 100, HistoryActivities: 20, HistoryThreats: 2})
	c.down()
	w := newWorkdir(t, collectorConfig(c.URL, emulator.DefaultToken, "    interval: 10m\n"))
	_, url, _ := runDaemon(t, w, nil, "--listen", "127.0.0.1:0")
	eventually(t, 10*time.Second, "/readyz 503 while every stream fails", func() bool {
		code, body := fetch(t, url+"/readyz")
		return code == 503 && strings.Count(body, "no cycle has completed since the start") == 3
	})
	if _, page := fetch(t, url+"/"); !strings.Contains(page, "✗ Not ready") {
		t.Error("the page header does not say not ready")
	}
	c.up()
	eventually(t, 90*time.Second, "/readyz 200 once the streams succeeded", func() bool {
		code, _ := fetch(t, url+"/readyz")
		return code == 200
	})
	if _, page := fetch(t, url+"/"); !strings.Contains(page, "✓ Ready") {
		t.Error("the page header does not say ready")
	}
}

// TestConnectionTestIsFast: "test" says at once what is wrong with a
// console it cannot reach, naming the host and the likely fix: nothing
// listening (wrong port), and a host that accepts but never answers
// (bounded by --timeout).
func TestConnectionTestIsFast(t *testing.T) {
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	go func() {
		for {
			conn, err := silent.Accept()
			if err != nil {
				return
			}
			defer conn.Close() // accepted, never answered
		}
	}()
	tests := []struct {
		url   string
		args  []string
		limit time.Duration
		want  []string
	}{
		{"http://127.0.0.1:1", nil, 15 * time.Second,
			[]string{"✗ emu: console http://127.0.0.1:1 unreachable", "connection refused", "nothing accepts connections at 127.0.0.1:1: check the port"}},
		{"http://" + silent.Addr().String(), []string{"--timeout", "2s"}, 10 * time.Second,
			[]string{"✗ emu: console http://" + silent.Addr().String() + " unreachable", silent.Addr().String() + " did not answer within the timeout"}},
	}
	for _, tt := range tests {
		w := newWorkdir(t, collectorConfig(tt.url, "some-token", ""))
		start := time.Now()
		out, stderr, code := w.run(nil, append([]string{"test"}, tt.args...)...)
		took := time.Since(start)
		if code != 1 || took > tt.limit {
			t.Errorf("%s: exit %d after %s, want 1 within %s:\n%s%s", tt.url, code, took.Round(time.Millisecond), tt.limit, out, stderr)
		}
		for _, want := range tt.want {
			if !strings.Contains(out, want) {
				t.Errorf("%s: output lacks %q:\n%s", tt.url, want, out)
			}
		}
		t.Logf("%s: %s", tt.url, took.Round(time.Millisecond))
	}
}

// TestReloadThatCannotApplyKeepsRunning: SIGHUP with a configuration that
// is valid but cannot be applied — its status port is taken, its state
// path moved, an output cannot start — is refused with the reason; the
// daemon keeps collecting with the previous configuration and serving its
// status, and a good configuration still reloads afterwards.
func TestReloadThatCannotApplyKeepsRunning(t *testing.T) {
	c := startConsole(t, emulator.Config{Agents: 200, HistoryActivities: 30, HistoryThreats: 3, Speed: 60, AgentUpdatesPerMinute: 600})
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	cfg := func(server, state, extraOutput string) string {
		return fmt.Sprintf(`state: {path: %s}
log: {format: json}
server: {listen: "%s"}
sources:
  - name: emu
    base_url: %s
    token: %s
    interval: 10s
    lookback: 72h
    outputs: [local%s]
outputs:
  - {name: local, type: file, file: {dir: out}}
`, state, server, c.URL, emulator.DefaultToken, extraOutput)
	}
	w := newWorkdir(t, cfg("127.0.0.1:0", "state.db", ""))
	cmd, url, stderr := runDaemon(t, w, nil)
	waitFor(t, stderr, `"msg":"cycle done"`, 3)

	w.write("blocker", "a file where the output wants a folder")
	for _, tt := range []struct {
		name, config, why string
	}{
		{"status port taken", cfg(taken.Addr().String(), "state.db", ""), "status server on " + taken.Addr().String() + ": listen tcp " + taken.Addr().String() + ": bind: address already in use"},
		{"state path moved", cfg("127.0.0.1:0", "elsewhere.db", ""), "state.path changed from"},
		{"output cannot start", cfg("127.0.0.1:0", "state.db", ", stuck") + "  - {name: stuck, type: file, file: {dir: blocker/out}}\n", "output stuck (file) cannot start"},
	} {
		refusals := strings.Count(stderr.String(), "reload refused")
		w.write("s1collector.yaml", tt.config)
		cmd.Process.Signal(syscall.SIGHUP)
		waitFor(t, stderr, "reload refused", refusals+1)
		if line := lineWith(stderr.String()[strings.LastIndex(stderr.String(), "reload refused")-40:], "reload refused"); !strings.Contains(line, tt.why) ||
			!strings.Contains(line, "still running the previous one") {
			t.Errorf("%s: the refusal does not say why (%q):\n%s", tt.name, tt.why, line)
		}
		if code, _ := fetch(t, url+"/healthz"); code != 200 {
			t.Fatalf("%s: the status server went away", tt.name)
		}
	}
	cycles := strings.Count(stderr.String(), `"msg":"cycle done"`)
	waitFor(t, stderr, `"msg":"cycle done"`, cycles+3) // still collecting
	if strings.Contains(stderr.String(), "configuration reloaded") || cmd.ProcessState != nil {
		t.Fatalf("a refused reload was applied, or the daemon exited:\n%s", stderr.String())
	}

	w.write("s1collector.yaml", strings.Replace(cfg("127.0.0.1:0", "state.db", ""), "lookback: 72h", "lookback: 72h\n    category: reloaded", 1))
	cmd.Process.Signal(syscall.SIGHUP)
	waitFor(t, stderr, "configuration reloaded", 1)
	cycles = strings.Count(stderr.String(), `"msg":"cycle done"`)
	waitFor(t, stderr, `"msg":"cycle done"`, cycles+3)
	if code, _ := fetch(t, url+"/readyz"); code != 200 {
		t.Errorf("after the reload, the same status server is not ready")
	}
	var st struct {
		Sources []struct {
			Streams []struct {
				Stream    string `json:"stream"`
				Delivered int64  `json:"delivered"`
			} `json:"streams"`
		} `json:"sources"`
	}
	_, body := fetch(t, url+"/api/status")
	if err := json.Unmarshal([]byte(body), &st); err != nil || st.Sources[0].Streams[0].Stream != "agents" || st.Sources[0].Streams[0].Delivered < 200 {
		t.Errorf("the streams' status did not survive the reload (the first listing's 200 agents): %s", body)
	}
}

// TestOnceResultsOnStandardOutput: once prints its line per stream on
// standard output, as demo does — but on standard error when a stdout
// output writes events there, so the event stream stays NDJSON.
func TestOnceResultsOnStandardOutput(t *testing.T) {
	c := startConsole(t, emulator.Config{Agents: 20, HistoryActivities: 10, HistoryThreats: 2})
	w := newWorkdir(t, collectorConfig(c.URL, emulator.DefaultToken, ""))
	out, _, code := w.run(nil, "once")
	if code != 0 || !strings.Contains(out, "✓ emu/agents: 20 delivered (full listing)") {
		t.Errorf("once with a file output: exit %d, standard output:\n%s", code, out)
	}
	w = newWorkdir(t, strings.Replace(collectorConfig(c.URL, emulator.DefaultToken, ""), "type: file, file: {dir: out}", "type: stdout", 1))
	out, errOut, code := w.run(nil, "once")
	if code != 0 || !strings.Contains(errOut, "✓ emu/agents: 20 delivered (full listing)") {
		t.Errorf("once with a stdout output: exit %d, standard error:\n%s", code, errOut)
	}
	for i, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if !json.Valid([]byte(line)) {
			t.Fatalf("standard output line %d is not an event: %q", i+1, line)
		}
	}
}
