package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"s1collector/internal/pgtest"
	"s1collector/internal/state"
)

// secretlessConfig is a config whose token and output key are in variables
// not set here, and whose token file is not at hand: a systemd service's,
// seen from an administrator's shell.
func secretlessConfig(t *testing.T) (path, statePath string) {
	t.Helper()
	dir := t.TempDir()
	path = filepath.Join(dir, "s1collector.yaml")
	os.WriteFile(path, []byte(`state: {path: state/state.db}
sources:
  - {name: prod, base_url: https://a.sentinelone.net, token: "${S1_TEST_UNSET_TOKEN}", outputs: [sumo]}
  - {name: lab, base_url: https://b.sentinelone.net, token_file: /nonexistent/s1-token, outputs: [sumo]}
outputs:
  - {name: sumo, type: sumologic, sumologic: {url: "${S1_TEST_UNSET_SUMO_URL}"}}
`), 0o644)
	return path, filepath.Join(dir, "state", "state.db")
}

// TestStateCommandsNeedNoSecrets: the README's upgrade and reset steps on a
// systemd install, where the tokens are in the service's environment file.
// A missing state file is said so and not created (as root, it would be a
// file the service cannot open).
func TestStateCommandsNeedNoSecrets(t *testing.T) {
	path, statePath := secretlessConfig(t)
	out, stderr, code := runCommand(t, "state", "show", "--config", path)
	if code != 0 || !strings.Contains(out, "no checkpoints yet: no state file at "+statePath) {
		t.Errorf("state show without a state file: exit %d\n%s%s", code, out, stderr)
	}
	if _, stderr, code := runCommand(t, "state", "reset", "--all", "--config", path); code == 0 || !strings.Contains(stderr, "nothing to reset") {
		t.Errorf("state reset without a state file: exit %d, %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Dir(statePath)); err == nil {
		t.Errorf("a state command created %s", filepath.Dir(statePath))
	}

	st, err := state.OpenBolt(statePath)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"prod/agents", "lab/threats"} {
		if err := st.Save(context.Background(), key, state.Checkpoint{Watermark: time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)}); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	out, stderr, code = runCommand(t, "state", "show", "--config", path)
	if code != 0 || !strings.Contains(out, "prod/agents") || !strings.Contains(out, "lab/threats") {
		t.Errorf("state show: exit %d\n%s%s", code, out, stderr)
	}
	out, stderr, code = runCommand(t, "state", "reset", "--source", "prod", "--stream", "agents", "--config", path)
	if code != 0 || strings.TrimSpace(out) != "reset prod/agents" {
		t.Errorf("state reset: exit %d\n%s%s", code, out, stderr)
	}
}

// TestValidateWithoutSecrets: validate says when only secrets are missing
// and how to check the rest; --no-secrets checks the rest.
func TestValidateWithoutSecrets(t *testing.T) {
	path, _ := secretlessConfig(t)
	_, stderr, code := runCommand(t, "validate", "--config", path)
	if code != 1 || !strings.Contains(stderr, "S1_TEST_UNSET_TOKEN is not set") ||
		!strings.Contains(stderr, "only secrets are missing") || !strings.Contains(stderr, "s1collector validate --no-secrets --config "+path) {
		t.Errorf("validate: exit %d, %s", code, stderr)
	}
	out, stderr, code := runCommand(t, "validate", "--no-secrets", "--config", path)
	if code != 0 || !strings.Contains(out, "token from environment variable S1_TEST_UNSET_TOKEN (not read: --no-secrets)") ||
		!strings.Contains(out, "token from token_file /nonexistent/s1-token (not read: --no-secrets)") {
		t.Errorf("validate --no-secrets: exit %d\n%s%s", code, out, stderr)
	}

	// Another mistake: no hint that would send the user to the secrets.
	b, _ := os.ReadFile(path)
	os.WriteFile(path, []byte(strings.Replace(string(b), "state: {path:", "state: {paht:", 1)), 0o644)
	_, stderr, _ = runCommand(t, "validate", "--config", path)
	if strings.Contains(stderr, "only secrets are missing") {
		t.Errorf("the hint shows with another mistake: %s", stderr)
	}
	if _, stderr, code := runCommand(t, "validate", "--no-secrets", "--config", path); code != 1 || !strings.Contains(stderr, "paht") {
		t.Errorf("validate --no-secrets misses a misspelled key: exit %d, %s", code, stderr)
	}
}

// TestValidateShowsNoCredentialOfTheConsoleURL: a user name and password
// written into base_url are not what the client uses, and never shown.
func TestValidateShowsNoCredentialOfTheConsoleURL(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s1collector.yaml")
	os.WriteFile(path, []byte(`sources: [{name: a, base_url: "https://admin:hunter2@a.sentinelone.net/web/api", token: "${S1_TEST_UNSET_TOKEN}", outputs: [o]}]
outputs: [{name: o, type: stdout}]
`), 0o644)
	out, stderr, code := runCommand(t, "validate", "--no-secrets", "--config", path)
	if code != 0 || strings.Contains(out+stderr, "hunter2") || !strings.Contains(out, "source a: https://a.sentinelone.net,") {
		t.Errorf("exit %d\n%s%s", code, out, stderr)
	}
}

// TestStateCommandsOnPostgreSQLNeedNoToken: with the state in PostgreSQL,
// state show and reset read the DSN from its variable and no console
// token.
func TestStateCommandsOnPostgreSQLNeedNoToken(t *testing.T) {
	dsn := pgtest.DSN(t)
	t.Setenv("S1_TEST_STATE_DSN", dsn)
	path := filepath.Join(t.TempDir(), "s1collector.yaml")
	os.WriteFile(path, []byte(`state: {postgres: {dsn: "${S1_TEST_STATE_DSN}", schema: `+pgtest.Schema(t, dsn)+`}}
sources: [{name: prod, base_url: https://a.sentinelone.net, token: "${S1_TEST_UNSET_TOKEN}", outputs: [o]}]
outputs: [{name: o, type: stdout}]
`), 0o644)
	if out, stderr, code := runCommand(t, "state", "show", "--config", path); code != 0 || !strings.Contains(out, "no checkpoints yet") {
		t.Errorf("state show: exit %d\n%s%s", code, out, stderr)
	}
	if _, stderr, code := runCommand(t, "state", "reset", "--all", "--config", path); code != 1 || !strings.Contains(stderr, "no checkpoint matches") {
		t.Errorf("state reset: exit %d, %s", code, stderr)
	}
}
