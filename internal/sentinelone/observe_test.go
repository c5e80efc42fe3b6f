package sentinelone_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"s1collector/internal/retry"
	"s1collector/internal/sentinelone"
)

// TestRequestTimeoutIsNamed: a console that does not answer within the
// request timeout — no headers, or a body that stops — fails the request
// with an error that says it was the request timeout and names the
// setting, and still is a deadline (for the callers that explain it).
func TestRequestTimeoutIsNamed(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("cursor") == "" && strings.HasSuffix(r.URL.Path, "/agents") {
			<-release // no answer at all
			return
		}
		w.Header().Set("Content-Length", "100000")
		w.Write([]byte(`{"data":[`))
		w.(http.Flusher).Flush()
		<-release // the body stops
	}))
	c, err := sentinelone.New(sentinelone.Config{BaseURL: srv.URL, Token: token, Timeout: 300 * time.Millisecond,
		Retry: retry.Policy{MaxAttempts: 1}}, srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	for _, endpoint := range []sentinelone.Endpoint{sentinelone.Agents, sentinelone.Activities} {
		_, _, _, err := collect(t.Context(), c, endpoint, nil)
		if err == nil || !strings.Contains(err.Error(), "no answer within the request timeout of 300ms (the source's timeout setting)") ||
			!errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s: %v; want the request timeout named, as a deadline", endpoint, err)
		}
	}
}

// TestSlowRequestIsReported: a request the console has not answered after
// SlowAfter is reported once, with the endpoint and the timeout, long
// before the timeout ends it; a request answered in time is not.
func TestSlowRequestIsReported(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		latency := 20 * time.Second
		rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			select {
			case <-time.After(latency):
			case <-r.Context().Done():
				return nil, r.Context().Err()
			}
			return &http.Response{StatusCode: 200, Header: http.Header{}, Request: r,
				Body: io.NopCloser(strings.NewReader(`{"data":[],"pagination":{"nextCursor":null,"totalItems":0}}`))}, nil
		})
		c, err := sentinelone.New(sentinelone.Config{BaseURL: "http://localhost", Token: token, Timeout: time.Minute}, &http.Client{Transport: rt})
		if err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		var notices []sentinelone.SlowNotice
		var at []time.Duration
		start := time.Now()
		ctx := sentinelone.WithSlowNotify(t.Context(), func(n sentinelone.SlowNotice) {
			mu.Lock()
			defer mu.Unlock()
			notices, at = append(notices, n), append(at, time.Since(start))
		})
		if _, _, _, err := collect(ctx, c, sentinelone.Agents, nil); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		if len(notices) != 1 || notices[0].Endpoint != "agents" || notices[0].Timeout != time.Minute || at[0] != sentinelone.SlowAfter {
			t.Errorf("notices %+v at %v; want one for agents at %s", notices, at, sentinelone.SlowAfter)
		}
		latency, notices = time.Second, nil
		mu.Unlock()
		_, _, _, err = collect(ctx, c, sentinelone.Agents, nil)
		synctest.Wait()
		mu.Lock()
		defer mu.Unlock()
		if err != nil || len(notices) != 0 {
			t.Errorf("a request answered in 1s was reported slow: %+v %v", notices, err)
		}
	})
}

// TestConsoleClock: the client reads the console's clock from the Date of
// its answers: ConsoleNow follows it, a difference over ClockSkewWarn is
// logged once and an agreement again is said; SyncClock asks only when no
// recent answer told the time.
func TestConsoleClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		ahead, requests := 5*time.Minute, 0
		rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			mu.Lock()
			defer mu.Unlock()
			requests++
			h := http.Header{"Date": {time.Now().Add(ahead).UTC().Format(http.TimeFormat)}}
			return &http.Response{StatusCode: 200, Header: h, Request: r, Body: io.NopCloser(strings.NewReader(`{"data":{}}`))}, nil
		})
		cfg := sentinelone.Config{BaseURL: "http://localhost", Token: token}
		logs := recorded(&cfg)
		c, err := sentinelone.New(cfg, &http.Client{Transport: rt})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, ok := c.ClockSkew(); ok || !c.ConsoleNow().Equal(time.Now()) {
			t.Fatal("the console's clock is known before it answered")
		}
		if err := c.SyncClock(t.Context()); err != nil || requests != 1 {
			t.Fatalf("SyncClock: %v, %d requests", err, requests)
		}
		if off, _, ok := c.ClockSkew(); !ok || (off-ahead).Abs() > time.Second || (c.ConsoleNow().Sub(time.Now().Add(ahead))).Abs() > time.Second {
			t.Errorf("skew %s (known %v), console now %s; want %s ahead", off, ok, c.ConsoleNow(), ahead)
		}
		time.Sleep(time.Minute)
		c.SyncClock(t.Context())
		c.SystemInfo(t.Context())
		if requests != 2 || strings.Count(logs.String(), "level=WARN") != 1 || !strings.Contains(logs.String(), "console_ahead_by=5m0s") {
			t.Errorf("%d requests (want 2: SyncClock had a fresh reading), log:\n%s", requests, logs)
		}
		mu.Lock()
		ahead = -2 * time.Second
		mu.Unlock()
		time.Sleep(11 * time.Minute)
		c.SyncClock(t.Context())
		if off, _, _ := c.ClockSkew(); (off+2*time.Second).Abs() > time.Second || requests != 3 || !strings.Contains(logs.String(), "agree again") {
			t.Errorf("skew %s after %d requests; want -2s, 3, the clocks said to agree; log:\n%s", off, requests, logs)
		}
	})
}

// TestConsoleNowDoesNotWobble: a Date has whole seconds, so readings of
// the same offset differ by up to a second; the console's "now" keeps the
// first and never steps back between answers.
func TestConsoleNowDoesNotWobble(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			h := http.Header{"Date": {time.Now().Add(5 * time.Minute).UTC().Format(http.TimeFormat)}}
			return &http.Response{StatusCode: 200, Header: h, Request: r, Body: io.NopCloser(strings.NewReader(`{"data":{}}`))}, nil
		})
		c, err := sentinelone.New(sentinelone.Config{BaseURL: "http://localhost", Token: token}, &http.Client{Transport: rt})
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond) // off the second, so Date truncates
		var last time.Time
		for i := range 20 {
			last = c.ConsoleNow() // before the answer, after the previous
			if _, err := c.SystemInfo(t.Context()); err != nil {
				t.Fatal(err)
			}
			if now := c.ConsoleNow(); now.Before(last) {
				t.Fatalf("answer %d: the console's now went back from %s to %s", i, last, now)
			}
			time.Sleep(300 * time.Millisecond)
		}
	})
}
