package pipeline

import (
	"context"
	"log/slog"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"s1collector/internal/delivery"
	"s1collector/internal/emulator"
	"s1collector/internal/retry"
	"s1collector/internal/sentinelone"
)

// slowOutput takes a while to accept a batch, and gives it up only if its
// context ends first.
type slowOutput struct {
	took      time.Duration
	delivered atomic.Int64
	cut       atomic.Int64
}

func (o *slowOutput) Name() string                { return "slow" }
func (o *slowOutput) Check(context.Context) error { return nil }
func (o *slowOutput) Close() error                { return nil }
func (o *slowOutput) Deliver(ctx context.Context, b delivery.Batch) error {
	select {
	case <-time.After(o.took):
		o.delivered.Add(int64(len(b.Events)))
		return nil
	case <-ctx.Done():
		o.cut.Add(1)
		return ctx.Err()
	}
}

// TestStopCutsRetriesShort: a stop does not wait out the retries of a
// console that does not answer — the request is given up at once and the
// stream ends as stopped, not failed — while a batch being delivered by
// another stream still finishes and is checkpointed.
func TestStopCutsRetriesShort(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu := quietEmulator(t, 10)
		emu.SetFault("activities", emulator.Fault{ServerErrors: 1})
		rec := &recorder{}
		client := consoleClient(t, emu, 0, retry.Policy{MaxAttempts: 8, Initial: time.Minute, Max: time.Minute})
		failing := newStream(t, emu, sentinelone.Activities, newMemStore(), &fakeOutput{name: "o"})
		failing.Lister, failing.Log = client, slog.New(rec)
		out := &slowOutput{took: 20 * time.Second}
		store := newMemStore()
		delivering := newStream(t, emu, sentinelone.Threats, store, out)
		c := &Collector{Streams: []*Stream{failing, delivering}, Log: failing.Log}

		stop, done := make(chan struct{}), make(chan struct{})
		go func() { c.Run(context.Background(), stop); close(done) }()
		time.Sleep(5 * time.Second) // activities waits a minute for its next attempt; threats delivers
		synctest.Wait()
		if st := failing.Status.Snapshot(); st.Retry == nil {
			t.Fatalf("activities is not retrying: %+v", st)
		}
		stopped := time.Now()
		close(stop)
		<-done
		if took := time.Since(stopped); took > 15*time.Second+time.Second {
			t.Errorf("the stop took %s: it waited for the console's retries", took)
		}
		if out.delivered.Load() != 10 || out.cut.Load() != 0 {
			t.Errorf("the batch in flight: %d threats delivered, %d deliveries cut; want 10 and 0", out.delivered.Load(), out.cut.Load())
		}
		if cp, _ := store.Load(context.Background(), delivering.Key()); cp.Watermark.IsZero() {
			t.Error("the delivered batch was not checkpointed")
		}
		rec.mu.Lock()
		defer rec.mu.Unlock()
		interrupted := false
		for _, r := range rec.records {
			interrupted = interrupted || r.Message == "cycle interrupted by shutdown; checkpoint saved"
			if r.Level >= slog.LevelError {
				t.Errorf("logged as a failure: %s %v", r.Message, attrs(r))
			}
		}
		if !interrupted {
			t.Error("the abandoned cycle is not logged as interrupted by the shutdown")
		}
	})
}
