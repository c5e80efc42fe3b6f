package pipeline

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"s1collector/internal/emulator"
	"s1collector/internal/retry"
	"s1collector/internal/sentinelone"
)

// TestHungConsoleIsSaidBeforeTheTimeout: a console that takes requests but
// does not answer is said — a warn line naming the console, the endpoint
// and the timeout, the request shown waiting on the status — after
// sentinelone.SlowAfter, not once the default 60 s timeout has run out;
// that timeout's failure then says it was the request timeout.
func TestHungConsoleIsSaidBeforeTheTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu := quietEmulator(t, 10)
		emu.SetFault("threats", emulator.Fault{Latency: time.Hour})
		s := newStream(t, emu, sentinelone.Threats, newMemStore(), &fakeOutput{name: "o"})
		s.Lister = consoleClient(t, emu, time.Minute, retry.Policy{MaxAttempts: 2, Initial: time.Second})
		rec := &recorder{}
		s.Log = slog.New(rec)
		c := &Collector{Streams: []*Stream{s}, Log: s.Log}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { c.Run(ctx, nil); close(done) }()
		defer func() { cancel(); <-done }()

		time.Sleep(sentinelone.SlowAfter + time.Second)
		synctest.Wait()
		said := rec.warnings("console request has had no answer yet; still waiting")
		if len(said) != 1 || attrs(said[0])["endpoint"].String() != "threats" || attrs(said[0])["timeout"].String() != "1m0s" {
			t.Errorf("after %s, warnings %v", sentinelone.SlowAfter+time.Second, said)
		}
		if w := s.Status.Snapshot().Slow; w == nil || w.Endpoint != "threats" || !w.TimesOut.Equal(w.Since.Add(time.Minute)) {
			t.Errorf("the status does not show the request waiting: %+v", w)
		}
		time.Sleep(2*time.Minute + 5*time.Second)
		synctest.Wait()
		v := s.Status.Snapshot()
		if v.FailedCycles == 0 || !strings.Contains(v.LastError, "no answer within the request timeout of 1m0s (the source's timeout setting)") {
			t.Errorf("the cycle's failure %q does not name the request timeout", v.LastError)
		}
	})
}
