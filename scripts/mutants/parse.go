package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// mutant is one planted bug and the tests that must catch it.
type mutant struct {
	name, title  string
	tests        []test
	replacements []replacement
}

type test struct{ pkg, name string }

type replacement struct{ file, old, new string }

func parseFile(path string) (*mutant, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m, err := parse(string(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	m.name = strings.TrimSuffix(filepath.Base(path), ".mutant")
	return m, nil
}

// parse reads the format described in main.go.
func parse(text string) (*mutant, error) {
	m := &mutant{}
	lines := strings.Split(text, "\n")
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		switch {
		case strings.TrimSpace(line) == "":
		case strings.HasPrefix(line, "#"):
			if m.title == "" {
				m.title = strings.TrimSpace(strings.TrimPrefix(line, "#"))
			}
		case strings.HasPrefix(line, "test "):
			f := strings.Fields(line)
			if len(f) != 3 {
				return nil, fmt.Errorf("line %d: want \"test <package> <TestName>\"", i+1)
			}
			m.tests = append(m.tests, test{pkg: f[1], name: f[2]})
		case strings.HasPrefix(line, "replace "):
			r := replacement{file: strings.TrimSpace(strings.TrimPrefix(line, "replace "))}
			var old, new []string
			j := i + 1
			for ; j < len(lines) && lines[j] != "with"; j++ {
				old = append(old, lines[j])
			}
			k := j + 1
			for ; k < len(lines) && lines[k] != "end"; k++ {
				new = append(new, lines[k])
			}
			if j >= len(lines) || k >= len(lines) || len(old) == 0 {
				return nil, fmt.Errorf("line %d: a replacement is \"replace <file>\", the old lines, \"with\", the new lines, \"end\"", i+1)
			}
			r.old, r.new = strings.Join(old, "\n")+"\n", strings.Join(new, "\n")+"\n"
			if len(new) == 0 {
				r.new = ""
			}
			m.replacements = append(m.replacements, r)
			i = k
		default:
			return nil, fmt.Errorf("line %d: %q is not a comment, test, or replacement", i+1, line)
		}
	}
	if m.title == "" || len(m.tests) == 0 || len(m.replacements) == 0 {
		return nil, fmt.Errorf("a mutant needs a # title, at least one test and one replacement")
	}
	return m, nil
}
