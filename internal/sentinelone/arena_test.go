package sentinelone

import (
	"slices"
	"testing"
)

// TestArenaListsAreTheirOwn: lists kept in one block are separate slices:
// appending to one never writes over the next, and a list outlives the
// block being filled further.
func TestArenaListsAreTheirOwn(t *testing.T) {
	for _, ar := range []*arena{nil, {}} {
		first := ar.strings([]string{"10.0.0.1", "10.0.0.2"})
		second := ar.strings([]string{"fe80::1"})
		grown := append(first, "10.0.0.3")
		for range listBlock {
			ar.strings([]string{"filler"})
		}
		if !slices.Equal(first, []string{"10.0.0.1", "10.0.0.2"}) || !slices.Equal(second, []string{"fe80::1"}) ||
			!slices.Equal(grown, []string{"10.0.0.1", "10.0.0.2", "10.0.0.3"}) {
			t.Errorf("arena %v: lists overlap: first %q, second %q, first grown %q", ar != nil, first, second, grown)
		}
	}
}
