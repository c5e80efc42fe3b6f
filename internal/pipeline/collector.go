package pipeline

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"s1collector/internal/retry"
	"s1collector/internal/sentinelone"
	"s1collector/internal/state"
)

// FailedCycleBackoff is the wait after a first failed cycle; it doubles
// with each failure that follows, capped at the stream's interval.
const FailedCycleBackoff = 15 * time.Second

// Collector runs streams: once (one cycle each) or on their schedules.
type Collector struct {
	Streams []*Stream
	Log     *slog.Logger
	reason  atomic.Pointer[string] // why stop closes, for the log
}

// StopFor names why the stop channel is about to close ("reload"), for
// the lines of the cycles it interrupts; the default is "shutdown".
func (c *Collector) StopFor(reason string) { c.reason.Store(&reason) }

func (c *Collector) stopReason() string {
	if r := c.reason.Load(); r != nil {
		return *r
	}
	return "shutdown"
}

// StreamResult is one stream's cycle.
type StreamResult struct {
	Stream *Stream
	Result Result
	Err    error
}

// Once runs one cycle of every stream, concurrently, and returns them in
// stream order.
func (c *Collector) Once(ctx context.Context, stop <-chan struct{}) []StreamResult {
	out := make([]StreamResult, len(c.Streams))
	var wg sync.WaitGroup
	for i, s := range c.Streams {
		wg.Go(func() {
			res, err := c.cycle(ctx, stop, s, newRetryLog(), 0)
			out[i] = StreamResult{Stream: s, Result: res, Err: err}
		})
	}
	wg.Wait()
	return out
}

// Run cycles every stream on its interval until ctx ends or stop closes.
// After stop, a stream finishes the batch in flight, saves its checkpoint
// and returns. A failed cycle ends there and the next one follows after a
// backoff (FailedCycleBackoff doubling, capped at the interval), for as
// long as it fails. Only an authentication or permission answer stops a
// stream: it waits for the configuration to change; the others go on.
func (c *Collector) Run(ctx context.Context, stop <-chan struct{}) {
	var wg sync.WaitGroup
	for _, s := range c.Streams {
		wg.Go(func() { _ = c.loop(ctx, stop, s) })
	}
	wg.Wait()
}

// RunStream cycles one stream on its interval, as Run does, and returns
// the error that stopped it (nil when ctx ended or stop closed). Replicas
// sharing streams run each stream they hold with it.
func (c *Collector) RunStream(ctx context.Context, stop <-chan struct{}, s *Stream) error {
	return c.loop(ctx, stop, s)
}

func (c *Collector) loop(ctx context.Context, stop <-chan struct{}, s *Stream) error {
	retries := newRetryLog()
	failures := 0
	for {
		started := time.Now()
		backoff := failedBackoff(failures+1, s.Interval)
		_, err := c.cycle(ctx, stop, s, retries, backoff)
		if Stopping(ctx, stop, err) {
			if !StopsStream(err) {
				return nil
			}
			return err
		}
		wait := s.Interval - time.Since(started)
		if err != nil {
			failures++
			wait = backoff
		} else {
			failures = 0
		}
		wait = max(wait, 0)
		s.Status.nextCycleAt(time.Now().Add(wait))
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-stop:
			t.Stop()
			return nil
		case <-t.C:
		}
	}
}

// failedBackoff is the wait after the n-th failed cycle in a row.
func failedBackoff(n int, interval time.Duration) time.Duration {
	if interval <= 0 {
		interval = FailedCycleBackoff
	}
	return retry.Policy{Initial: min(FailedCycleBackoff, interval), Max: interval}.Backoff(n)
}

// Stopping reports whether a stream must not go on: the process is
// stopping (ctx ended or stop closed), or err is an authentication or
// permission answer, which stops the stream until the configuration
// changes. Every other failure — a request's own deadline included — is
// worth trying again. It decides from ctx and stop, never from what err
// wraps: a timed-out request wraps context.DeadlineExceeded too.
func Stopping(ctx context.Context, stop <-chan struct{}, err error) bool {
	if ctx.Err() != nil {
		return true
	}
	select {
	case <-stop:
		return true
	default:
	}
	return StopsStream(err)
}

// StopsStream reports whether err is an answer that no retry can change
// until the configuration does: a rejected token or a missing permission;
// or a checkpoint write refused because another replica holds the stream
// now (this replica stands down).
func StopsStream(err error) bool {
	k := sentinelone.KindOf(err)
	return k == sentinelone.KindAuth || k == sentinelone.KindPermission || errors.Is(err, state.ErrNotOwner)
}

// Disabled reports whether a cycle's error means the console's scope lacks
// what the stream reads (a 403 "Custom Rules not enabled" for STAR
// alerts): the stream stops with one warning; it is not a failure.
func Disabled(err error) bool { return sentinelone.FeatureDisabled(err) }

// clockSyncer reads the console's clock (*sentinelone.Client does) when
// no recent answer told it.
type clockSyncer interface {
	SyncClock(ctx context.Context) error
}

// cycle runs one cycle with its log line and status. retryIn is when a
// failed cycle is tried again (0: it is not, as in Once).
func (c *Collector) cycle(ctx context.Context, stop <-chan struct{}, s *Stream, retries *retryLog, retryIn time.Duration) (Result, error) {
	// After stop, a request to the console is given up rather than retried
	// (the batch being delivered still finishes): a stop does not wait out
	// the retries of a console that does not answer.
	// Likewise a batch an output refuses is not offered again after stop.
	cctx := sentinelone.WithAbandon(sentinelone.WithRetryNotify(ctx, func(n sentinelone.RetryNotice) { s.retrying(retries, n) }), stop)
	cctx = withStop(cctx, stop)
	slowLog := newRetryLog()
	cctx = sentinelone.WithSlowNotify(cctx, func(n sentinelone.SlowNotice) { s.slow(slowLog, n) })
	if c, ok := s.Lister.(clockSyncer); ok {
		sctx, release := untilStopped(cctx)
		c.SyncClock(sctx) // windows on the console's clock from the first cycle on; a failure shows in the cycle
		release()
	}
	res, err := s.Cycle(cctx, stop)
	log := s.Log.With("pages", res.Pages, "read", res.Read, "delivered", res.Delivered, "skipped", res.Skipped, "odd", res.Odd,
		"duration", res.Duration.Round(time.Millisecond).String())
	if res.FullSync {
		log = log.With("full_sync", true)
	}
	var ae *sentinelone.APIError
	switch {
	case err == nil:
		s.Status.cycleEnded(res, nil, PhaseIdle, "")
		log.Info("cycle done")
	case errors.Is(err, state.ErrNotOwner):
		s.Status.cycleEnded(res, nil, PhaseIdle, "")
		log.Warn("stream taken over by another replica: its checkpoint write was refused; standing down, no further batch delivered", "error", err)
	case Disabled(err) && errors.As(err, &ae):
		s.Status.disabled(res, ae.Hint())
		log.Warn("stream disabled: the console has nothing for it in this scope", "console_said", ae.Detail, "fix", ae.Hint())
	case errors.Is(err, ErrStopped), errors.Is(err, sentinelone.ErrAbandoned), ctx.Err() != nil:
		s.Status.cycleEnded(res, nil, PhaseIdle, "")
		if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
			log.Info("cycle interrupted", "reason", cause.Error())
			break
		}
		log.Info("cycle interrupted by " + c.stopReason() + "; checkpoint saved")
	case StopsStream(err) && errors.As(err, &ae):
		s.Status.cycleEnded(res, err, PhaseStopped, ae.Hint())
		if retryIn > 0 {
			log.Error("stream stopped until the configuration is fixed and reloaded (SIGHUP)", "error", err)
		} else {
			log.Error("stream stopped", "error", err)
		}
	case retryIn > 0:
		s.Status.cycleEnded(res, err, PhaseFailing, "")
		log.Error("cycle failed; the next cycle starts again from the checkpoint", "error", err,
			"next_cycle_in", retryIn.Round(time.Second).String())
	default:
		s.Status.cycleEnded(res, err, PhaseFailing, "")
		log.Error("cycle failed; the next run starts again from the checkpoint", "error", err)
	}
	s.saveSeries(ctx)
	return res, err
}
