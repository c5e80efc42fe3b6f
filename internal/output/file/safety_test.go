//go:build unix

package file

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestSymlinkedFileIsRefusedAndUntouched: the measured case — the
// threats file made a link to another file. The collector used to cut
// that file's last line and append to it; now the batch fails with what to
// do, and the other file keeps every byte.
func TestSymlinkedFileIsRefusedAndUntouched(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim.log")
	const content = "line one\nline two without its newline"
	os.WriteFile(victim, []byte(content), 0o600)
	os.MkdirAll(filepath.Join(dir, "out", "prod"), 0o750)
	link := filepath.Join(dir, "out", "prod", "agents.ndjson")
	if err := os.Symlink(victim, link); err != nil {
		t.Fatal(err)
	}
	o, _ := newOutput(t, Config{Dir: filepath.Join(dir, "out")})
	for range 2 { // and again: no retry gets through
		err := o.Deliver(t.Context(), batch("1", "2"))
		if !errors.Is(err, ErrSymlink) || !strings.Contains(err.Error(), link) || !strings.Contains(err.Error(), "remove the link") {
			t.Fatalf("err = %v", err)
		}
	}
	if got, _ := os.ReadFile(victim); string(got) != content {
		t.Fatalf("the linked file was changed: %q", got)
	}
	if target, err := os.Readlink(link); err != nil || target != victim {
		t.Errorf("the link itself was changed: %q %v", target, err)
	}
}

// TestFilesAndFoldersArePrivate: outputs are created 0640 in folders 0750
// by default, or as file.mode says; the umask is not widened.
func TestFilesAndFoldersArePrivate(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	for _, c := range []struct {
		mode         fs.FileMode
		wantF, wantD fs.FileMode
	}{
		{0, 0o640, 0o750},
		{0o600, 0o600, 0o700},
		{0o644, 0o644, 0o755},
	} {
		dir := filepath.Join(t.TempDir(), "out")
		o, _ := newOutput(t, Config{Dir: dir, Mode: c.mode})
		if err := o.Deliver(t.Context(), batch("1")); err != nil {
			t.Fatal(err)
		}
		f, _ := os.Stat(filepath.Join(dir, "prod", "agents.ndjson"))
		d, _ := os.Stat(filepath.Join(dir, "prod"))
		top, _ := os.Stat(dir)
		if f.Mode().Perm() != c.wantF || d.Mode().Perm() != c.wantD || top.Mode().Perm() != c.wantD {
			t.Errorf("mode %04o: file %v, folder %v, output folder %v", c.mode, f.Mode(), d.Mode(), top.Mode())
		}
	}
	if err := (Config{Dir: "x", Mode: 0o440}).Validate(); err == nil {
		t.Error("a mode the collector cannot write with was accepted")
	}
}
