package sentinelone

import (
	"context"
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
