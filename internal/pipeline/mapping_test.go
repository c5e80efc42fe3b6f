package pipeline

import (
	"testing"

	"s1collector/internal/sentinelone"
)

// TestMappingVersionResendsEveryDevice: a full listing records how the
// outputs mapped devices; the next cycles with the same mapping collect
// only changes, and one under a new mapping sends every device again, once.
func TestMappingVersionResendsEveryDevice(t *testing.T) {
	emu := quietEmulator(t, 300)
	emu.SetSpeed(0) // no device changes between cycles
	store := newMemStore()
	out := &fakeOutput{name: "assets"}
	cycle := func(version string) int {
		t.Helper()
		s := newStream(t, emu, sentinelone.Agents, store, out)
		s.MappingVersion = version
		before := len(out.events)
		if _, err := s.Cycle(t.Context(), nil); err != nil {
			t.Fatal(err)
		}
		return len(out.events) - before
	}
	if n := cycle("assets=sekoia_assets/1"); n != 300 {
		t.Fatalf("first cycle sent %d devices", n)
	}
	if n := cycle("assets=sekoia_assets/1"); n != 0 {
		t.Fatalf("same mapping: %d devices sent again", n)
	}
	if n := cycle("assets=sekoia_assets/2"); n != 300 {
		t.Fatalf("new mapping: %d devices sent, want every one", n)
	}
	if n := cycle("assets=sekoia_assets/2"); n != 0 {
		t.Fatalf("after the new mapping's listing: %d devices sent again", n)
	}
	seen := map[string]int{}
	for _, e := range out.events {
		seen[e.ID]++
	}
	for id, n := range seen {
		if n != 2 {
			t.Fatalf("device %s sent %d times, want twice (once per mapping)", id, n)
		}
	}
}
