package sentinelone

import (
	"context"
	"errors"
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

// ErrStopping ends a request cut short because its caller is stopping (a
// shutdown or a reload): what it would have read is read again later.
var ErrStopping = errors.New("stopping: the request was abandoned")

type stopKey struct{}

// WithStop returns a context whose requests are abandoned once stop
// closes — in flight, or waiting to be retried — with an error wrapping
// ErrStopping, so that a stopping collector does not wait out a console's
// retries. Reading is all a request does: nothing delivered is lost.
func WithStop(ctx context.Context, stop <-chan struct{}) context.Context {
	return context.WithValue(ctx, stopKey{}, stop)
}

// stoppable returns ctx, cancelled with ErrStopping when the stop channel
// WithStop gave closes, and its release.
func stoppable(ctx context.Context) (context.Context, func()) {
	stop, _ := ctx.Value(stopKey{}).(<-chan struct{})
	if stop == nil {
		return ctx, func() {}
	}
	ctx, cancel := context.WithCancelCause(ctx)
	go func() {
		select {
		case <-stop:
			cancel(ErrStopping)
		case <-ctx.Done():
		}
	}()
	return ctx, func() { cancel(nil) }
}
