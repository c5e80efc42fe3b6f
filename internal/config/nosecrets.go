package config

// LoadWithoutSecrets is Load for commands that use no secret: state show
// and reset, health, validate --no-secrets. A secret read from the
// environment (${NAME}) or from a token_file is not read, so these commands
// work where those are not at hand — an administrator's shell beside a
// service whose tokens live in a root-only environment file. Everything
// else is read and checked as Load does; the secrets it did not read hold
// a stand-in value, and their Origin still says where they would come from.
func LoadWithoutSecrets(path string) (*Config, error) { return loadFile(path, true) }

// unresolved stands for a secret not read: it passes every check made of a
// secret (a token, a key, the URL of a Sumo Logic source), and reaches no
// peer, since nothing that loads without secrets contacts one.
const unresolved = "https://unresolved.invalid/secret-not-read"

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

// secretEnv is the environment for values that are secrets as a whole (the
// api_secret of a Sumo Logic source definition).
func (d *decoder) secretEnv(name string) (string, bool) {
	if d.noSecrets {
		return unresolved, true
	}
	return d.env(name)
}
