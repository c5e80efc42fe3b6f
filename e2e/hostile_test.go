package e2e

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"s1collector/e2e/proc"
	"s1collector/internal/config"
	"s1collector/internal/emulator"
)

// hostileBomb is 256 MiB of zeros gzip'd to 256 KB: eight times what the
// collector accepts of one body once decompressed (a 10 GiB bomb is read
// no further than that either).
var hostileBomb = sync.OnceValue(func() []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	zeros := make([]byte, 1<<20)
	for range 256 {
		zw.Write(zeros)
	}
	zw.Close()
	return buf.Bytes()
})

// peakRSS is the largest resident set of process pid so far, in bytes
// (VmHWM).
func peakRSS(t *testing.T, pid int) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	t.Fatal("no VmHWM")
	return 0
}

// TestGzipBombKeepsMemoryBounded: a console answering every request —
// counts, pages, token details, alerts queries — with a gzip bomb, three
// sources with every stream on (the full listing's planning asks ~20
// counts at once): the collector's peak resident memory stays under 300
// MiB (measured 195 MiB). It used to hold 64 MiB per request: 2.79 GB in
// the sweep, 6.3 GB here with the default streams. (Each answer is refused with "response body
// larger than 33554432 bytes" or as over the budget, retried, and the
// cycle fails: sentinelone.TestGzipBombIsBoundedInTotal.)
func TestGzipBombKeepsMemoryBounded(t *testing.T) {
	var requests atomic.Int64
	console := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Type", "application/json")
		w.Write(hostileBomb())
	}))
	defer console.Close()
	var sources strings.Builder
	for i := range 3 {
		fmt.Fprintf(&sources, "  - {name: s%d, base_url: %s, token: tok-%d-123456, outputs: [local], supported_apis: [%s]}\n",
			i, console.URL, i, strings.Join(config.APIs, ", "))
	}
	w := newWorkdir(t, "state: {path: state.db}\nlog: {format: json}\nsources:\n"+sources.String()+
		"outputs:\n  - {name: local, type: file, file: {dir: out}}\n")
	cmd := proc.Command(t, 0, binNoRace(t), "run", "--listen", "127.0.0.1:0") // the race detector's memory would make the measure meaningless
	cmd.Dir = w.dir
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) && requests.Load() < 300 {
		time.Sleep(100 * time.Millisecond)
	}
	peak := peakRSS(t, cmd.Process.Pid)
	t.Logf("%d bombs answered, peak RSS %d MiB", requests.Load(), peak>>20)
	if requests.Load() < 40 {
		t.Fatalf("only %d requests: the bombs were not tried at once", requests.Load())
	}
	if peak > 300<<20 {
		t.Errorf("peak RSS %d MiB, over 300 MiB", peak>>20)
	}
}

// TestSymlinkedOutputIsRefused: the threats file made a link to another
// file; once fails that stream, naming the link, and the other file keeps
// every byte (it used to be "repaired" and appended to).
func TestSymlinkedOutputIsRefused(t *testing.T) {
	c := startConsole(t, emulator.Config{Agents: 20, HistoryActivities: 10, HistoryThreats: 3})
	w := newWorkdir(t, collectorConfig(c.URL, emulator.DefaultToken, ""))
	victim := filepath.Join(w.dir, "victim.log")
	const content = "precious line\nlast line without newline"
	os.WriteFile(victim, []byte(content), 0o600)
	os.MkdirAll(filepath.Join(w.dir, "out", "emu"), 0o750)
	os.Symlink(victim, filepath.Join(w.dir, "out", "emu", "threats.ndjson"))
	_, stderr, code := w.run(nil, "once", "--delivery-attempts", "1")
	if code != 1 || !strings.Contains(stderr, "threats.ndjson: is a symbolic link: refused") {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if got, _ := os.ReadFile(victim); string(got) != content {
		t.Fatalf("the linked file was changed: %q", got)
	}
	if len(w.records("emu", "agents")) != 20 {
		t.Error("the other streams were not delivered")
	}
	for _, p := range []string{"out", "out/emu", "out/emu/agents.ndjson", "state.db"} {
		st, _ := os.Stat(filepath.Join(w.dir, p))
		if want := map[bool]os.FileMode{true: 0o750, false: 0o640}[st.IsDir()]; p == "state.db" && st.Mode().Perm() != 0o600 ||
			p != "state.db" && st.Mode().Perm()&^want != 0 {
			t.Errorf("%s is %v", p, st.Mode())
		}
	}
}

// thief records every request that reaches it.
type thief struct {
	*httptest.Server
	mu   sync.Mutex
	seen []string
}

func newThief(t *testing.T) *thief {
	th := &thief{}
	th.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		th.mu.Lock()
		th.seen = append(th.seen, r.Method+" "+r.URL.Path+" "+r.Header.Get("Authorization")+r.Header.Get("X-Api-Key"))
		th.mu.Unlock()
		w.Write([]byte(`{"data":{"total":1},"pagination":{"nextCursor":null}}`))
	}))
	t.Cleanup(th.Close)
	return th
}

// TestRedirectsCarryNoCredential: the measured high-severity leak. An
// https console (trusted with ca_file) answering 302 to a plain-http
// address on another port, and a webhook and a Sekoia intake answering 307
// to another host: nothing reaches the other addresses — no token, no
// key, no api-token-details body — "test" and "once" fail naming where
// they were sent, and "once" exits 1.
func TestRedirectsCarryNoCredential(t *testing.T) {
	th := newThief(t)
	console := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, th.URL+r.URL.RequestURI(), http.StatusFound)
	}))
	defer console.Close()
	elsewhere := strings.Replace(th.URL, "127.0.0.1", "localhost", 1)
	peer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	defer peer.Close()
	emu := startConsole(t, emulator.Config{Agents: 10, HistoryActivities: 5, HistoryThreats: 1})
	w := newWorkdir(t, fmt.Sprintf(`state: {path: state.db}
log: {format: json}
sources:
  - {name: moved, base_url: %s, token: MOVED-TOKEN-123456, outputs: [local], http: {ca_file: ca.pem}}
  - {name: emu, base_url: %s, token: %s, lookback: 72h, outputs: [hook, intake]}
outputs:
  - {name: local, type: file, file: {dir: out}}
  - {name: hook, type: webhook, webhook: {url: "%s/in", headers: {X-Api-Key: HOOK-KEY-123456}}}
  - {name: intake, type: sekoia_intake, sekoia_intake: {url: "%s", intake_key: INTAKE-KEY-123456}}
`, console.URL, emu.URL, emulator.DefaultToken, peer.URL, peer.URL))
	writeCA(t, console, filepath.Join(w.dir, "ca.pem"))
	out, _, code := w.run(nil, "test")
	for _, want := range []string{"redirect to " + th.URL + "/web/api/v2.1/system/info not followed",
		"✗ output hook (webhook): HTTP 307: redirect to " + elsewhere + "/in not followed",
		"✗ output intake (sekoia_intake): HTTP 307: redirect to " + elsewhere + "/batch not followed"} {
		if code != 1 || !strings.Contains(out, want) {
			t.Errorf("test: exit %d, does not say %q:\n%s", code, want, out)
		}
	}
	stdout, stderr, code := w.run(nil, "once", "--delivery-attempts", "1")
	printed := stdout + stderr // the summary on standard output, the logs on standard error
	for _, want := range []string{"✗ moved/agents", "redirect to " + th.URL + "/web/api/v2.1/", "✗ emu/threats",
		"output hook: HTTP 307: redirect to " + elsewhere + "/in not followed", "output intake: HTTP 307: redirect to " + elsewhere + "/batch not followed"} {
		if !strings.Contains(printed, want) {
			t.Errorf("once does not say %q:\n%s", want, printed)
		}
	}
	if code != 1 {
		t.Errorf("once exited %d", code)
	}
	th.mu.Lock()
	defer th.mu.Unlock()
	if len(th.seen) > 0 {
		t.Fatalf("credentials reached the redirect target: %q", th.seen)
	}
}

// TestAliasBombConfigIsRefused: a 67 KB config whose aliased map is
// repeated in a list (it grew to 1.79 GB in 11.6 s) is refused in under a
// second with what to do (config.TestAliasBombIsRefused bounds the memory
// it takes).
func TestAliasBombConfigIsRefused(t *testing.T) {
	bomb, err := os.ReadFile("../internal/config/testdata/alias-bomb.yaml")
	if err != nil {
		t.Fatal(err)
	}
	w := newWorkdir(t, string(bomb))
	cmd := proc.Command(t, 30*time.Second, binNoRace(t), "validate") // a regression runs for minutes, in GBs
	cmd.Dir = w.dir
	start := time.Now()
	out, _ := cmd.CombinedOutput()
	took := time.Since(start)
	t.Logf("%d-byte config refused in %s", len(bomb), took)
	if cmd.ProcessState.ExitCode() != 1 || !strings.Contains(string(out), "aliases (*name) expand to more than 10000 values") {
		t.Fatalf("exit %d\n%.500s", cmd.ProcessState.ExitCode(), out)
	}
	// ~25 ms here; it took 11.6 s before. (The child's peak memory cannot
	// be read: Linux gives it the test process's at fork.)
	if took > time.Second {
		t.Errorf("refused in %s, over 1 s", took)
	}
}

// TestPeerTextCannotForgeLines: a console and a webhook whose error texts
// hold ESC sequences, CR and LF: the summary lines of "test" and "once"
// show them escaped, so no forged line appears among the real ones.
func TestPeerTextCannotForgeLines(t *testing.T) {
	forged := "fine\r\nlevel=ERROR msg=\"injected line\"\x1b[2K\x1b[1A"
	console := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"errors":[{"code":4000010,"title":"Validation %s","detail":%q}]}`, "\x1b[31m", forged)
	}))
	defer console.Close()
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte(forged))
	}))
	defer hook.Close()
	emu := startConsole(t, emulator.Config{Agents: 5, HistoryActivities: 2, HistoryThreats: 1})
	w := newWorkdir(t, fmt.Sprintf(`state: {path: state.db}
log: {format: text}
sources:
  - {name: odd, base_url: %s, token: T-123456, outputs: [local]}
  - {name: emu, base_url: %s, token: %s, lookback: 72h, outputs: [hook]}
outputs:
  - {name: local, type: file, file: {dir: out}}
  - {name: hook, type: webhook, webhook: {url: "%s/in"}}
`, console.URL, emu.URL, emulator.DefaultToken, hook.URL))
	var all strings.Builder
	for _, args := range [][]string{{"test"}, {"once", "--delivery-attempts", "1"}} {
		out, errOut, _ := w.run(nil, args...)
		all.WriteString(out + errOut)
	}
	text := all.String()
	if strings.ContainsAny(text, "\x1b\r") {
		t.Errorf("raw control characters printed:\n%q", text)
	}
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "level=ERROR msg=\"injected line\"") {
			t.Errorf("a forged line was printed:\n%s", text)
		}
	}
	if !strings.Contains(text, `level=ERROR msg=\"injected line\"`) && !strings.Contains(text, `\r\nlevel=ERROR`) {
		t.Errorf("the peers' texts were not shown at all:\n%s", text)
	}
}
