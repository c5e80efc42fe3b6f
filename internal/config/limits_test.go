//go:build unix

package config

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestAliasBombIsRefused: aliases cannot make a small file expand without
// bound; the file is refused with what to do, having decoded only a
// bounded number of nodes.
func TestAliasBombIsRefused(t *testing.T) {
	// A 67 KB list repeating an aliased map of 600 keys 15,500 times:
	// decoded naively, 9.3 million entries (it grew to 1.79 GB in 11.6 s).
	bomb, err := os.ReadFile("testdata/alias-bomb.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(bomb) < 60_000 || len(bomb) > 70_000 {
		t.Fatalf("bomb is %d bytes", len(bomb))
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	err = within(t, 30*time.Second, func() error { _, err := Parse(bomb, t.TempDir(), testEnv); return err })
	took := time.Since(start)
	runtime.ReadMemStats(&after)
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("refused in %s, %d MiB allocated", took, allocated>>20)
	if err == nil || err.Error() != "line 1: (file): its aliases (*name) expand to more than 10000 values: write the repeated blocks out, or use fewer levels of aliases" {
		t.Fatalf("error = %.300v", err)
	}
	if allocated > 64<<20 {
		t.Errorf("%d MiB allocated to refuse a 67 KB file", allocated>>20)
	}
}

// TestAliasesStillWork: repeating a block with an alias, as people do.
func TestAliasesStillWork(t *testing.T) {
	c, err := Parse([]byte(`
sources:
  - {name: a, base_url: https://a.sentinelone.net, token: "${S1_TOKEN}", outputs: &outs [local, hook]}
  - {name: b, base_url: https://b.sentinelone.net, token: "${S1_TOKEN}", outputs: *outs}
outputs: [{name: local, type: stdout}, {name: hook, type: webhook, webhook: {url: "https://siem.example.com/in"}}]
`), t.TempDir(), testEnv)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(c.Sources[1].Outputs, ","); got != "local,hook" {
		t.Errorf("aliased outputs = %s", got)
	}
}

// TestFilesAreBounded: a config, token file or Sumo source that is not a
// regular file, or far too large, is refused at once with its path —
// /dev/zero does not fill memory and a FIFO does not hang.
func TestFilesAreBounded(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, []byte("# "+strings.Repeat("x", MaxConfigBytes)), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := func(extra string) string {
		p := filepath.Join(dir, fmt.Sprintf("c%d.yaml", len(extra)))
		os.WriteFile(p, []byte(`sources:
  - {name: s, base_url: https://t.sentinelone.net, `+extra+`, outputs: [o]}
outputs: [{name: o, type: stdout}]
`), 0o600)
		return p
	}
	cases := []struct{ name, path, want string }{
		{"config is a device", "/dev/zero", "is not a regular file (a device)"},
		{"config is a folder", dir, "is not a regular file (a folder)"},
		{"config too large", big, "more than the 4194304 allowed"},
		{"token file is /dev/zero", cfg("token_file: /dev/zero"), "sources[0].token_file: /dev/zero is not a regular file (a device)"},
		{"token file is a FIFO", cfg("token_file: fifo"), "token_file: " + fifo + " is not a regular file (a named pipe)"},
		{"token file too large", cfg("token_file: big.yaml"), "more than the 65536 allowed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := within(t, 30*time.Second, func() error { _, err := Load(c.path); return err })
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Load: %v, want %q", err, c.want)
			}
		})
	}
	// The config itself may be a pipe the operator feeds: read within the
	// same limit.
	go func() {
		if f, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
			f.Write([]byte("# " + strings.Repeat("x", MaxConfigBytes+10)))
			f.Close()
		}
	}()
	if err := within(t, 30*time.Second, func() error { _, err := Load(fifo); return err }); err == nil || !strings.Contains(err.Error(), "grew past the 4194304 bytes allowed") {
		t.Errorf("a config pipe over the limit: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "sumo.json"), []byte(`{"source":{"config":{"name":"`+strings.Repeat("n", MaxSumoFileBytes)+`"}}}`), 0o600)
	if _, errs := ParseSumoSource(filepath.Join(dir, "sumo.json"), testEnv); len(errs) == 0 || !strings.Contains(errs[0].Msg, "more than the 1048576 allowed") {
		t.Errorf("large Sumo source: %v", errs)
	}
	err := within(t, 30*time.Second, func() error {
		if _, errs := ParseSumoSource(fifo, testEnv); len(errs) > 0 {
			return errs
		}
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("FIFO Sumo source: %v", err)
	}
}

// within runs f, failing the test at once if it has not returned after d
// (reading a FIFO hangs; an alias bomb runs for minutes).
func within(t *testing.T, d time.Duration, f func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		t.Fatalf("still running after %s", d)
		return nil
	}
}
