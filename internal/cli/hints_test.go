package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os/exec"
	"strings"
	"testing"
)

// TestPermissionHint: a first run without root of a config written for the
// service says who may not write where, and what to do.
func TestPermissionHint(t *testing.T) {
	mkdir := fmt.Errorf("state: create folder: %w", &fs.PathError{Op: "mkdir", Path: "/var/lib/s1collector", Err: fs.ErrPermission})
	hint := permissionHint(mkdir)
	for _, want := range []string{"may not write /var/lib/s1collector", "state.path", "init --state-dir", "sudo install -d -o "} {
		if !strings.Contains(hint, want) {
			t.Errorf("hint lacks %q: %s", want, hint)
		}
	}
	open := &fs.PathError{Op: "open", Path: "/var/lib/s1collector/state.db", Err: fs.ErrPermission}
	if hint := permissionHint(open); !strings.Contains(hint, "may not write /var/lib/s1collector/state.db") || strings.Contains(hint, "install -d") {
		t.Errorf("open: %s", hint)
	}
	if hint := permissionHint(errors.New("console down")); hint != "" {
		t.Errorf("a hint for another error: %s", hint)
	}
}

// TestShellQuoteReadsBack: the shell reads each quoted word back as the
// path it was.
func TestShellQuoteReadsBack(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	for _, p := range []string{"/etc/s1collector/s1collector.yaml", "my dir/s1.yaml", "it's.yaml", "$HOME/a", "a;b", "*.yaml", "-"} {
		out, err := exec.Command(sh, "-c", "printf %s "+shellQuote(p)).Output()
		if err != nil || string(out) != p {
			t.Errorf("shellQuote(%q) = %s reads back as %q (%v)", p, shellQuote(p), out, err)
		}
	}
}
