package sentinelone

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// RetryNotice is a request that failed and will be sent again.
type RetryNotice struct {
	Console  string        // the console's base URL
	Endpoint string        // e.g. "agents"
	Err      error         // why the attempt failed
	Attempt  int           // the attempt that failed, from 1
	Wait     time.Duration // until the next attempt
}

type retryNotifyKey struct{}

// WithRetryNotify returns a context whose requests report each retry to fn
// before waiting. Several streams share a console's client; the context
// says whose work is retrying, so each can show and log its own.
func WithRetryNotify(ctx context.Context, fn func(RetryNotice)) context.Context {
	return context.WithValue(ctx, retryNotifyKey{}, fn)
}

func notifyRetry(ctx context.Context, n RetryNotice) {
	if fn, ok := ctx.Value(retryNotifyKey{}).(func(RetryNotice)); ok && fn != nil {
		fn(n)
	}
}

type abandonKey struct{}

// ErrAbandoned is why a console request was given up: the collector is
// stopping. Nothing is lost: what it would have read is read again by the
// next cycle, from the checkpoint.
var ErrAbandoned = errors.New("console request abandoned: stopping")

// WithAbandon returns a context whose console requests are given up once
// stop is closed: the attempt in flight is cancelled and no retry waited
// for, so that a stop does not sit out the retries of a console that does
// not answer. Only the requests are cut: what the context carries to the
// outputs is not, and the batch being delivered finishes.
func WithAbandon(ctx context.Context, stop <-chan struct{}) context.Context {
	return context.WithValue(ctx, abandonKey{}, stop)
}

// abandonable is ctx, cancelled with ErrAbandoned when the stop channel of
// WithAbandon closes; release must be called once the request is done.
func abandonable(ctx context.Context) (_ context.Context, release func()) {
	stop, _ := ctx.Value(abandonKey{}).(<-chan struct{})
	if stop == nil {
		return ctx, func() {}
	}
	ctx, cancel := context.WithCancelCause(ctx)
	done := make(chan struct{})
	go func() {
		select {
		case <-stop:
			cancel(ErrAbandoned)
		case <-done:
		}
	}()
	return ctx, func() { close(done); cancel(nil) }
}

// abandoned marks err as ErrAbandoned when ctx was given up for a stop.
func abandoned(ctx context.Context, err error) error {
	if err != nil && errors.Is(context.Cause(ctx), ErrAbandoned) {
		return fmt.Errorf("%w (last error: %w)", ErrAbandoned, err)
	}
	return err
}
