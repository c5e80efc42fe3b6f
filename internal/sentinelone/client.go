// Package sentinelone is a client for the SentinelOne Management API v2.1:
// authenticated, rate-limited, retried requests; cursor pagination; lenient
// models of agents, activities and threats; and typed errors.
package sentinelone

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"s1collector/internal/httpclient"
	"s1collector/internal/retry"
	"s1collector/internal/scrub"
)

// Client talks to one console with one token. It is safe for concurrent use.
type Client struct {
	cfg      Config
	base     string
	http     *http.Client
	limiters map[string]*rate.Limiter
	bodies   *httpclient.Budget
	scrub    *scrub.Redactor // the token, in the console's words
	stats    *Stats
	clock    *consoleClock
	alerts   alertsAPI
}

// Stats counts what a Client did. Read it with Client.Stats.
type Stats struct {
	Retries   atomic.Int64 // requests repeated after a transient failure
	Throttled atomic.Int64 // 429 answers

	mu         sync.Mutex
	byEndpoint map[EndpointStatus]int64
	retriesBy  map[string]int64
}

// EndpointStatus keys requests by endpoint and status class ("2xx", "4xx",
// "429", "5xx", "error" for a network failure).
type EndpointStatus struct {
	Endpoint, Class string
}

func (s *Stats) count(endpoint string, status int) {
	class := "error"
	switch {
	case status == http.StatusTooManyRequests:
		class = "429"
	case status > 0:
		class = fmt.Sprintf("%dxx", status/100)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.byEndpoint == nil {
		s.byEndpoint = map[EndpointStatus]int64{}
	}
	s.byEndpoint[EndpointStatus{endpoint, class}]++
}

func (s *Stats) retried(endpoint string) {
	s.Retries.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.retriesBy == nil {
		s.retriesBy = map[string]int64{}
	}
	s.retriesBy[endpoint]++
}

// ByEndpoint returns the request counts by endpoint and status class, and
// the retries by endpoint.
func (s *Stats) ByEndpoint() (map[EndpointStatus]int64, map[string]int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.byEndpoint), maps.Clone(s.retriesBy)
}

// New returns a Client. httpClient may be nil for a default one; its Timeout
// is not used: Config.Timeout bounds each request. Whatever httpClient
// does with redirects, the Client follows none: a redirect is an error
// naming its target, and the token never goes anywhere but BaseURL.
func New(cfg Config, httpClient *http.Client) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	base, _ := NormalizeBaseURL(cfg.BaseURL)
	c := &Client{cfg: cfg, base: base, limiters: map[string]*rate.Limiter{},
		bodies: cfg.BodyBudget, scrub: scrub.New(cfg.Token), stats: cfg.Stats, clock: &consoleClock{log: cfg.Logger}}
	if c.bodies == nil {
		c.bodies = httpclient.DefaultBudget()
	}
	c.http = c.observed(httpclient.RefuseRedirects(httpClient)) // follows no redirect, whatever client it is given
	if c.stats == nil {
		c.stats = &Stats{}
	}
	for name, l := range cfg.RateLimits {
		c.limiters[name] = rate.NewLimiter(rate.Limit(l.Rate), max(l.Burst, 1))
	}
	return c, nil
}

// BaseURL is the normalised console URL.
func (c *Client) BaseURL() string { return c.base }

// PageSize is the limit sent on list requests.
func (c *Client) PageSize() int { return c.cfg.PageSize }

// Stats returns the client's counters.
func (c *Client) Stats() *Stats { return c.stats }

// Rate is the requests a second the client allows on the endpoint's
// family (rate.Inf, a very large number, when it has no limit).
func (c *Client) Rate(endpoint Endpoint) float64 {
	if l := c.limiter(string(endpoint)); l != nil {
		return float64(l.Limit())
	}
	return float64(rate.Inf)
}

// request is one API call.
type request struct {
	method   string
	endpoint string // below /web/api/v2.1/, e.g. "agents"
	query    url.Values
	body     any
	path     string // below /web/api/v2.1/ when not the endpoint itself
	scheme   string // Authorization scheme; default ApiToken
}

// do sends req with rate limiting and retries and hands the 2xx body to
// accept, which decodes it (the body is not valid after accept returns: its
// memory goes back to the budget). A body accept refuses (truncated,
// garbled) is treated like a 5xx and fetched again within the same retry
// budget.
func (c *Client) do(ctx context.Context, req request, accept func([]byte) error) (err error) {
	ctx, release := abandonable(ctx)
	defer func() { release(); err = abandoned(ctx, err) }()
	policy := c.cfg.Retry
	userNotify := policy.Notify
	policy.Notify = func(err error, attempt int, wait time.Duration) {
		c.stats.retried(req.endpoint)
		notifyRetry(ctx, RetryNotice{Console: c.base, Endpoint: req.endpoint, Err: err, Attempt: attempt, Wait: wait})
		if userNotify != nil {
			userNotify(err, attempt, wait)
		}
	}
	return policy.Do(ctx, func(ctx context.Context) error {
		body, release, err := c.once(ctx, req)
		defer release()
		if err == nil {
			if derr := accept(body); derr != nil {
				// A body it cannot read is fetched again; an answer it
				// judged (an *APIError) keeps its kind.
				ae := &APIError{Kind: KindUnavailable, Endpoint: req.endpoint, Status: http.StatusOK, Err: derr}
				errors.As(derr, &ae)
				err = ae
			}
		}
		return classifyForRetry(err)
	})
}

// classifyForRetry marks errors that must not be retried as permanent and
// throttles with a Retry-After as throttle errors.
func classifyForRetry(err error) error {
	var ae *APIError
	if err == nil || !errors.As(err, &ae) {
		return err
	}
	switch {
	case !ae.Kind.Retryable():
		return retry.Permanent(err)
	case ae.RetryAfter > 0:
		return &retry.ThrottleError{Err: err, Delay: ae.RetryAfter}
	}
	return err
}

// errorBodyBytes bounds what is read of an error answer: enough for the
// console's explanation.
const errorBodyBytes = 64 << 10

// once makes one request. The body's memory is taken from the budget;
// release gives it back (always call it).
func (c *Client) once(ctx context.Context, req request) ([]byte, func(), error) {
	none := func() {}
	if err := c.limiter(req.endpoint).Wait(ctx); err != nil {
		return nil, none, err
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	hreq, err := c.newRequest(ctx, req)
	if err != nil {
		return nil, none, retry.Permanent(err)
	}
	resp, err := c.http.Do(hreq)
	if err != nil {
		c.stats.count(req.endpoint, 0)
		if ctx.Err() != nil && context.Cause(ctx) != context.DeadlineExceeded {
			return nil, none, err
		}
		ae := &APIError{Kind: KindUnavailable, Endpoint: req.endpoint, Err: httpclient.RedactURL(err)}
		if httpclient.CertificateError(err) {
			ae.Err = fmt.Errorf("%w — the console's TLS certificate is not trusted: if it has a private CA, set http.ca_file", ae.Err)
			return nil, none, retry.Permanent(ae) // retrying will not make it trusted
		}
		return nil, none, ae
	}
	defer resp.Body.Close()
	c.stats.count(req.endpoint, resp.StatusCode)
	if re := httpclient.AsRedirect(resp); re != nil {
		return nil, none, &APIError{Kind: KindRedirect, Endpoint: req.endpoint, Status: resp.StatusCode, Err: re}
	}
	limit := c.cfg.MaxBodyBytes
	if resp.StatusCode/100 != 2 {
		limit = errorBodyBytes
	}
	body, release, err := c.bodies.ReadBody(ctx, resp.Body, resp.ContentLength, limit)
	if resp.StatusCode/100 != 2 {
		defer release()
		if resp.StatusCode == http.StatusTooManyRequests {
			c.stats.Throttled.Add(1)
		}
		return nil, none, c.responseError(req.endpoint, resp, body)
	}
	if err != nil {
		return nil, release, &APIError{Kind: KindUnavailable, Endpoint: req.endpoint, Status: resp.StatusCode, Err: fmt.Errorf("read body: %w", err)}
	}
	return body, release, nil
}

func (c *Client) newRequest(ctx context.Context, req request) (*http.Request, error) {
	path := req.path
	if path == "" {
		path = req.endpoint
	}
	u := c.base + APIPrefix + path
	if len(req.query) > 0 {
		u += "?" + req.query.Encode()
	}
	var rd io.Reader
	if req.body != nil {
		b, err := json.Marshal(req.body)
		if err != nil {
			return nil, fmt.Errorf("encode request body: %w", err)
		}
		rd = bytes.NewReader(b)
	}
	hreq, err := http.NewRequestWithContext(ctx, req.method, u, rd)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	scheme := req.scheme
	if scheme == "" {
		scheme = "ApiToken"
	}
	hreq.Header.Set("Authorization", scheme+" "+c.cfg.Token)
	hreq.Header.Set("Accept", "application/json")
	hreq.Header.Set("User-Agent", c.cfg.UserAgent)
	if rd != nil {
		hreq.Header.Set("Content-Type", "application/json")
	}
	return hreq, nil
}

// limiter is the bucket of the endpoint's family: agents/count shares the
// agents limit, as the console's limits are per path prefix.
func (c *Client) limiter(endpoint string) *rate.Limiter {
	family, _, _ := strings.Cut(endpoint, "/")
	if l, ok := c.limiters[family]; ok {
		return l
	}
	return c.limiters["other"]
}
