package lease_test

import (
	"maps"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// TestRollingConfigChange: a source is added to one replica at a time
// (a reload each). Its streams are collected at once by the replicas that
// have it, never left without an owner while any live replica can run
// them; the others' streams never stop; the replicas warn while their
// configurations differ; a reload keeps every lease it can (same epoch).
func TestRollingConfigChange(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := newCluster(t, 9) // src0, src1, src2 × 3
		before, added := c.keys[:6], c.keys[6:]
		defer c.stopAll()
		for _, id := range []string{"a", "b", "c"} {
			c.startWith(id, before, nil)
		}
		time.Sleep(20 * time.Second)
		c.wantSpread(map[string]int{"a": 2, "b": 2, "c": 2})
		epochs := c.epochs()

		// a is reloaded with src2: its streams are a's at once.
		reloadAt := time.Now()
		c.startWith("a", c.keys, c.reps["a"])
		waitUntil(t, c, func() bool {
			o := c.owners()
			return o[added[0]] != "" && o[added[1]] != "" && o[added[2]] != ""
		}, 30*time.Second)
		if took := time.Since(reloadAt); took > 4*time.Second {
			t.Errorf("the added streams waited %s for an owner", took)
		}
		for k, e := range c.epochs() {
			if old, ok := epochs[k]; ok && old != e {
				t.Errorf("%s moved to epoch %d from %d across a reload that kept it", k, e, old)
			}
		}
		time.Sleep(10 * time.Second)
		if d := c.reps["b"].m.Snapshot().Differs; len(d) != 1 || !strings.Contains(d[0], "replica a runs 3 stream(s) this one does not: src2/") {
			t.Errorf("b does not see how a differs: %q", d)
		}
		if !strings.Contains(c.log(), "the replicas' configurations differ") {
			t.Errorf("the difference is not logged:\n%s", c.log())
		}

		// b, then c: the added streams spread over those that have them.
		c.startWith("b", c.keys, c.reps["b"])
		time.Sleep(20 * time.Second)
		c.startWith("c", c.keys, c.reps["c"])
		time.Sleep(20 * time.Second)
		c.wantSpread(map[string]int{"a": 3, "b": 3, "c": 3})
		if d := c.reps["c"].m.Snapshot().Differs; len(d) != 0 {
			t.Errorf("the configurations agree, yet: %q", d)
		}
		for _, id := range []string{"a", "b", "c"} {
			if !strings.Contains(c.log(), `msg="the replicas' configurations agree again" replica=`+id) {
				t.Errorf("%s does not say the configurations agree again:\n%s", id, c.log())
			}
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		for k, st := range c.stats {
			if st.maxGap > 4*time.Second {
				t.Errorf("%s waited %s for an owner during the rolling change", k, st.maxGap)
			}
		}
		if n := strings.Count(c.logs.String(), "lease taken"); n > 9+3 {
			t.Errorf("%d leases taken for 9 streams, 3 of them moved once to balance:\n%s", n, c.logs.String())
		}
	})
}

// TestReloadKeepsLeases: a reload that changes nothing hands the leases
// from the old manager to the new at the same epoch: no other replica
// notices, no lease is taken or released.
func TestReloadKeepsLeases(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := newCluster(t, 6)
		defer c.stopAll()
		c.start("a", "b")
		time.Sleep(20 * time.Second)
		owners, epochs := c.owners(), c.epochs()
		c.startWith("a", c.keys, c.reps["a"])
		time.Sleep(20 * time.Second)
		if got := c.owners(); !maps.Equal(got, owners) || !maps.Equal(c.epochs(), epochs) {
			t.Fatalf("a reload moved leases: %v → %v, epochs %v → %v\n%s", owners, got, epochs, c.epochs(), c.log())
		}
		if n := strings.Count(c.log(), "lease taken"); n != 6 {
			t.Errorf("%d leases taken, not the 6 at start:\n%s", n, c.log())
		}
		if strings.Contains(c.log(), "lease released") || strings.Contains(c.log(), "replica left") {
			t.Errorf("the reload released leases:\n%s", c.log())
		}
	})
}
