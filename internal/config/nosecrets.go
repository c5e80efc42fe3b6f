package config

import "strings"

// LoadWithoutSecrets is Load for commands that use no secret: health and
// validate --no-secrets. A secret read from the environment (${NAME}) or
// from a file (token_file, dsn_file) is not read, so these commands work
// where those are not at hand — an administrator's shell beside a service
// whose secrets live in a root-only environment file. Everything else is
// read and checked as Load does; the secrets it did not read hold a
// stand-in value, and their Origin still says where they would come from.
func LoadWithoutSecrets(path string) (*Config, error) { return loadFile(path, noSecrets) }

// LoadForState is LoadWithoutSecrets for the commands that open the state
// (state show and reset): they read the state's own secret, the PostgreSQL
// DSN, and none of the consoles' or outputs'.
func LoadForState(path string) (*Config, error) { return loadFile(path, stateSecrets) }

// secretsRead says which of the secrets kept outside the file a load reads.
type secretsRead int

const (
	allSecrets   secretsRead = iota
	stateSecrets             // only those under state: (the PostgreSQL DSN)
	noSecrets
)

// skips reports whether the secret at path is left unread.
func (d *decoder) skips(path string) bool {
	switch d.secrets {
	case noSecrets:
		return true
	case stateSecrets:
		return !strings.HasPrefix(path, "state.")
	}
	return false
}

// unresolved stands for a secret not read: it passes every check made of a
// secret (a token, a key, the URL of a Sumo Logic source, a PostgreSQL DSN
// in key=value form), and reaches no peer, since nothing that loads without
// a secret contacts the peer it is for.
const unresolved = "https://unresolved.invalid/?secret=not-read"

// readsEnv reports whether a value written in the file names an environment
// variable (${NAME}; $$ is a literal $).
func readsEnv(raw string) bool {
	for _, m := range envRef.FindAllStringSubmatch(raw, -1) {
		if m[1] != "" {
			return true
		}
	}
	return false
}

// sumoEnv is the environment for the api_secret of a Sumo Logic source
// definition, a console token as a whole.
func (d *decoder) sumoEnv(name string) (string, bool) {
	if d.skips("sumo_sources") {
		return unresolved, true
	}
	return d.env(name)
}

// unreadValues are the values of the variables that secrets left unread
// name: not used, but redacted from errors all the same (the variable may
// also be written, by mistake, in a field that is no secret).
func (d *decoder) unreadValues() []string {
	var out []string
	for _, name := range d.unread {
		if v, ok := d.env(name); ok && name != "" {
			out = append(out, v)
		}
	}
	return out
}

// secretName reports whether a variable's name says it holds a secret
// (S1_TOKEN, SPLUNK_HEC_KEY, PG_PASSWORD…): its value is kept out of
// error messages even in a field that is no secret, where it was put by
// mistake (base_url: ${S1_TOKEN}).
func secretName(name string) bool {
	n := strings.ToUpper(name)
	for _, w := range []string{"TOKEN", "SECRET", "PASSWORD", "PASSWD", "KEY", "CREDENTIAL", "DSN", "AUTH"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}
