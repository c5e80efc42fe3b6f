package file

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"s1collector/internal/delivery"
)

func batch(ids ...string) delivery.Batch {
	b := delivery.Batch{Source: "prod", Stream: "agents"}
	for _, id := range ids {
		b.Events = append(b.Events, delivery.Event{ID: id, Body: json.RawMessage(`{"id":"` + id + `"}`),
			Meta: []delivery.Field{{Key: "_source", Value: "prod"}}})
	}
	return b
}

func newOutput(t *testing.T, cfg Config) (*Output, *bytes.Buffer) {
	t.Helper()
	var logs bytes.Buffer
	o, err := New("local", cfg, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { o.Close() })
	return o, &logs
}

func TestAppendsCompleteLines(t *testing.T) {
	dir := t.TempDir()
	o, _ := newOutput(t, Config{Dir: dir})
	for _, b := range []delivery.Batch{batch("1", "2"), batch("3")} {
		if err := o.Deliver(t.Context(), b); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := os.ReadFile(filepath.Join(dir, "prod", "agents.ndjson"))
	want := "{\"_source\":\"prod\",\"id\":\"1\"}\n{\"_source\":\"prod\",\"id\":\"2\"}\n{\"_source\":\"prod\",\"id\":\"3\"}\n"
	if string(got) != want {
		t.Fatalf("file:\n%s", got)
	}
}

// TestTornLastLineIsCut: a crash in the middle of a write leaves a partial
// line; reopening cuts it so every line is a complete event.
func TestTornLastLineIsCut(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "prod", "agents.ndjson")
	os.MkdirAll(filepath.Dir(path), 0o755)
	os.WriteFile(path, []byte("{\"id\":\"1\"}\n{\"id\":\"2\"}\n{\"id\":\"3\",\"dev"), 0o644)
	o, logs := newOutput(t, Config{Dir: dir})
	if err := o.Deliver(t.Context(), batch("3", "4")); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSuffix(string(got), "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines:\n%s", len(lines), got)
	}
	for _, l := range lines {
		if !json.Valid([]byte(l)) {
			t.Fatalf("incomplete line %q", l)
		}
	}
	if !strings.Contains(logs.String(), "cut an incomplete last line") {
		t.Errorf("repair not logged: %s", logs)
	}
}

func TestRotation(t *testing.T) {
	dir := t.TempDir()
	o, _ := newOutput(t, Config{Dir: dir, MaxBytes: 60})
	for _, b := range []delivery.Batch{batch("1"), batch("2"), batch("3")} { // 28 bytes each
		if err := o.Deliver(t.Context(), b); err != nil {
			t.Fatal(err)
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "prod", "agents*.ndjson"))
	if len(files) != 2 {
		t.Fatalf("files: %v", files)
	}
	var all []byte
	for _, f := range files {
		b, _ := os.ReadFile(f)
		if len(b) > 60 {
			t.Errorf("%s has %d bytes, over max_bytes", f, len(b))
		}
		all = append(all, b...)
	}
	if bytes.Count(all, []byte("\n")) != 3 {
		t.Fatalf("events lost or doubled across rotation: %s", all)
	}
}

func TestCheckAndConfig(t *testing.T) {
	o, _ := newOutput(t, Config{Dir: filepath.Join(t.TempDir(), "new")})
	if err := o.Check(t.Context()); err != nil {
		t.Fatalf("check: %v", err)
	}
	if entries, _ := os.ReadDir(o.cfg.Dir); len(entries) != 0 {
		t.Errorf("check left files: %v", entries)
	}
	ro := t.TempDir()
	os.Chmod(ro, 0o500)
	defer os.Chmod(ro, 0o700)
	if os.Geteuid() != 0 {
		bad, _ := newOutput(t, Config{Dir: ro})
		if err := bad.Check(t.Context()); err == nil {
			t.Error("check passed on a read-only folder")
		}
	}
	if _, err := New("x", Config{}, slog.New(slog.NewTextHandler(io.Discard, nil))); err == nil || !strings.Contains(err.Error(), "dir: is required") {
		t.Errorf("empty dir: %v", err)
	}
}
