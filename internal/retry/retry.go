// Package retry runs an operation again after transient failures, with capped
// exponential backoff and jitter, honouring server-requested delays.
//
// An error is retried unless it is marked Permanent. A *ThrottleError asks for
// at least its Delay before the next attempt (HTTP Retry-After).
package retry

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// Policy says how long to wait between attempts and when to give up.
type Policy struct {
	// Initial is the first backoff; it doubles each attempt. Default 500ms.
	Initial time.Duration
	// Max caps one backoff. Default 30s.
	Max time.Duration
	// MaxAttempts stops after that many attempts; 0 means retry until the
	// context ends.
	MaxAttempts int
	// MaxThrottle caps a server-requested delay. Default 5m.
	MaxThrottle time.Duration
	// Notify, when set, is called before each wait.
	Notify func(err error, attempt int, wait time.Duration)
}

// withDefaults fills zero fields.
func (p Policy) withDefaults() Policy {
	if p.Initial <= 0 {
		p.Initial = 500 * time.Millisecond
	}
	if p.Max <= 0 {
		p.Max = 30 * time.Second
	}
	if p.MaxThrottle <= 0 {
		p.MaxThrottle = 5 * time.Minute
	}
	return p
}

// Validate reports settings that cannot work.
func (p Policy) Validate() error {
	if p.Initial < 0 || p.Max < 0 || p.MaxThrottle < 0 {
		return errors.New("backoff durations must not be negative")
	}
	if p.Max > 0 && p.Initial > p.Max {
		return fmt.Errorf("initial backoff %s is larger than max %s", p.Initial, p.Max)
	}
	if p.MaxAttempts < 0 {
		return errors.New("max attempts must not be negative")
	}
	return nil
}

// Backoff is the wait before retry number attempt (1-based): the capped
// exponential value with "equal jitter" (half fixed, half random), so waits
// never collapse to zero and concurrent clients spread out.
func (p Policy) Backoff(attempt int) time.Duration {
	p = p.withDefaults()
	d := p.Initial
	for i := 1; i < attempt && d < p.Max; i++ {
		d *= 2
	}
	d = min(d, p.Max)
	half := d / 2
	return half + rand.N(half+1)
}

// Do calls fn until it succeeds, returns a permanent error, the attempts run
// out or ctx ends. The last error is returned, wrapped with the attempt count
// when retries were made.
func (p Policy) Do(ctx context.Context, fn func(ctx context.Context) error) error {
	p = p.withDefaults()
	for attempt := 1; ; attempt++ {
		err := fn(ctx)
		if err == nil {
			return nil
		}
		if IsPermanent(err) || ctx.Err() != nil {
			return err
		}
		if p.MaxAttempts == 1 {
			return err // one attempt was asked for: nothing was given up
		}
		if p.MaxAttempts > 0 && attempt >= p.MaxAttempts {
			return fmt.Errorf("gave up after %d attempts: %w", attempt, err)
		}
		wait := p.wait(err, attempt)
		if p.Notify != nil {
			p.Notify(err, attempt, wait)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
	}
}

func (p Policy) wait(err error, attempt int) time.Duration {
	wait := p.Backoff(attempt)
	var te *ThrottleError
	if errors.As(err, &te) && te.Delay > wait {
		wait = min(te.Delay, p.MaxThrottle)
	}
	return wait
}

type permanent struct{ err error }

func (e permanent) Error() string { return e.err.Error() }
func (e permanent) Unwrap() error { return e.err }

// Permanent marks err as not worth retrying.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanent{err}
}

// IsPermanent reports whether err, or an error it wraps, was marked Permanent.
func IsPermanent(err error) bool {
	var p permanent
	return errors.As(err, &p)
}

// ThrottleError is a retryable error whose peer asked to wait Delay.
type ThrottleError struct {
	Err   error
	Delay time.Duration
}

func (e *ThrottleError) Error() string {
	return fmt.Sprintf("%v (retry after %s)", e.Err, e.Delay)
}
func (e *ThrottleError) Unwrap() error { return e.Err }
