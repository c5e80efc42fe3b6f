package pipeline

import (
	"context"
	"errors"
	"iter"
	"net/http"
	"sync"
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
	s.Lister, s.Concurrency, s.Profile, s.PageSize = c, concurrency, transform.ProfileRaw, pageSize
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

// TestSplitKeepsTheRecordsAtItsTime: a range split while it is walked
// loses none of the records at the split time, nor delivers any twice,
// even when a burst of records shares that time across pages. The split
// is put on a burst whenever one lies in the range's part still to read.
func TestSplitKeepsTheRecordsAtItsTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu := quietEmulator(t, 3000)
		var bursts []time.Time
		for range 4 {
			emu.Advance(time.Minute)
			bursts = append(bursts, emu.Bulk(700))
		}
		emu.Advance(time.Minute)
		emu.SetFault("agents", emulator.Fault{Latency: 1400 * time.Millisecond})
		onBurst := 0
		uniform := splitTime
		splitTime = func(from, hi time.Time, share float64) time.Time {
			for _, b := range bursts {
				if b.After(from) && b.Before(hi) {
					onBurst++
					return b
				}
			}
			return uniform(from, hi, share)
		}
		t.Cleanup(func() { splitTime = uniform })
		s, out, _ := pagedStream(t, emu, 16, 8, 100)
		if _, err := s.Cycle(t.Context(), nil); err != nil {
			t.Fatal(err)
		}
		if onBurst == 0 {
			t.Fatal("no range was split on a burst: the test proves nothing")
		}
		got := deliveredIDs(out)
		for _, r := range emu.Snapshot("agents") {
			if got[r.ID] != 1 {
				t.Fatalf("agent %s (updatedAt %s) delivered %d times; %d splits on a burst", r.ID, r.UpdatedAt, got[r.ID], onBurst)
			}
		}
		t.Logf("%d splits on a burst, %d agents", onBurst, len(got))
	})
}

// TestPlanKeepsTheConsoleAtItsRate: with the console's 25 requests a
// second and 1.4 s a page, a listing of 120 pages (fake time) takes
// little more than its floor: those pages at that rate, one latency for
// the last of them and one for the catch-up walk. The plan waits on no
// round of counts, and walks enough ranges at once.
func TestPlanKeepsTheConsoleAtItsRate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu := quietEmulator(t, 12000)
		emu.SetFault("agents", emulator.Fault{Latency: 1400 * time.Millisecond})
		s, out, _ := pagedStream(t, emu, 64, 8, 100)
		start := time.Now()
		if _, err := s.Cycle(t.Context(), nil); err != nil {
			t.Fatal(err)
		}
		took := time.Since(start)
		if got := len(deliveredIDs(out)); got != 12000 {
			t.Fatalf("%d devices", got)
		}
		requests := emu.Requests("agents") + emu.Requests("agents/count") // the plan asks no count
		floor := 120/25.0 + 2*1.4
		t.Logf("%s for 120 pages, %d requests; floor %.1fs", took, requests, floor)
		if took.Seconds() > 1.7*floor {
			t.Errorf("the listing took %s, more than 1.7× the floor of %.1fs (%d requests)", took, floor, requests)
		}
	})
}

// walkCounter counts the walks under way (one per range walked).
type walkCounter struct {
	Lister
	mu        sync.Mutex
	cur, most int
	mostLate  int // walks under way once late() holds
	late      func() bool
}

// Rate is the wrapped client's.
func (w *walkCounter) Rate(e sentinelone.Endpoint) float64 {
	return w.Lister.(interface {
		Rate(sentinelone.Endpoint) float64
	}).Rate(e)
}

func (w *walkCounter) Pages(ctx context.Context, req sentinelone.ListRequest) iter.Seq2[*sentinelone.Page, error] {
	return func(yield func(*sentinelone.Page, error) bool) {
		w.mu.Lock()
		w.cur++
		w.most = max(w.most, w.cur)
		if w.late() {
			w.mostLate = max(w.mostLate, w.cur)
		}
		w.mu.Unlock()
		defer func() { w.mu.Lock(); w.cur--; w.mu.Unlock() }()
		for p, err := range w.Lister.Pages(ctx, req) {
			if !yield(p, err) {
				return
			}
		}
	}
}

// TestWalkersFollowTheConsole: how many ranges are walked at once follows
// the console's rate and latency within full_sync_concurrency: about 45
// at 25 rps and 1.4 s a page under a cap of 64, the cap when it is lower,
// and four once a console that answers at once (1 ms) has shown it (walkers
// beyond hand their ranges back, which are then walked to the end).
func TestWalkersFollowTheConsole(t *testing.T) {
	for _, c := range []struct {
		name             string
		latency          time.Duration
		cap, least, most int
		lateMost         int
	}{
		{"1.4s, cap 64", 1400 * time.Millisecond, 64, 30, 50, 50},
		{"1.4s, cap 3", 1400 * time.Millisecond, 3, 1, 3, 3},
		{"at once, cap 16", time.Millisecond, 16, 1, 16, minWalkers},
	} {
		t.Run(c.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				emu := quietEmulator(t, 12000)
				emu.SetFault("agents", emulator.Fault{Latency: c.latency})
				s, out, _ := pagedStream(t, emu, c.cap, 8, 100)
				w := &walkCounter{Lister: s.Lister, late: func() bool { out.mu.Lock(); defer out.mu.Unlock(); return len(out.events) > 6000 }}
				s.Lister = w
				if _, err := s.Cycle(t.Context(), nil); err != nil {
					t.Fatal(err)
				}
				got := deliveredIDs(out)
				for _, r := range emu.Snapshot("agents") {
					if got[r.ID] != 1 {
						t.Fatalf("agent %s delivered %d times", r.ID, got[r.ID])
					}
				}
				if w.most < c.least || w.most > c.most || w.mostLate > c.lateMost {
					t.Errorf("walks at once: at most %d (want %d–%d), %d in the second half (want ≤ %d)", w.most, c.least, c.most, w.mostLate, c.lateMost)
				}
				t.Logf("walks at once: at most %d, %d in the second half", w.most, w.mostLate)
			})
		})
	}
}

// countingFailLister fails every walk at once, counting them.
type countingFailLister struct {
	mu    sync.Mutex
	calls int
}

func (c *countingFailLister) Pages(context.Context, sentinelone.ListRequest) iter.Seq2[*sentinelone.Page, error] {
	c.mu.Lock()
	c.calls++
	c.mu.Unlock()
	return func(yield func(*sentinelone.Page, error) bool) {
		time.Sleep(time.Minute) // the client's retries
		yield(nil, &sentinelone.APIError{Kind: sentinelone.KindUnavailable, Endpoint: "agents", Err: errors.New("connection refused")})
	}
}

// TestListingFailsAtOnceWhenNothingAnswers: when walks fail one after the
// other with no page read in between (the console is down; the client
// already retried each request, a minute here), the listing fails after
// three of them, not after three attempts of every range.
func TestListingFailsAtOnceWhenNothingAnswers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu := quietEmulator(t, 1500)
		s, _, _ := partitionedStream(t, emu, 4, 1)
		l := &countingFailLister{}
		s.Lister = l
		start := time.Now()
		if _, err := s.Cycle(t.Context(), nil); err == nil {
			t.Fatal("the listing succeeded against a console that answers nothing")
		}
		// Four walks fail at once; two of them were tried again before the
		// third failure halted the listing. Trying every range three times
		// would take three minutes and 12 walks.
		if took := time.Since(start); took > 2*time.Minute || l.calls > 6 {
			t.Errorf("the listing failed after %s and %d walks, want at most 2m and 6", took, l.calls)
		}
	})
}
