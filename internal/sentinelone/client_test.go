package sentinelone_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"s1collector/internal/emulator"
	"s1collector/internal/retry"
	"s1collector/internal/sentinelone"
)

const token = "tok-SECRET-123"

// setup builds an emulator and a client talking to it in process.
func setup(t *testing.T, ecfg emulator.Config, mod func(*sentinelone.Config)) (*emulator.Emulator, *sentinelone.Client) {
	t.Helper()
	if ecfg.Tokens == nil {
		ecfg.Tokens = []emulator.Token{{Value: token}}
	}
	if ecfg.RateLimits == nil {
		ecfg.RateLimits = map[string]emulator.RateLimit{}
	}
	emu, err := emulator.New(ecfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg := sentinelone.Config{BaseURL: "http://127.0.0.1:1", Token: token,
		Retry: retry.Policy{Initial: 10 * time.Millisecond, Max: 100 * time.Millisecond, MaxAttempts: 4},
		RateLimits: map[string]sentinelone.RateLimit{"agents": {Rate: 1e6, Burst: 1000}, "activities": {Rate: 1e6, Burst: 1000},
			"threats": {Rate: 1e6, Burst: 1000}, "other": {Rate: 1e6, Burst: 1000}}}
	if mod != nil {
		mod(&cfg)
	}
	c, err := sentinelone.New(cfg, &http.Client{Transport: emu.Transport()})
	if err != nil {
		t.Fatal(err)
	}
	return emu, c
}

func collect(ctx context.Context, c *sentinelone.Client, ep sentinelone.Endpoint, q url.Values) (records int, pages int, ids map[string]bool, err error) {
	ids = map[string]bool{}
	for page, err := range c.Pages(ctx, sentinelone.ListRequest{Endpoint: ep, Query: q}) {
		if err != nil {
			return records, pages, ids, err
		}
		pages++
		agents, _ := models[*sentinelone.Agent](page)
		for _, a := range agents {
			ids[a.ID.Value] = true
		}
		records += len(page.Records)
	}
	return records, pages, ids, nil
}

func TestPagesWalksEveryAgentOnce(t *testing.T) {
	emu, c := setup(t, emulator.Config{Seed: 1, Agents: 3500}, nil)
	n, pages, ids, err := collect(t.Context(), c, sentinelone.Agents, url.Values{"sortBy": {"id"}, "sortOrder": {"asc"}})
	if err != nil {
		t.Fatal(err)
	}
	if n != 3500 || len(ids) != 3500 || pages != 4 {
		t.Fatalf("records %d, distinct %d, pages %d; want 3500, 3500, 4", n, len(ids), pages)
	}
	if got := emu.Requests("agents"); got != 4 {
		t.Fatalf("emulator saw %d requests, want 4", got)
	}
}

func TestPagesOverRealHTTP(t *testing.T) {
	emu, err := emulator.New(emulator.Config{Agents: 1500, Tokens: []emulator.Token{{Value: token}}})
	if err != nil {
		t.Fatal(err)
	}
	srv := newServer(t, emu.Handler())
	c, err := sentinelone.New(sentinelone.Config{BaseURL: srv.URL + "/some/path/", Token: token}, nil)
	if err != nil {
		t.Fatal(err)
	}
	n, _, ids, err := collect(t.Context(), c, sentinelone.Agents, nil)
	if err != nil || n != 1500 || len(ids) != 1500 {
		t.Fatalf("got %d records (%d distinct), err %v", n, len(ids), err)
	}
}

func TestErrorClasses(t *testing.T) {
	tests := []struct {
		name     string
		tokens   []emulator.Token
		endpoint sentinelone.Endpoint
		query    url.Values
		fault    emulator.Fault
		kind     sentinelone.Kind
		text     string
	}{
		{"wrong token", []emulator.Token{{Value: "other"}}, sentinelone.Agents, nil, emulator.Fault{}, sentinelone.KindAuth, "generate a new one"},
		{"expired token", []emulator.Token{{Value: token, ExpiresAt: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}}, sentinelone.Agents, nil, emulator.Fault{}, sentinelone.KindAuth, "Authentication Failed (code 4010010)"},
		{"missing permission", []emulator.Token{{Value: token, Deny: []string{"threats"}}}, sentinelone.Threats, nil, emulator.Fault{}, sentinelone.KindPermission, `"Threats.view" permission`},
		{"validation", nil, sentinelone.Activities, url.Values{"updatedAt__gte": {"2026-01-01T00:00:00Z"}}, emulator.Fault{}, sentinelone.KindValidation, "updatedAt__gte: Unknown field."},
		{"throttled", nil, sentinelone.Agents, nil, emulator.Fault{Throttle: 1}, sentinelone.KindThrottled, "429 Too Many Requests"},
		{"unavailable", nil, sentinelone.Agents, nil, emulator.Fault{ServerErrors: 1}, sentinelone.KindUnavailable, "gave up after 4 attempts"},
		{"malformed", nil, sentinelone.Agents, nil, emulator.Fault{Malformed: 1}, sentinelone.KindUnavailable, "body is HTML, not JSON"},
		{"truncated", nil, sentinelone.Agents, nil, emulator.Fault{Truncate: 1}, sentinelone.KindUnavailable, "unexpected end of JSON input"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				emu, c := setup(t, emulator.Config{Agents: 20, Tokens: tt.tokens}, nil)
				emu.SetFault("*", tt.fault)
				_, _, _, err := collect(t.Context(), c, tt.endpoint, tt.query)
				if got := sentinelone.KindOf(err); got != tt.kind {
					t.Fatalf("kind = %v, want %v (err %v)", got, tt.kind, err)
				}
				if !strings.Contains(err.Error(), tt.text) {
					t.Fatalf("error %q does not say %q", err, tt.text)
				}
				if strings.Contains(err.Error(), token) {
					t.Fatalf("error leaks the token: %q", err)
				}
				retried := c.Stats().Retries.Load() > 0
				if retried != tt.kind.Retryable() {
					t.Fatalf("retried = %v for a %v error", retried, tt.kind)
				}
			})
		})
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	for _, tt := range []struct {
		name       string
		retryAfter string
		minWait    time.Duration
	}{
		{"with Retry-After", "7", 14 * time.Second},
		{"without Retry-After", "", 15 * time.Millisecond},
	} {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				emu, _ := setup(t, emulator.Config{Agents: 5}, nil)
				calls := 0
				rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
					calls++
					if calls <= 2 {
						return throttleResponse(r, tt.retryAfter), nil
					}
					return emu.Transport().RoundTrip(r)
				})
				c, err := sentinelone.New(sentinelone.Config{BaseURL: "http://localhost", Token: token,
					Retry: retry.Policy{Initial: 10 * time.Millisecond, Max: 20 * time.Millisecond, MaxAttempts: 5}}, &http.Client{Transport: rt})
				if err != nil {
					t.Fatal(err)
				}
				start := time.Now()
				n, _, _, err := collect(t.Context(), c, sentinelone.Agents, nil)
				if err != nil || n != 5 {
					t.Fatalf("n=%d err=%v", n, err)
				}
				if waited := time.Since(start); waited < tt.minWait {
					t.Fatalf("waited %s, want at least %s", waited, tt.minWait)
				}
				if got := c.Stats().Throttled.Load(); got != 2 {
					t.Fatalf("throttled = %d, want 2", got)
				}
			})
		})
	}
}

func TestRepeatedCursorStopsTheWalk(t *testing.T) {
	emu, c := setup(t, emulator.Config{Agents: 3000}, nil)
	emu.SetFault("agents", emulator.Fault{RepeatCursor: 1})
	n, pages, _, err := collect(t.Context(), c, sentinelone.Agents, nil)
	if !errors.Is(err, sentinelone.ErrRepeatedCursor) {
		t.Fatalf("err = %v, want ErrRepeatedCursor", err)
	}
	if pages != 1 || n != 1000 || !strings.Contains(err.Error(), "list agents page 2") {
		t.Fatalf("pages %d records %d err %v", pages, n, err)
	}
}

func TestTransientFaultsLoseNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu, c := setup(t, emulator.Config{Seed: 9, Agents: 5000}, func(cfg *sentinelone.Config) { cfg.Retry.MaxAttempts = 20 })
		emu.SetFault("*", emulator.Fault{Truncate: 0.2, ServerErrors: 0.2, Throttle: 0.2, Malformed: 0.1})
		n, _, ids, err := collect(t.Context(), c, sentinelone.Agents, url.Values{"sortBy": {"id"}})
		if err != nil {
			t.Fatal(err)
		}
		if n != 5000 || len(ids) != 5000 {
			t.Fatalf("got %d records, %d distinct; want 5000", n, len(ids))
		}
		if c.Stats().Retries.Load() == 0 {
			t.Fatal("no retries under a 70% fault rate")
		}
	})
}

func TestCancellationStopsWaiting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu, c := setup(t, emulator.Config{Agents: 5}, nil)
		emu.SetFault("*", emulator.Fault{Latency: time.Hour})
		ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
		defer cancel()
		start := time.Now()
		_, _, _, err := collect(ctx, c, sentinelone.Agents, nil)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v", err)
		}
		if time.Since(start) > 4*time.Second {
			t.Fatalf("returned after %s", time.Since(start))
		}
	})
}

func TestOddRecordsAreReadNotRejected(t *testing.T) {
	emu, c := setup(t, emulator.Config{Agents: 50}, nil)
	emu.SetFault("agents", emulator.Fault{OddTypes: 1})
	for page, err := range c.Pages(t.Context(), sentinelone.ListRequest{Endpoint: sentinelone.Agents}) {
		if err != nil {
			t.Fatal(err)
		}
		agents, bad := models[*sentinelone.Agent](page)
		if len(bad) != 0 || len(agents) != 50 {
			t.Fatalf("decoded %d, bad %v", len(agents), bad)
		}
		for _, a := range agents {
			if !a.FirewallEnabled.Set || !a.CPUCount.Set || !a.IsActive.Set {
				t.Fatalf("string-typed fields not read: %+v %+v %+v", a.FirewallEnabled, a.CPUCount, a.IsActive)
			}
		}
	}
}

func TestConnectionChecks(t *testing.T) {
	emu, c := setup(t, emulator.Config{Agents: 1000}, nil)
	info, err := c.SystemInfo(t.Context())
	if err != nil || info.Version == "" {
		t.Fatalf("system info %+v, %v", info, err)
	}
	d, err := c.TokenDetails(t.Context())
	if err != nil || !d.ExpiresAt.After(emu.Now()) {
		t.Fatalf("token details %+v, %v", d, err)
	}
	total, err := c.Probe(t.Context(), sentinelone.Agents, nil)
	if err != nil || total == nil || *total != 1000 {
		t.Fatalf("probe total %v, %v", total, err)
	}
	n, err := c.CountAgents(t.Context(), url.Values{"isDecommissioned": {"false"}})
	if err != nil || n < 900 || n >= 1000 {
		t.Fatalf("count of agents not decommissioned %d, %v", n, err)
	}
	listed, _, _, err := collect(t.Context(), c, sentinelone.Agents, url.Values{"isDecommissioned": {"false"}})
	if err != nil || int64(listed) != n {
		t.Fatalf("listing with the same filter gave %d agents, count said %d (%v)", listed, n, err)
	}
}
