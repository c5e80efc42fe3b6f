package cli

import (
	"strings"
	"testing"
)

// TestVersionFlag: --version prints what "version" prints.
func TestVersionFlag(t *testing.T) {
	cmd, _, err := runCLI(t, "", "version")
	if err != nil {
		t.Fatal(err)
	}
	flag, _, err := runCLI(t, "", "--version")
	if err != nil || flag != cmd || !strings.HasPrefix(flag, "s1collector ") {
		t.Errorf("--version: %q (%v)\nversion: %q", flag, err, cmd)
	}
}
