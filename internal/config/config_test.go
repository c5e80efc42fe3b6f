package config

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/bad/*.err")

const secretValue = "s3cr3t-TOKEN-value"

func env(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
}

var testEnv = env(map[string]string{"S1_TOKEN": secretValue, "SUMO_S1_SECRET": secretValue + "-sumo", "S1_PROD_EU_TOKEN": secretValue, "S1_EMPTY": ""})

func load(t *testing.T, path string) (*Config, error) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return Parse(b, filepath.Dir(path), testEnv)
}

func TestFullConfig(t *testing.T) {
	c, err := load(t, "testdata/good/full.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Sources) != 2 {
		t.Fatalf("%d sources, want the YAML one and the Sumo one", len(c.Sources))
	}
	s := c.Sources[0]
	checks := []struct {
		name      string
		got, want any
	}{
		{"token", s.Token.Value(), secretValue},
		{"interval", s.Interval, 2 * time.Minute},
		{"lookback", s.Lookback, 7 * 24 * time.Hour},
		{"full sync", s.FullSync, 12 * time.Hour},
		{"overlap off", *s.Overlap, time.Duration(0)},
		{"apis", strings.Join(s.SupportedAPIs, ","), "agents,threats"},
		{"fields", s.Fields["team"], "soc"},
		{"siem", s.SiemForward, true},
		{"rate", s.RateLimits["agents"].Rate, 20.0},
		{"max bytes", c.Outputs[0].File.MaxBytes, int64(100 << 20)},
		{"state path", c.State.Path, filepath.Join("testdata/good", "state/s1collector.db")},
		{"file dir", c.Outputs[0].File.Dir, filepath.Join("testdata/good", "out")},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %v, want %v", ch.name, ch.got, ch.want)
		}
	}
	sumo := c.Sources[1]
	if sumo.Name != "SentinelOne" || sumo.Token.Value() != secretValue+"-sumo" || sumo.SiemForward ||
		sumo.Interval != DefaultInterval || *sumo.Overlap != DefaultOverlap || strings.Join(sumo.SupportedAPIs, ",") != "activities,agents,threats" ||
		sumo.Profile != "sekoia" || sumo.Outputs[0] != "local" {
		t.Errorf("sumo source: %+v", sumo)
	}
}

// TestBadConfigs: each testdata/bad/<case>.yaml gives exactly the errors in
// <case>.err, and none shows the token.
func TestBadConfigs(t *testing.T) {
	files, _ := filepath.Glob("testdata/bad/*.yaml")
	if len(files) < 20 {
		t.Fatalf("only %d bad configs", len(files))
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".yaml")
		t.Run(name, func(t *testing.T) {
			_, err := load(t, f)
			if err == nil {
				t.Fatal("accepted")
			}
			got := err.Error() + "\n"
			if strings.Contains(got, secretValue) {
				t.Fatalf("error shows the token: %s", got)
			}
			errFile := strings.TrimSuffix(f, ".yaml") + ".err"
			if *update {
				os.WriteFile(errFile, []byte(got), 0o644)
				return
			}
			want, _ := os.ReadFile(errFile)
			if got != string(want) {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestFiveMistakesAllReported(t *testing.T) {
	_, err := load(t, "testdata/bad/five-mistakes.yaml")
	var errs Errors
	if !errors.As(err, &errs) || len(errs) < 5 {
		t.Fatalf("want at least 5 errors, got %v", err)
	}
	for _, e := range errs {
		if e.Line == 0 || !strings.HasPrefix(e.Path, "sources[0]") && !strings.HasPrefix(e.Path, "outputs[0]") {
			t.Errorf("error without line or path: %+v", e)
		}
	}
}

func TestSecretNeverPrints(t *testing.T) {
	s := NewSecret(secretValue)
	for _, out := range []string{s.String(), s.GoString(), sprintf("%v %+v %#v %s", s, s, s, s)} {
		if strings.Contains(out, secretValue) {
			t.Fatalf("secret printed: %s", out)
		}
	}
	b, _ := s.MarshalJSON()
	if strings.Contains(string(b), secretValue) {
		t.Fatal("secret marshalled")
	}
}

// TestExamplesLoad keeps the shipped examples true.
func TestExamplesLoad(t *testing.T) {
	c, err := load(t, "../../examples/s1collector.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Sources) != 1 || c.Outputs[0].File.MaxBytes != 1<<30 {
		t.Errorf("example: %+v", c)
	}
	all := env(map[string]string{"S1_PROD_EU_TOKEN": "t", "SEKOIA_API_KEY": "k", "SEKOIA_INTAKE_KEY": "i",
		"SUMO_HTTP_SOURCE_URL": "https://endpoint4.collection.sumologic.com/receiver/v1/http/XYZ", "SPLUNK_HEC_TOKEN": "h", "KAFKA_PASSWORD": "p", "WEBHOOK_TOKEN": "w"})
	b, _ := os.ReadFile("../../examples/outputs.yaml")
	oc, err := Parse(b, "../../examples", all)
	if err != nil {
		t.Fatalf("outputs example: %v", err)
	}
	if len(oc.Outputs) != 7 || oc.Outputs[0].AcceptsStream("threats") || !oc.Outputs[1].AcceptsStream("threats") {
		t.Errorf("outputs example: %+v", oc.Outputs)
	}
	b, _ = os.ReadFile("../../examples/replicas.yaml")
	rc, err := Parse(b, "../../examples", env(map[string]string{"S1_POSTGRES_DSN": "postgres://s1:pw@db:5432/s1", "S1_PROD_EU_TOKEN": "t",
		"S1_PROD_US_TOKEN": "u", "SEKOIA_API_KEY": "k", "SEKOIA_INTAKE_KEY": "i"}))
	if err != nil || rc.State.Postgres == nil || len(rc.Sources) != 2 {
		t.Errorf("replicas example: %v", err)
	}
	src, errs := ParseSumoSource("../../examples/sumo-source.json", env(map[string]string{"S1_API_TOKEN": "x"}))
	if len(errs) > 0 || src.Name != "SentinelOne" {
		t.Errorf("sumo example: %v %+v", errs, src)
	}
}

// TestPostgresState: the DSN from the environment or a file, defaults,
// and its password among the secrets scrubbed from every text.
func TestPostgresState(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "dsn"), []byte("host=db user=s1 password='it\\'s-"+secretValue+"' dbname=s1\n"), 0o600)
	for _, tt := range []struct{ state, password string }{
		{`{postgres: {dsn: "postgres://collector:${S1_TOKEN}@db.example.com:5432/s1?sslmode=verify-full"}}`, secretValue},
		{`{postgres: {dsn_file: dsn, lease_ttl: 30s, schema: team_a, replica: node-1}}`, "it's-" + secretValue},
	} {
		c, err := Parse([]byte("state: "+tt.state+`
sources:
  - {name: s, base_url: https://t.sentinelone.net, token: tok-value, outputs: [o]}
outputs:
  - {name: o, type: stdout}
`), dir, testEnv)
		if err != nil {
			t.Fatalf("%s: %v", tt.state, err)
		}
		p := c.State.Postgres
		if c.State.Path != "" || p.Schema == "" || p.LeaseTTL < 15*time.Second || !strings.Contains(c.StateWhere(), "PostgreSQL (schema ") {
			t.Errorf("%s: %+v %q", tt.state, p, c.StateWhere())
		}
		redact := c.Redactor()
		if out := redact("password authentication failed: " + tt.password); strings.Contains(out, secretValue) {
			t.Errorf("%s: the password survives redaction: %s", tt.state, out)
		}
		if out := redact("dsn " + p.DSN.Value()); strings.Contains(out, secretValue) {
			t.Errorf("%s: the DSN survives redaction: %s", tt.state, out)
		}
	}
}
