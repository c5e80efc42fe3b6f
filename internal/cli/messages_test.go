package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMissingConfigSaysWhatToDo: a missing config says where it was looked
// for and how to write one; a folder or an empty --config is named as such.
func TestMissingConfigSaysWhatToDo(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	tests := []struct {
		name, env string
		args      []string
		want      string
	}{
		{"nowhere", "", []string{"validate"}, "no configuration: no ./s1collector.yaml here, no /etc/s1collector/s1collector.yaml, " +
			"and $S1COLLECTOR_CONFIG is not set: give one with --config PATH, or write one with: s1collector init --console-url https://<your console>"},
		{"--config", "", []string{"run", "--config", "/nowhere/s1 prod.yaml"}, "/nowhere/s1 prod.yaml: no such file: check the path given to --config, " +
			"or write one with: s1collector init --console-url https://<your console> --config '/nowhere/s1 prod.yaml'"},
		{"the variable", "/nowhere/s1.yaml", []string{"once"}, "/nowhere/s1.yaml (named by $S1COLLECTOR_CONFIG): no such file: check the variable, " +
			"or write one with: s1collector init --console-url https://<your console> --config /nowhere/s1.yaml"},
		{"a folder", "", []string{"validate", "--config", dir}, dir + " is a folder: give the configuration file, e.g. --config " + filepath.Join(dir, "s1collector.yaml")},
		{"empty", "", []string{"state", "show", "--config", ""}, "--config is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.env != "" {
				t.Setenv(ConfigEnv, tt.env)
			}
			_, _, err := runCLI(t, "", tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v\nwant %s", err, tt.want)
			}
		})
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
	validateSays(t, path, "token from environment variable S1_TEST_TOKEN", "token from token_file "+filepath.Join(dir, "token"), "token written in the config file")
}

// validateSays runs validate on a config and checks what it says.
func validateSays(t *testing.T, path string, wants ...string) {
	t.Helper()
	out, _, err := runCLI(t, "", "validate", "--config", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range wants {
		if !strings.Contains(out, want) {
			t.Errorf("validate does not say %q:\n%s", want, out)
		}
	}
}

// TestValidateSaysWhatEachSourceCollects: the profile is described as it
// applies to the source's streams, and the scope is shown.
func TestValidateSaysWhatEachSourceCollects(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s1.yaml")
	os.WriteFile(path, []byte(`sources:
  - {name: a, base_url: https://a.sentinelone.net, token: abc, outputs: [o], supported_apis: [alerts]}
  - {name: b, base_url: https://b.sentinelone.net, token: abc, outputs: [o], supported_apis: [agents, alerts], site_ids: ["225494730938493804"]}
  - {name: c, base_url: https://c.sentinelone.net, token: abc, outputs: [o], supported_apis: [alerts], profile: ocsf, delay: 2m}
outputs:
  - {name: o, type: stdout}
`), 0o600)
	validateSays(t, path, "source a: https://a.sentinelone.net, alerts every 5m0s (as the console's JSON), ",
		"(agents as sekoia, the others as the console's JSON), sites 225494730938493804, ", "alerts every 5m0s (as OCSF 1.6.0), delay 2m0s (a version replaced within it is not delivered")
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
