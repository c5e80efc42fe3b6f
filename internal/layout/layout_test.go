// Package layout holds the test that keeps the floors of the code apart:
// lower packages never import higher ones.
package layout

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// forbidden maps a package pattern to the packages it must not depend on,
// directly or not.
var forbidden = []struct {
	pattern string
	not     []string
	why     string
}{
	{"s1collector/internal/output/...", []string{"internal/sentinelone", "internal/pipeline", "internal/collector", "internal/config", "internal/emulator", "internal/server", "internal/cli"},
		"outputs know events, not the console client or the pipeline"},
	{"s1collector/internal/delivery", []string{"s1collector/internal/"}, "delivery is the ground floor between the pipeline and the outputs"},
	{"s1collector/internal/pipeline", []string{"internal/output/", "internal/collector", "internal/config", "internal/server", "internal/cli"},
		"the pipeline knows no output's wire rules and no configuration file"},
	{"s1collector/internal/jsonenc", []string{"s1collector/internal/"}, "jsonenc writes JSON and knows nothing of the domain"},
	{"s1collector/internal/httpclient", []string{"s1collector/internal/"},
		"HTTP settings and connection diagnostics sit below both the console client and the outputs"},
	{"s1collector/internal/server", []string{"internal/cli"},
		"the status server shows what the commands run; it does not run them"},
	{"s1collector/internal/buildinfo", []string{"s1collector/internal/"}, "build information is a leaf any package may read"},
	{"s1collector/internal/series", []string{"s1collector/internal/"},
		"a stream's series is plain data and arithmetic the store, the pipeline and the server share"},
	{"s1collector/internal/emulator", []string{"internal/sentinelone", "internal/pipeline"},
		"the emulator is a console of its own: sharing the client's code would hide the client's bugs"},
	{"s1collector/internal/lease/...", []string{"internal/state", "internal/pipeline", "internal/collector", "internal/config", "internal/server", "internal/cli"},
		"leases know no database and no pipeline: a Table keeps them, a Work runs a stream"},
	{"s1collector/internal/state/postgres", []string{"internal/pipeline", "internal/collector", "internal/config", "internal/server", "internal/cli"},
		"the shared store knows checkpoints and leases, not the pipeline or the configuration file"},
	{"s1collector/internal/pipeline", []string{"internal/state/postgres", "internal/lease"},
		"the pipeline must not learn about PostgreSQL or leases: it sees a state.Store"},
	{"s1collector/internal/scrub", []string{"s1collector/internal/"}, "scrub is a ground floor: text in, safe text out"},
	{"s1collector/internal/httpclient", []string{"s1collector/internal/"},
		"httpclient is the ground floor of HTTP that the console client and the outputs share"},
}

func TestLowerFloorsNeverImportHigherOnes(t *testing.T) {
	readSources(t)
	for _, f := range forbidden {
		pkgs, err := exec.Command("go", "list", f.pattern).Output()
		if err != nil {
			t.Fatalf("go list %s: %v", f.pattern, err)
		}
		for _, pkg := range strings.Fields(string(pkgs)) {
			deps, err := exec.Command("go", "list", "-deps", pkg).Output()
			if err != nil {
				t.Fatalf("go list -deps %s: %v", pkg, err)
			}
			for _, dep := range strings.Fields(string(deps)) {
				if dep == pkg || !strings.HasPrefix(dep, "s1collector/") {
					continue
				}
				for _, n := range f.not {
					if strings.Contains(dep, n) {
						t.Errorf("%s depends on %s: %s", pkg, dep, f.why)
					}
				}
			}
		}
	}
}

// readSources reads every Go file of the module, so that Go's test cache,
// which cannot see what "go list" reads, runs this test again after any
// change to them.
func readSources(t *testing.T) {
	t.Helper()
	err := filepath.WalkDir("../..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".go" {
			return err
		}
		_, err = os.ReadFile(path)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
