package lease

import (
	"cmp"
	"maps"
	"slices"
)

// Plan says which live replica should hold each stream, as every replica
// computes it from the same view: the streams are those some live replica
// can run (the union of their configurations, not one replica's list).
//
//   - A stream whose lease is live stays with its holder when the holder is
//     a live replica that can run it.
//   - A free or expired stream goes to the replica that can run it holding
//     least (streams fewest replicas can run first; ties to the lower id),
//     so no stream is left without an owner while a live replica can run it.
//   - Then streams move, one at a time, from a replica holding at least two
//     more than another that can run one of them, until none can: the
//     spread is even where the configurations allow it, and a spread that
//     is already even has nothing to move.
//
// A stream held live by a replica that is not live (a dead one whose lease
// has not expired, or "once") is left out: nobody can take it yet.
func Plan(v View) map[string]string { return plan(v, nil) }

// plan is Plan; when a stream must move from a replica, prefer (those
// streams are already being handed over by it) is moved first.
func plan(v View, prefer map[string]bool) map[string]string {
	p := newPlanner(v)
	assign := map[string]string{}
	var free []string
	for _, l := range v.Leases {
		if len(p.can[l.Key]) == 0 {
			continue // no live replica runs it
		}
		switch {
		case !l.Live():
			free = append(free, l.Key)
		case p.runs(l.Owner, l.Key):
			assign[l.Key] = l.Owner
			p.load[l.Owner]++
		}
	}
	slices.SortFunc(free, func(a, b string) int {
		return cmp.Or(cmp.Compare(len(p.can[a]), len(p.can[b])), cmp.Compare(a, b))
	})
	for _, key := range free {
		to := p.least(p.can[key])
		assign[key] = to
		p.load[to]++
	}
	p.balance(assign, prefer)
	return assign
}

// planner is what a plan is computed from.
type planner struct {
	ids  []string                   // live replicas, sorted
	keys map[string]map[string]bool // replica → the streams it can run; nil: any
	can  map[string][]string        // stream → live replicas that can run it, sorted
	load map[string]int
}

func newPlanner(v View) *planner {
	p := &planner{keys: map[string]map[string]bool{}, can: map[string][]string{}, load: map[string]int{}}
	for _, r := range v.Replicas {
		p.ids = append(p.ids, r.ID)
		p.load[r.ID] = 0
		if len(r.Keys) > 0 { // an older replica registers none: it runs any
			set := make(map[string]bool, len(r.Keys))
			for _, k := range r.Keys {
				set[k] = true
			}
			p.keys[r.ID] = set
		} else {
			p.keys[r.ID] = nil
		}
	}
	slices.Sort(p.ids)
	for _, l := range v.Leases {
		for _, id := range p.ids {
			if p.runs(id, l.Key) {
				p.can[l.Key] = append(p.can[l.Key], id)
			}
		}
	}
	return p
}

// runs reports whether live replica id can run key.
func (p *planner) runs(id, key string) bool {
	set, live := p.keys[id]
	return live && (set == nil || set[key])
}

// least is the replica among ids (sorted) holding fewest.
func (p *planner) least(ids []string) string {
	best := ids[0]
	for _, id := range ids[1:] {
		if p.load[id] < p.load[best] {
			best = id
		}
	}
	return best
}

// balance moves streams from the fullest replicas to those with room that
// can run them. Each move lowers the sum of squared loads, so it ends.
func (p *planner) balance(assign map[string]string, prefer map[string]bool) {
	held := map[string][]string{}
	for _, key := range slices.Sorted(maps.Keys(assign)) {
		held[assign[key]] = append(held[assign[key]], key)
	}
	for {
		from, to, i := p.move(held, prefer)
		if from == "" {
			return
		}
		key := held[from][i]
		held[from] = slices.Delete(held[from], i, i+1)
		held[to] = append(held[to], key)
		assign[key] = to
		p.load[from]--
		p.load[to]++
	}
}

// move finds a stream to move: from the fullest replica that has one
// another replica holding two fewer can run, to the emptiest such one.
func (p *planner) move(held map[string][]string, prefer map[string]bool) (from, to string, index int) {
	byLoad := slices.Clone(p.ids)
	slices.SortStableFunc(byLoad, func(a, b string) int { return cmp.Compare(p.load[b], p.load[a]) })
	for _, a := range byLoad {
		for j := len(byLoad) - 1; j >= 0; j-- {
			b := byLoad[j]
			if p.load[a]-p.load[b] < 2 {
				break
			}
			if i := p.pick(held[a], b, prefer); i >= 0 {
				return a, b, i
			}
		}
	}
	return "", "", -1
}

// pick is the stream of keys replica to can run that moves first: one
// preferred, else the last in order; -1 when to can run none.
func (p *planner) pick(keys []string, to string, prefer map[string]bool) int {
	found := -1
	for i := len(keys) - 1; i >= 0; i-- {
		if !p.runs(to, keys[i]) {
			continue
		}
		if prefer[keys[i]] {
			return i
		}
		if found < 0 {
			found = i
		}
	}
	return found
}
