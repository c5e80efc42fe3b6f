package pipeline

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"s1collector/internal/delivery"
	"s1collector/internal/retry"
)

// MaxDeliveryBackoff is the longest wait between two offers of a batch to
// a failing output, unless the stream's interval is shorter.
const MaxDeliveryBackoff = 5 * time.Minute

// deliver hands the batch to every output and returns once all accepted
// it. An output that fails is retried with backoff, alone: outputs that
// accepted are not sent the batch again. The end of ctx stops it; so does
// a stop of the collector (see withStop), between attempts: the attempt
// under way may finish within the grace period, but a batch an output
// refuses is not offered again — its checkpoint holds, and it is collected
// again from there.
func (s *Stream) deliver(ctx context.Context, b delivery.Batch) error {
	pending := append([]delivery.Output(nil), s.Outputs...)
	policy := s.deliveryPolicy()
	waits, release := untilStopped(ctx)
	defer release()
	policy.Notify = func(err error, attempt int, wait time.Duration) {
		hint := outputHint(err, policy.Max)
		s.Status.outputRetrying(names(pending), err, hint, attempt, time.Now().Add(wait))
		s.Log.Error("output failed; batch held, checkpoint not moved", "attempt", attempt, "retry_in", wait.Round(time.Millisecond).String(),
			"error", err, "fix", hint)
	}
	err := policy.Do(waits, func(context.Context) error {
		var errs []error
		still := pending[:0]
		for _, o := range pending {
			if err := o.Deliver(ctx, b); err != nil {
				still = append(still, o)
				errs = append(errs, fmt.Errorf("output %s: %w", o.Name(), err))
				s.Status.outputFailed(o.Name(), err)
				continue
			}
			s.Status.outputOK(o.Name())
		}
		pending = still
		err := errors.Join(errs...)
		if !retry.IsPermanent(err) || policy.MaxAttempts > 0 {
			// A failure that may pass is retried with backoff. With bounded
			// attempts (once, under cron) a permanent refusal ends the run
			// now, with the fix, instead of sitting out its attempts at the
			// slowest pace. The checkpoint holds either way.
			return err
		}
		// A permanent refusal still holds the checkpoint: keep offering the
		// batch at the slowest pace (the stream's interval, at most
		// MaxDeliveryBackoff) rather than drop data; a fix at the peer is
		// seen within that time. The wrapper drops the permanent mark,
		// which would end the retries.
		return &retry.ThrottleError{Err: permanentRefusal{err}, Delay: policy.Max}
	})
	if err != nil && ctx.Err() == nil && waits.Err() != nil {
		s.Log.Warn("stopping: the batch an output did not accept is not offered again; the checkpoint holds and it is collected again", "error", err)
		return fmt.Errorf("%w: %w", ErrStopped, err)
	}
	return err
}

// deliveryPolicy is the stream's, with its defaults, and its longest wait
// no longer than the interval: an output that comes back is sent the held
// batch within about one interval.
func (s *Stream) deliveryPolicy() retry.Policy {
	p := s.Delivery
	if p.Initial == 0 {
		p = retry.Policy{Initial: time.Second, Max: MaxDeliveryBackoff, MaxAttempts: p.MaxAttempts}
	}
	if p.Max <= 0 {
		p.Max = MaxDeliveryBackoff
	}
	if s.Interval > 0 && s.Interval < p.Max {
		p.Max = max(s.Interval, p.Initial)
	}
	return p
}

func names(outs []delivery.Output) string {
	var b strings.Builder
	for i, o := range outs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(o.Name())
	}
	return b.String()
}

// permanentRefusal is an output's refusal that waiting will not change,
// without its permanent mark (which would end the retries).
type permanentRefusal struct{ err error }

func (e permanentRefusal) Error() string { return e.err.Error() }

// httpStatus is an output error that carries the peer's HTTP status.
type httpStatus interface{ HTTPStatus() int }

// outputHint says what to do about an output's failure; every is how
// often a refused batch is offered again.
func outputHint(err error, every time.Duration) string {
	var refused permanentRefusal
	permanent := errors.As(err, &refused)
	if permanent {
		err = refused.err
	}
	var hs httpStatus
	status := 0
	if errors.As(err, &hs) {
		status = hs.HTTPStatus()
	}
	pace := fmt.Sprintf("the batch is held (checkpoint not moved) and offered again every %s", every.Round(time.Second))
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return "the output refuses its credentials: check the output's token, key or Authorization header in the config, and that " +
			"the peer still accepts them (not revoked, expired or lacking the right to write there); after fixing the config, reload (SIGHUP); " + pace
	case status == http.StatusNotFound:
		return "the output's URL is not found at the peer: check the output's url (or connector/intake id) in the config, then reload (SIGHUP); " + pace
	case status >= 400 && status < 500 && status != http.StatusTooManyRequests && status != http.StatusRequestTimeout:
		return "the output refuses the batch: read its answer above; a wrong URL, index or format needs a config fix and a reload (SIGHUP); " + pace
	case permanent:
		return "the output refuses the batch and waiting will not change it: read the error above, fix the output's configuration and reload (SIGHUP); " + pace
	}
	return "the output is unavailable: check that the peer is up and reachable from this host; the batch is held (checkpoint not moved) and offered again with backoff, at least every " +
		every.Round(time.Second).String()
}

type stopKey struct{}

// withStop returns ctx carrying the collector's stop channel, so that
// waits deep in a cycle (an output's next attempt) end at a stop.
func withStop(ctx context.Context, stop <-chan struct{}) context.Context {
	return context.WithValue(ctx, stopKey{}, stop)
}

// untilStopped is ctx, cancelled also when the stop channel ctx carries
// (see withStop) closes; release must be called when done with it.
func untilStopped(ctx context.Context) (context.Context, func()) {
	stop, _ := ctx.Value(stopKey{}).(<-chan struct{})
	ctx, cancel := context.WithCancel(ctx)
	if stop == nil {
		return ctx, cancel
	}
	done := make(chan struct{})
	go func() {
		select {
		case <-stop:
			cancel()
		case <-done:
		}
	}()
	return ctx, func() { close(done); cancel() }
}
