// Package replicas drives several s1collector replicas, the real binary,
// against one PostgreSQL and the console emulator. It is a test binary of
// its own, apart from e2e, so its minutes count against their own time
// limit and run alongside the other end-to-end tests.
package replicas

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
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
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// bin builds the binary with the race detector (unless E2E_NO_RACE is
// set) once. The files it is built from are read here, inside a test, so
// that Go's test cache runs the tests again after any change to them.
func bin(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		for _, root := range []string{"../../cmd", "../../internal", "../../go.mod", "../../go.sum"} {
			filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() && (strings.HasSuffix(path, ".go") || strings.HasSuffix(path, ".html") || strings.HasPrefix(d.Name(), "go.")) {
					os.ReadFile(path)
				}
				return nil
			})
		}
		dir, err := os.MkdirTemp("", "s1collector-replicas")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "s1collector")
		args := []string{"build", "-race", "-o", binPath, "../../cmd/s1collector"}
		if os.Getenv("E2E_NO_RACE") != "" {
			args = []string{"build", "-o", binPath, "../../cmd/s1collector"}
		}
		if out, err := exec.Command("go", args...).CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// console is the emulator served on loopback.
type console struct {
	*emulator.Emulator
	URL string
}

func startConsole(t *testing.T, cfg emulator.Config) *console {
	t.Helper()
	cfg.Start = time.Now()
	cfg.RateLimits = map[string]emulator.RateLimit{}
	emu, err := emulator.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
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

// waitFor waits until text appears n times in a process's log.
func waitFor(t *testing.T, buf *proc.Output, text string, n int) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute) // slow only on a machine under heavy load
	for time.Now().Before(deadline) {
		if strings.Count(buf.String(), text) >= n {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("never saw %q %d times:\n%s", text, n, buf.String())
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

// records reads a file output, one decoded event per line; a line that
// is not a complete event fails the test, except, with killed set, a last
// line without its newline: a replica killed mid-write leaves it, and its
// file output cuts it when it opens the file again.
func records(t *testing.T, path string, killed bool) []map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	if i := bytes.LastIndexByte(b, '\n'); killed && i < len(b)-1 {
		b = b[:i+1]
	}
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<24)
	for n := 1; sc.Scan(); n++ {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("%s line %d is not a complete event: %v", path, n, err)
		}
		out = append(out, m)
	}
	return out
}
