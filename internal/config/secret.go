package config

import (
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Secret is a token or key. It prints as [redacted] everywhere, so it cannot
// reach a log, an error or the status page by accident.
type Secret struct {
	value  string
	origin string // where value came from, for messages; "" for the config itself
}

// NewSecret wraps a value.
func NewSecret(v string) Secret { return Secret{value: v} }

// SecretFrom wraps a value read from origin, e.g. "token_file /run/x".
func SecretFrom(v, origin string) Secret { return Secret{value: v, origin: origin} }

// Origin says where the value came from ("environment variable S1_TOKEN",
// "token_file /run/secrets/s1"), or "" when it is written in the config.
func (s Secret) Origin() string { return s.origin }

// Value is the secret itself, for the one place that sends it.
func (s Secret) Value() string { return s.value }

// IsSet reports whether a value was given.
func (s Secret) IsSet() bool { return s.value != "" }

func (s Secret) String() string {
	if s.value == "" {
		return ""
	}
	return "[redacted]"
}

// GoString keeps %#v from printing the value.
func (s Secret) GoString() string { return s.String() }

// MarshalJSON writes the redaction, never the value.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + s.String() + `"`), nil }

func (s *Secret) decodeYAML(d *decoder, n *yaml.Node, path string) {
	if d.skips(path) && n.Kind == yaml.ScalarNode && readsEnv(n.Value) {
		s.value, s.origin = unresolved, envOrigin(n.Value)
		for _, m := range envRef.FindAllStringSubmatch(n.Value, -1) {
			d.unread = append(d.unread, m[1])
		}
		return
	}
	if v, ok := d.scalar(n, path); ok {
		s.value, s.origin = v, envOrigin(n.Value)
	}
	if cutByComment(n) {
		d.fail(n, path, `is cut at " #": YAML starts a comment there, so what follows is not part of the value; put the value in quotes`)
	}
}

// cutByComment reports whether an unquoted value is followed by what looks
// like the rest of a connection string or URL rather than a comment: a
// password with " #" in it, written without quotes.
func cutByComment(n *yaml.Node) bool {
	c := n.LineComment
	if n.Kind != yaml.ScalarNode || n.Style != 0 || len(c) < 2 || c[0] != '#' || c[1] == ' ' {
		return false
	}
	return strings.Contains(c, "=") || !strings.ContainsAny(c, " \t") && strings.ContainsAny(c, "@/:")
}

var wholeEnvRef = regexp.MustCompile(`^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$`)

// envOrigin is "environment variable NAME" when raw is only ${NAME}.
func envOrigin(raw string) string {
	if m := wholeEnvRef.FindStringSubmatch(raw); m != nil {
		return "environment variable " + m[1]
	}
	return ""
}
