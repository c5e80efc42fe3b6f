package sentinelone

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"time"

	"s1collector/internal/httpclient"
	"s1collector/internal/retry"
)

// Config configures a Client for one console and token.
type Config struct {
	// BaseURL is the console, e.g. https://tenant.sentinelone.net. A trailing
	// slash or path is dropped. Plain http is accepted only for loopback.
	BaseURL string
	// Token is the API token. It is sent only in the Authorization header and
	// never appears in errors or logs.
	Token string
	// Timeout bounds one HTTP request. Default 60s: real consoles take 1.5s
	// for a page and some endpoints over 10s.
	Timeout time.Duration
	// TimeoutSetting names where Timeout was set, in the error of a request
	// it ended. Default: the source's timeout setting.
	TimeoutSetting string
	// PageSize is the limit sent on list requests, clamped to 1–1000.
	// Default 1000.
	PageSize int
	// RateLimits per endpoint ("agents", "activities", "threats", "other").
	// Missing entries take DefaultRateLimits.
	RateLimits map[string]RateLimit
	// Retry governs retries of throttled and failed requests. Default: 8
	// attempts, 1s doubling to 60s.
	Retry retry.Policy
	// MaxBodyBytes bounds a response body, decompressed. Default 32 MiB:
	// eight times a page of 1,000 real agents (~4 MB).
	MaxBodyBytes int64
	// BodyBudget bounds the bodies read at once by every client sharing
	// it; nil shares the process's (httpclient.DefaultBudget).
	BodyBudget *httpclient.Budget
	// UserAgent is sent with every request.
	UserAgent string
	// Stats, when set, are the counters the client adds to (a client that
	// replaces another goes on counting); nil for new ones.
	Stats *Stats
	// Logger hears what the client learns about the console (the Unified
	// Alerts API's scheme and the fields it rejects). Default: discard.
	Logger *slog.Logger
}

func (c Config) withDefaults() Config {
	if c.Timeout == 0 {
		c.Timeout = 60 * time.Second
	}
	if c.TimeoutSetting == "" {
		c.TimeoutSetting = "the source's timeout setting"
	}
	if c.PageSize == 0 {
		c.PageSize = 1000
	}
	c.PageSize = min(max(c.PageSize, 1), 1000)
	limits := DefaultRateLimits()
	for k, v := range c.RateLimits {
		limits[k] = v
	}
	c.RateLimits = limits
	if c.Retry.MaxAttempts == 0 {
		c.Retry.MaxAttempts = 8
	}
	if c.Retry.Initial == 0 {
		c.Retry.Initial = time.Second
	}
	if c.Retry.Max == 0 {
		c.Retry.Max = 60 * time.Second
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = 32 << 20
	}
	if c.UserAgent == "" {
		c.UserAgent = "s1collector"
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// Validate reports every problem with the configuration.
func (c Config) Validate() error {
	var errs []error
	if _, err := NormalizeBaseURL(c.BaseURL); err != nil {
		errs = append(errs, err)
	}
	if strings.TrimSpace(c.Token) == "" {
		errs = append(errs, errors.New("token: is empty"))
	} else if strings.ContainsAny(c.Token, " \t\r\n") {
		errs = append(errs, errors.New("token: contains white space (copied with a line break?)"))
	}
	if c.Timeout < 0 {
		errs = append(errs, errors.New("timeout: must not be negative"))
	}
	for name, l := range c.RateLimits {
		if l.Rate <= 0 || l.Burst < 0 {
			errs = append(errs, fmt.Errorf("rate_limits.%s: rate must be positive and burst not negative", name))
		}
	}
	if err := c.Retry.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("retry: %w", err))
	}
	return errors.Join(errs...)
}

// NormalizeBaseURL reduces a console URL to scheme://host[:port]. It accepts a
// bare host name (https is assumed) and refuses plain http except on loopback,
// so a token never crosses a network in clear text.
func NormalizeBaseURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", errors.New("base_url: is empty")
	}
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("base_url: %q is not a URL like https://tenant.sentinelone.net", raw)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !isLoopback(u.Hostname()) {
			return "", fmt.Errorf("base_url: %q uses plain http; only https is allowed except for loopback addresses", raw)
		}
	default:
		return "", fmt.Errorf("base_url: scheme %q is not http or https", u.Scheme)
	}
	return u.Scheme + "://" + u.Host, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
