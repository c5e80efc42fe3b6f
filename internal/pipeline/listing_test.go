package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"iter"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"s1collector/internal/emulator"
	"s1collector/internal/retry"
	"s1collector/internal/sentinelone"
	"s1collector/internal/state"
	"s1collector/internal/transform"
)

// listingStream is an agents stream whose client pages pageSize records
// at a time, walking full listings concurrency ranges at once, one full
// listing every cycle.
func listingStream(t testing.TB, emu *emulator.Emulator, concurrency, pageSize int) (*Stream, *fakeOutput, *memStore) {
	t.Helper()
	c, err := sentinelone.New(sentinelone.Config{BaseURL: "http://localhost", Token: emulator.DefaultToken, PageSize: pageSize,
		RateLimits: map[string]sentinelone.RateLimit{"agents": {Rate: 1e6, Burst: 100}},
		Retry:      retry.Policy{Initial: 10 * time.Millisecond, Max: 50 * time.Millisecond, MaxAttempts: 8}},
		&http.Client{Transport: emu.Transport()})
	if err != nil {
		t.Fatal(err)
	}
	out := &fakeOutput{name: "o"}
	store := newMemStore()
	s := newStream(t, emu, sentinelone.Agents, store, out)
	s.Lister, s.Concurrency, s.PageSize, s.FullSync, s.Overlap = c, concurrency, pageSize, 0, 5*time.Minute
	return s, out, store
}

func idSet(recs []emulator.Record) map[string]bool {
	out := map[string]bool{}
	for _, r := range recs {
		out[r.ID] = true
	}
	return out
}

// TestListingDeliversEveryAgentListedAtStartAndEnd: while agents change
// fast and some are removed, every agent the console lists when a full
// listing starts and still lists when it ends is delivered by it, whatever
// the plan; only removed agents are reported removed, each once; progress
// totals describe the whole listing.
func TestListingDeliversEveryAgentListedAtStartAndEnd(t *testing.T) {
	for _, conc := range []int{1, 8} {
		t.Run("concurrency "+string(rune('0'+conc)), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				emu, err := emulator.New(emulator.Config{Seed: uint64(10 + conc), Agents: 1200, Speed: 1, AgentUpdatesPerMinute: 6000,
					NewAgentsPerHour: 600, RateLimits: map[string]emulator.RateLimit{}})
				if err != nil {
					t.Fatal(err)
				}
				emu.SetFault("agents", emulator.Fault{Latency: 200 * time.Millisecond})
				s, out, _ := listingStream(t, emu, conc, 100)
				s.Profile = transform.ProfileRaw
				var removed []string
				reported := map[string]int{}
				for listing := 1; listing <= 4; listing++ {
					atStart := idSet(emu.Snapshot("agents"))
					from := len(out.events)
					if listing > 1 && listing < 4 {
						go func() { time.Sleep(300 * time.Millisecond); removed = append(removed, emu.RemoveAgents(5)...) }()
					}
					res, err := s.Cycle(t.Context(), nil)
					if err != nil || !res.FullSync {
						t.Fatalf("listing %d: %+v %v", listing, res, err)
					}
					synctest.Wait()
					if st := s.Status.Snapshot(); st.Total < int64(len(atStart))*9/10 {
						t.Errorf("listing %d: progress total %d for %d agents", listing, st.Total, len(atStart))
					}
					delivered := map[string]bool{}
					for _, e := range out.events[from:] {
						if e.Removal {
							reported[e.ID]++
						} else {
							delivered[e.ID] = true
						}
					}
					for id := range idSet(emu.Snapshot("agents")) {
						if atStart[id] && !delivered[id] {
							t.Fatalf("listing %d: agent %s listed at its start and end was not delivered (%d delivered)", listing, id, len(delivered))
						}
					}
				}
				for _, id := range removed {
					if reported[id] != 1 {
						t.Errorf("removed agent %s reported %d times", id, reported[id])
					}
				}
				if len(reported) != len(removed) || len(removed) != 10 {
					t.Errorf("reported %d removals for %d agents removed: %v", len(reported), len(removed), reported)
				}
			})
		})
	}
}

// hidingLister hides some agents from walks (not from lookups by id), as
// a listing that missed them would.
type hidingLister struct {
	Lister
	hide map[string]bool
}

func (h hidingLister) Pages(ctx context.Context, req sentinelone.ListRequest) iter.Seq2[*sentinelone.Page, error] {
	return func(yield func(*sentinelone.Page, error) bool) {
		for page, err := range h.Lister.Pages(ctx, req) {
			if page != nil && !req.Query.Has("ids") {
				page.Records = slices.DeleteFunc(slices.Clone(page.Records), func(r sentinelone.Record) bool {
					m, _ := r.Value.(mapped)
					return h.hide[m.r.id]
				})
			}
			if !yield(page, err) {
				return
			}
		}
	}
}

// TestRemovalsAreConfirmedByTheConsole: a device the listing did not see
// but the console still lists is not reported; decommissioned agents stay
// and are not reported; a removed one is reported once, as a removal event
// in the stream's profile.
func TestRemovalsAreConfirmedByTheConsole(t *testing.T) {
	for _, profile := range []transform.Profile{transform.ProfileSekoia, transform.ProfileOCSF} {
		emu, err := emulator.New(emulator.Config{Seed: 3, Agents: 300, AgentUpdatesPerMinute: 1e-9, NewAgentsPerHour: 1e-9,
			RateLimits: map[string]emulator.RateLimit{}, Realism: emulator.Realism{DecommissionsPerHour: 120}})
		if err != nil {
			t.Fatal(err)
		}
		s, out, store := listingStream(t, emu, 4, 100)
		s.Profile = profile
		if _, err := s.Cycle(t.Context(), nil); err != nil {
			t.Fatal(err)
		}
		all := emu.Snapshot("agents")
		hidden := all[7].ID
		s.Lister = hidingLister{Lister: s.Lister, hide: map[string]bool{hidden: true}}
		emu.Advance(30 * time.Minute) // 60 agents decommissioned
		gone := emu.RemoveAgents(3)
		for listing := 2; listing <= 3; listing++ {
			from := len(out.events)
			res, err := s.Cycle(t.Context(), nil)
			if err != nil {
				t.Fatal(err)
			}
			want := gone
			if listing == 3 {
				want = nil
			}
			slices.Sort(want)
			if !slices.Equal(res.Gone, want) {
				t.Fatalf("%s listing %d reported %v, want %v (hidden %s)", profile, listing, res.Gone, want, hidden)
			}
			var events []string
			for _, e := range out.events[from:] {
				if e.Removal {
					events = append(events, e.ID)
					checkRemovalEvent(t, profile, e.ID, e.Body)
				}
			}
			slices.Sort(events)
			if !slices.Equal(events, want) {
				t.Fatalf("%s listing %d: removal events for %v, want %v", profile, listing, events, want)
			}
		}
		cp, _ := store.Load(t.Context(), s.Key())
		if missing, _ := store.Missing(t.Context(), "emu", cp.LastFullSync.UnixNano()); len(missing) != 0 {
			t.Errorf("%d devices still tracked from older listings", len(missing))
		}
	}
}

func checkRemovalEvent(t *testing.T, profile transform.Profile, id string, body []byte) {
	t.Helper()
	var ev map[string]any
	if err := json.Unmarshal(body, &ev); err != nil {
		t.Fatal(err)
	}
	switch profile {
	case transform.ProfileOCSF:
		entity, _ := ev["entity"].(map[string]any)
		if ev["class_uid"] != 3004.0 || ev["activity_id"] != 4.0 || ev["type_uid"] != 300404.0 || entity["uid"] != id || entity["type_id"] != 1.0 {
			t.Errorf("ocsf removal event: %s", body)
		}
	default:
		if ev["id"] != id || ev["removed"] != true || ev["detectedAt"] == nil {
			t.Errorf("removal event: %s", body)
		}
	}
}

// TestPlanChangeStartsTheListingAgain: a listing stopped under one plan
// (one site's scope, then concurrency 8, then 1) and resumed under another
// starts again from scratch; the listing that completes delivers every
// agent and reports none removed, and so does the next one.
func TestPlanChangeStartsTheListingAgain(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu, err := emulator.New(emulator.Config{Seed: 21, Agents: 4000, AgentUpdatesPerMinute: 1e-9, NewAgentsPerHour: 1e-9,
			RateLimits: map[string]emulator.RateLimit{}})
		if err != nil {
			t.Fatal(err)
		}
		s, out, _ := listingStream(t, emu, 8, 100)
		s.Profile = transform.ProfileRaw
		stopAfter := func(calls int) chan struct{} {
			stop := make(chan struct{})
			n := 0
			out.onCall = func() {
				if n++; n == calls {
					close(stop)
				}
			}
			return stop
		}
		oneSite := url.Values{"siteIds": {"1300000000000000000"}}
		for _, step := range []struct {
			conc, stopAfter int
			scope           url.Values
		}{{8, 3, oneSite}, {8, 3, nil}, {1, 2, nil}, {8, 0, nil}, {8, 0, nil}} {
			s.Concurrency, s.Scope = step.conc, step.scope
			var stop chan struct{}
			if step.stopAfter > 0 {
				stop = stopAfter(step.stopAfter)
			} else {
				out.onCall = nil
			}
			from := len(out.events)
			res, err := s.Cycle(t.Context(), stop)
			if step.stopAfter > 0 {
				if err != ErrStopped {
					t.Fatalf("concurrency %d: %v, want stopped", step.conc, err)
				}
				continue
			}
			if err != nil || len(res.Gone) != 0 {
				t.Fatalf("concurrency %d: %v, %d reported removed", step.conc, err, len(res.Gone))
			}
			if got := len(deliveredIDs(&fakeOutput{events: out.events[from:]})); got != 4000 || len(out.events)-from != 4000 {
				t.Fatalf("concurrency %d: the listing delivered %d agents (%d events), want 4000 once each", step.conc, got, len(out.events)-from)
			}
		}
	})
}

// TestFailingOutputHoldsTheListingsProgress: in a partitioned full
// listing, no range's progress is saved before every output accepted its
// page; the output that failed gets every agent once it recovers.
func TestFailingOutputHoldsTheListingsProgress(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu, err := emulator.New(emulator.Config{Seed: 41, Agents: 2000, AgentUpdatesPerMinute: 1e-9, NewAgentsPerHour: 1e-9,
			RateLimits: map[string]emulator.RateLimit{}})
		if err != nil {
			t.Fatal(err)
		}
		s, good, store := listingStream(t, emu, 4, 250)
		s.Profile = transform.ProfileRaw
		var bad *fakeOutput
		bad = &fakeOutput{name: "bad", failures: 3, onCall: func() {
			cp, _ := store.Load(t.Context(), s.Key())
			var newest time.Time
			for _, e := range bad.events {
				newest = later(newest, e.Time)
			}
			if cp.Delivered > int64(len(bad.events)) {
				t.Errorf("checkpoint counts %d delivered; the failing output accepted %d", cp.Delivered, len(bad.events))
			}
			for i, r := range cp.Listing.Ranges {
				if r.Watermark.After(newest) {
					t.Errorf("range %d saved at %s; the failing output accepted up to %s", i, r.Watermark, newest)
				}
			}
		}}
		s.Outputs = append(s.Outputs, bad)
		if _, err := s.Cycle(t.Context(), nil); err != nil {
			t.Fatal(err)
		}
		for _, o := range []*fakeOutput{good, bad} {
			if got := deliveredIDs(o); len(got) != 2000 || len(o.events) != 2000 {
				t.Errorf("%s: %d agents in %d events, want 2000 once each", o.name, len(got), len(o.events))
			}
		}
	})
}

// TestCatchUpEndsWhenTheConsoleOutpacesIt: agents change faster than a
// cursor can read them. The listing still ends, partial, with the count of
// devices it left; it reports no live agent removed, and the next poll
// brings every agent's latest version.
func TestCatchUpEndsWhenTheConsoleOutpacesIt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu, err := emulator.New(emulator.Config{Seed: 51, Agents: 1000, Speed: 1, AgentUpdatesPerMinute: 60000,
			NewAgentsPerHour: 1e-9, RateLimits: map[string]emulator.RateLimit{}})
		if err != nil {
			t.Fatal(err)
		}
		emu.SetFault("agents", emulator.Fault{Latency: time.Second})
		s, out, _ := listingStream(t, emu, 2, 100)
		var log bytes.Buffer
		s.Profile, s.Log = transform.ProfileRaw, slog.New(slog.NewTextHandler(&log, nil))
		res, err := s.Cycle(t.Context(), nil)
		if err != nil || !res.FullSync || len(res.Gone) != 0 {
			t.Fatalf("listing: %v, %d reported removed", err, len(res.Gone))
		}
		if !strings.Contains(log.String(), "changes faster than the full listing can read it") {
			t.Fatalf("the catch-up was not outpaced:\n%s", log.String())
		}
		if res.Behind == nil || res.Behind.Changed <= 0 {
			t.Fatalf("the outpaced listing is not reported partial with what it left: %+v", res.Behind)
		}
		emu.SetSpeed(0)
		s.FullSync = 24 * time.Hour
		if _, err := s.Cycle(t.Context(), nil); err != nil {
			t.Fatal(err)
		}
		latest := map[string]time.Time{}
		for _, e := range out.events {
			latest[e.ID] = later(latest[e.ID], e.Time)
		}
		for _, r := range emu.Snapshot("agents") {
			if !latest[r.ID].Equal(r.UpdatedAt) {
				t.Fatalf("agent %s: latest delivered %s, console has %s", r.ID, latest[r.ID], r.UpdatedAt)
			}
		}
	})
}

// TestRemovalsWhenTheConsolesClockStepsBack: the listing's start follows
// the console's clock, read from whole-second Date headers, so a listing
// may start a little "before" the previous one (two runs of once a second
// apart, the second after a state reset). The devices the console removed
// in between are still reported by that listing: generations only grow.
func TestRemovalsWhenTheConsolesClockStepsBack(t *testing.T) {
	emu, err := emulator.New(emulator.Config{Seed: 5, Agents: 200, AgentUpdatesPerMinute: 1e-9, NewAgentsPerHour: 1e-9,
		RateLimits: map[string]emulator.RateLimit{}})
	if err != nil {
		t.Fatal(err)
	}
	s, _, store := listingStream(t, emu, 2, 100)
	s.FullSync = 24 * time.Hour
	t0 := emu.Now()
	s.Now = func() time.Time { return t0 }
	if _, err := s.Cycle(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	gone := emu.RemoveAgents(3)
	slices.Sort(gone)
	// state reset --stream agents: a listing is due at once (the
	// devices seen stay known).
	if err := store.Save(t.Context(), s.Key(), state.Checkpoint{}); err != nil {
		t.Fatal(err)
	}
	s.Now = func() time.Time { return t0.Add(-700 * time.Millisecond) }
	res, err := s.Cycle(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Gone, gone) {
		t.Fatalf("a listing started 0.7 s before the previous one (console clock) reported %v removed, want %v", res.Gone, gone)
	}
}
