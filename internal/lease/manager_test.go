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

type workStats struct {
	starts, graceful, cancelled int
	epochs                      []int64
	ended                       time.Time     // when its last work ended
	maxGap                      time.Duration // longest time between a work's end and the next start
}

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

func (c cut) Round(ctx context.Context, me lease.Replica, held map[string]int64) (lease.View, error) {
	if c.down.Load() {
		return lease.View{}, leasetest.ErrDown
	}
	return c.Table.Round(ctx, me, held)
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

func (c *cluster) startOne(id string) *replica { return c.startWith(id, c.keys, nil) }

// startWith starts replica id running keys; after prev (a reload of the
// same replica) when prev is not nil.
func (c *cluster) startWith(id string, keys []string, prev *replica) *replica {
	r := &replica{id: id, stop: make(chan struct{}), done: make(chan struct{})}
	var mu sync.Mutex
	log := slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.logs.Write(p)
	}), nil))
	m, err := lease.New(lease.Config{Replica: lease.Replica{ID: id, Host: "h"}, Keys: keys, Table: cut{c.table, &r.down},
		Work: c.work(id), Log: log})
	if err != nil {
		c.t.Fatal(err)
	}
	r.m = m
	if prev != nil {
		r.down.Store(prev.down.Load())
		m.Continue(prev.m)
		close(prev.stop)
		<-prev.done
		prev.cancel()
	}
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
		st.epochs = append(st.epochs, epoch)
		if !st.ended.IsZero() {
			st.maxGap = max(st.maxGap, time.Since(st.ended))
		}
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
		st.ended = time.Now()
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
		// Back: it learns it lost each of its streams, says so, and rejoins
		// to get its share again.
		victim.down.Store(false)
		time.Sleep(30 * time.Second)
		c.wantSpread(map[string]int{"a": 6, "b": 6, "c": 6})
		if lost := victim.m.Snapshot().Lost; lost != 6 {
			t.Errorf("the cut-off replica counted %d leases lost, not 6\n%s", lost, c.log())
		}
		if n := strings.Count(c.log(), "lease lost: its renewal was refused, another replica holds the stream now; standing down\" replica=c"); n != 6 {
			t.Errorf("the cut-off replica logged %d lost leases, not 6\n%s", n, c.log())
		}
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
		if !strings.Contains(c.log(), "lease lost: the stream was reset (state reset); standing down") ||
			strings.Contains(c.log(), "another replica holds the stream now") {
			t.Errorf("loss not logged as a reset:\n%s", c.log())
		}
		if lost := c.reps["a"].m.Snapshot().Lost; lost != 1 {
			t.Errorf("%d leases counted lost, not 1", lost)
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
