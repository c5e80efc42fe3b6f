// Command mutants is the mutation check: each planted bug in this folder
// (one *.mutant file each) is applied to a temporary copy of the working
// tree, and every test it names must then fail. A mutant no test catches,
// or one that no longer applies or builds, fails the check.
//
//	go run ./scripts/mutants            # every mutant
//	go run ./scripts/mutants -run kill  # those whose file name matches
//
// A mutant file:
//
//	# (a) What the bug is, in a sentence (the first comment is its title).
//	test ./internal/pipeline TestFailingOutputHoldsTheCheckpoint
//	replace internal/pipeline/stream.go
//	<text that must occur exactly once, whole lines>
//	with
//	<its replacement>
//	end
//
// A mutant may name several tests (each must fail) and several
// replacements, applied in order.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
)

func main() {
	run := flag.String("run", "", "only the mutants whose file name matches this regular expression")
	timeout := flag.Duration("timeout", 5*time.Minute, "time limit of each test run")
	flag.BoolVar(&verbose, "v", false, "show how each test failed")
	flag.Parse()
	if err := check(*run, *timeout); err != nil {
		fmt.Fprintln(os.Stderr, "mutants:", err)
		os.Exit(1)
	}
}

func check(pattern string, timeout time.Duration) error {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return err
	}
	files, err := filepath.Glob("scripts/mutants/*.mutant")
	if err != nil || len(files) == 0 {
		return fmt.Errorf("no scripts/mutants/*.mutant here (run from the repository root): %v", err)
	}
	sort.Strings(files)
	var mutants []*mutant
	for _, f := range files {
		if !re.MatchString(filepath.Base(f)) {
			continue
		}
		m, err := parseFile(f)
		if err != nil {
			return err
		}
		mutants = append(mutants, m)
	}
	tree, err := copyTree()
	if err != nil {
		return err
	}
	defer os.RemoveAll(tree)
	failed := 0
	for _, m := range mutants {
		start := time.Now()
		verdict := m.try(tree, timeout)
		fmt.Printf("%-40s %-9s %5.0fs  %s\n", m.name, verdict.word, time.Since(start).Seconds(), m.title)
		if verdict.word != "caught" {
			failed++
			fmt.Println(indent(verdict.detail))
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d mutants not caught", failed, len(mutants))
	}
	fmt.Printf("all %d mutants caught\n", len(mutants))
	return nil
}

var verbose bool

type verdict struct{ word, detail string }

// try applies the mutant to tree, runs its tests, and restores tree.
func (m *mutant) try(tree string, timeout time.Duration) verdict {
	originals := map[string][]byte{}
	defer func() {
		for path, b := range originals {
			os.WriteFile(path, b, 0o644)
		}
	}()
	for _, r := range m.replacements {
		path := filepath.Join(tree, r.file)
		b, err := os.ReadFile(path)
		if err != nil {
			return verdict{"stale", err.Error()}
		}
		if _, ok := originals[path]; !ok {
			originals[path] = b
		}
		if n := bytes.Count(b, []byte(r.old)); n != 1 {
			return verdict{"stale", fmt.Sprintf("%s: the text to replace occurs %d times, want once:\n%s", r.file, n, r.old)}
		}
		if err := os.WriteFile(path, bytes.Replace(b, []byte(r.old), []byte(r.new), 1), 0o644); err != nil {
			return verdict{"stale", err.Error()}
		}
	}
	var survived []string
	for _, t := range m.tests {
		out, err := goTest(tree, t, timeout)
		switch {
		case err == nil:
			survived = append(survived, fmt.Sprintf("%s %s passed", t.pkg, t.name))
		case bytes.Contains(out, []byte("[build failed]")) || bytes.Contains(out, []byte("[setup failed]")) || bytes.Contains(out, []byte("vet: ")):
			return verdict{"invalid", fmt.Sprintf("the mutant does not build:\n%s", tail(out, 20))}
		case verbose:
			fmt.Printf("  %s %s failed:\n%s\n", t.pkg, t.name, indent(failures(out)))
		}
	}
	if len(survived) > 0 {
		return verdict{"SURVIVED", strings.Join(survived, "\n")}
	}
	return verdict{"caught", ""}
}

func goTest(tree string, t test, timeout time.Duration) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "test", "-count=1", "-run", "^("+t.name+")$", t.pkg)
	cmd.Dir = tree
	// -trimpath keeps the build cache valid across the copy's path;
	// e2e tests build the binary without the race detector.
	cmd.Env = append(os.Environ(), "GOFLAGS="+strings.TrimSpace(os.Getenv("GOFLAGS")+" -trimpath"), "E2E_NO_RACE=1")
	return cmd.CombinedOutput()
}

// copyTree copies the working tree (tracked and untracked files, not the
// ignored ones; every file but .git outside a git checkout) to a
// temporary folder.
func copyTree() (string, error) {
	files, err := treeFiles()
	if err != nil {
		return "", err
	}
	tree, err := os.MkdirTemp("", "s1collector-mutants")
	if err != nil {
		return "", err
	}
	for _, f := range files {
		if err := copyFile(f, filepath.Join(tree, f)); err != nil && !errors.Is(err, os.ErrNotExist) {
			os.RemoveAll(tree)
			return "", err
		}
	}
	return tree, nil
}

func treeFiles() ([]string, error) {
	if list, err := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard").Output(); err == nil {
		return strings.Split(strings.TrimRight(string(list), "\x00"), "\x00"), nil
	}
	var files []string
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && d.Name() == ".git":
			return filepath.SkipDir
		case !d.IsDir():
			files = append(files, path)
		}
		return nil
	})
	return files, err
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	st, err := in.Stat()
	if err != nil || st.IsDir() {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return err
	}
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, st.Mode())
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// failures keeps the lines a failing test wrote about what went wrong.
func failures(out []byte) string {
	var keep []string
	for _, l := range strings.Split(string(out), "\n") {
		if strings.Contains(l, "_test.go:") || strings.HasPrefix(strings.TrimSpace(l), "--- FAIL") {
			keep = append(keep, strings.TrimSpace(l))
		}
	}
	return strings.Join(keep[:min(len(keep), 6)], "\n")
}

func tail(b []byte, n int) string {
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(s, "\n", "\n    ")
}
