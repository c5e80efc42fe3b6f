package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"text/template"

	"s1collector/internal/config"
)

// starter is what "init" was asked for: enough to write a config that
// passes validate once its environment variables are set.
type starter struct {
	Path         string // where it is written, for the commands in its header
	ConsoleURL   string
	Name         string
	TokenEnv     string
	TokenFile    string
	Outputs      []string
	Profile      string
	Listen       string
	StateDir     string
	SplunkURL    string
	WebhookURL   string
	KafkaBrokers []string
	SekoiaUUID   string

	// What init tells besides the config: URLs it changed, risks it took,
	// and what variables hold when their names do not say.
	Notes, Warnings []string
	EnvNotes        []envNote
}

var (
	envName    = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	sourceName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)
)

// check reports the first flag that is missing or wrong, naming the flag
// and what to give.
func (s *starter) check() error {
	if s.ConsoleURL == "" {
		return fmt.Errorf("--console-url is required: your console's address, e.g. https://euce1-acme.sentinelone.net")
	}
	base, note, err := consoleURL(s.ConsoleURL)
	if err != nil {
		return err
	}
	if s.ConsoleURL = base; note != "" {
		s.Notes = append(s.Notes, note)
	}
	if s.Name == "" {
		s.Name = defaultSourceName(s.ConsoleURL)
	}
	if s.TokenFile == "" && !envName.MatchString(s.TokenEnv) {
		return fmt.Errorf("--token-env %q is not an environment variable name (letters, digits, _)", s.TokenEnv)
	}
	if len(s.Outputs) == 0 {
		return fmt.Errorf("--output is required: one or more of %s", strings.Join(config.OutputTypes, ", "))
	}
	seen := map[string]bool{}
	for _, o := range s.Outputs {
		if !slices.Contains(config.OutputTypes, o) {
			return fmt.Errorf("--output %q is not one of %s", o, strings.Join(config.OutputTypes, ", "))
		}
		if seen[o] {
			return fmt.Errorf("--output %s is given twice", o)
		}
		seen[o] = true
	}
	for _, r := range []struct {
		missing bool
		flag    string
	}{
		{seen["splunk_hec"] && s.SplunkURL == "", "--splunk-url (https://splunk.example.com:8088) for --output splunk_hec"},
		{seen["webhook"] && s.WebhookURL == "", "--webhook-url for --output webhook"},
		{seen["kafka"] && len(s.KafkaBrokers) == 0, "--kafka-brokers (host:port,…) for --output kafka"},
		{seen["sekoia_assets"] && s.SekoiaUUID == "", "--sekoia-connector-uuid (the asset connector's UUID) for --output sekoia_assets"},
	} {
		if r.missing {
			return fmt.Errorf("%s is required", r.flag)
		}
	}
	if seen["sekoia_assets"] && s.Profile != "sekoia" {
		return fmt.Errorf("--output sekoia_assets takes devices in the sekoia profile, not --profile %s", s.Profile)
	}
	return s.normalise()
}

// defaultSourceName is the first label of the console's host name, when it
// makes a valid name.
func defaultSourceName(consoleURL string) string {
	u, err := url.Parse(consoleURL)
	if err == nil && net.ParseIP(u.Hostname()) == nil {
		if label, _, _ := strings.Cut(u.Hostname(), "."); sourceName.MatchString(label) {
			return label
		}
	}
	return "console"
}

// render writes the starter config and checks it, returning the
// environment variables it reads: init never writes a config that validate
// refuses once they are set.
func (s starter) render() (cfg []byte, env []string, err error) {
	var b bytes.Buffer
	if err := starterTemplate.Execute(&b, s); err != nil {
		return nil, nil, err
	}
	b = *bytes.NewBuffer(alignComments(b.Bytes()))
	check := b.Bytes()
	if s.TokenFile != "" {
		// The token file may only exist where the collector will run:
		// check the rest with a token from the environment instead.
		s.TokenFile, s.TokenEnv = "", "S1COLLECTOR_INIT_CHECK"
		var c bytes.Buffer
		if err := starterTemplate.Execute(&c, s); err != nil {
			return nil, nil, err
		}
		check = c.Bytes()
	}
	pretend := func(name string) (string, bool) {
		if !slices.Contains(env, name) && name != "S1COLLECTOR_INIT_CHECK" {
			env = append(env, name)
		}
		return "https://env.invalid/" + name, true // fits any field: a URL, a token, a key
	}
	if _, err := config.Parse(check, ".", pretend); err != nil {
		return nil, nil, flagErrors(err)
	}
	return b.Bytes(), env, nil
}

// outputName is the name init gives an output of a type.
var outputName = map[string]string{"stdout": "console", "file": "archive", "sekoia_assets": "sekoia-assets",
	"sekoia_intake": "sekoia-events", "sumologic": "sumo", "splunk_hec": "splunk", "kafka": "kafka", "webhook": "webhook"}

// APIs are the streams the chosen outputs take between them: a Sekoia.io
// asset connector alone takes devices only.
func (s starter) APIs() []string {
	if len(s.Outputs) == 1 && s.Outputs[0] == "sekoia_assets" {
		return []string{"agents"}
	}
	return config.RecommendedAPIs
}

// Has reports whether an output type was chosen.
func (s starter) Has(typ string) bool { return slices.Contains(s.Outputs, typ) }

// yamlString writes a value as a YAML string: plain when it reads back as
// the same string, double-quoted otherwise.
func yamlString(v string) string {
	_, numeric := strconv.ParseFloat(v, 64)
	if plainScalar.MatchString(v) && numeric != nil && !slices.Contains(yamlWords, strings.ToLower(v)) {
		return v
	}
	b, _ := json.Marshal(v) // a JSON string is a YAML double-quoted scalar
	return string(b)
}

var (
	plainScalar = regexp.MustCompile(`^[A-Za-z0-9/][A-Za-z0-9_./:@-]*$`)
	yamlWords   = []string{"true", "false", "yes", "no", "on", "off", "y", "n", "null", "~"}
)

func yamlList(vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = yamlString(v)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

func outputNames(types []string) string {
	names := make([]string, len(types))
	for i, t := range types {
		names[i] = outputName[t]
	}
	return "[" + strings.Join(names, ", ") + "]"
}

var starterTemplate = template.Must(template.New("starter").Funcs(template.FuncMap{
	"q": yamlString, "list": yamlList, "names": outputNames, "sh": shellQuote,
}).Parse(`# s1collector configuration, written by "s1collector init".
# Check it:            s1collector validate --config {{sh .Path}}
# Test the console:    s1collector test --config {{sh .Path}}
# Every setting:       examples/s1collector.yaml and the README.
# ${NAME} is replaced by the environment variable NAME: keep tokens and keys
# there (or in a file: token_file), never in this file.

state:
  path: {{q (print .StateDir "/state.db")}} # checkpoints; back it up, one process per file

log:
  level: info # debug, info, warn, error
  format: auto # auto (text on a terminal, else JSON), text, json

server:
  listen: {{q .Listen}} # status page, /metrics, /healthz, /readyz; "off" disables

sources:
  - name: {{q .Name}} # names files and checkpoints: letters, digits, . _ -
    base_url: {{q .ConsoleURL}}
{{- if .TokenFile}}
    token_file: {{q .TokenFile}} # the API token of a read-only service user
{{- else}}
    token: {{printf "${%s}" .TokenEnv}} # the API token of a read-only service user
{{- end}}
    supported_apis: {{list .APIs}}
    interval: 5m # between two polls of each stream
    profile: {{.Profile}} # agents as: sekoia, ocsf (strict OCSF 1.6.0) or raw
    lookback: 24h # how far back activities, threats and alerts start on the first run
    full_sync_interval: 24h # full listing of agents (also finds removed devices)
    outputs: {{names .Outputs}}

outputs:
{{- if .Has "file"}}
  - name: archive
    type: file # NDJSON files <dir>/<source>/<stream>.ndjson, fsync'd per batch
    file:
      dir: {{q (print .StateDir "/out")}}
      max_bytes: 1GiB # rotate before a file passes this size
{{- end}}
{{- if .Has "stdout"}}
  - name: console
    type: stdout # NDJSON on standard output (logs go to standard error)
{{- end}}
{{- if .Has "sekoia_assets"}}
  - name: sekoia-assets
    type: sekoia_assets # devices → Sekoia.io asset connector (agents, sekoia profile)
    sekoia_assets:
      connector_uuid: {{q .SekoiaUUID}}
      api_key: ${SEKOIA_API_KEY}
{{- end}}
{{- if .Has "sekoia_intake"}}
  - name: sekoia-events
    type: sekoia_intake # events → Sekoia.io intake
{{- if .Has "sekoia_assets"}}
    streams: [activities, threats, alerts] # devices go to the asset connector
{{- end}}
    sekoia_intake:
      intake_key: ${SEKOIA_INTAKE_KEY}
{{- end}}
{{- if .Has "sumologic"}}
  - name: sumo
    type: sumologic # Sumo Logic HTTP source: gzip'd NDJSON
    sumologic:
      url: ${SUMO_HTTP_SOURCE_URL} # the source's URL is its credential: keep it in the environment
{{- end}}
{{- if .Has "splunk_hec"}}
  - name: splunk
    type: splunk_hec # Splunk HTTP Event Collector
    splunk_hec:
      url: {{q .SplunkURL}}
      token: ${SPLUNK_HEC_TOKEN}
      # index: sentinelone
      # ack: true                       # wait for the indexers' acknowledgement (only if the token has it)
{{- end}}
{{- if .Has "kafka"}}
  - name: kafka
    type: kafka # acks=all; key = source/id
    kafka:
      brokers: {{list .KafkaBrokers}}
      topic: "sentinelone.{source}.{stream}" # the topics must exist, or:
      # create_topics: true             # let the brokers create them
      # tls: {ca_file: /etc/ssl/kafka-ca.pem}
      # sasl: {mechanism: SCRAM-SHA-512, username: s1collector, password: "${KAFKA_PASSWORD}"}
{{- end}}
{{- if .Has "webhook"}}
  - name: webhook
    type: webhook # any HTTPS endpoint: NDJSON (or format: json_array)
    webhook:
      url: {{q .WebhookURL}}
      # gzip: true
      # headers: {Authorization: "Bearer ${WEBHOOK_TOKEN}"}
{{- end}}
`))

// commentColumn is where init's comments start, as in examples/.
const commentColumn = 40

// alignComments moves each trailing comment to commentColumn (or one space
// after a longer value), leaving whole-line comments alone.
func alignComments(cfg []byte) []byte {
	lines := strings.Split(string(cfg), "\n")
	for i, l := range lines {
		at := trailingComment(l)
		if at < 0 {
			continue
		}
		value := strings.TrimRight(l[:at], " ")
		pad := max(commentColumn-len([]rune(value)), 1)
		lines[i] = value + strings.Repeat(" ", pad) + l[at:]
	}
	return []byte(strings.Join(lines, "\n"))
}

// trailingComment is the index of the " #" that starts a comment after a
// value, outside double quotes; -1 if none.
func trailingComment(line string) int {
	if strings.TrimSpace(line) == "" || strings.HasPrefix(strings.TrimSpace(line), "#") {
		return -1
	}
	quoted := false
	for i := 1; i < len(line); i++ {
		switch {
		case line[i] == '"' && line[i-1] != '\\':
			quoted = !quoted
		case !quoted && line[i] == '#' && line[i-1] == ' ':
			return i
		}
	}
	return -1
}
