package replicas

import (
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"s1collector/internal/pgtest"
)

// TestRollingConfigChange: a source is added to three replicas one at a
// time, each by a reload (SIGHUP), as an operator rolls a configuration
// change. The added source's streams are collected at once by the replica
// that has them; no stream any replica can run goes without a holder for
// longer than a handover; the replicas warn while their configurations
// differ and say when they agree again; a reload loses no lease.
func TestRollingConfigChange(t *testing.T) {
	f := newFleet(t, pgtest.DSN(t), 3)
	f.active = 2
	r1, r2, r3 := f.startWith("r1", 2), f.startWith("r2", 2), f.startWith("r3", 2)
	f.waitSpread(60*time.Second, "r1", "r2", "r3")
	o := f.watchOwners()

	// r1 gets console-3: its 3 streams are collected at once.
	added := []string{"console-3/agents", "console-3/activities", "console-3/threats"}
	sent := time.Now()
	o.add(sent, added...)
	f.reload(r1, 3)
	o.until(30*time.Second, func(held map[string][]string) bool {
		return slices.IndexFunc(added, func(k string) bool { return len(held[k]) == 0 }) < 0
	})
	took := time.Since(sent)
	t.Logf("console-3 added to r1: its streams held after %s", took.Round(time.Millisecond))
	if took > 10*time.Second {
		t.Errorf("the added source's streams waited %s for a holder", took)
	}
	warned := func(p *replicaProc) bool {
		return strings.Contains(p.stderr.String(), "the replicas' configurations differ")
	}
	o.until(10*time.Second, func(map[string][]string) bool { return warned(r2) })
	if !warned(r2) {
		t.Error("r2 does not log that its configuration differs from r1's")
	}
	if d := f.status(r2).Differ; len(d) == 0 || !strings.Contains(strings.Join(d, "; "), "runs 3 stream(s) this one does not") {
		t.Errorf("r2's status does not say how r1 differs: %q", d)
	}

	// r2, then r3 get it too: the 9 streams spread over all three, the
	// warning ends.
	f.reload(r2, 3)
	o.until(5*time.Second, func(map[string][]string) bool { return false })
	f.reload(r3, 3)
	f.active = 3
	o.until(60*time.Second, func(map[string][]string) bool {
		for _, p := range []*replicaProc{r1, r2, r3} {
			if !strings.Contains(p.stderr.String(), "the replicas' configurations agree again") {
				return false
			}
		}
		return true
	})
	for _, p := range []*replicaProc{r1, r2, r3} {
		if !strings.Contains(p.stderr.String(), "the replicas' configurations agree again") {
			t.Errorf("%s does not say the configurations agree again", p.name)
		}
	}
	f.waitSpread(60*time.Second, "r1", "r2", "r3")
	var worst time.Duration
	for _, gap := range o.worst {
		worst = max(worst, gap)
	}
	t.Logf("the longest any stream went without a holder: %s", worst.Round(time.Millisecond))
	for k, gap := range o.worst {
		if gap > 8*time.Second {
			t.Errorf("%s had no holder for %s during the rolling change", k, gap)
		}
	}
	for _, p := range []*replicaProc{r1, r2, r3} {
		if strings.Contains(p.stderr.String(), "lease lost") {
			t.Errorf("%s lost a lease during the rolling change", p.name)
		}
	}
	if d := f.status(r1).Differ; len(d) != 0 {
		t.Errorf("the configurations agree, yet r1 says: %q", d)
	}
}

// owners watches which replica holds each stream, recording the longest
// each stream wanted went without one.
type owners struct {
	f     *fleet
	want  []string
	since map[string]time.Time // when a stream was last seen held
	worst map[string]time.Duration
}

func (f *fleet) watchOwners() *owners {
	o := &owners{f: f, since: map[string]time.Time{}, worst: map[string]time.Duration{}}
	for _, src := range f.sources[:f.active] {
		for _, s := range streams {
			o.want = append(o.want, src+"/"+s)
		}
	}
	return o
}

// add wants keys held from at on.
func (o *owners) add(at time.Time, keys ...string) {
	o.want = append(o.want, keys...)
	for _, k := range keys {
		o.since[k] = at
	}
}

// until polls the holders until done says so, or timeout.
func (o *owners) until(timeout time.Duration, done func(held map[string][]string) bool) {
	o.f.t.Helper()
	start := time.Now()
	for time.Since(start) < timeout {
		held := o.f.held()
		now := time.Now()
		for _, k := range o.want {
			if _, ok := o.since[k]; !ok {
				o.since[k] = now // wanted from now on
			}
			if len(held[k]) > 0 {
				o.since[k] = now
			}
			o.worst[k] = max(o.worst[k], now.Sub(o.since[k]))
		}
		if done(held) {
			return
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// reload gives replica p the first n sources and sends it SIGHUP.
func (f *fleet) reload(p *replicaProc, n int) {
	f.t.Helper()
	before := strings.Count(p.stderr.String(), `"msg":"configuration reloaded"`)
	f.writeConfig(p.name, n)
	p.cmd.Process.Signal(syscall.SIGHUP)
	waitFor(f.t, p.stderr, `"msg":"configuration reloaded"`, before+1)
}
