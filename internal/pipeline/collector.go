package pipeline

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"s1collector/internal/sentinelone"
	"s1collector/internal/state"
)

// Collector runs streams: once (one cycle each) or on their schedules.
type Collector struct {
	Streams []*Stream
	Log     *slog.Logger
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
			res, err := c.cycle(ctx, stop, s)
			out[i] = StreamResult{Stream: s, Result: res, Err: err}
		})
	}
	wg.Wait()
	return out
}

// Run cycles every stream on its interval until ctx ends or stop closes.
// After stop, a stream finishes the batch in flight, saves its checkpoint
// and returns. A stream stopped by an authentication or permission error
// waits for the configuration to change; the others go on.
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
	for {
		started := time.Now()
		_, err := c.cycle(ctx, stop, s)
		if Stopping(err) {
			if errors.Is(err, ErrStopped) || ctx.Err() != nil {
				return nil
			}
			return err
		}
		wait := s.Interval - time.Since(started)
		t := time.NewTimer(max(wait, 0))
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

// Stopping reports whether a cycle's error means its stream must not run
// again until the configuration changes or the process is stopping.
func Stopping(err error) bool {
	k := sentinelone.KindOf(err)
	return k == sentinelone.KindAuth || k == sentinelone.KindPermission || errors.Is(err, ErrStopped) ||
		errors.Is(err, state.ErrNotOwner) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// Disabled reports whether a cycle's error means the console's scope lacks
// what the stream reads (a 403 "Custom Rules not enabled" for STAR
// alerts): the stream stops with one warning; it is not a failure.
func Disabled(err error) bool { return sentinelone.FeatureDisabled(err) }

// cycle runs one cycle with its log line and status.
func (c *Collector) cycle(ctx context.Context, stop <-chan struct{}, s *Stream) (Result, error) {
	res, err := s.Cycle(ctx, stop)
	log := s.Log.With("pages", res.Pages, "read", res.Read, "delivered", res.Delivered, "skipped", res.Skipped,
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
	case errors.Is(err, ErrStopped), ctx.Err() != nil:
		s.Status.cycleEnded(res, nil, PhaseIdle, "")
		if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
			log.Info("cycle interrupted", "reason", cause.Error())
			break
		}
		log.Info("cycle interrupted by shutdown; checkpoint saved")
	case errors.As(err, &ae) && (ae.Kind == sentinelone.KindAuth || ae.Kind == sentinelone.KindPermission):
		s.Status.cycleEnded(res, err, PhaseStopped, ae.Hint())
		log.Error("stream stopped", "error", err)
	default:
		s.Status.cycleEnded(res, err, PhaseFailing, "")
		log.Error("cycle failed; the next cycle starts again from the checkpoint", "error", err)
	}
	return res, err
}
