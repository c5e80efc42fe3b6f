package lease_test

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"s1collector/internal/lease"
)

// view builds a view: replicas (id → streams it runs, nil for any), and
// leases (key → live owner, "" for free).
func view(replicas map[string][]string, leases map[string]string) lease.View {
	var v lease.View
	for _, id := range slices.Sorted(maps.Keys(replicas)) {
		v.Replicas = append(v.Replicas, lease.Replica{ID: id, Keys: replicas[id]})
	}
	for _, k := range slices.Sorted(maps.Keys(leases)) {
		l := lease.Lease{Key: k, Owner: leases[k], ExpiresIn: time.Second}
		if l.Owner == "" {
			l.ExpiresIn, l.FreeFor = 0, time.Second
		}
		v.Leases = append(v.Leases, l)
	}
	return v
}

// held makes n leases of streams prefix0…, held by owner.
func held(into map[string]string, prefix, owner string, n int) map[string]string {
	for i := range n {
		into[fmt.Sprintf("%s%02d", prefix, i)] = owner
	}
	return into
}

func keysOf(prefix string, n int) []string {
	var out []string
	for i := range n {
		out = append(out, fmt.Sprintf("%s%02d", prefix, i))
	}
	return out
}

func loads(assign map[string]string) map[string]int {
	out := map[string]int{}
	for _, id := range assign {
		out[id]++
	}
	return out
}

func TestPlan(t *testing.T) {
	all := map[string][]string{"a": nil, "b": nil, "c": nil}
	tests := []struct {
		name     string
		v        lease.View
		want     map[string]int
		moved    int // held streams the plan moves to another replica
		unplaced int // streams no live replica may take now
	}{
		{"alone takes every free stream", view(map[string][]string{"a": nil}, held(map[string]string{}, "s", "", 18)),
			map[string]int{"a": 18}, 0, 0},
		{"an even spread stays put", view(all, held(held(held(map[string]string{}, "a", "a", 6), "b", "b", 6), "c", "c", 6)),
			map[string]int{"a": 6, "b": 6, "c": 6}, 0, 0},
		{"a replica joining gets its share", view(all, held(held(map[string]string{}, "a", "a", 9), "b", "b", 9)),
			map[string]int{"a": 6, "b": 6, "c": 6}, 6, 0},
		{"a remainder stays where it is", view(map[string][]string{"a": nil, "b": nil, "c": nil, "d": nil},
			held(held(held(held(map[string]string{}, "a", "a", 4), "b", "b", 5), "c", "c", 4), "d", "d", 5)),
			map[string]int{"a": 4, "b": 5, "c": 4, "d": 5}, 0, 0},
		{"a dead replica's live leases wait for their expiry; its expired ones are shared",
			view(map[string][]string{"a": nil, "b": nil}, held(held(held(held(map[string]string{}, "a", "a", 6), "b", "b", 6), "x", "dead", 3), "y", "", 3)),
			map[string]int{"a": 8, "b": 7}, 0, 3},
		{"free streams go to the emptiest", view(all, held(held(map[string]string{}, "a", "a", 3), "f", "", 6)),
			map[string]int{"a": 3, "b": 3, "c": 3}, 0, 0},
		{"free streams and a join even out", view(all, held(held(map[string]string{}, "a", "a", 6), "f", "", 6)),
			map[string]int{"a": 4, "b": 4, "c": 4}, 2, 0},
		{"more replicas than streams", view(map[string][]string{"a": nil, "b": nil, "c": nil}, map[string]string{"s1": "a", "s2": ""}),
			map[string]int{"a": 1, "b": 1}, 0, 0},
		// A source added to one replica (a rolling change): its streams go
		// to the replica that has it, the others share the rest.
		{"streams only one replica has", view(map[string][]string{"a": append(keysOf("A", 6), keysOf("B", 3)...), "b": keysOf("A", 6), "c": keysOf("A", 6)},
			held(map[string]string{"A00": "a", "A01": "a", "A02": "b", "A03": "b", "A04": "c", "A05": "c"}, "B", "", 3)),
			map[string]int{"a": 3, "b": 3, "c": 3}, 2, 0},
		{"a replica with fewer streams is not given others'", view(map[string][]string{"a": append(keysOf("A", 3), keysOf("B", 6)...), "b": keysOf("A", 3)},
			held(held(map[string]string{}, "A", "", 3), "B", "", 6)),
			map[string]int{"a": 6, "b": 3}, 0, 0},
		{"a stream whose holder no longer runs it waits for it", view(map[string][]string{"a": keysOf("A", 2), "b": nil},
			map[string]string{"A00": "b", "A01": "", "Z": "a"}),
			map[string]int{"a": 1, "b": 1}, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assign := lease.Plan(tt.v)
			if got := loads(assign); !maps.Equal(got, tt.want) {
				t.Errorf("loads %v, want %v (%v)", got, tt.want, assign)
			}
			moved, unplaced := 0, 0
			for _, l := range tt.v.Leases {
				to, ok := assign[l.Key]
				switch {
				case !ok:
					unplaced++
				case l.Live() && l.Owner != to:
					moved++
				}
			}
			if moved != tt.moved || unplaced != tt.unplaced {
				t.Errorf("moved %d, unplaced %d; want %d, %d (%v)", moved, unplaced, tt.moved, tt.unplaced, assign)
			}
			checkPlan(t, tt.v, assign)
		})
	}
}

// TestPlanProperties: over random views, every stream a live replica can
// run is placed on one that can (unless its live lease waits), nothing can
// move to make the spread more even, and every replica computes the same
// plan whatever order it reads the view in.
func TestPlanProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(16, 2))
	for i := range 2000 {
		nrep, nkey := 1+r.IntN(5), r.IntN(30)
		replicas := map[string][]string{}
		keys := keysOf("k", nkey)
		for j := range nrep {
			id := fmt.Sprintf("r%d", j)
			if r.IntN(3) == 0 {
				replicas[id] = nil
				continue
			}
			replicas[id] = []string{}
			for _, k := range keys {
				if r.IntN(4) > 0 {
					replicas[id] = append(replicas[id], k)
				}
			}
		}
		leases := map[string]string{}
		for _, k := range keys {
			switch r.IntN(4) {
			case 0:
				leases[k] = ""
			case 1:
				leases[k] = "gone"
			default:
				leases[k] = fmt.Sprintf("r%d", r.IntN(nrep))
			}
		}
		v := view(replicas, leases)
		assign := lease.Plan(v)
		checkPlan(t, v, assign)
		shuffled := v
		shuffled.Replicas, shuffled.Leases = slices.Clone(v.Replicas), slices.Clone(v.Leases)
		r.Shuffle(len(shuffled.Replicas), func(i, j int) {
			shuffled.Replicas[i], shuffled.Replicas[j] = shuffled.Replicas[j], shuffled.Replicas[i]
		})
		r.Shuffle(len(shuffled.Leases), func(i, j int) { shuffled.Leases[i], shuffled.Leases[j] = shuffled.Leases[j], shuffled.Leases[i] })
		if again := lease.Plan(shuffled); !maps.Equal(again, assign) {
			t.Fatalf("view %d: the plan depends on the order of the view: %v, then %v", i, assign, again)
		}
		if t.Failed() {
			t.Fatalf("view %d: %+v", i, v)
		}
	}
}

// checkPlan holds a plan to what every plan must be.
func checkPlan(t *testing.T, v lease.View, assign map[string]string) {
	t.Helper()
	runs := func(id, key string) bool {
		for _, r := range v.Replicas {
			if r.ID == id {
				return len(r.Keys) == 0 || slices.Contains(r.Keys, key)
			}
		}
		return false
	}
	load := loads(assign)
	for _, l := range v.Leases {
		to, placed := assign[l.Key]
		canRun := slices.ContainsFunc(v.Replicas, func(r lease.Replica) bool { return runs(r.ID, l.Key) })
		waits := l.Live() && !runs(l.Owner, l.Key) // held by a replica not live, or that dropped it
		switch {
		case placed && !runs(to, l.Key):
			t.Errorf("%s placed on %s, which cannot run it", l.Key, to)
		case !placed && canRun && !waits:
			t.Errorf("%s left without a replica though one can run it", l.Key)
		case placed && waits:
			t.Errorf("%s placed on %s while %s's lease is live", l.Key, to, l.Owner)
		}
	}
	for key, from := range assign {
		for _, r := range v.Replicas {
			if load[from]-load[r.ID] >= 2 && runs(r.ID, key) {
				t.Errorf("%s could move from %s (%d) to %s (%d)", key, from, load[from], r.ID, load[r.ID])
			}
		}
	}
}
