package pipeline

import (
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"s1collector/internal/emulator"
	"s1collector/internal/retry"
	"s1collector/internal/sentinelone"
	"s1collector/internal/transform"
)

// partitionedStream is an agents stream against emu with a console-like
// client (25 rps on agents) and the given concurrency.
func partitionedStream(t *testing.T, emu *emulator.Emulator, concurrency int, attempts int) (*Stream, *fakeOutput, *memStore) {
	return pagedStream(t, emu, concurrency, attempts, 1000)
}

// pagedStream is partitionedStream with pageSize records a page.
func pagedStream(t *testing.T, emu *emulator.Emulator, concurrency, attempts, pageSize int) (*Stream, *fakeOutput, *memStore) {
	t.Helper()
	c, err := sentinelone.New(sentinelone.Config{BaseURL: "http://localhost", Token: emulator.DefaultToken, PageSize: pageSize,
		Retry: retry.Policy{Initial: 10 * time.Millisecond, Max: 50 * time.Millisecond, MaxAttempts: attempts}},
		&http.Client{Transport: emu.Transport()})
	if err != nil {
		t.Fatal(err)
	}
	out := &fakeOutput{name: "o"}
	store := newMemStore()
	s := newStream(t, emu, sentinelone.Agents, store, out)
	// raw: these tests are about walking, not mapping, which the race
	// detector makes costly.
	s.Lister, s.Counter, s.Concurrency, s.Profile, s.PageSize = c, c, concurrency, transform.ProfileRaw, pageSize
	return s, out, store
}

func deliveredIDs(out *fakeOutput) map[string]int {
	seen := map[string]int{}
	for _, e := range out.events {
		seen[e.ID]++
	}
	return seen
}

// TestPartitionedListingIsFasterAndComplete: with 1.4 s a page and the
// console's 25 rps, a partitioned full listing of 60 pages (12,000 agents,
// 200 a page: the page count of 60,000 at 1,000, for a fifth of the CPU)
// delivers the same devices as the single-cursor walk, at least 5× faster
// (fake time), and asks exactly one page request per page of each range.
func TestPartitionedListingIsFasterAndComplete(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		durations := map[int]time.Duration{}
		sets := map[int]map[string]int{}
		for _, conc := range []int{1, 16} {
			emu, err := emulator.New(emulator.Config{Seed: 5, Agents: 12000, AgentUpdatesPerMinute: 1e-9, NewAgentsPerHour: 1e-9})
			if err != nil {
				t.Fatal(err)
			}
			emu.SetFault("agents", emulator.Fault{Latency: 1400 * time.Millisecond})
			s, out, store := pagedStream(t, emu, conc, 8, 200)
			start := time.Now()
			res, err := s.Cycle(t.Context(), nil)
			if err != nil || !res.FullSync {
				t.Fatalf("concurrency %d: %+v %v", conc, res, err)
			}
			durations[conc] = time.Since(start)
			sets[conc] = deliveredIDs(out)
			if conc > 1 {
				cp, _ := store.Load(t.Context(), s.Key())
				if cp.Listing != nil || cp.Watermark.IsZero() {
					t.Fatalf("checkpoint after the listing: %+v", cp)
				}
			}
			// Page requests: ceil(records/1000) per range of the plan.
			if got, want := emu.Requests("agents"), int64(res.Pages); got != want {
				t.Errorf("concurrency %d: %d agents requests for %d pages", conc, got, want)
			}
		}
		if len(sets[1]) != 12000 || len(sets[16]) != 12000 {
			t.Fatalf("devices: single walk %d, partitioned %d", len(sets[1]), len(sets[16]))
		}
		for id := range sets[1] {
			if sets[16][id] != 1 {
				t.Fatalf("device %s delivered %d times by the partitioned listing", id, sets[16][id])
			}
		}
		if ratio := float64(durations[1]) / float64(durations[16]); ratio < 5 {
			t.Fatalf("single walk %s, partitioned %s: only %.1f× faster", durations[1], durations[16], ratio)
		}
		t.Logf("single walk %s, partitioned %s (%.1f×)", durations[1], durations[16], float64(durations[1])/float64(durations[16]))
	})
}

// TestPartitionedListingWhileAgentsChange: agents updated and registered
// during the listing are all delivered; nothing is lost.
func TestPartitionedListingWhileAgentsChange(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu, err := emulator.New(emulator.Config{Seed: 6, Agents: 12000, Speed: 1, AgentUpdatesPerMinute: 600, NewAgentsPerHour: 3600})
		if err != nil {
			t.Fatal(err)
		}
		emu.SetFault("agents", emulator.Fault{Latency: 500 * time.Millisecond})
		s, out, _ := partitionedStream(t, emu, 6, 8)
		atStart := emu.Snapshot("agents")
		if _, err := s.Cycle(t.Context(), nil); err != nil {
			t.Fatal(err)
		}
		if len(out.events) <= len(atStart) {
			t.Fatalf("%d events for %d agents: the changes during the listing were not seen", len(out.events), len(atStart))
		}
		emu.SetSpeed(0)
		// The next incremental cycle brings every version the listing missed.
		before := len(out.events)
		if _, err := s.Cycle(t.Context(), nil); err != nil {
			t.Fatal(err)
		}
		latest := map[string]time.Time{}
		for _, e := range out.events {
			if e.Time.After(latest[e.ID]) {
				latest[e.ID] = e.Time
			}
		}
		for _, r := range atStart {
			if latest[r.ID].IsZero() {
				t.Fatalf("agent %s, listed at the start, never delivered", r.ID)
			}
		}
		for _, r := range emu.Snapshot("agents") {
			if !latest[r.ID].Equal(r.UpdatedAt) {
				t.Fatalf("agent %s: latest delivered %s, console has %s (incremental delivered %d)", r.ID, latest[r.ID], r.UpdatedAt, len(out.events)-before)
			}
		}
	})
}

// TestFailingRangeIsWalkedAgainAlone: 5xx answers make ranges fail after
// the client's retries; each is walked again from its own progress, and
// the listing completes without starting over.
func TestFailingRangeIsWalkedAgainAlone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu, err := emulator.New(emulator.Config{Seed: 7, Agents: 20000, AgentUpdatesPerMinute: 1e-9, NewAgentsPerHour: 1e-9})
		if err != nil {
			t.Fatal(err)
		}
		emu.SetFault("agents", emulator.Fault{ServerErrors: 0.25})
		emu.SetFault("agents/count", emulator.Fault{}) // the plan succeeds; the walks fail
		s, out, _ := partitionedStream(t, emu, 8, 2)
		if _, err := s.Cycle(t.Context(), nil); err != nil {
			t.Fatal(err)
		}
		if got := len(deliveredIDs(out)); got != 20000 {
			t.Fatalf("%d devices", got)
		}
		if dups := len(out.events) - 20000; dups != 0 {
			t.Fatalf("%d devices delivered twice: a failed range restarted from its start", dups)
		}
	})
}
