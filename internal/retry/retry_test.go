package retry

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"
)

func TestBackoffBounds(t *testing.T) {
	p := Policy{Initial: time.Second, Max: 8 * time.Second}
	tests := []struct {
		attempt  int
		min, max time.Duration
	}{
		{1, 500 * time.Millisecond, time.Second},
		{2, time.Second, 2 * time.Second},
		{3, 2 * time.Second, 4 * time.Second},
		{4, 4 * time.Second, 8 * time.Second},
		{10, 4 * time.Second, 8 * time.Second},
	}
	for _, tt := range tests {
		for range 200 {
			got := p.Backoff(tt.attempt)
			if got < tt.min || got > tt.max {
				t.Fatalf("Backoff(%d) = %s, want within [%s, %s]", tt.attempt, got, tt.min, tt.max)
			}
		}
	}
}

func TestDo(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name      string
		policy    Policy
		failures  int
		failWith  error
		wantCalls int
		wantErr   bool
		minWait   time.Duration
	}{
		{"succeeds first", Policy{}, 0, boom, 1, false, 0},
		{"retries transient", Policy{Initial: time.Second}, 3, boom, 4, false, 3500 * time.Millisecond},
		{"permanent stops", Policy{}, 5, Permanent(boom), 1, true, 0},
		{"attempts run out", Policy{MaxAttempts: 3}, 10, boom, 3, true, 0},
		{"throttle delay honoured", Policy{Initial: time.Millisecond}, 1, &ThrottleError{Err: boom, Delay: 7 * time.Second}, 2, false, 7 * time.Second},
		{"throttle delay capped", Policy{Initial: time.Millisecond, MaxThrottle: 2 * time.Second}, 1, &ThrottleError{Err: boom, Delay: time.Hour}, 2, false, 2 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				calls := 0
				start := time.Now()
				err := tt.policy.Do(t.Context(), func(context.Context) error {
					calls++
					if calls <= tt.failures {
						return tt.failWith
					}
					return nil
				})
				if (err != nil) != tt.wantErr {
					t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
				}
				if calls != tt.wantCalls {
					t.Fatalf("calls = %d, want %d", calls, tt.wantCalls)
				}
				if waited := time.Since(start); waited < tt.minWait {
					t.Fatalf("waited %s, want at least %s", waited, tt.minWait)
				}
				if tt.name == "throttle delay capped" && time.Since(start) > 3*time.Second {
					t.Fatalf("waited %s, cap was 2s", time.Since(start))
				}
			})
		})
	}
}

func TestDoStopsOnCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		calls := 0
		err := Policy{Initial: time.Second}.Do(ctx, func(context.Context) error {
			calls++
			return errors.New("down")
		})
		if err == nil || ctx.Err() == nil {
			t.Fatalf("err = %v, ctx.Err = %v: want both set", err, ctx.Err())
		}
		if calls < 3 || calls > 6 {
			t.Fatalf("calls = %d in 10s of 1s..8s backoff", calls)
		}
	})
}
