package cli

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"s1collector/internal/pgtest"
	"s1collector/internal/state/postgres"
)

// TestCheckOfSharedStateChangesNothing: "test" says whether PostgreSQL
// answers and at which version its schema is, without creating or
// migrating it, and names what to fix when it refuses.
func TestCheckOfSharedStateChangesNothing(t *testing.T) {
	dsn := pgtest.DSN(t)
	schema := pgtest.Schema(t, dsn)
	check := func(dsn string) string {
		t.Helper()
		dir := t.TempDir()
		t.Setenv("S1_TEST_PG_DSN", dsn)
		path := filepath.Join(dir, "s1.yaml")
		os.WriteFile(path, []byte(`state: {postgres: {dsn: "${S1_TEST_PG_DSN}", schema: `+schema+`}}
sources:
  - {name: a, base_url: "http://127.0.0.1:1", token: abc, outputs: [o]}
outputs:
  - {name: o, type: stdout}
`), 0o600)
		out, _, _ := runCLI(t, "", "test", "--config", path, "--timeout", "5s")
		for _, line := range strings.Split(out, "\n") {
			if strings.Contains(line, "state: ") {
				return line
			}
		}
		t.Fatalf("no state line:\n%s", out)
		return ""
	}
	if line := check(dsn); !strings.HasPrefix(line, "✓") || !strings.Contains(line, "schema "+schema+" not created yet: the first run creates it") {
		t.Errorf("before any run: %s", line)
	}
	info, err := postgres.Inspect(t.Context(), postgres.Config{DSN: dsn, Schema: schema})
	if err != nil || info.Version != 0 {
		t.Fatalf("test created the schema: %+v %v", info, err)
	}
	s, err := postgres.Open(context.Background(), postgres.Config{DSN: dsn, Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if line := check(dsn); !strings.HasPrefix(line, "✓") || !strings.Contains(line, "at version ") || !strings.Contains(line, "0 replica(s) running") {
		t.Errorf("after a run: %s", line)
	}
	u, _ := url.Parse(dsn)
	u.User = url.UserPassword(u.User.Username(), "not-the-password")
	if line := check(u.String()); !strings.HasPrefix(line, "✗") || !strings.Contains(line, "check the user and password in state.postgres.dsn") ||
		strings.Contains(line, "PostgreSQL is up") {
		t.Errorf("wrong password: %s", line)
	}
}
