package pipeline

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"testing/synctest"
	"time"

	"s1collector/internal/emulator"
	"s1collector/internal/sentinelone"
)

// TestRunKeepsEachStreamOnItsInterval runs two streams with different
// intervals for ten fake minutes, then stops them.
func TestRunKeepsEachStreamOnItsInterval(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu := quietEmulator(t, 10)
		store := newMemStore()
		fast := newStream(t, emu, sentinelone.Activities, store, &fakeOutput{name: "o"})
		slow := newStream(t, emu, sentinelone.Threats, store, &fakeOutput{name: "o"})
		fast.Interval, slow.Interval = time.Minute, 4*time.Minute
		c := &Collector{Streams: []*Stream{fast, slow}, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() { c.Run(context.Background(), stop); close(done) }()
		time.Sleep(10*time.Minute - time.Second)
		synctest.Wait()
		close(stop)
		<-done
		// Cycles at 0,1,…,9 minutes and at 0, 4, 8 minutes.
		if got := emu.Requests("activities"); got != 10+2 { // +2: the first cycle walks 3 pages
			t.Errorf("activities requests = %d, want 12", got)
		}
		if got := emu.Requests("threats"); got != 3 {
			t.Errorf("threats requests = %d, want 3", got)
		}
		if fast.Status.Snapshot().Phase != PhaseIdle || fast.Status.Snapshot().LastSuccess.IsZero() {
			t.Errorf("status after run: %+v", fast.Status.Snapshot())
		}
	})
}

// TestAuthFailureStopsOnlyThatStream: a 403 on threats stops the threats
// stream with the fix to apply; activities go on.
func TestAuthFailureStopsOnlyThatStream(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu, err := emulator.New(emulator.Config{Agents: 10, RateLimits: map[string]emulator.RateLimit{},
			Tokens: []emulator.Token{{Value: emulator.DefaultToken, Deny: []string{"threats"}}}})
		if err != nil {
			t.Fatal(err)
		}
		store := newMemStore()
		acts := newStream(t, emu, sentinelone.Activities, store, &fakeOutput{name: "o"})
		threats := newStream(t, emu, sentinelone.Threats, store, &fakeOutput{name: "o"})
		c := &Collector{Streams: []*Stream{acts, threats}, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() { c.Run(context.Background(), stop); close(done) }()
		time.Sleep(5*time.Minute - time.Second)
		synctest.Wait()
		close(stop)
		<-done
		st := threats.Status.Snapshot()
		if st.Phase != PhaseStopped || st.Hint == "" {
			t.Fatalf("threats status: %+v", st)
		}
		if got := emu.Requests("activities"); got < 6 {
			t.Errorf("activities stopped too: %d requests", got)
		}
	})
}
