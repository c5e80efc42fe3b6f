package sentinelone_test

import (
	"errors"
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"s1collector/internal/retry"
	"s1collector/internal/sentinelone"
)

// TestStopAbandonsRequests: once the stop channel given with WithAbandon
// closes, a request waiting for its next attempt, or one whose attempt
// hangs, is given up at once with ErrAbandoned.
func TestStopAbandonsRequests(t *testing.T) {
	for _, tt := range []struct {
		name string
		rt   roundTripFunc
	}{
		{"waiting to retry", func(r *http.Request) (*http.Response, error) { return nil, errors.New("connect: connection refused") }},
		{"attempt hanging", func(r *http.Request) (*http.Response, error) { <-r.Context().Done(); return nil, r.Context().Err() }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c, err := sentinelone.New(sentinelone.Config{BaseURL: "http://localhost", Token: token, Timeout: 10 * time.Minute,
					Retry: retry.Policy{Initial: time.Hour, Max: time.Hour, MaxAttempts: 8}}, &http.Client{Transport: tt.rt})
				if err != nil {
					t.Fatal(err)
				}
				stop := make(chan struct{})
				go func() { time.Sleep(time.Second); close(stop) }()
				start := time.Now()
				_, _, _, err = collect(sentinelone.WithAbandon(t.Context(), stop), c, sentinelone.Agents, nil)
				if !errors.Is(err, sentinelone.ErrAbandoned) || time.Since(start) > time.Second {
					t.Errorf("after %s: %v; want ErrAbandoned at the stop, 1s in", time.Since(start), err)
				}
			})
		})
	}
}
