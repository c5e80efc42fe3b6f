package lease_test

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// epochs is each stream's lease epoch now.
func (c *cluster) epochs() map[string]int64 {
	out := map[string]int64{}
	for _, r := range c.reps {
		select {
		case <-r.done:
			continue
		default:
		}
		for _, k := range r.m.Snapshot().Held {
			c.mu.Lock()
			e := c.stats[k].epochs
			c.mu.Unlock()
			out[k] = e[len(e)-1]
		}
	}
	return out
}

// owners is which replica runs each stream now.
func (c *cluster) owners() map[string]string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.runs)
}

// TestOutageShorterThanTheTTLStopsNothing: the table unreachable for 11 s
// (TTL 15 s, renewals every 1.5 s), beginning anywhere between two rounds,
// stops no stream, moves no lease and changes no epoch.
func TestOutageShorterThanTheTTLStopsNothing(t *testing.T) {
	for _, phase := range []time.Duration{0, 400 * time.Millisecond, 900 * time.Millisecond, 1400 * time.Millisecond} {
		t.Run(phase.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c := newCluster(t, 6)
				defer c.stopAll()
				c.start("a", "b")
				time.Sleep(20*time.Second + phase)
				owners, epochs := c.owners(), c.epochs()
				c.table.Down.Store(true)
				time.Sleep(8 * time.Second)
				if snap := c.reps["a"].m.Snapshot(); snap.StoreError == "" || snap.StoreErrorSince.IsZero() || len(snap.Held) != 3 {
					t.Errorf("the outage is not in the snapshot, or streams stopped: %+v", snap)
				}
				time.Sleep(3 * time.Second)
				c.table.Down.Store(false)
				time.Sleep(20 * time.Second)
				if n := c.starts(); n != 6 {
					t.Fatalf("streams restarted by an outage shorter than the TTL: %d starts\n%s", n, c.log())
				}
				if got := c.owners(); !maps.Equal(got, owners) || !maps.Equal(c.epochs(), epochs) {
					t.Fatalf("leases moved: %v → %v, epochs %v → %v", owners, got, epochs, c.epochs())
				}
				if !strings.Contains(c.log(), "shared state reachable again") {
					t.Errorf("recovery not logged:\n%s", c.log())
				}
			})
		})
	}
}

// TestLongOutageResumesInPlace: the table unreachable for a minute, far
// past the TTL: every replica stops its streams before their leases can
// expire (and says so: not held, suspended), then, when the table is back,
// renews its own leases at their epochs and resumes them — no takeover
// storm, no lease moves, nothing lost.
func TestLongOutageResumesInPlace(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := threeSharing(t)
		defer c.stopAll()
		owners, epochs := c.owners(), c.epochs()
		c.table.Down.Store(true)
		time.Sleep(time.Minute)
		if got := c.spread(); len(got) != 0 {
			t.Fatalf("streams still running a minute into the outage: %v", got)
		}
		snap := c.reps["a"].m.Snapshot()
		if len(snap.Held) != 0 || len(snap.Suspended) != 6 || slices.Contains(slices.Collect(maps.Values(snap.Owners)), "a") {
			t.Fatalf("a stopped its streams but its snapshot says otherwise: %+v", snap)
		}
		c.table.Down.Store(false)
		time.Sleep(20 * time.Second)
		if got := c.owners(); !maps.Equal(got, owners) {
			t.Fatalf("leases moved after the outage: %v → %v\n%s", owners, got, c.log())
		}
		for k, e := range c.epochs() {
			if epochs[k] != e {
				t.Errorf("%s resumed at epoch %d, not its own %d", k, e, epochs[k])
			}
		}
		for id, r := range c.reps {
			if s := r.m.Snapshot(); s.Taken != 12 || s.Lost != 0 || s.Released != 0 {
				t.Errorf("%s: %d taken (6 then 6 resumed), %d lost, %d released", id, s.Taken, s.Lost, s.Released)
			}
		}
		if strings.Contains(c.log(), "lease taken: stream taken over") || strings.Contains(c.log(), "handing stream over") {
			t.Errorf("a takeover storm after the outage:\n%s", c.log())
		}
	})
}

// TestTwoReplicasDyingCloseTogether: b and then c die 4 s apart. Each
// one's streams are taken over by the survivor when its leases expire: a
// dead replica still counted live for a while does not keep a share of
// the other's streams free.
func TestTwoReplicasDyingCloseTogether(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := threeSharing(t)
		defer c.stopAll()
		c.reps["b"].down.Store(true)
		cutB := time.Now()
		time.Sleep(4 * time.Second)
		c.reps["c"].down.Store(true)
		cutC := time.Now()
		waitUntil(t, c, func() bool { return c.spread()["a"] >= 12 }, 30*time.Second)
		t.Logf("b's streams taken over %s after it died", time.Since(cutB))
		if took := time.Since(cutB); took > 15*time.Second+1600*time.Millisecond {
			t.Errorf("b's streams taken over %s after it died, more than the TTL and a renewal", took)
		}
		waitUntil(t, c, func() bool { return c.spread()["a"] == 18 }, 30*time.Second)
		t.Logf("c's streams taken over %s after it died", time.Since(cutC))
		if took := time.Since(cutC); took > 15*time.Second+1600*time.Millisecond {
			t.Errorf("c's streams taken over %s after it died, more than the TTL and a renewal", took)
		}
	})
}

// TestRestartedReplicasDoNotStrandStreams: b and c are killed and come back
// a second later as new replicas: the survivor hands streams over only to
// replicas that take them; no stream of the survivor's waits long for an
// owner while the dead replicas still look live.
func TestRestartedReplicasDoNotStrandStreams(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := newCluster(t, 18)
		defer c.stopAll()
		c.start("a", "b", "c")
		time.Sleep(20 * time.Second)
		var mine []string
		for k, id := range c.owners() {
			if id == "a" {
				mine = append(mine, k)
			}
		}
		c.reps["b"].down.Store(true)
		c.reps["c"].down.Store(true)
		time.Sleep(time.Second)
		c.start("d", "e")
		time.Sleep(40 * time.Second)
		c.wantSpread(map[string]int{"a": 6, "d": 6, "e": 6})
		c.mu.Lock()
		defer c.mu.Unlock()
		for _, k := range mine {
			if gap := c.stats[k].maxGap; gap > 4*time.Second {
				t.Errorf("%s, the survivor's, had no owner for %s", k, gap)
			}
		}
	})
}

// threeSharing is a cluster of replicas a, b and c sharing 18 streams
// evenly, settled; the caller stops it. Call it inside a synctest bubble.
func threeSharing(t *testing.T) *cluster {
	c := newCluster(t, 18)
	c.start("a", "b", "c")
	time.Sleep(20 * time.Second)
	c.wantSpread(map[string]int{"a": 6, "b": 6, "c": 6})
	return c
}

func waitUntil(t *testing.T, c *cluster, ok func() bool, timeout time.Duration) {
	t.Helper()
	for start := time.Now(); !ok(); time.Sleep(100 * time.Millisecond) {
		if time.Since(start) > timeout {
			t.Fatalf("not within %s: %v\n%s", timeout, c.spread(), c.log())
		}
	}
}
