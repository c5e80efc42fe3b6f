package config

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// Postgres keeps the state in PostgreSQL, shared by several replicas that
// divide the streams among themselves.
type Postgres struct {
	// DSN is the connection string, postgres://USER:PASSWORD@HOST:5432/DB
	// or key=value; use ${ENV} or dsn_file rather than the password itself.
	DSN     Secret `yaml:"dsn"`
	DSNFile string `yaml:"dsn_file"`
	// Schema holds the tables (created and migrated on start). Default
	// s1collector; replicas of one deployment share it.
	Schema string `yaml:"schema"`
	// LeaseTTL is how long a stream stays with a replica that stopped
	// renewing its lease: a dead replica's streams move after it. Default 15s.
	LeaseTTL time.Duration `yaml:"lease_ttl"`
	// Replica names this process on the status page and in logs (a random
	// suffix keeps restarts apart). Default the host name.
	Replica string `yaml:"replica"`
}

// Default PostgreSQL settings.
const (
	DefaultSchema   = "s1collector"
	DefaultLeaseTTL = 15 * time.Second
)

var schemaName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

func (p *Postgres) applyDefaults() {
	if p.Schema == "" {
		p.Schema = DefaultSchema
	}
	if p.LeaseTTL == 0 {
		p.LeaseTTL = DefaultLeaseTTL
	}
}

func (c *Config) validateState(v *validator) {
	p := c.State.Postgres
	if p == nil {
		if c.State.Path == "" {
			v.add("state.path", "is empty")
		}
		return
	}
	if c.State.Path != "" {
		v.add("state.path", "give either path (a state file for one process) or postgres (state shared by replicas), not both")
	}
	switch {
	case p.DSN.IsSet() && p.DSNFile != "" && p.DSN.Origin() != "dsn_file "+p.DSNFile:
		v.add("state.postgres.dsn", "give dsn or dsn_file, not both")
	case !p.DSN.IsSet() && p.DSNFile == "":
		v.add("state.postgres.dsn", "is required (or dsn_file): postgres://USER:PASSWORD@HOST:5432/DATABASE, with ${ENV_VAR} for the password")
	case !p.DSN.IsSet():
		v.add("state.postgres.dsn_file", "%s is empty", p.DSNFile)
	case !strings.HasPrefix(p.DSN.Value(), "postgres://") && !strings.HasPrefix(p.DSN.Value(), "postgresql://") && !strings.Contains(p.DSN.Value(), "="):
		v.add("state.postgres.dsn", "is not a PostgreSQL connection string: write postgres://USER:PASSWORD@HOST:5432/DATABASE or host=… user=… dbname=…")
	default:
		if problem := dsnProblem(p.DSN.Value()); problem != "" {
			v.add("state.postgres.dsn", "%s", problem)
		}
	}
	if !schemaName.MatchString(p.Schema) {
		v.add("state.postgres.schema", "%q: use lower-case letters, digits and _ (at most 63)", p.Schema)
	}
	if p.LeaseTTL < 3*time.Second || p.LeaseTTL > 10*time.Minute {
		v.add("state.postgres.lease_ttl", "%s is outside 3s–10m", fmtDuration(p.LeaseTTL))
	}
	if p.Replica != "" && !namePattern.MatchString(p.Replica) {
		v.add("state.postgres.replica", "%q may use only letters, digits, '.', '_' and '-'", p.Replica)
	}
}

// readDSNFile reads state.postgres.dsn_file.
func (c *Config) readDSNFile(d *decoder) {
	p := c.State.Postgres
	if p == nil || p.DSNFile == "" || p.DSN.IsSet() {
		return // both given: reported by validateState
	}
	if d.skips("state.postgres.dsn_file") {
		p.DSN = SecretFrom(unresolved, "dsn_file "+p.DSNFile)
		return
	}
	b, err := readFile(p.DSNFile, MaxTokenFileBytes) // a regular file, like a token file
	if err != nil {
		d.fail(nil, "state.postgres.dsn_file", "%v", err)
		return
	}
	p.DSN = SecretFrom(strings.TrimSpace(string(b)), "dsn_file "+p.DSNFile)
}

var dsnPassword = regexp.MustCompile(`(?:^|\s)password\s*=\s*('(?:[^'\\]|\\.)*'|\S+)`)

// dsnSecrets are the DSN and the password in it, for redaction: a driver's
// message may quote the password alone.
func dsnSecrets(dsn string) []string {
	out := []string{dsn}
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		if pw, ok := u.User.Password(); ok {
			out = append(out, pw, url.QueryEscape(pw), url.PathEscape(pw))
		}
	}
	for _, m := range dsnPassword.FindAllStringSubmatch(dsn, -1) {
		pw := m[1]
		if strings.HasPrefix(pw, "'") {
			pw = strings.ReplaceAll(strings.Trim(pw, "'"), `\'`, "'")
		}
		out = append(out, pw)
	}
	if u, err := url.Parse(dsn); err == nil {
		if pw := u.Query().Get("password"); pw != "" {
			out = append(out, pw)
		}
	}
	return out
}

// dsnProblem is why PostgreSQL's driver would refuse dsn, as "run" parses
// it (the port, sslmode, connect_timeout, TLS files…), without the
// password: "" when it parses.
func dsnProblem(dsn string) string {
	_, err := pgconn.ParseConfig(dsn)
	if err == nil {
		return ""
	}
	var pe *pgconn.ParseConfigError
	if !errors.As(err, &pe) {
		return "cannot be used: " + scrubDSN(err.Error(), dsn)
	}
	// Its text is "cannot parse `<the DSN>`: what (why)": keep what and
	// why, without the DSN (net/url's errors quote it whole).
	text := pe.Error()
	inner := errors.Unwrap(pe)
	if inner != nil {
		text = strings.TrimSuffix(text, " ("+inner.Error()+")")
	}
	what := text[strings.LastIndex(text, "`: ")+3:]
	var ue *url.Error
	switch {
	case errors.As(inner, &ue):
		what += ": " + ue.Err.Error()
	case inner != nil:
		what += ": " + scrubDSN(inner.Error(), dsn)
	}
	return what
}

// scrubDSN removes the DSN and the password in it from text.
func scrubDSN(text, dsn string) string {
	for _, s := range dsnSecrets(dsn) {
		if s != "" {
			text = strings.ReplaceAll(text, s, "[redacted]")
		}
	}
	return text
}

// StateWhere says where the state is kept, without secrets: the file, or
// PostgreSQL's schema.
func (c *Config) StateWhere() string {
	if c.State.Postgres == nil {
		return c.State.Path
	}
	return fmt.Sprintf("PostgreSQL (schema %s)", c.State.Postgres.Schema)
}
