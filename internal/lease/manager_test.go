package lease_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"s1collector/internal/lease"
	"s1collector/internal/lease/leasetest"
)

func TestMemoryTable(t *testing.T) {
	leasetest.RunTable(t, func(t *testing.T) lease.Table { return leasetest.NewMemory() })
}

// cluster is replicas sharing keys over one in-memory table. Its work
// fails the test when a key runs on two replicas at once.
type cluster struct {
	t     *testing.T
	table *leasetest.Memory
	keys  []string
	mu    sync.Mutex
	runs  map[string]string // key → replica running it
	stats map[string]*workStats
	reps  map[string]*replica
	logs  bytes.Buffer
}

type workStats struct{ starts, graceful, cancelled int }

type replica struct {
	id     string
	m      *lease.Manager
	down   atomic.Bool // its link to the table is cut
	cancel context.CancelFunc
	stop   chan struct{}
	done   chan struct{}
}

func newCluster(t *testing.T, streams int) *cluster {
	c := &cluster{t: t, table: leasetest.NewMemory(), runs: map[string]string{}, stats: map[string]*workStats{}, reps: map[string]*replica{}}
	for i := range streams {
		c.keys = append(c.keys, fmt.Sprintf("src%d/%s", i/3, []string{"agents", "activities", "threats"}[i%3]))
	}
	return c
}

// cut is a replica's view of the table: failing while the link is down.
type cut struct {
	lease.Table
	down *atomic.Bool
}

func (c cut) Round(ctx context.Context, me lease.Replica, ttl time.Duration, held map[string]int64, keys []string) (lease.View, error) {
	if c.down.Load() {
		return lease.View{}, leasetest.ErrDown
	}
	return c.Table.Round(ctx, me, ttl, held, keys)
}

func (c cut) Acquire(ctx context.Context, me, key string, ttl time.Duration) (int64, string, bool, error) {
	if c.down.Load() {
		return 0, "", false, leasetest.ErrDown
	}
	return c.Table.Acquire(ctx, me, key, ttl)
}

// start starts replicas, each with its own link to the table.
func (c *cluster) start(ids ...string) {
	for _, id := range ids {
		c.startOne(id)
	}
}

func (c *cluster) startOne(id string) *replica {
	r := &replica{id: id, stop: make(chan struct{}), done: make(chan struct{})}
	var mu sync.Mutex
	log := slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.logs.Write(p)
	}), nil))
	m, err := lease.New(lease.Config{Replica: lease.Replica{ID: id, Host: "h"}, Keys: c.keys, Table: cut{c.table, &r.down},
		Work: c.work(id), Log: log})
	if err != nil {
		c.t.Fatal(err)
	}
	r.m = m
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	go func() { m.Run(ctx, r.stop); close(r.done) }()
	c.mu.Lock()
	c.reps[id] = r
	c.mu.Unlock()
	return r
}

func (c *cluster) work(id string) lease.Work {
	return func(ctx context.Context, stop <-chan struct{}, key string, epoch int64) error {
		c.mu.Lock()
		if other, ok := c.runs[key]; ok {
			c.t.Errorf("%s runs %s while %s does", id, key, other)
		}
		c.runs[key] = id
		st := c.stats[key]
		if st == nil {
			st = &workStats{}
			c.stats[key] = st
		}
		st.starts++
		c.mu.Unlock()
		select {
		case <-stop:
			c.mu.Lock()
			st.graceful++
			c.mu.Unlock()
		case <-ctx.Done():
			c.mu.Lock()
			st.cancelled++
			c.mu.Unlock()
		}
		c.mu.Lock()
		delete(c.runs, key)
		c.mu.Unlock()
		return nil
	}
}

// spread counts the keys running on each replica.
func (c *cluster) spread() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]int{}
	for _, id := range c.runs {
		out[id]++
	}
	return out
}

func (c *cluster) starts() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, s := range c.stats {
		n += s.starts
	}
	return n
}

func (c *cluster) log() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.logs.String()
}

func (c *cluster) wantSpread(want map[string]int) {
	c.t.Helper()
	got := c.spread()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		c.t.Fatalf("spread %v, want %v\n%s", got, want, c.log())
	}
}

// stopAll stops every replica gracefully, at the end of a test.
func (c *cluster) stopAll() {
	for _, r := range c.reps {
		select {
		case <-r.done:
			continue
		default:
		}
		close(r.stop)
		<-r.done
		r.cancel()
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// TestThreeReplicasShareEvenlyAndStayPut: 3 replicas started together
// share 18 streams 6/6/6, each run once, and nothing moves afterwards.
func TestThreeReplicasShareEvenlyAndStayPut(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := newCluster(t, 18)
		defer c.stopAll()
		c.start("a", "b", "c")
		time.Sleep(10 * time.Second)
		c.wantSpread(map[string]int{"a": 6, "b": 6, "c": 6})
		starts := c.starts()
		time.Sleep(10 * time.Minute)
		c.wantSpread(map[string]int{"a": 6, "b": 6, "c": 6})
		if n := c.starts(); n != starts || starts != 18 {
			t.Fatalf("streams started %d times, then %d: they moved without a replica joining or leaving", starts, n)
		}
		snap := c.reps["a"].m.Snapshot()
		if len(snap.Replicas) != 3 || len(snap.Held) != 6 || len(snap.Owners) != 18 || snap.StoreError != "" {
			t.Fatalf("snapshot %+v", snap)
		}
	})
}

// TestJoinAndGracefulLeaveRebalance: a replica joining takes its share
// from the others, which finish their batch first (graceful stop); one
// leaving hands its streams over at once.
func TestJoinAndGracefulLeaveRebalance(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := newCluster(t, 18)
		defer c.stopAll()
		c.start("a", "b")
		time.Sleep(20 * time.Second)
		c.wantSpread(map[string]int{"a": 9, "b": 9})
		c.start("c")
		time.Sleep(30 * time.Second)
		c.wantSpread(map[string]int{"a": 6, "b": 6, "c": 6})
		r := c.reps["a"]
		close(r.stop)
		<-r.done
		time.Sleep(6 * time.Second) // one renewal period: released leases need no expiry
		c.wantSpread(map[string]int{"b": 9, "c": 9})
		for k, s := range c.stats {
			if s.cancelled > 0 {
				t.Errorf("%s was cancelled, not stopped gracefully, in a handover: %+v", k, s)
			}
		}
		if !strings.Contains(c.log(), "leases released; replica left") || !strings.Contains(c.log(), "lease released: stream handed over") {
			t.Errorf("logs do not say what happened:\n%s", c.log())
		}
	})
}

// TestDeadReplicaIsTakenOverWithinTheTTL: a replica cut off from the table
// stops its streams before its leases expire, and the others take them
// over within the lease TTL of its last renewal.
func TestDeadReplicaIsTakenOverWithinTheTTL(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := newCluster(t, 18)
		defer c.stopAll()
		c.start("a", "b")
		time.Sleep(1300 * time.Millisecond) // its rounds fall between the others'
		c.start("c")
		time.Sleep(30 * time.Second)
		c.wantSpread(map[string]int{"a": 6, "b": 6, "c": 6})
		victim := c.reps["c"]
		victim.down.Store(true)
		cutAt := time.Now()
		for c.spread()["a"]+c.spread()["b"] < 18 {
			time.Sleep(100 * time.Millisecond)
			if time.Since(cutAt) > 30*time.Second {
				t.Fatalf("not taken over: %v\n%s", c.spread(), c.log())
			}
		}
		if took := time.Since(cutAt); took > 15*time.Second+200*time.Millisecond {
			t.Errorf("taken over after %s, more than the 15s lease TTL", took)
		}
		c.wantSpread(map[string]int{"a": 9, "b": 9})
		if !strings.Contains(c.log(), "stopping its streams before another replica may take them") ||
			!strings.Contains(c.log(), "stream taken over from a replica") {
			t.Errorf("logs do not say what happened:\n%s", c.log())
		}
		// Back: it rejoins and gets its share again.
		victim.down.Store(false)
		time.Sleep(30 * time.Second)
		c.wantSpread(map[string]int{"a": 6, "b": 6, "c": 6})
	})
}

// TestLostLeaseStandsDown: a replica learns at its next round that a
// lease it held has a new epoch (taken over while it was paused, or reset)
// and cancels that stream; the stream is taken again, afresh.
func TestLostLeaseStandsDown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := newCluster(t, 3)
		defer c.stopAll()
		c.start("a")
		time.Sleep(10 * time.Second)
		c.wantSpread(map[string]int{"a": 3})
		c.table.Revoke(c.keys[0])
		time.Sleep(20 * time.Second)
		c.wantSpread(map[string]int{"a": 3})
		if s := c.stats[c.keys[0]]; s.starts != 2 || s.cancelled != 1 {
			t.Fatalf("stream not stopped and taken again after its lease was lost: %+v", s)
		}
		if !strings.Contains(c.log(), "lease lost: its renewal was refused, another replica holds the stream now; standing down") {
			t.Errorf("loss not logged:\n%s", c.log())
		}
	})
}

// TestWorkThatStopsKeepsItsLease: a stream that stops on its own (a
// revoked token) keeps its lease and is not restarted or moved.
func TestWorkThatStopsKeepsItsLease(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		table := leasetest.NewMemory()
		var runs atomic.Int32
		m, err := lease.New(lease.Config{Replica: lease.Replica{ID: "a"}, Keys: []string{"k"}, Table: table,
			Work: func(context.Context, <-chan struct{}, string, int64) error {
				runs.Add(1)
				return fmt.Errorf("token revoked")
			}})
		if err != nil {
			t.Fatal(err)
		}
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() { m.Run(t.Context(), stop); close(done) }()
		time.Sleep(2 * time.Minute)
		if runs.Load() != 1 || table.Owners()["k"] != "a" {
			t.Fatalf("runs %d, owners %v", runs.Load(), table.Owners())
		}
		close(stop)
		<-done
		if table.Owners()["k"] != "" {
			t.Fatalf("not released on stop: %v", table.Owners())
		}
	})
}

// TestOutageShorterThanTheTTLKeepsStreamsRunning: a blip of the table
// does not stop or move anything.
func TestOutageShorterThanTheTTLKeepsStreamsRunning(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := newCluster(t, 6)
		defer c.stopAll()
		c.start("a", "b")
		time.Sleep(20 * time.Second)
		c.table.Down.Store(true)
		time.Sleep(8 * time.Second)
		if snap := c.reps["a"].m.Snapshot(); snap.StoreError == "" || snap.StoreErrorSince.IsZero() {
			t.Errorf("the outage is not in the snapshot: %+v", snap)
		}
		c.table.Down.Store(false)
		time.Sleep(20 * time.Second)
		c.wantSpread(map[string]int{"a": 3, "b": 3})
		if n := c.starts(); n != 6 {
			t.Fatalf("streams restarted by a short outage: %d starts\n%s", n, c.log())
		}
		if !strings.Contains(c.log(), "shared state reachable again") {
			t.Errorf("recovery not logged:\n%s", c.log())
		}
	})
}

func TestTarget(t *testing.T) {
	view := func(counts map[string]int, dead ...string) lease.View {
		var v lease.View
		n := 0
		for _, id := range []string{"a", "b", "c", "d"} {
			c, ok := counts[id]
			if !ok {
				continue
			}
			v.Replicas = append(v.Replicas, lease.Replica{ID: id})
			for range c {
				v.Leases = append(v.Leases, lease.Lease{Key: fmt.Sprint(n), Owner: id, ExpiresIn: time.Second})
				n++
			}
		}
		for _, id := range dead {
			v.Leases = append(v.Leases, lease.Lease{Key: fmt.Sprint(n), Owner: id, ExpiresIn: time.Second})
			n++
		}
		return v
	}
	tests := []struct {
		name   string
		v      lease.View
		n      int
		target map[string]int
	}{
		{"alone", view(map[string]int{"a": 0}), 18, map[string]int{"a": 18}},
		{"even", view(map[string]int{"a": 6, "b": 6, "c": 6}), 18, map[string]int{"a": 6, "b": 6, "c": 6}},
		{"join", view(map[string]int{"a": 9, "b": 9, "c": 0}), 18, map[string]int{"a": 6, "b": 6, "c": 6}},
		{"remainder stays where it is", view(map[string]int{"a": 4, "b": 5, "c": 4, "d": 5}), 18, map[string]int{"a": 4, "b": 5, "c": 4, "d": 5}},
		{"remainder to the fullest", view(map[string]int{"a": 3, "b": 5, "c": 5, "d": 5}), 18, map[string]int{"a": 4, "b": 5, "c": 5, "d": 4}},
		{"dead owner's leases not counted", view(map[string]int{"a": 6, "b": 6}, "x", "x"), 18, map[string]int{"a": 9, "b": 9}},
		{"more replicas than streams", view(map[string]int{"a": 1, "b": 0, "c": 0}), 2, map[string]int{"a": 1, "b": 1, "c": 0}},
	}
	for _, tt := range tests {
		sum := 0
		for id, want := range tt.target {
			got := lease.Target(tt.v, id, tt.n)
			sum += got
			if got != want {
				t.Errorf("%s: target of %s = %d, want %d", tt.name, id, got, want)
			}
		}
		if sum != tt.n {
			t.Errorf("%s: targets add up to %d, not %d", tt.name, sum, tt.n)
		}
	}
}
