package pipeline

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"s1collector/internal/delivery"
	"s1collector/internal/retry"
	"s1collector/internal/sentinelone"
)

// peerError is an HTTP output's refusal, as httpout.PeerError carries it.
type peerError struct{ status int }

func (e peerError) Error() string   { return fmt.Sprintf("HTTP %d from the peer", e.status) }
func (e peerError) HTTPStatus() int { return e.status }

// refusingOutput answers every batch with status (401: permanently, 500:
// transiently) and records when it was asked.
type refusingOutput struct {
	status int
	mu     sync.Mutex
	calls  []time.Time
}

func (o *refusingOutput) Name() string                { return "siem" }
func (o *refusingOutput) Check(context.Context) error { return nil }
func (o *refusingOutput) Close() error                { return nil }
func (o *refusingOutput) Deliver(context.Context, delivery.Batch) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.calls = append(o.calls, time.Now())
	if o.status >= 500 {
		return peerError{o.status}
	}
	return retry.Permanent(peerError{o.status})
}

func (o *refusingOutput) asked() []time.Time {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]time.Time(nil), o.calls...)
}

// TestFailingOutputIsShownAndStopIsPrompt: while an output refuses the
// batch, the stream shows as retrying that output with the attempt, the
// next try and a fix that fits the answer (credentials for a 401); a
// permanent refusal is offered again at the stream's interval, not at the
// 5-minute maximum. A stop then ends the stream at once — the batch is not
// offered again, the checkpoint holds — and the cycle is logged as
// interrupted, not failed.
func TestFailingOutputIsShownAndStopIsPrompt(t *testing.T) {
	for _, tt := range []struct {
		status int
		fix    string
	}{
		{401, "the output refuses its credentials: check the output's token, key or Authorization header"},
		{500, "the output is unavailable: check that the peer is up"},
	} {
		t.Run(fmt.Sprint(tt.status), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				emu := quietEmulator(t, 10)
				out := &refusingOutput{status: tt.status}
				store := newMemStore()
				s := newStream(t, emu, sentinelone.Threats, store, out)
				rec := &recorder{}
				s.Interval, s.Log = 20*time.Second, slog.New(rec)
				s.Delivery = retry.Policy{Initial: time.Second, Max: MaxDeliveryBackoff}
				c := &Collector{Streams: []*Stream{s}, Log: s.Log}
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				stop, done := make(chan struct{}), make(chan struct{})
				go func() { c.Run(ctx, stop); close(done) }()

				time.Sleep(2 * time.Minute)
				synctest.Wait()
				v := s.Status.Snapshot()
				if v.Retry == nil || v.Retry.Output != "siem" || v.Retry.Attempt < 2 || !v.Retry.NextTry.After(time.Now()) {
					t.Errorf("the stream does not show the output retried: %+v", v.Retry)
				}
				if !strings.Contains(v.Hint, tt.fix) || v.FailingSince.IsZero() {
					t.Errorf("fix %q, failing since %s; want the fix %q", v.Hint, v.FailingSince, tt.fix)
				}
				calls := out.asked()
				for i := 1; i < len(calls); i++ {
					if gap := calls[i].Sub(calls[i-1]); gap > s.Interval {
						t.Errorf("offer %d came %s after the one before: more than the interval %s", i+1, gap, s.Interval)
					}
				}
				if tt.status == 401 && len(calls) < 4 {
					t.Errorf("a refused batch offered %d times in 2 minutes, want at least once per 20 s interval", len(calls))
				}

				stopped := time.Now()
				close(stop)
				select {
				case <-done:
				case <-time.After(time.Hour):
					cancel() // as the grace period would
					<-done
				}
				if took := time.Since(stopped); took > 0 {
					t.Errorf("the stop took %s: it waited for the output's next attempt", took)
				}
				if n := len(out.asked()); n != len(calls) {
					t.Errorf("the batch was offered %d more times after the stop", n-len(calls))
				}
				if cp, _ := store.Load(t.Context(), s.Key()); !cp.Watermark.IsZero() || cp.Delivered != 0 {
					t.Errorf("the checkpoint moved: %+v", cp)
				}
				rec.mu.Lock()
				defer rec.mu.Unlock()
				interrupted := false
				for _, r := range rec.records {
					interrupted = interrupted || r.Message == "cycle interrupted by shutdown; checkpoint saved"
					if strings.HasPrefix(r.Message, "cycle failed") {
						t.Errorf("the stopped cycle is logged as a failure: %s %v", r.Message, attrs(r))
					}
				}
				if !interrupted {
					t.Error("the cycle is not logged as interrupted by the shutdown")
				}
			})
		})
	}
}
