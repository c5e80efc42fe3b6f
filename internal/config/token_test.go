package config

import (
	"os"
	"path/filepath"
	"testing"
)

// TestTokenFileIsRead: a token_file alone is read (trimmed) and is not
// "token and token_file both given"; the token remembers where it came from.
func TestTokenFileIsRead(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "s1-token"), []byte(secretValue+"\n"), 0o600)
	for _, tt := range []struct {
		token, origin string
	}{
		{"token_file: s1-token", "token_file " + filepath.Join(dir, "s1-token")},
		{"token: ${S1_TOKEN}", "environment variable S1_TOKEN"},
		{"token: " + secretValue, ""},
	} {
		c, err := Parse([]byte("sources:\n  - name: s\n    base_url: https://t.sentinelone.net\n    "+tt.token+"\n    outputs: [o]\noutputs:\n  - {name: o, type: stdout}\n"), dir, testEnv)
		if err != nil {
			t.Fatalf("%s: %v", tt.token, err)
		}
		if tok := c.Sources[0].Token; tok.Value() != secretValue || tok.Origin() != tt.origin {
			t.Errorf("%s: token from %q, want %q", tt.token, tok.Origin(), tt.origin)
		}
	}
}
