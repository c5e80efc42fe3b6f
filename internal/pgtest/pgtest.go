// Package pgtest gives tests a PostgreSQL: the server named by
// S1_TEST_POSTGRES_DSN (CI starts one with scripts/pgcluster), a fresh
// schema per test, and private clusters for tests that restart the server.
//
// Without S1_TEST_POSTGRES_DSN the tests skip, saying how to run them;
// with REQUIRE_POSTGRES=1 (CI) they fail instead.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvDSN names the variable holding the test server's DSN.
const EnvDSN = "S1_TEST_POSTGRES_DSN"

// DSN returns the test server's DSN, or skips (fails under
// REQUIRE_POSTGRES=1) when there is none.
func DSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(EnvDSN)
	if dsn != "" {
		return dsn
	}
	if os.Getenv("REQUIRE_POSTGRES") == "1" {
		t.Fatalf("REQUIRE_POSTGRES=1 but %s is not set: start a server with scripts/pgcluster", EnvDSN)
	}
	t.Skipf("PostgreSQL tests skipped: %s is not set (run: eval \"$(scripts/pgcluster start /tmp/s1c-pg)\")", EnvDSN)
	return ""
}

var unsafe = regexp.MustCompile(`[^a-z0-9_]+`)

// Schema returns a new schema name for the test, dropped with everything
// in it when the test ends.
func Schema(t testing.TB, dsn string) string {
	t.Helper()
	b := make([]byte, 4)
	rand.Read(b)
	name := unsafe.ReplaceAllString(strings.ToLower(t.Name()), "_")
	name = "t_" + name[:min(len(name), 40)] + "_" + hex.EncodeToString(b)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Logf("drop schema %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{name}.Sanitize()+" CASCADE"); err != nil {
			t.Logf("drop schema %s: %v", name, err)
		}
	})
	return name
}

// Cluster is a private PostgreSQL cluster a test may stop and start.
type Cluster struct {
	t      testing.TB
	dir    string
	script string
	DSN    string
}

// StartCluster initialises and starts a private cluster (skipping as DSN
// does when PostgreSQL is not available); it is removed when the test ends.
func StartCluster(t testing.TB) *Cluster {
	t.Helper()
	DSN(t)
	dir, err := os.MkdirTemp("", "s1c-pgtest-")
	if err != nil {
		t.Fatal(err)
	}
	c := &Cluster{t: t, dir: dir, script: script(t)}
	t.Cleanup(func() {
		c.Stop()
		os.RemoveAll(dir)
	})
	out := c.run("start")
	_, dsn, ok := strings.Cut(strings.TrimSpace(out), EnvDSN+"=")
	if !ok {
		t.Fatalf("pgcluster start printed no DSN: %s", out)
	}
	c.DSN = strings.Trim(dsn, "'")
	return c
}

// Stop stops the server (fast shutdown: connections are cut).
func (c *Cluster) Stop() { c.run("stop") }

// Start starts it again on the same port.
func (c *Cluster) Start() { c.run("start") }

func (c *Cluster) run(cmd string) string {
	c.t.Helper()
	out, err := exec.Command(c.script, cmd, c.dir).CombinedOutput()
	if err != nil {
		c.t.Fatalf("pgcluster %s: %v\n%s", cmd, err, out)
	}
	return string(out)
}

// script finds scripts/pgcluster above the test's folder.
func script(t testing.TB) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		p := filepath.Join(dir, "scripts", "pgcluster")
		if _, err := os.Stat(p); err == nil {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("scripts/pgcluster not found above the test's folder")
		}
		dir = parent
	}
}
