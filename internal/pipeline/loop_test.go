package pipeline

import (
	"context"
	"iter"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"s1collector/internal/emulator"
	"s1collector/internal/retry"
	"s1collector/internal/sentinelone"
)

// consoleClient is a client of emu with the given request timeout and
// retry policy, no rate limit.
func consoleClient(t *testing.T, emu *emulator.Emulator, timeout time.Duration, policy retry.Policy) *sentinelone.Client {
	t.Helper()
	c, err := sentinelone.New(sentinelone.Config{BaseURL: "http://localhost", Token: emulator.DefaultToken, Timeout: timeout, Retry: policy,
		RateLimits: map[string]sentinelone.RateLimit{"agents": {Rate: 1e6, Burst: 100}, "activities": {Rate: 1e6, Burst: 100}, "threats": {Rate: 1e6, Burst: 100}}},
		&http.Client{Transport: emu.Transport()})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// runFor runs the collector for d of fake time, calling during every
// fake second until it returns false, then stops it.
func runFor(c *Collector, d time.Duration, during func() bool) {
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { c.Run(context.Background(), stop); close(done) }()
	for end := time.Now().Add(d); time.Now().Before(end); {
		time.Sleep(time.Second)
		if during != nil && !during() {
			during = nil
		}
	}
	synctest.Wait()
	close(stop)
	<-done
}

// TestSlowConsoleDoesNotStopTheStream: a console slower than the request
// timeout for a whole cycle makes that cycle fail (each request's deadline
// error wraps context.DeadlineExceeded); once it is fast again, the next
// cycle collects everything. Nothing but shutdown or a token/permission
// answer may end a stream's loop.
func TestSlowConsoleDoesNotStopTheStream(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu := quietEmulator(t, 10)
		emu.SetFault("activities", emulator.Fault{Latency: 3 * time.Second})
		out := &fakeOutput{name: "o"}
		s := newStream(t, emu, sentinelone.Activities, newMemStore(), out)
		s.Lister = consoleClient(t, emu, time.Second, retry.Policy{})
		s.Interval = 5 * time.Minute
		c := &Collector{Streams: []*Stream{s}, Log: s.Log}
		var failedAt time.Time
		runFor(c, 15*time.Minute, func() bool {
			if s.Status.Snapshot().FailedCycles == 0 {
				return true
			}
			failedAt = time.Now()
			emu.SetFault("activities", emulator.Fault{}) // fast again
			return false
		})
		st := s.Status.Snapshot()
		if failedAt.IsZero() || !strings.Contains(st.Failures[0].Error, "deadline exceeded") {
			t.Fatalf("the slow cycle did not fail on its deadline: %+v", st.Failures)
		}
		if len(out.events) != 2500 || st.LastSuccess.IsZero() {
			t.Fatalf("after the console was fast again: %d of 2500 activities delivered, last success %v", len(out.events), st.LastSuccess)
		}
		if d := st.History[1].Started.Sub(failedAt); st.History[1].Error != "" || d > s.Interval {
			t.Errorf("the next cycle came %s after the failure, more than the interval", d)
		}
	})
}

// TestFailedCyclesBackOffUpToTheInterval: while the console fails, cycles
// follow each other after a growing backoff, never longer than the
// interval, for as long as it lasts; the first cycle after it collects.
func TestFailedCyclesBackOffUpToTheInterval(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu := quietEmulator(t, 10)
		emu.SetFault("threats", emulator.Fault{ServerErrors: 1})
		out := &fakeOutput{name: "o"}
		s := newStream(t, emu, sentinelone.Threats, newMemStore(), out)
		s.Lister = consoleClient(t, emu, 0, retry.Policy{MaxAttempts: 2, Initial: time.Second})
		s.Interval = 2 * time.Minute
		c := &Collector{Streams: []*Stream{s}, Log: s.Log}
		gaps := func() []time.Duration {
			h := s.Status.Snapshot().History
			var out []time.Duration
			for i := 1; i < len(h); i++ {
				out = append(out, h[i].Started.Sub(h[i-1].Started.Add(h[i-1].Duration)))
			}
			return out
		}
		runFor(c, 3*time.Minute, nil)
		if g := gaps(); len(g) < 3 || g[0] < FailedCycleBackoff/2 || g[0] > FailedCycleBackoff || g[2] < FailedCycleBackoff {
			t.Errorf("waits after the first failures %v: want %s–%s, then growing", g, FailedCycleBackoff/2, FailedCycleBackoff)
		}
		runFor(c, 30*time.Minute, nil)
		st := s.Status.Snapshot()
		if st.Phase != PhaseFailing || st.FailedCycles < 18 {
			t.Fatalf("%d failed cycles in 33 minutes, phase %s: the stream gave up", st.FailedCycles, st.Phase)
		}
		if g := gaps(); slices.Max(g) > s.Interval || g[len(g)-1] < s.Interval/2 {
			t.Errorf("waits between failed cycles %v: want them capped at the interval %s", g, s.Interval)
		}

		emu.SetFault("threats", emulator.Fault{})
		runFor(c, s.Interval+time.Second, nil)
		if st := s.Status.Snapshot(); len(out.events) != 10 || st.Phase != PhaseIdle || st.FailingSince != (time.Time{}) {
			t.Errorf("after the console recovered: %d of 10 threats, phase %s", len(out.events), st.Phase)
		}
	})
}

// recorder keeps log records.
type recorder struct {
	mu      sync.Mutex
	records []slog.Record
}

func (r *recorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *recorder) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.records = append(r.records, rec.Clone())
	return nil
}
func (r *recorder) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r *recorder) WithGroup(string) slog.Handler      { return r }

func (r *recorder) warnings(msg string) []slog.Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []slog.Record
	for _, rec := range r.records {
		if rec.Level == slog.LevelWarn && rec.Message == msg {
			out = append(out, rec)
		}
	}
	return out
}

func attrs(rec slog.Record) map[string]slog.Value {
	m := map[string]slog.Value{}
	rec.Attrs(func(a slog.Attr) bool { m[a.Key] = a.Value; return true })
	return m
}

// TestRetriesAreLoggedAndShown: while the console answers 5xx, the first
// retry is logged at once at warn with the console, endpoint, error and
// next wait, then at most one line every 30 s counting the retries since;
// the status shows the stream retrying with the error, attempt and next
// try, and stops showing it once the console answers.
func TestRetriesAreLoggedAndShown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu := quietEmulator(t, 10)
		emu.SetFault("activities", emulator.Fault{ServerErrors: 1})
		rec := &recorder{}
		client := consoleClient(t, emu, 0, retry.Policy{MaxAttempts: 1000, Initial: time.Second, Max: 4 * time.Second})
		s := newStream(t, emu, sentinelone.Activities, newMemStore(), &fakeOutput{name: "o"})
		s.Lister, s.Log, s.Interval = client, slog.New(rec), 10*time.Minute
		c := &Collector{Streams: []*Stream{s}, Log: s.Log}
		start := time.Now()
		var seen []*Retry
		var stale []StatusSnapshot
		runFor(c, 3*time.Minute, func() bool {
			st := s.Status.Snapshot()
			switch {
			case time.Since(start) < 2*time.Minute:
				seen = append(seen, st.Retry)
			case time.Since(start) < 2*time.Minute+time.Second:
				emu.SetFault("activities", emulator.Fault{Latency: 5 * time.Second}) // answers again, slowly
			case st.Phase == PhaseSyncing && st.CyclePages > 0 && st.Retry != nil:
				stale = append(stale, st)
			}
			return true
		})
		lines := rec.warnings("console request failed; retrying")
		if len(lines) == 0 || lines[0].Time.Sub(start) > 2*time.Second {
			t.Fatalf("first retry not logged at once: %d lines", len(lines))
		}
		a := attrs(lines[0])
		if a["console"].String() != "http://localhost" || a["endpoint"].String() != "activities" ||
			!strings.Contains(a["error"].String(), "HTTP 5") || a["retry_in"].String() == "" || a["attempt"].Int64() != 1 {
			t.Errorf("first retry line: %v", a)
		}
		total := int64(0)
		for i, l := range lines {
			if i > 0 && l.Time.Sub(lines[i-1].Time) < RetryLogEvery {
				t.Errorf("retry lines %d and %d only %s apart", i-1, i, l.Time.Sub(lines[i-1].Time))
			}
			total += attrs(l)["retries"].Int64()
		}
		if retried := client.Stats().Retries.Load(); total > retried || total < retried-int64(len(seen)) || len(lines) > 5 {
			t.Errorf("%d lines counting %d retries; the client retried %d times in 2 minutes", len(lines), total, retried)
		}
		for i, r := range seen {
			if r == nil || r.Endpoint != "activities" || r.Attempt < 1 || !strings.Contains(r.Error, "HTTP 5") || r.NextTry.IsZero() {
				t.Fatalf("status at second %d while retrying: %+v", i+1, r)
			}
		}
		if len(stale) > 0 {
			t.Errorf("still shown retrying after pages were read: %+v", stale[0].Retry)
		}
		if st := s.Status.Snapshot(); st.Retry != nil || st.LastSuccess.IsZero() {
			t.Errorf("after the console answered: retry %+v, last success %v", st.Retry, st.LastSuccess)
		}
	})
}

// timingOutLister answers its first calls with a request's deadline error,
// as the client does when a page takes longer than its timeout.
type timingOutLister struct {
	Lister
	mu    sync.Mutex
	fails int
}

func (l *timingOutLister) Pages(ctx context.Context, req sentinelone.ListRequest) iter.Seq2[*sentinelone.Page, error] {
	l.mu.Lock()
	fail := l.fails > 0
	l.fails--
	l.mu.Unlock()
	if !fail {
		return l.Lister.Pages(ctx, req)
	}
	return func(yield func(*sentinelone.Page, error) bool) {
		yield(nil, &sentinelone.APIError{Kind: sentinelone.KindUnavailable, Endpoint: "agents", Err: context.DeadlineExceeded})
	}
}

// TestTimedOutRangeIsWalkedAgain: a range of a partitioned listing whose
// request timed out is walked again, as other failures are; the deadline
// error it wraps is not a shutdown.
func TestTimedOutRangeIsWalkedAgain(t *testing.T) {
	emu, err := emulator.New(emulator.Config{Seed: 3, Agents: 1500, RateLimits: map[string]emulator.RateLimit{}})
	if err != nil {
		t.Fatal(err)
	}
	s, out, _ := partitionedStream(t, emu, 4, 1)
	s.Lister = &timingOutLister{Lister: s.Lister, fails: 2}
	res, err := s.Cycle(t.Context(), nil)
	if err != nil {
		t.Fatalf("the listing failed on a timed-out request: %v", err)
	}
	if n := len(deliveredIDs(out)); n != 1500 || res.Read < 1500 {
		t.Errorf("%d of 1500 agents delivered", n)
	}
}
