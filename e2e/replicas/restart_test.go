package replicas

import (
	"context"
	"maps"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"s1collector/e2e/proc"
	"s1collector/internal/emulator"
	"s1collector/internal/pgtest"
)

// TestReplicasSurvivePostgresRestart: PostgreSQL restarted while 3
// replicas collect, down 9 s, back within the lease TTL (15 s): they retry,
// say so in the logs and on the status page, and stop nothing — no
// stream paused, no lease moved, no epoch changed — and nothing is lost.
func TestReplicasSurvivePostgresRestart(t *testing.T) {
	pg := pgtest.StartCluster(t)
	f := newFleet(t, pg.DSN, 6)
	for _, name := range []string{"r1", "r2", "r3"} {
		f.start(name)
	}
	f.waitSpread(60*time.Second, "r1", "r2", "r3")
	waitFor(t, f.reps["r1"].stderr, `"msg":"cycle done"`, 3)
	leases, taken := f.leases(), f.metrics(`s1collector_lease_changes_total{change="taken"`)
	pg.Stop()
	downAt := time.Now()
	var sawOnPage bool
	for time.Since(downAt) < 8500*time.Millisecond {
		if st := f.status(f.reps["r2"]); st.StateStore != nil && !st.Ready {
			sawOnPage = true
		}
		time.Sleep(250 * time.Millisecond)
	}
	pg.Start()
	outage := time.Since(downAt)
	t.Logf("PostgreSQL down for %s", outage.Round(time.Millisecond))
	for _, p := range f.reps {
		waitFor(t, p.stderr, "shared state reachable again", 1)
		if !strings.Contains(p.stderr.String(), `"msg":"shared state unreachable; leases renewed when it is back"`) ||
			!strings.Contains(p.stderr.String(), `"retry_in":"`) {
			t.Errorf("%s did not say it was retrying", p.name)
		}
	}
	if !sawOnPage {
		t.Error("the status page did not show PostgreSQL unreachable")
	}
	// A replica trusts its leases until TTL − TTL/10 after its last
	// renewal, which came at most TTL/10 before the stop: an outage under
	// 12 s must stop nothing. (Under extreme load a restart can take
	// longer; then the replicas may rightly pause their streams.)
	if outage < 11500*time.Millisecond {
		time.Sleep(3 * time.Second) // a round or two after it is back
		moved := 0
		for k, l := range f.leases() {
			if leases[k] != l {
				moved++
			}
		}
		t.Logf("after a PostgreSQL restart of %s: %d of %d leases moved or changed epoch", outage, moved, len(leases))
		if moved > 0 {
			t.Errorf("a PostgreSQL restart of %s moved leases or changed epochs", outage)
		}
		if now := f.metrics(`s1collector_lease_changes_total{change="taken"`); !maps.Equal(now, taken) {
			t.Errorf("leases taken during a PostgreSQL restart of %s: %v, then %v", outage, taken, now)
		}
		for _, p := range f.reps {
			if log := p.stderr.String(); strings.Contains(log, "no lease renewal in time") || strings.Contains(log, "lease lost") {
				t.Errorf("%s stopped streams during a PostgreSQL restart of %s", p.name, outage)
			}
		}
	} else {
		t.Logf("PostgreSQL took %s to restart: longer than the replicas may trust their leases, not checking that nothing moved", outage)
	}
	f.waitSpread(60*time.Second, "r1", "r2", "r3")
	f.c.SetFault("*", emulator.Fault{})
	f.c.SetSpeed(0)
	f.waitCaughtUp(time.Now(), 180*time.Second)
	f.stopAll()
	f.verify(1000)
	f.noPassword()
	f.stateShow()
}

// leases reads every stream's lease: stream → owner@epoch.
func (f *fleet) leases() map[string]string {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, f.dsn)
	if err != nil {
		f.t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT stream, owner || '@' || epoch FROM `+pgx.Identifier{f.schema}.Sanitize()+`.leases`)
	if err != nil {
		f.t.Fatal(err)
	}
	out := map[string]string{}
	var k, v string
	if _, err := pgx.ForEachRow(rows, []any{&k, &v}, func() error { out[k] = v; return nil }); err != nil {
		f.t.Fatal(err)
	}
	return out
}

// metrics reads one metric from every live replica: name → its line.
func (f *fleet) metrics(prefix string) map[string]string {
	out := map[string]string{}
	for name, p := range f.reps {
		if f.alive(p) {
			out[name] = metric(f.t, p.url, prefix)
		}
	}
	return out
}

// stateShow runs "state show" against the shared state once the replicas
// are gone: every stream's checkpoint, none held.
func (f *fleet) stateShow() {
	f.t.Helper()
	cmd := proc.Command(f.t, 0, bin(f.t), "state", "show", "--config", f.writeConfig("tool", len(f.sources)))
	cmd.Dir = f.dir
	cmd.Env = append(os.Environ(), "PGDSN="+f.dsn, "REPLICA=tool", "OUTDIR=out-tool")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if err != nil || !strings.HasSuffix(lines[0], "REPLICA") || len(lines) != 1+len(f.sources)*3 {
		f.t.Fatalf("state show: %v\n%s%s", err, out, stderr.String())
	}
	for _, l := range lines[1:] {
		if !strings.HasSuffix(l, " -") {
			f.t.Errorf("a stream is still held after every replica stopped: %s", l)
		}
	}
}
