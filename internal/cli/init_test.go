package cli

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"s1collector/internal/config"
)

// runInit runs the command line in-process and returns its outputs and
// exit status, with an error it did not report itself on stderr.
func runCommand(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	stdout, stderr, err := runCLI(t, "", args...)
	var ee exitError
	switch {
	case errors.As(err, &ee):
		code = ee.code
	case err != nil:
		code = 1
		stderr += "error: " + err.Error()
	}
	return stdout, stderr, code
}

// TestInitWritesAConfigThatValidates covers every output type init offers:
// the file it writes passes validate once the variables it names are set.
func TestInitWritesAConfigThatValidates(t *testing.T) {
	console := []string{"--console-url", "https://euce1-acme.sentinelone.net"}
	type initCase struct {
		output  string
		flags   []string
		env     []string
		streams []string // supported_apis of the source
	}
	tests := []initCase{
		{"file", nil, []string{"S1_API_TOKEN"}, config.RecommendedAPIs},
		{"stdout", nil, []string{"S1_API_TOKEN"}, config.RecommendedAPIs},
		{"sekoia_assets", []string{"--sekoia-connector-uuid", "0b1c8a64-6e5b-4d2e-9f1a-2f0c5b7d9e11"}, []string{"S1_API_TOKEN", "SEKOIA_API_KEY"}, []string{"agents"}},
		{"sekoia_intake", nil, []string{"S1_API_TOKEN", "SEKOIA_INTAKE_KEY"}, config.RecommendedAPIs},
		{"sumologic", nil, []string{"S1_API_TOKEN", "SUMO_HTTP_SOURCE_URL"}, config.RecommendedAPIs},
		{"splunk_hec", []string{"--splunk-url", "https://splunk.example.com:8088"}, []string{"S1_API_TOKEN", "SPLUNK_HEC_TOKEN"}, config.RecommendedAPIs},
		{"kafka", []string{"--kafka-brokers", "kafka-1:9092,kafka-2:9092"}, []string{"S1_API_TOKEN"}, config.RecommendedAPIs},
		{"webhook", []string{"--webhook-url", "https://siem.example.com/ingest"}, []string{"S1_API_TOKEN"}, config.RecommendedAPIs},
		{"sekoia_assets,sekoia_intake,file", []string{"--sekoia-connector-uuid", "0b1c8a64-6e5b-4d2e-9f1a-2f0c5b7d9e11"},
			[]string{"S1_API_TOKEN", "SEKOIA_API_KEY", "SEKOIA_INTAKE_KEY"}, config.RecommendedAPIs},
	}
	for _, typ := range config.OutputTypes {
		if !slices.ContainsFunc(tests, func(tt initCase) bool { return tt.output == typ }) {
			t.Errorf("init is not tested for output type %s", typ)
		}
	}
	for _, tt := range tests {
		t.Run(tt.output, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "etc", "s1collector.yaml")
			args := append([]string{"init", "--config", path, "--output", tt.output}, console...)
			_, stderr, code := runCommand(t, append(args, tt.flags...)...)
			if code != 0 {
				t.Fatalf("init: exit %d: %s", code, stderr)
			}
			for _, name := range tt.env {
				if !strings.Contains(stderr, "  "+name+"\n") {
					t.Errorf("init does not tell to set %s:\n%s", name, stderr)
				}
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			env := func(name string) (string, bool) {
				if !slices.Contains(tt.env, name) {
					return "", false
				}
				return "https://value-of-" + strings.ToLower(strings.ReplaceAll(name, "_", "-")) + ".example/", true
			}
			cfg, err := config.Parse(b, filepath.Dir(path), env)
			if err != nil {
				t.Fatalf("validate refuses what init wrote: %v\n%s", err, b)
			}
			if got := cfg.Sources[0].SupportedAPIs; !slices.Equal(got, tt.streams) {
				t.Errorf("supported_apis %v, want %v", got, tt.streams)
			}
			if cfg.Sources[0].Name != "euce1-acme" || cfg.State.Path != "/var/lib/s1collector/state.db" {
				t.Errorf("source %q, state %q", cfg.Sources[0].Name, cfg.State.Path)
			}
			if !bytes.Contains(b, []byte("# ")) {
				t.Errorf("the config has no comments:\n%s", b)
			}
		})
	}
}

func TestInitKeepsAnExistingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s1collector.yaml")
	if err := os.WriteFile(path, []byte("mine\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"init", "--console-url", "https://acme.sentinelone.net", "--config", path}
	if _, stderr, code := runCommand(t, args...); code == 0 || !strings.Contains(stderr, "already exists") || !strings.Contains(stderr, "--force") {
		t.Errorf("exit %d, %q: want a refusal naming --force", code, stderr)
	}
	if b, _ := os.ReadFile(path); string(b) != "mine\n" {
		t.Errorf("the file was changed: %q", b)
	}
	if _, stderr, code := runCommand(t, append(args, "--force")...); code != 0 {
		t.Fatalf("--force: exit %d: %s", code, stderr)
	}
	if b, _ := os.ReadFile(path); !bytes.Contains(b, []byte("base_url: https://acme.sentinelone.net")) {
		t.Errorf("--force did not replace the file: %q", b)
	}
}

func TestInitFlagsAreChecked(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no console", []string{"--output", "file"}, "--console-url is required"},
		{"unknown output", []string{"--console-url", "https://a.sentinelone.net", "--output", "syslog"}, `--output "syslog" is not one of`},
		{"splunk without url", []string{"--console-url", "https://a.sentinelone.net", "--output", "splunk_hec"}, "--splunk-url"},
		{"kafka without brokers", []string{"--console-url", "https://a.sentinelone.net", "--output", "kafka"}, "--kafka-brokers"},
		{"assets in ocsf", []string{"--console-url", "https://a.sentinelone.net", "--output", "sekoia_assets",
			"--sekoia-connector-uuid", "x", "--profile", "ocsf"}, "sekoia profile"},
		{"bad env name", []string{"--console-url", "https://a.sentinelone.net", "--token-env", "S1-TOKEN"}, "not an environment variable name"},
		{"bad console url", []string{"--console-url", "ftp://a.sentinelone.net"}, "base_url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "s1collector.yaml")
			_, stderr, code := runCommand(t, append([]string{"init", "--config", path}, tt.args...)...)
			if code == 0 || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, %q: want a refusal with %q", code, stderr, tt.want)
			}
			if _, err := os.Stat(path); err == nil {
				t.Error("a config was written")
			}
		})
	}
}

func TestInitTokenFileAndStdout(t *testing.T) {
	stdout, stderr, code := runCommand(t, "init", "--console-url", "https://a.sentinelone.net", "--token-file", "/run/secrets/s1-token",
		"--listen", "0.0.0.0:9464", "--config", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"token_file: /run/secrets/s1-token", "listen: 0.0.0.0:9464"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("config lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "token: ") {
		t.Errorf("config has both token and token_file:\n%s", stdout)
	}
}

func TestYAMLStringReadsBackTheSame(t *testing.T) {
	for _, v := range []string{"https://a.sentinelone.net", "yes", "No", "123", "1e5", "0b1c8a64-6e5b", "a # b", `say "hi"`,
		"", "kafka-1:9092", "~", "-x", "é", "{x}", "[a]", "a: b"} {
		var got struct{ V string }
		if err := yaml.Unmarshal([]byte("v: "+yamlString(v)), &got); err != nil || got.V != v {
			t.Errorf("yamlString(%q) = %s reads back as %q (%v)", v, yamlString(v), got.V, err)
		}
	}
}

func TestDefaultConfigPath(t *testing.T) {
	tests := []struct {
		name   string
		env    string
		exists []string
		want   string
	}{
		{"nothing anywhere: the working folder's, for the error to name", "", nil, DefaultConfig},
		{"the working folder's first", "", []string{DefaultConfig, SystemConfig}, DefaultConfig},
		{"then the system's", "", []string{SystemConfig}, SystemConfig},
		{"the environment wins", "/srv/s1.yaml", []string{DefaultConfig, SystemConfig}, "/srv/s1.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := func(name string) (string, bool) { return tt.env, name == ConfigEnv && tt.env != "" }
			exists := func(p string) bool { return slices.Contains(tt.exists, p) }
			if got := defaultConfigPath(env, exists); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDefaultSourceName(t *testing.T) {
	for url, want := range map[string]string{
		"https://euce1-acme.sentinelone.net": "euce1-acme",
		"http://127.0.0.1:8900":              "console",
		"http://[::1]:8900":                  "console",
		"https://localhost:8443":             "localhost",
		"https://xn--caf-dma.example":        "xn--caf-dma",
	} {
		if got := defaultSourceName(url); got != want {
			t.Errorf("defaultSourceName(%q) = %q, want %q", url, got, want)
		}
	}
}

func TestInitConfigIsReadableByTheServiceUser(t *testing.T) {
	for _, force := range []bool{false, true} {
		path := filepath.Join(t.TempDir(), "s1collector.yaml")
		args := []string{"init", "--console-url", "https://acme.sentinelone.net", "--config", path}
		if force {
			os.WriteFile(path, nil, 0o600)
			args = append(args, "--force")
		}
		if _, stderr, code := runCommand(t, args...); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm()&0o004 == 0 {
			t.Errorf("force=%v: mode %v: systemd's dynamic user and the container's user cannot read it", force, fi.Mode().Perm())
		}
	}
}
