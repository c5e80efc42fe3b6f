package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	m, err := parse("# (z) A bug.\n# more words\ntest ./internal/x TestA\ntest ./e2e TestB\nreplace a.go\n\tx := 1\nwith\n\tx := 2\nend\nreplace a.go\n\ty()\nwith\nend\n")
	if err != nil {
		t.Fatal(err)
	}
	if m.title != "(z) A bug." || len(m.tests) != 2 || m.tests[1] != (test{"./e2e", "TestB"}) || len(m.replacements) != 2 ||
		m.replacements[0] != (replacement{"a.go", "\tx := 1\n", "\tx := 2\n"}) || m.replacements[1].new != "" {
		t.Fatalf("%+v", m)
	}
	for _, bad := range []string{"", "# t\ntest ./x TestA\n", "# t\nreplace a.go\nx\nwith\ny\nend\n", "# t\ntest ./x\n", "# t\ntest ./x T\nreplace a.go\nx\n", "oops\n"} {
		if _, err := parse(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

// TestEveryMutantParsesAndApplies: each mutant in this folder reads, and
// each of its replacements matches exactly once in the current tree, so a
// change elsewhere cannot silently make one stale.
func TestEveryMutantParsesAndApplies(t *testing.T) {
	files, _ := filepath.Glob("*.mutant")
	if len(files) < 8 {
		t.Fatalf("%d mutants", len(files))
	}
	for _, f := range files {
		m, err := parseFile(f)
		if err != nil {
			t.Fatal(err)
		}
		text := map[string]string{}
		for _, r := range m.replacements {
			if _, ok := text[r.file]; !ok {
				b, err := os.ReadFile(filepath.Join("../..", r.file))
				if err != nil {
					t.Fatalf("%s: %v", f, err)
				}
				text[r.file] = string(b)
			}
			if n := strings.Count(text[r.file], r.old); n != 1 {
				t.Errorf("%s: its text occurs %d times in %s, want once", f, n, r.file)
			}
			text[r.file] = strings.Replace(text[r.file], r.old, r.new, 1)
		}
	}
}
