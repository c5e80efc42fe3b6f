package config

import "go.yaml.in/yaml/v3"

// Secret is a token or key. It prints as [redacted] everywhere, so it cannot
// reach a log, an error or the status page by accident.
type Secret struct{ value string }

// NewSecret wraps a value.
func NewSecret(v string) Secret { return Secret{v} }

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
	if v, ok := d.scalar(n, path); ok {
		s.value = v
	}
}
