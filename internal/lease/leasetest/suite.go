package leasetest

import (
	"sync"
	"testing"
	"time"

	"s1collector/internal/lease"
)

// RunTable runs what every lease.Table must do against the tables newTable
// makes (each empty). ttl is short; the suite sleeps past it, so it runs in
// real time for a database and in a synctest bubble for Memory.
func RunTable(t *testing.T, newTable func(t *testing.T) lease.Table) {
	tests := []struct {
		name string
		test func(t *testing.T, tb lease.Table)
	}{
		{"RoundAddsFreeLeasesAndLiveReplicas", roundAddsFreeLeases},
		{"OneOwnerAtATime", oneOwnerAtATime},
		{"ExpiredLeaseIsTakenOverWithANewEpoch", expiredLeaseTakenOver},
		{"RenewalKeepsALease", renewalKeepsALease},
		{"ReleaseAndLeave", releaseAndLeave},
		{"OwnLeaseIsTakenBackWithANewEpoch", ownLeaseTakenBack},
		{"RacingAcquiresHaveOneWinner", racingAcquires},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.test(t, newTable(t)) })
	}
}

const ttl = 400 * time.Millisecond

func rep(id string) lease.Replica {
	return lease.Replica{ID: id, Host: "host-" + id, PID: 7, Version: "test", Started: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
}

func round(t *testing.T, tb lease.Table, me string, held map[string]int64, keys ...string) lease.View {
	t.Helper()
	v, err := tb.Round(t.Context(), rep(me), ttl, held, keys)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func acquire(t *testing.T, tb lease.Table, me, key string) (int64, string, bool) {
	t.Helper()
	e, prev, ok, err := tb.Acquire(t.Context(), me, key, ttl)
	if err != nil {
		t.Fatal(err)
	}
	return e, prev, ok
}

func roundAddsFreeLeases(t *testing.T, tb lease.Table) {
	v := round(t, tb, "a", nil, "s/threats", "s/agents")
	if len(v.Replicas) != 1 || v.Replicas[0] != rep("a") {
		t.Fatalf("replicas %+v", v.Replicas)
	}
	if len(v.Leases) != 2 || v.Leases[0].Key != "s/agents" || v.Leases[0].Live() || v.Leases[1].Owner != "" {
		t.Fatalf("leases %+v", v.Leases)
	}
	v = round(t, tb, "b", nil, "s/agents")
	if len(v.Replicas) != 2 || v.Replicas[0].ID != "a" || v.Replicas[1].ID != "b" || len(v.Leases) != 1 {
		t.Fatalf("second replica's view %+v", v)
	}
}

func oneOwnerAtATime(t *testing.T, tb lease.Table) {
	e, prev, ok := acquire(t, tb, "a", "k")
	if !ok || e < 1 || prev != "" {
		t.Fatalf("free lease: %d %q %v", e, prev, ok)
	}
	if _, prev, ok := acquire(t, tb, "b", "k"); ok || prev != "a" {
		t.Fatalf("held lease taken: %q %v", prev, ok)
	}
	v := round(t, tb, "b", nil, "k")
	if l := v.Leases[0]; l.Owner != "a" || l.Epoch != e || !l.Live() || l.ExpiresIn > ttl {
		t.Fatalf("lease %+v", l)
	}
}

func expiredLeaseTakenOver(t *testing.T, tb lease.Table) {
	e1, _, _ := acquire(t, tb, "a", "k")
	time.Sleep(ttl + 100*time.Millisecond)
	v := round(t, tb, "b", nil, "k")
	if v.Leases[0].Live() {
		t.Fatalf("lease still live after its TTL: %+v", v.Leases[0])
	}
	e2, prev, ok := acquire(t, tb, "b", "k")
	if !ok || e2 <= e1 || prev != "a" {
		t.Fatalf("takeover: epoch %d after %d, prev %q, ok %v", e2, e1, prev, ok)
	}
	if v := round(t, tb, "a", map[string]int64{"k": e1}, "k"); len(v.Held) != 0 {
		t.Fatalf("the old owner renewed a lease taken over: %v", v.Held)
	}
}

func renewalKeepsALease(t *testing.T, tb lease.Table) {
	e, _, _ := acquire(t, tb, "a", "k")
	for range 3 {
		time.Sleep(ttl / 2)
		if v := round(t, tb, "a", map[string]int64{"k": e}, "k"); v.Held["k"] != e {
			t.Fatalf("renewal failed: %v", v.Held)
		}
	}
	if _, _, ok := acquire(t, tb, "b", "k"); ok {
		t.Fatal("a renewed lease was taken")
	}
	if v := round(t, tb, "a", map[string]int64{"k": e + 1}, "k"); len(v.Held) != 0 {
		t.Fatalf("renewed at an epoch not held: %v", v.Held)
	}
}

func releaseAndLeave(t *testing.T, tb lease.Table) {
	round(t, tb, "a", nil, "k")
	e, _, _ := acquire(t, tb, "a", "k")
	if err := tb.Release(t.Context(), "b", "k", e); err != nil {
		t.Fatal(err)
	}
	if v := round(t, tb, "b", nil, "k"); !v.Leases[0].Live() {
		t.Fatal("a release by another replica freed the lease")
	}
	if err := tb.Release(t.Context(), "a", "k", e); err != nil {
		t.Fatal(err)
	}
	if err := tb.Leave(t.Context(), "a"); err != nil {
		t.Fatal(err)
	}
	v := round(t, tb, "b", nil, "k")
	if v.Leases[0].Live() || v.Leases[0].Owner != "" || len(v.Replicas) != 1 || v.Replicas[0].ID != "b" {
		t.Fatalf("after release and leave: %+v", v)
	}
	if e2, prev, ok := acquire(t, tb, "b", "k"); !ok || e2 <= e || prev != "" {
		t.Fatalf("released lease: %d %q %v", e2, prev, ok)
	}
}

func ownLeaseTakenBack(t *testing.T, tb lease.Table) {
	e1, _, _ := acquire(t, tb, "a", "k")
	e2, prev, ok := acquire(t, tb, "a", "k")
	if !ok || e2 <= e1 || prev != "a" {
		t.Fatalf("own lease: %d after %d, %q %v", e2, e1, prev, ok)
	}
	if v := round(t, tb, "a", map[string]int64{"k": e1}, "k"); len(v.Held) != 0 {
		t.Fatal("the older epoch still renews")
	}
}

func racingAcquires(t *testing.T, tb lease.Table) {
	round(t, tb, "x", nil, "k")
	var mu sync.Mutex
	winners := 0
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			_, _, ok, err := tb.Acquire(t.Context(), string(rune('a'+i)), "k", ttl)
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				winners++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if winners != 1 {
		t.Fatalf("%d replicas acquired the same lease", winners)
	}
}
