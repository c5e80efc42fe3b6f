package cli

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"go.yaml.in/yaml/v3"

	"s1collector/internal/config"
)

// runInit runs the command line in-process and returns its outputs and
// exit status, with an error it did not report itself on stderr.
func runCommand(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	return runCommandIn(t, "", args...)
}

// runCommandIn is runCommand with stdin.
func runCommandIn(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	stdout, stderr, err := runCLI(t, stdin, args...)
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

// TestInitFlagsAreChecked: a wrong flag is the user's mistake, named by its
// flag, never "a bug in init" followed by the whole config.
func TestInitFlagsAreChecked(t *testing.T) {
	console := []string{"--console-url", "https://a.sentinelone.net"}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no console", []string{"--output", "file"}, "--console-url is required"},
		{"unknown output", append(console, "--output", "syslog"), `--output "syslog" is not one of`},
		{"splunk without url", append(console, "--output", "splunk_hec"), "--splunk-url"},
		{"kafka without brokers", append(console, "--output", "kafka"), "--kafka-brokers"},
		{"assets in ocsf", append(console, "--output", "sekoia_assets", "--sekoia-connector-uuid", "x", "--profile", "ocsf"), "sekoia profile"},
		{"bad env name", append(console, "--token-env", "S1-TOKEN"), "not an environment variable name"},
		{"ftp console", []string{"--console-url", "ftp://a.sentinelone.net"}, `--console-url: scheme "ftp" is not http or https`},
		{"plain http console", []string{"--console-url", "http://a.sentinelone.net"}, "--console-url: \"http://a.sentinelone.net\" uses plain http"},
		{"credentials in the console url", []string{"--console-url", "https://admin:hunter2@a.sentinelone.net"}, "--console-url carries a user name or password"},
		{"bad name", append(console, "--name", "bad/name"), `--name: "bad/name" may use only letters`},
		{"bad profile", append(console, "--profile", "loud"), `--profile: profile "loud" is not one of`},
		{"listen without port", append(console, "--listen", "0.0.0.0"), `--listen "0.0.0.0" is not host:port`},
		{"listen on no port", append(console, "--listen", "127.0.0.1:99999"), `--listen "127.0.0.1:99999" is not host:port`},
		{"webhook not http", append(console, "--output", "webhook", "--webhook-url", "ftp://siem.example.com"), `--webhook-url: scheme "ftp"`},
		{"splunk not a url", append(console, "--output", "splunk_hec", "--splunk-url", "splunk:8088"), "--splunk-url is not a URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "s1collector.yaml")
			_, stderr, code := runCommand(t, append([]string{"init", "--config", path}, tt.args...)...)
			if code == 0 || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, %q: want a refusal with %q", code, stderr, tt.want)
			}
			for _, never := range []string{"bug", "# s1collector configuration", "hunter2"} {
				if strings.Contains(stderr, never) {
					t.Errorf("the refusal shows %q:\n%s", never, stderr)
				}
			}
			if _, err := os.Stat(path); err == nil {
				t.Error("a config was written")
			}
		})
	}
}

// TestFlagErrorsNameInitsOwnMistakes: a problem that no flag explains is
// reported as init's, without the config.
func TestFlagErrorsNameInitsOwnMistakes(t *testing.T) {
	err := flagErrors(config.Errors{{Line: 9, Path: "log.level", Msg: `"loud" is not debug, info, warn or error`}})
	if err == nil || !strings.Contains(err.Error(), "a bug in init") || !strings.Contains(err.Error(), "log.level") {
		t.Errorf("got %v", err)
	}
	err = flagErrors(config.Errors{{Path: "outputs[1].kafka.brokers[0]", Msg: "is not host:port"}})
	if err == nil || err.Error() != "--kafka-brokers: is not host:port" {
		t.Errorf("got %v", err)
	}
}

// TestInitNormalisesTheConsoleURL: init writes the address the client
// uses, and says when it dropped what was given with it.
func TestInitNormalisesTheConsoleURL(t *testing.T) {
	tests := []struct {
		given, want string
		note        bool
	}{
		{"https://euce1-acme.sentinelone.net", "https://euce1-acme.sentinelone.net", false},
		{"https://euce1-acme.sentinelone.net/", "https://euce1-acme.sentinelone.net", false},
		{"euce1-acme.sentinelone.net", "https://euce1-acme.sentinelone.net", false},
		{"https://euce1-acme.sentinelone.net/dashboard?tab=2#top", "https://euce1-acme.sentinelone.net", true},
		{"https://euce1-acme.sentinelone.net/web/api/v2.1/", "https://euce1-acme.sentinelone.net", true},
		{"http://127.0.0.1:8900", "http://127.0.0.1:8900", false},
	}
	for _, tt := range tests {
		stdout, stderr, code := runCommand(t, "init", "--console-url", tt.given, "--config", "-")
		if code != 0 {
			t.Errorf("%s: exit %d: %s", tt.given, code, stderr)
			continue
		}
		if !strings.Contains(stdout, "base_url: "+tt.want+"\n") {
			t.Errorf("%s: base_url is not %s:\n%s", tt.given, tt.want, stdout)
		}
		if note := strings.Contains(stderr, "note: --console-url: wrote "+tt.want); note != tt.note {
			t.Errorf("%s: note %v, want %v: %q", tt.given, note, tt.note, stderr)
		}
	}
}

// TestInitKeepsCredentialsOutOfTheFile: an output URL with a user name and
// password or a query is read from the environment, never written into a
// file any user may read; plain http to another host is warned about.
func TestInitKeepsCredentialsOutOfTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s1collector.yaml")
	splunk, hook := "http://admin:hunter2@splunk.example.com:8088", "https://siem.example.com/in?api_key=SECRET123"
	_, stderr, code := runCommand(t, "init", "--console-url", "https://a.sentinelone.net", "--output", "splunk_hec,webhook",
		"--splunk-url", splunk, "--webhook-url", hook, "--config", path)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	b, _ := os.ReadFile(path)
	for _, secret := range []string{"hunter2", "SECRET123"} {
		if strings.Contains(string(b), secret) || strings.Contains(stderr, secret) {
			t.Errorf("%s written or shown:\n%s\n%s", secret, b, stderr)
		}
	}
	for _, want := range []string{"SPLUNK_HEC_URL — the --splunk-url you gave", "WEBHOOK_URL — the --webhook-url you gave",
		"warning: --splunk-url uses plain http"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("init does not say %q:\n%s", want, stderr)
		}
	}
	env := map[string]string{"S1_API_TOKEN": "t", "SPLUNK_HEC_TOKEN": "t", "SPLUNK_HEC_URL": splunk, "WEBHOOK_URL": hook}
	cfg, err := config.Parse(b, filepath.Dir(path), func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatalf("validate refuses what init wrote: %v\n%s", err, b)
	}
	if got := cfg.Outputs[1].Webhook.URL; got != hook {
		t.Errorf("the webhook's URL is %q, want the one given", got)
	}
	if strings.Contains(stderr, "warning: --webhook-url") {
		t.Errorf("an https URL is warned about: %s", stderr)
	}
}

// TestInitFoldersAreReadableWhateverTheUmask: under umask 077 the service's
// user could not reach a config in folders init created 0700.
func TestInitFoldersAreReadableWhateverTheUmask(t *testing.T) {
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	dir := t.TempDir()
	path := filepath.Join(dir, "etc", "s1collector", "s1collector.yaml")
	if _, stderr, code := runCommand(t, "init", "--console-url", "https://a.sentinelone.net", "--config", path); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, p := range []string{filepath.Join(dir, "etc"), filepath.Dir(path)} {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o755 {
			t.Errorf("%s: %v (%v), want 0755", p, fi.Mode().Perm(), err)
		}
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("%s: %v (%v), want 0644", path, fi.Mode().Perm(), err)
	}
}

// TestInitOddConfigPaths: a folder, an empty value, a link; each with a
// clear answer and nothing left behind.
func TestInitOddConfigPaths(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	run := func(args ...string) (string, int) {
		_, stderr, code := runCommand(t, append([]string{"init", "--console-url", "https://a.sentinelone.net"}, args...)...)
		return stderr, code
	}
	os.Mkdir("folder", 0o755)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--config", "newdir/"}, "--config newdir/ is a folder: give the file to write, e.g. --config newdir/s1collector.yaml"},
		{[]string{"--config", "folder", "--force"}, "--config folder is a folder"},
		{[]string{"--config", ""}, "--config is empty"},
	} {
		if stderr, code := run(tt.args...); code == 0 || !strings.Contains(stderr, tt.want) {
			t.Errorf("%q: exit %d, %q; want %q", tt.args, code, stderr, tt.want)
		}
	}
	if _, err := os.Stat("newdir"); err == nil {
		t.Error("a refused --config newdir/ created the folder")
	}

	// Through a link, --force replaces the file it points to, not the link.
	os.WriteFile("real.yaml", []byte("old\n"), 0o644)
	os.Symlink("real.yaml", "link.yaml")
	if stderr, code := run("--config", "link.yaml", "--force"); code != 0 || !strings.Contains(stderr, "wrote real.yaml (through the link link.yaml)") {
		t.Errorf("--force through a link: exit %d, %s", code, stderr)
	}
	if fi, err := os.Lstat("link.yaml"); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v %v", fi.Mode(), err)
	}
	if b, _ := os.ReadFile("real.yaml"); !strings.Contains(string(b), "base_url: https://a.sentinelone.net") {
		t.Errorf("the linked file was not written: %q", b)
	}

	// A path with a space is quoted where it is to be copied.
	stderr, code := run("--config", "my configs/s1.yaml")
	if code != 0 || !strings.Contains(stderr, "s1collector validate --config 'my configs/s1.yaml' && s1collector test --config 'my configs/s1.yaml'") {
		t.Errorf("exit %d, %s", code, stderr)
	}
	if b, _ := os.ReadFile("my configs/s1.yaml"); !strings.Contains(string(b), "validate --config 'my configs/s1.yaml'") {
		t.Errorf("the config's header does not quote its path:\n%s", b)
	}
}

// TestCannotWriteNamesTheFolder: the message names the folder and the
// user, never init's temporary file.
func TestCannotWriteNamesTheFolder(t *testing.T) {
	err := cannotWrite("/etc/s1collector", &fs.PathError{Op: "open", Path: "/etc/s1collector/.s1collector-init-123", Err: fs.ErrPermission})
	if msg := err.Error(); strings.Contains(msg, ".s1collector-init") || !strings.Contains(msg, "cannot write in /etc/s1collector: user ") {
		t.Errorf("got %q", msg)
	}
	err = cannotWrite("/etc/s1collector", &os.LinkError{Op: "link", Old: "/etc/s1collector/.s1collector-init-123", New: "x", Err: syscall.EXDEV})
	if msg := err.Error(); strings.Contains(msg, ".s1collector-init") {
		t.Errorf("got %q", msg)
	}
}

// TestInitWritesWhereTheOtherCommandsLook: without --config, init writes
// the file $S1COLLECTOR_CONFIG names.
func TestInitWritesWhereTheOtherCommandsLook(t *testing.T) {
	t.Chdir(t.TempDir()) // were it ignored, ./s1collector.yaml is written here
	path := filepath.Join(t.TempDir(), "from-env.yaml")
	t.Setenv(ConfigEnv, path)
	if _, stderr, code := runCommand(t, "init", "--console-url", "https://a.sentinelone.net"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("init did not write $%s: %v", ConfigEnv, err)
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

// TestInitTokenFileValidates: the config init writes with --token-file
// passes validate once the file holds the token (it once said "give token
// or token_file, not both"); a relative --token-file is taken from where
// init ran, not from the config's folder.
func TestInitTokenFileValidates(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	os.WriteFile("s1-token", []byte("0123456789abcdef\n"), 0o600)
	path := filepath.Join(dir, "etc", "s1collector.yaml")
	if _, stderr, code := runCommand(t, "init", "--console-url", "https://a.sentinelone.net", "--token-file", "s1-token",
		"--state-dir", "state", "--config", path); code != 0 {
		t.Fatalf("init: exit %d: %s", code, stderr)
	}
	out, stderr, code := runCommand(t, "validate", "--config", path)
	if code != 0 || !strings.Contains(out, "token from token_file "+filepath.Join(dir, "s1-token")) ||
		!strings.Contains(out, "state in "+filepath.Join(dir, "state", "state.db")) {
		t.Errorf("validate: exit %d\n%s%s", code, out, stderr)
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
