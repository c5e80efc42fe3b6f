package lease

import (
	"cmp"
	"slices"
)

// Target is how many of n streams replica me should hold: an even share
// of the live replicas, the remainder going to the replicas that hold most
// now (ties to the lower id). Every replica computes the same targets from
// the same view, their sum is n, and a spread that is already even keeps
// its targets, so nothing moves without a replica joining or leaving.
func Target(v View, me string, n int) int {
	counts := map[string]int{me: 0}
	for _, r := range v.Replicas {
		counts[r.ID] += 0
	}
	for _, l := range v.Leases {
		if _, live := counts[l.Owner]; live && l.Live() {
			counts[l.Owner]++
		}
	}
	ids := make([]string, 0, len(counts))
	for id := range counts {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b string) int {
		return cmp.Or(cmp.Compare(counts[b], counts[a]), cmp.Compare(a, b))
	})
	share, extra := n/len(ids), n%len(ids)
	if slices.Index(ids, me) < extra {
		return share + 1
	}
	return share
}
