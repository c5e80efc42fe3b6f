//go:build unix

package state

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestStateFileIsPrivateAndNoLinkIsFollowed: the state file is created
// 0600 in a 0750 folder; a symbolic link (or a FIFO) at state.path is
// refused and what it points at is left alone.
func TestStateFileIsPrivateAndNoLinkIsFollowed(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	dir := t.TempDir()
	path := filepath.Join(dir, "lib", "state.db")
	b, err := OpenBolt(path)
	if err != nil {
		t.Fatal(err)
	}
	b.Close()
	f, _ := os.Stat(path)
	d, _ := os.Stat(filepath.Dir(path))
	if f.Mode().Perm() != 0o600 || d.Mode().Perm() != 0o750 {
		t.Errorf("state %v in folder %v", f.Mode(), d.Mode())
	}
	victim := filepath.Join(dir, "victim")
	os.WriteFile(victim, []byte("precious"), 0o600)
	link := filepath.Join(dir, "link.db")
	os.Symlink(victim, link)
	fifo := filepath.Join(dir, "fifo.db")
	syscall.Mkfifo(fifo, 0o600)
	for _, p := range []string{link, fifo} {
		if _, err := OpenBolt(p); err == nil || !strings.Contains(err.Error(), "is not a regular file") {
			t.Errorf("%s: err = %v", p, err)
		}
	}
	if got, _ := os.ReadFile(victim); string(got) != "precious" {
		t.Errorf("the linked file was changed: %q", got)
	}
}
