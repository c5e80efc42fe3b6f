package pipeline

import (
	"testing"

	"s1collector/internal/emulator"
	"s1collector/internal/sentinelone"
	"s1collector/internal/transform"
)

// TestUnreadableValuesFromTheEmulatorAreCounted: the emulator's
// unreadable fault (a value no reader can read) makes records that are
// delivered all the same and counted as odd, on every stream and profile;
// its odd_types fault (strings for booleans and numbers) is read as meant
// and counts nothing.
func TestUnreadableValuesFromTheEmulatorAreCounted(t *testing.T) {
	for _, api := range []sentinelone.Endpoint{sentinelone.Agents, sentinelone.Activities, sentinelone.Threats} {
		for _, profile := range []transform.Profile{transform.ProfileRaw, transform.ProfileSekoia, transform.ProfileOCSF} {
			for _, f := range []emulator.Fault{{OddTypes: 0.5}, {OddTypes: 0.5, Unreadable: 0.3}} {
				emu, err := emulator.New(emulator.Config{Seed: 7, Agents: 600, HistoryActivities: 600, HistoryThreats: 600,
					RateLimits: map[string]emulator.RateLimit{}})
				if err != nil {
					t.Fatal(err)
				}
				emu.SetFault(string(api), f)
				out := &fakeOutput{name: "o"}
				s := newStream(t, emu, api, newMemStore(), out)
				s.Profile = profile
				res, err := s.Cycle(t.Context(), nil)
				if err != nil {
					t.Fatal(err)
				}
				if got := len(deliveredIDs(out)); got != 600 || res.Skipped != 0 {
					t.Fatalf("%s %s %+v: %d of 600 delivered, %d skipped", api, profile, f, got, res.Skipped)
				}
				lo, hi := 0, 0
				if f.Unreadable > 0 {
					lo, hi = 120, 240 // 30% of 600
				}
				if res.Odd < lo || res.Odd > hi {
					t.Errorf("%s %s %+v: %d counted odd, want %d–%d", api, profile, f, res.Odd, lo, hi)
				}
			}
		}
	}
}
