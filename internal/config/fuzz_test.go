package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse: any YAML gives a config or errors with paths — never a panic,
// and never the secret in a message.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*/*.yaml")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("sources: [{name: a, token: ${S1_TOKEN}, base_url: 'https://x', outputs: [o]}]\noutputs: [{name: o, type: stdout}]"))
	f.Add([]byte("a: &x [*x]"))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, err := Parse(b, t.TempDir(), testEnv)
		if err != nil && strings.Contains(err.Error(), secretValue) {
			t.Fatalf("error shows the token: %v", err)
		}
	})
}

// FuzzSumoSource: any JSON gives a source or errors — never a panic.
func FuzzSumoSource(f *testing.F) {
	for _, p := range []string{"testdata/good/sumo/sentinelone.json", "../../examples/sumo-source.json"} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"source":{"config":{"fields":{"_siemForward":"yes"}}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		parseSumo(b, testEnv)
	})
}
