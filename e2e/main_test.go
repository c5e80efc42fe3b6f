// Package e2e drives the real s1collector binary against the console
// emulator, as a user would.
package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"s1collector/e2e/proc"
	"s1collector/internal/emulator"
)

var (
	binDir    string
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

func TestMain(m *testing.M) {
	var err error
	if binDir, err = os.MkdirTemp("", "s1collector-e2e"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(binDir)
	os.Exit(code)
}

// bin builds the binary (with the race detector unless E2E_NO_RACE is set)
// the first time a test needs it. It runs inside a test, where the files it
// reads become part of the test cache's key.
func bin(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		readSources()
		binPath = filepath.Join(binDir, "s1collector")
		args := []string{"build", "-race", "-o", binPath, "../cmd/s1collector"}
		if os.Getenv("E2E_NO_RACE") != "" {
			args = []string{"build", "-o", binPath, "../cmd/s1collector"}
		}
		out, err := exec.Command("go", args...).CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

var (
	fastOnce sync.Once
	fastPath string
	fastErr  error
)

// binNoRace builds the binary without the race detector, for the tests
// whose subject is keeping up with a console that changes in real time
// (the race detector makes the collector about ten times slower, slower
// than that console) or its resident memory (which the race detector's
// shadow memory would swamp).
func binNoRace(t testing.TB) string {
	t.Helper()
	if os.Getenv("E2E_NO_RACE") != "" {
		return bin(t)
	}
	fastOnce.Do(func() {
		readSources()
		fastPath = filepath.Join(binDir, "s1collector-norace")
		if out, err := exec.Command("go", "build", "-o", fastPath, "../cmd/s1collector").CombinedOutput(); err != nil {
			fastErr = fmt.Errorf("build: %v\n%s", err, out)
		}
	})
	if fastErr != nil {
		t.Fatal(fastErr)
	}
	return fastPath
}

// console is an emulator served on loopback for the binary to collect.
type console struct {
	*emulator.Emulator
	URL string
}

func startConsole(t *testing.T, cfg emulator.Config) *console {
	t.Helper()
	emu := newEmulator(t, cfg)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { emu.Serve(ctx, ln); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return &console{Emulator: emu, URL: "http://" + ln.Addr().String()}
}

// newEmulator is a console emulator starting now, without rate limits
// unless cfg has some.
func newEmulator(t *testing.T, cfg emulator.Config) *emulator.Emulator {
	t.Helper()
	if cfg.Start.IsZero() {
		cfg.Start = time.Now()
	}
	if cfg.RateLimits == nil {
		cfg.RateLimits = map[string]emulator.RateLimit{}
	}
	emu, err := emulator.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return emu
}

// workdir holds a config and the collector's state and output.
type workdir struct {
	t   *testing.T
	dir string
	// noRace runs the binary built without the race detector.
	noRace bool
}

func (w *workdir) binary() string {
	if w.noRace {
		return binNoRace(w.t)
	}
	return bin(w.t)
}

func newWorkdir(t *testing.T, config string) *workdir {
	t.Helper()
	w := &workdir{t: t, dir: t.TempDir()}
	w.write("s1collector.yaml", config)
	return w
}

func (w *workdir) write(name, content string) {
	w.t.Helper()
	if err := os.WriteFile(filepath.Join(w.dir, name), []byte(content), 0o644); err != nil {
		w.t.Fatal(err)
	}
}

// run runs the binary to completion and returns its output and exit code.
func (w *workdir) run(env []string, args ...string) (stdout, stderr string, code int) {
	w.t.Helper()
	cmd := proc.Command(w.t, 0, w.binary(), args...)
	cmd.Dir = w.dir
	cmd.Env = append(os.Environ(), env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return out.String(), errOut.String(), ee.ExitCode()
	}
	if err != nil {
		w.t.Fatal(err)
	}
	return out.String(), errOut.String(), 0
}

// records reads an output file: one decoded event per line. A line that is
// not JSON fails the test: the file output promises complete lines.
func (w *workdir) records(source, stream string) []map[string]any {
	w.t.Helper()
	return w.recordsFrom(source, stream, 0)
}

// recordsFrom decodes the lines after the first from (which it only
// counts): what the runs since then delivered.
func (w *workdir) recordsFrom(source, stream string, from int) []map[string]any {
	w.t.Helper()
	f, err := os.Open(filepath.Join(w.dir, "out", source, stream+".ndjson"))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		w.t.Fatal(err)
	}
	defer f.Close()
	var out []map[string]any
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for n := 1; sc.Scan(); n++ {
		if n <= from {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			w.t.Fatalf("%s/%s line %d is not a complete event: %v", source, stream, n, err)
		}
		out = append(out, m)
	}
	return out
}

// lines counts an output file's lines.
func (w *workdir) lines(source, stream string) int {
	w.t.Helper()
	b, err := os.ReadFile(filepath.Join(w.dir, "out", source, stream+".ndjson"))
	if err != nil && !os.IsNotExist(err) {
		w.t.Fatal(err)
	}
	return bytes.Count(b, []byte{'\n'})
}

// key identifies one version of a record in the output: id and time.
func key(stream string, m map[string]any) string {
	switch stream {
	case "agents":
		d := m["device"].(map[string]any)
		return fmt.Sprintf("%v@%v", d["uid"], d["updated_time"])
	case "threats":
		return fmt.Sprintf("%v@%v", m["id"], m["threatInfo"].(map[string]any)["updatedAt"])
	}
	return fmt.Sprintf("%v@%v", m["id"], m["createdAt"])
}

// ids counts the records of each id; removal events are not records.
func ids(stream string, recs []map[string]any) map[string]int {
	out := map[string]int{}
	for _, m := range recs {
		if m["removed"] == true {
			continue
		}
		if stream == "agents" {
			out[m["device"].(map[string]any)["uid"].(string)]++
		} else {
			out[m["id"].(string)]++
		}
	}
	return out
}

func collectorConfig(url, token, extra string) string {
	return fmt.Sprintf(`state: {path: state.db}
log: {format: json}
sources:
  - name: emu
    base_url: %s
    token: %s
    lookback: 72h
    outputs: [local]
%soutputs:
  - {name: local, type: file, file: {dir: out}}
`, url, token, extra)
}

// readSources reads every Go file the binary is built from. The binary is
// built in a subprocess, which Go's test cache cannot see; files a test
// opens are part of its cache key, so any change to them re-runs these
// tests instead of replaying an old result.
func readSources() {
	for _, root := range []string{"../cmd", "../internal", "../go.mod", "../go.sum"} {
		filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && (filepath.Ext(path) == ".go" || filepath.Ext(path) == ".html" || strings.HasPrefix(filepath.Base(path), "go.")) {
				os.ReadFile(path)
			}
			return nil
		})
	}
}
