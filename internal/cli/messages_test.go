package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMissingConfigSaysWhatToDo: without --config, a missing file points
// to --config and the example; with --config, to the path given.
func TestMissingConfigSaysWhatToDo(t *testing.T) {
	t.Chdir(t.TempDir())
	_, _, err := runCLI(t, "", "validate")
	if err == nil || !strings.Contains(err.Error(), "no s1collector.yaml in the current folder: give the configuration with --config PATH, or write one from examples/s1collector.yaml") {
		t.Errorf("default path: %v", err)
	}
	_, _, err = runCLI(t, "", "run", "--config", "/nowhere/s1.yaml")
	if err == nil || err.Error() != "/nowhere/s1.yaml: no such file: check the path given to --config" {
		t.Errorf("--config: %v", err)
	}
}

// TestValidateSaysWhereTheTokenComesFrom: a variable, a token file, or the
// file itself.
func TestValidateSaysWhereTheTokenComesFrom(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("S1_TEST_TOKEN", "abc")
	os.WriteFile(filepath.Join(dir, "token"), []byte("abc\n"), 0o600)
	path := filepath.Join(dir, "s1.yaml")
	os.WriteFile(path, []byte(`sources:
  - {name: a, base_url: https://a.sentinelone.net, token: "${S1_TEST_TOKEN}", outputs: [o]}
  - {name: b, base_url: https://b.sentinelone.net, token_file: token, outputs: [o]}
  - {name: c, base_url: https://c.sentinelone.net, token: abc, outputs: [o]}
outputs:
  - {name: o, type: stdout}
`), 0o600)
	out, _, err := runCLI(t, "", "validate", "--config", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"token from environment variable S1_TEST_TOKEN", "token from token_file " + filepath.Join(dir, "token"), "token written in the config file"} {
		if !strings.Contains(out, want) {
			t.Errorf("validate does not say %q:\n%s", want, out)
		}
	}
}

// TestLogFlagsOnlyWhereTheyApply: commands that log show the flags with
// their own default; the others do not show them; the flags are still
// accepted before the command.
func TestLogFlagsOnlyWhereTheyApply(t *testing.T) {
	for _, tt := range []struct {
		cmd  string
		want string // "" when the flags must not show
	}{
		{"run", "(default: the config's log.level, else info)"},
		{"once", "(default: the config's log.level, else info)"},
		{"demo", "(default: info)"},
		{"validate", ""}, {"test", ""}, {"transform", ""}, {"emulate", ""}, {"version", ""}, {"init", ""}, {"health", ""},
	} {
		out, _, err := runCLI(t, "", tt.cmd, "--help")
		if err != nil {
			t.Fatal(err)
		}
		if shown := strings.Contains(out, "--log-level"); shown != (tt.want != "") || !strings.Contains(out, tt.want) {
			t.Errorf("%s --help: log flags shown %v, want %q:\n%s", tt.cmd, shown, tt.want, out)
		}
	}
	if _, _, err := runCLI(t, "", "--log-level", "loud", "once", "--config", "/nowhere.yaml"); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("--log-level before the command: %v", err)
	}
}
