package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoadWithoutSecrets: with no token in the environment and no token
// file at hand, as an administrator's shell beside a systemd service, the
// config loads for the commands that need no secret; what is not a secret
// is still read (${VAR} included) and checked.
func TestLoadWithoutSecrets(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("S1_TEST_STATE_DIR", "/srv/s1")
	const cfg = `state: {path: "${S1_TEST_STATE_DIR}/state.db"}
sources:
  - {name: a, base_url: https://a.sentinelone.net, token: "${S1_TEST_UNSET_TOKEN}", outputs: [sumo, hook]}
  - {name: b, base_url: https://b.sentinelone.net, token_file: /nonexistent/s1-token, outputs: [sumo]}
  - {name: c, base_url: https://c.sentinelone.net, token: written-here, outputs: [sumo]}
sumo_sources:
  - {path: sumo.json, outputs: [sumo]}
outputs:
  - {name: sumo, type: sumologic, sumologic: {url: "${S1_TEST_UNSET_SUMO_URL}"}}
  - {name: hook, type: webhook, webhook: {url: "https://siem.example.com/in", headers: {Authorization: "Bearer ${S1_TEST_UNSET_HOOK}"}}}
`
	sumo, err := os.ReadFile("testdata/good/sumo/sentinelone.json")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "sumo.json"), sumo, 0o600)
	path := filepath.Join(dir, "s1collector.yaml")
	os.WriteFile(path, []byte(cfg), 0o600)

	if _, err := Load(path); err == nil {
		t.Fatal("Load read secrets that are not there")
	}
	c, err := LoadWithoutSecrets(path)
	if err != nil {
		t.Fatalf("LoadWithoutSecrets: %v", err)
	}
	if c.State.Path != "/srv/s1/state.db" {
		t.Errorf("state.path %q: a ${VAR} that is no secret must be read", c.State.Path)
	}
	for i, want := range []string{"environment variable S1_TEST_UNSET_TOKEN", "token_file /nonexistent/s1-token", ""} {
		if got := c.Sources[i].Token.Origin(); got != want {
			t.Errorf("source %s: token from %q, want %q", c.Sources[i].Name, got, want)
		}
	}
	if got := c.Sources[2].Token.Value(); got != "written-here" {
		t.Errorf("a token written in the file is %q", got)
	}
	if len(c.Sources) != 4 {
		t.Errorf("%d sources, want the Sumo Logic one too", len(c.Sources))
	}

	// Everything else is checked as Load does.
	os.WriteFile(path, []byte(strings.Replace(cfg, "state: {path:", "state: {paht:", 1)), 0o600)
	if _, err := LoadWithoutSecrets(path); err == nil || !strings.Contains(err.Error(), "paht") {
		t.Errorf("a misspelled key: %v", err)
	}
	os.WriteFile(path, []byte(strings.Replace(cfg, "S1_TEST_STATE_DIR}", "S1_TEST_UNSET_DIR}", 1)), 0o600)
	if _, err := LoadWithoutSecrets(path); err == nil || !strings.Contains(err.Error(), "S1_TEST_UNSET_DIR is not set") {
		t.Errorf("an unset variable that is no secret: %v", err)
	}
}

// TestLoadForState: the state commands read the state's own secret, the
// PostgreSQL DSN (from the environment or dsn_file), and no console's or
// output's; LoadWithoutSecrets reads neither.
func TestLoadForState(t *testing.T) {
	dir := t.TempDir()
	const dsn = "postgres://s1:pw@db.example.com:5432/s1"
	t.Setenv("S1_TEST_PG_DSN", dsn)
	os.WriteFile(filepath.Join(dir, "dsn"), []byte(dsn+"\n"), 0o600)
	for _, state := range []string{`{postgres: {dsn: "${S1_TEST_PG_DSN}"}}`, `{postgres: {dsn_file: dsn}}`} {
		path := filepath.Join(dir, "s1collector.yaml")
		os.WriteFile(path, []byte("state: "+state+`
sources: [{name: a, base_url: https://a.sentinelone.net, token: "${S1_TEST_UNSET_TOKEN}", outputs: [o]}]
outputs: [{name: o, type: stdout}]
`), 0o600)
		c, err := LoadForState(path)
		if err != nil {
			t.Fatalf("%s: %v", state, err)
		}
		if got := c.State.Postgres.DSN.Value(); got != dsn {
			t.Errorf("%s: the DSN is %q, want it read", state, got)
		}
		if c.Sources[0].Token.Value() == "" || c.Sources[0].Token.Origin() != "environment variable S1_TEST_UNSET_TOKEN" {
			t.Errorf("%s: token %q from %q", state, c.Sources[0].Token, c.Sources[0].Token.Origin())
		}
		os.Remove(filepath.Join(dir, "dsn"))
		t.Setenv("S1_TEST_PG_DSN", "")
		os.Unsetenv("S1_TEST_PG_DSN")
		if _, err := LoadWithoutSecrets(path); err != nil {
			t.Errorf("%s without the DSN: %v", state, err)
		}
		t.Setenv("S1_TEST_PG_DSN", dsn)
		os.WriteFile(filepath.Join(dir, "dsn"), []byte(dsn+"\n"), 0o600)
	}
}

// TestUnreadSecretsAreNotEchoed: a state command does not read the
// console token, but when its variable is also written by mistake in a
// field that is no secret, the error does not show it either.
func TestUnreadSecretsAreNotEchoed(t *testing.T) {
	const token = "S1-UNREAD-TOKEN-0123456789"
	t.Setenv("S1_TEST_TOKEN", token)
	path := filepath.Join(t.TempDir(), "s1collector.yaml")
	os.WriteFile(path, []byte(`log: {level: "${S1_TEST_TOKEN}"}
sources: [{name: a, base_url: https://a.sentinelone.net, token: "${S1_TEST_TOKEN}", profile: "${S1_TEST_TOKEN}", outputs: [o]}]
outputs: [{name: o, type: stdout}]
`), 0o600)
	for name, load := range map[string]func(string) (*Config, error){"LoadForState": LoadForState, "LoadWithoutSecrets": LoadWithoutSecrets} {
		_, err := load(path)
		if err == nil || !strings.Contains(err.Error(), "log.level") || strings.Contains(err.Error(), token[:12]) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
