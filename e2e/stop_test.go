package e2e

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"s1collector/e2e/proc"
	"s1collector/internal/emulator"
	"s1collector/internal/output/outputtest"
)

// promptly is how long a stop or reload may take with no batch being
// delivered: well under the 30 s grace that a batch in flight gets.
const promptly = 10 * time.Second

// exited waits up to within for the daemon to exit and returns how long it
// took and its exit code (-1 when it did not exit: it is killed).
func exited(t *testing.T, cmd *exec.Cmd, within time.Duration) (time.Duration, int) {
	t.Helper()
	start := time.Now()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
		return time.Since(start), cmd.ProcessState.ExitCode()
	case <-time.After(within):
		cmd.Process.Kill()
		<-done
		return time.Since(start), -1
	}
}

// silentListener accepts connections and never answers: a hung peer.
func silentListener(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		var conns []net.Conn
		defer func() {
			for _, c := range conns {
				c.Close()
			}
		}()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	return ln.Addr().String()
}

// TestStopIsPromptWithNothingToDeliver: SIGTERM while the console is down,
// hangs, or an output refuses every batch — no batch is being delivered —
// exits 0 at once, not after the 30 s grace; console retries are not
// logged after the stop.
func TestStopIsPromptWithNothingToDeliver(t *testing.T) {
	t.Parallel()
	hook := outputtest.NewPeer(t, func(int) int { return 500 })
	for _, tt := range []struct {
		name    string
		trouble func(c *flakyConsole)
		extra   string
		outputs string
		seen    string // the log line that shows the trouble
	}{
		{"console down", func(c *flakyConsole) { c.down() }, "", "[local]", `"msg":"console request failed; retrying"`},
		{"console hangs", func(c *flakyConsole) { c.SetFault("*", emulator.Fault{Latency: time.Hour}) }, "    timeout: 5m\n", "[local]",
			`"msg":"console request has had no answer yet; still waiting"`},
		{"output refuses", func(*flakyConsole) {}, "", "[hook]", `"msg":"output failed; batch held, checkpoint not moved"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := startFlakyConsole(t, emulator.Config{Agents: 50, HistoryActivities: 20, HistoryThreats: 2})
			cfg := collectorConfig(c.URL, emulator.DefaultToken, "    interval: 10s\n"+tt.extra)
			cfg = strings.Replace(cfg, "outputs: [local]", "outputs: "+tt.outputs, 1) +
				fmt.Sprintf("  - {name: hook, type: webhook, webhook: {url: %q}}\n", hook.URL+"/"+filepath.Base(t.Name()))
			w := newWorkdir(t, cfg)
			cmd, _, stderr := runDaemon(t, w, nil, "--listen", "127.0.0.1:0")
			if tt.outputs == "[local]" {
				waitFor(t, stderr, `"msg":"cycle done"`, 3)
			}
			tt.trouble(c)
			waitFor(t, stderr, tt.seen, 1)
			cmd.Process.Signal(syscall.SIGTERM)
			took, code := exited(t, cmd, 45*time.Second)
			t.Logf("stopped in %s", took.Round(time.Millisecond))
			if code != 0 || took > promptly {
				t.Errorf("SIGTERM with nothing to deliver: exit %d after %s, want 0 within %s:\n%s", code, took.Round(time.Millisecond), promptly, stderr)
			}
			log := stderr.String()
			if after := log[strings.Index(log, `"msg":"stopping: console requests end now; a batch being delivered finishes first"`):]; strings.Contains(after, "console request failed; retrying") ||
				strings.Contains(after, "grace period over") || !strings.Contains(after, "stopped; checkpoints saved") {
				t.Errorf("after SIGTERM:\n%s", after)
			}
		})
	}
}

// TestReloadDuringAnOutage: with the console down, a reload applies at once
// (nothing is being delivered: no grace period is waited, no batch is said
// to be in flight); a SIGTERM during a reload that is still checking a new
// output wins: the reload is abandoned, the process exits at once.
func TestReloadDuringAnOutage(t *testing.T) {
	t.Parallel()
	c := startFlakyConsole(t, emulator.Config{Agents: 50, HistoryActivities: 20, HistoryThreats: 2})
	cfg := collectorConfig(c.URL, emulator.DefaultToken, "    interval: 10s\n")
	w := newWorkdir(t, cfg)
	cmd, _, stderr := runDaemon(t, w, nil, "--listen", "127.0.0.1:0")
	waitFor(t, stderr, `"msg":"cycle done"`, 3)
	c.down()
	waitFor(t, stderr, `"msg":"console request failed; retrying"`, 1)

	w.write("s1collector.yaml", strings.Replace(cfg, "lookback: 72h", "lookback: 72h\n    category: reloaded", 1))
	start := time.Now()
	cmd.Process.Signal(syscall.SIGHUP)
	waitFor(t, stderr, "configuration reloaded", 1)
	if took := time.Since(start); took > promptly || strings.Contains(stderr.String(), "still being delivered") {
		t.Errorf("a reload during an outage took %s (want within %s):\n%s", took.Round(time.Millisecond), promptly, stderr)
	}
	if log := stderr.String(); !strings.Contains(log, "cycle interrupted by reload") || strings.Contains(log, "interrupted by shutdown") {
		t.Errorf("a reload's interrupted cycles are said to be a shutdown's:\n%s", log)
	}

	hung := silentListener(t)
	w.write("s1collector.yaml", strings.Replace(cfg, "outputs: [local]", "outputs: [local, hung]", 1)+
		fmt.Sprintf("  - {name: hung, type: webhook, webhook: {url: \"http://%s/\"}}\n", hung))
	cmd.Process.Signal(syscall.SIGHUP)
	time.Sleep(time.Second) // the new output's check hangs
	cmd.Process.Signal(syscall.SIGTERM)
	took, code := exited(t, cmd, 45*time.Second)
	// Well under the 10 s the hung output's check would take if the
	// SIGTERM did not cut it short.
	if code != 0 || took > promptly/2 {
		t.Errorf("SIGTERM during a reload: exit %d after %s, want 0 within %s:\n%s", code, took.Round(time.Millisecond), promptly/2, stderr)
	}
	if log := stderr.String(); strings.Count(log, "configuration reloaded") != 1 || !strings.Contains(log, "reload abandoned: stopping instead") {
		t.Errorf("the reload overtaken by SIGTERM was applied, or not said abandoned:\n%s", log)
	}
}

// TestEarlySighupIsAReload: a SIGHUP while the daemon is still reading its
// configuration (here: a FIFO the test writes when it chooses) does not end
// the process, as an unhandled SIGHUP would; it reloads once started.
func TestEarlySighupIsAReload(t *testing.T) {
	t.Parallel()
	c := startConsole(t, emulator.Config{Agents: 20, HistoryActivities: 10, HistoryThreats: 1})
	w := newWorkdir(t, "")
	fifo := filepath.Join(w.dir, "fifo.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("no FIFO here: %v", err)
	}
	cfg := collectorConfig(c.URL, emulator.DefaultToken, "    interval: 10s\n")
	cmd := proc.Command(t, 0, bin(t), "run", "--config", fifo, "--listen", "127.0.0.1:0")
	cmd.Dir = w.dir
	var stderr proc.Output
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	opened := make(chan error, 1)
	go func() { opened <- writeFIFOWhenOpened(fifo, cfg, func() { cmd.Process.Signal(syscall.SIGHUP) }) }()
	if err := <-opened; err != nil {
		t.Fatalf("the daemon did not survive a SIGHUP while reading its configuration: %v\n%s", err, stderr.String())
	}
	waitFor(t, &stderr, "collector started", 1)
	go writeFIFO(fifo, cfg) // the reload reads the file again
	waitFor(t, &stderr, "configuration reloaded", 1)
	waitFor(t, &stderr, `"msg":"cycle done"`, 3)
	if cmd.ProcessState != nil {
		t.Fatalf("the daemon exited: %v\n%s", cmd.ProcessState, stderr.String())
	}
}

// writeFIFO writes content to the FIFO once a reader opens it.
func writeFIFO(path, content string) error {
	return writeFIFOWhenOpened(path, content, func() {})
}

// writeFIFOWhenOpened opens the FIFO for writing, which waits for a reader,
// calls opened while that reader waits for data, then writes content.
func writeFIFOWhenOpened(path, content string, opened func()) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	opened()
	time.Sleep(200 * time.Millisecond) // the signal arrives while the reader waits
	_, err = f.WriteString(content)
	return errors.Join(err, f.Close())
}

// TestMetricsKeepCountingOverAReload: the console clients' counters
// (s1collector_api_requests_total) go on from where they were after a
// reload, as the streams' counts do; they never drop to zero.
func TestMetricsKeepCountingOverAReload(t *testing.T) {
	t.Parallel()
	c := startConsole(t, emulator.Config{Agents: 50, HistoryActivities: 20, HistoryThreats: 2})
	cfg := collectorConfig(c.URL, emulator.DefaultToken, "    interval: 10s\n")
	w := newWorkdir(t, cfg)
	cmd, url, stderr := runDaemon(t, w, nil, "--listen", "127.0.0.1:0")
	waitFor(t, stderr, `"msg":"cycle done"`, 3)
	before := apiRequests(t, url)
	w.write("s1collector.yaml", strings.Replace(cfg, "lookback: 72h", "lookback: 72h\n    category: reloaded", 1))
	cmd.Process.Signal(syscall.SIGHUP)
	waitFor(t, stderr, "configuration reloaded", 1)
	if after := apiRequests(t, url); before == 0 || after < before {
		t.Errorf("api_requests_total %d before the reload, %d after: want it to go on counting", before, after)
	}
}

// apiRequests is the sum of s1collector_api_requests_total.
func apiRequests(t *testing.T, url string) int {
	t.Helper()
	_, metrics := fetch(t, url+"/metrics")
	sum := 0
	for _, line := range strings.Split(metrics, "\n") {
		if rest, ok := strings.CutPrefix(line, "s1collector_api_requests_total{"); ok {
			var n int
			fmt.Sscan(rest[strings.LastIndex(rest, " ")+1:], &n)
			sum += n
		}
	}
	return sum
}
