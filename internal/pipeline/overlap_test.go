package pipeline

import (
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"s1collector/internal/emulator"
	"s1collector/internal/sentinelone"
	"s1collector/internal/state"
	"s1collector/internal/transform"
)

// versionsOf counts the deliveries of each record version: id, and for
// agents and threats the time that changes with each version.
func versionsOf(api sentinelone.Endpoint, out *fakeOutput) map[string]int {
	seen := map[string]int{}
	for _, e := range out.events {
		if e.Removal {
			continue
		}
		k := e.ID
		if api != sentinelone.Activities {
			k += "@" + sentinelone.FormatTime(e.Time)
		}
		seen[k]++
	}
	return seen
}

// TestLateRecordsAreDeliveredOnce: 10% of activities and threats become
// visible 1–4 minutes after their time. Polled every minute with the
// default overlap, every one is delivered, each exactly once; without the
// overlap some are lost for good.
func TestLateRecordsAreDeliveredOnce(t *testing.T) {
	for _, overlap := range []time.Duration{5 * time.Minute, 0} {
		for _, api := range []sentinelone.Endpoint{sentinelone.Activities, sentinelone.Threats} {
			emu, err := emulator.New(emulator.Config{Seed: 31, Agents: 10, HistoryActivities: 20, HistoryThreats: 5,
				ActivitiesPerMinute: 100, ThreatsPerHour: 600, ThreatUpdatesPerHour: 300, RateLimits: map[string]emulator.RateLimit{},
				Realism: emulator.Realism{LateShare: 0.1}})
			if err != nil {
				t.Fatal(err)
			}
			out := &fakeOutput{name: "o"}
			s := newStream(t, emu, api, newMemStore(), out)
			s.Overlap = overlap
			for minute := 0; minute < 25; minute++ {
				if minute < 20 {
					emu.Advance(time.Minute)
				} else {
					emu.SetSpeed(0)
					emu.Advance(time.Minute) // nothing new, late ones appear
				}
				if _, err := s.Cycle(t.Context(), nil); err != nil {
					t.Fatal(err)
				}
			}
			got := versionsOf(api, out)
			lost, dups := 0, 0
			for _, r := range emu.Snapshot(string(api)) {
				k := r.ID
				if api != sentinelone.Activities {
					k += "@" + sentinelone.FormatTime(r.UpdatedAt)
				}
				switch got[k] {
				case 0:
					lost++
				case 1:
				default:
					dups++
				}
			}
			if dups > 0 {
				t.Errorf("overlap %s, %s: %d versions delivered more than once", overlap, api, dups)
			}
			if overlap > 0 && lost > 0 {
				t.Errorf("overlap %s, %s: %d records never delivered", overlap, api, lost)
			}
			if overlap == 0 && lost == 0 {
				t.Errorf("%s without overlap lost nothing: the late records did not come late", api)
			}
			t.Logf("overlap %s, %s: %d delivered, %d lost", overlap, api, len(got), lost)
		}
	}
}

// caughtUp saves the checkpoint of a stream that has delivered everything
// up to now (agents: with a full listing done then).
func caughtUp(t testing.TB, s *Stream, now time.Time) {
	t.Helper()
	if err := s.Store.Save(t.Context(), s.Key(), state.Checkpoint{Watermark: now, LastFullSync: now}); err != nil {
		t.Fatal(err)
	}
}

// TestBurstAtOneTimestampAcrossAStop: 1,000 records share one timestamp
// (a bulk console action) across three pages; a cycle stopped after the
// first page, and its resumption, deliver each exactly once — with and
// without the overlap, in incremental walks and in full listings.
func TestBurstAtOneTimestampAcrossAStop(t *testing.T) {
	for _, overlap := range []time.Duration{5 * time.Minute, 0} {
		for _, c := range []struct {
			api     sentinelone.Endpoint
			listing bool
		}{{sentinelone.Activities, false}, {sentinelone.Agents, false}, {sentinelone.Agents, true}} {
			name := fmt.Sprintf("%s listing=%v overlap=%s", c.api, c.listing, overlap)
			emu, err := emulator.New(emulator.Config{Seed: 32, Agents: 1200, HistoryActivities: 100, AgentUpdatesPerMinute: 1e-9,
				NewAgentsPerHour: 1e-9, ActivitiesPerMinute: 1e-9, RateLimits: map[string]emulator.RateLimit{}})
			if err != nil {
				t.Fatal(err)
			}
			s, out, _ := listingStream(t, emu, 4, 400)
			s.API, s.Overlap, s.FullSync, s.Profile = c.api, overlap, 24*time.Hour, transform.ProfileRaw
			if c.listing {
				s.FullSync = 0
			} else {
				caughtUp(t, s, emu.Now())
			}
			emu.Advance(time.Minute)
			at := emu.Bulk(1000)
			emu.Advance(time.Second) // a listing starts after the burst: it is in a range
			from := len(out.events)
			stop := make(chan struct{})
			out.onCall = func() { close(stop); out.onCall = nil }
			if _, err := s.Cycle(t.Context(), stop); !errors.Is(err, ErrStopped) {
				t.Fatalf("%s: %v, want stopped after the first page", name, err)
			}
			if _, err := s.Cycle(t.Context(), nil); err != nil {
				t.Fatal(err)
			}
			got := map[string]int{}
			for _, e := range out.events[from:] {
				if e.Time.Equal(at) {
					got[e.ID]++
				}
			}
			for id, n := range got {
				if n != 1 {
					t.Fatalf("%s: %s delivered %d times", name, id, n)
				}
			}
			if len(got) != 1000 {
				t.Fatalf("%s: %d of the 1000 records of the burst delivered", name, len(got))
			}
		}
	}
}

// TestBurstCostIsLinear: collecting a burst sharing one timestamp costs
// memory in proportion to its size: 4× the records, well under 16× the
// bytes a cost growing with the square would take.
func TestBurstCostIsLinear(t *testing.T) {
	alloc := func(n int) uint64 {
		emu, err := emulator.New(emulator.Config{Seed: 33, Agents: n, AgentUpdatesPerMinute: 1e-9, NewAgentsPerHour: 1e-9,
			RateLimits: map[string]emulator.RateLimit{}})
		if err != nil {
			t.Fatal(err)
		}
		s, out, _ := listingStream(t, emu, 1, 500)
		s.FullSync, s.Profile = 24*time.Hour, transform.ProfileRaw
		caughtUp(t, s, emu.Now())
		emu.Advance(time.Minute)
		emu.Bulk(n)
		out.events = nil
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		if _, err := s.Cycle(t.Context(), nil); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		if len(out.events) != n {
			t.Fatalf("%d of a burst of %d delivered", len(out.events), n)
		}
		return after.TotalAlloc - before.TotalAlloc
	}
	small, large := alloc(1000), alloc(4000)
	t.Logf("burst of 1,000: %d MB allocated; of 4,000: %d MB (%.1f×)", small>>20, large>>20, float64(large)/float64(small))
	if large > 6*small {
		t.Fatalf("4× the burst allocates %.1f× the memory: not linear", float64(large)/float64(small))
	}
}

// BenchmarkBurst50k: a bulk console action updates 50,000 agents at one
// instant; the next poll collects them in process (real state file), each
// once.
func BenchmarkBurst50k(b *testing.B) {
	for range b.N {
		b.StopTimer()
		emu, err := emulator.New(emulator.Config{Seed: 34, Agents: 50000, AgentUpdatesPerMinute: 1e-9, NewAgentsPerHour: 1e-9,
			RateLimits: map[string]emulator.RateLimit{}})
		if err != nil {
			b.Fatal(err)
		}
		store, err := state.OpenBolt(filepath.Join(b.TempDir(), "state.db"))
		if err != nil {
			b.Fatal(err)
		}
		s, out, _ := listingStream(b, emu, 8, 1000)
		s.Store, s.FullSync = store, 24*time.Hour
		caughtUp(b, s, emu.Now())
		emu.Advance(time.Minute)
		emu.Bulk(50000)
		b.StartTimer()
		res, err := s.Cycle(b.Context(), nil)
		b.StopTimer()
		store.Close()
		b.ReportMetric(float64(res.Pages), "pages/op")
		if err != nil || len(deliveredIDs(out)) != 50000 || res.Delivered != 50000 {
			b.Fatalf("%+v %v: %d agents delivered", res, err, len(deliveredIDs(out)))
		}
	}
}
