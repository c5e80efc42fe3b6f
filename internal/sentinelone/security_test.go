package sentinelone_test

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"s1collector/internal/httpclient"
	"s1collector/internal/retry"
	"s1collector/internal/sentinelone"
)

// thief is a plain-HTTP server on another port that records what reaches it.
type thief struct {
	*httptest.Server
	hits atomic.Int64
	got  strings.Builder
	mu   sync.Mutex
}

func newThief(t *testing.T) *thief {
	th := &thief{}
	th.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		th.hits.Add(1)
		b, _ := io.ReadAll(r.Body)
		th.mu.Lock()
		fmt.Fprintf(&th.got, "%s %s %s %s\n", r.Method, r.URL, r.Header.Get("Authorization"), b)
		th.mu.Unlock()
		w.Write([]byte(`{"data":{"total":5}}`))
	}))
	t.Cleanup(th.Close)
	return th
}

// TestRedirectsAreNotFollowed: the measured leaks. An https console that
// redirects to plain http, to another host with 307 (which re-sends the
// POST of api-token-details with the token in its body), or to the same IP
// on another port, gets an error naming the target; the target receives
// nothing; the request is not retried. This holds even with an HTTP client
// that follows redirects.
func TestRedirectsAreNotFollowed(t *testing.T) {
	th := newThief(t)
	cases := []struct {
		name   string
		status int
		target string
		call   func(*sentinelone.Client) error
	}{
		{"302 https to http", http.StatusFound, th.URL, func(c *sentinelone.Client) error {
			_, err := c.CountAgents(t.Context(), nil)
			return err
		}},
		{"307 with the token in the body", http.StatusTemporaryRedirect, strings.Replace(th.URL, "127.0.0.1", "localhost", 1), func(c *sentinelone.Client) error {
			_, err := c.TokenDetails(t.Context())
			return err
		}},
		{"302 same IP other port", http.StatusFound, th.URL, func(c *sentinelone.Client) error {
			_, err := c.Page(t.Context(), sentinelone.Agents, nil, "")
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var consoleHits atomic.Int64
			console := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				consoleHits.Add(1)
				http.Redirect(w, r, tc.target+r.URL.RequestURI(), tc.status)
			}))
			defer console.Close()
			follows := console.Client() // trusts the console, follows redirects
			c, err := sentinelone.New(sentinelone.Config{BaseURL: console.URL, Token: token,
				Retry: retry.Policy{MaxAttempts: 3, Initial: time.Millisecond}}, follows)
			if err != nil {
				t.Fatal(err)
			}
			err = tc.call(c)
			if sentinelone.KindOf(err) != sentinelone.KindRedirect || !httpclient.IsRedirect(err) {
				t.Fatalf("err = %v (kind %v), want a redirect error", err, sentinelone.KindOf(err))
			}
			if !strings.Contains(err.Error(), "redirect to "+tc.target+"/web/api/v2.1/") || !strings.Contains(err.Error(), "not followed") {
				t.Errorf("error does not name the target: %v", err)
			}
			if th.hits.Load() != 0 {
				t.Fatalf("the redirect target was reached: %s", th.got.String())
			}
			if consoleHits.Load() != 1 {
				t.Errorf("console asked %d times: a redirect must not be retried", consoleHits.Load())
			}
		})
	}
}

// TestConsoleErrorsHideTheToken: a console echoing the token in its error —
// whole, without its scheme, in base64, or straddling the cut of the
// excerpt — never shows it, nor a control character.
func TestConsoleErrorsHideTheToken(t *testing.T) {
	b64 := base64.StdEncoding.EncodeToString([]byte("ApiToken " + token))
	bodies := []string{
		`{"errors":[{"code":4000010,"title":"Validation Error","detail":"token ` + token + ` is odd"}]}`,
		`{"errors":[{"code":4000010,"title":"Bad","detail":"seen ` + b64 + `"}]}`,
		`{"errors":[{"code":4000010,"title":"Bad","detail":"` + strings.Repeat("x ", 148) + token + `"}]}`,
		strings.Repeat("y ", 97) + token + " and more",
		"invalid token " + token,
		"<html><head><title>Denied for " + token + "</title></head></html>",
		`{"error":"line one\n\u001b[31mlevel=ERROR msg=\"forged\"` + token + `"}`,
	}
	for i, body := range bodies {
		srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(body))
		}))
		c, _ := sentinelone.New(sentinelone.Config{BaseURL: srv.URL, Token: token, Retry: retry.Policy{MaxAttempts: 1}}, nil)
		_, err := c.Page(t.Context(), sentinelone.Agents, nil, "")
		if err == nil {
			t.Fatalf("body %d accepted", i)
		}
		msg := err.Error()
		for _, part := range []string{token, token[:8], b64[:20], "\n", "\x1b"} {
			if strings.Contains(msg, part) {
				t.Errorf("body %d: error shows %q: %q", i, part, msg)
			}
		}
	}
}

// bomb is 8 MiB of zeros, gzip'd to a few KB: a small answer on the wire
// that is four times the limit of a body once decompressed.
var bomb = sync.OnceValue(func() []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	zeros := make([]byte, 1<<20)
	for range 8 {
		zw.Write(zeros)
	}
	zw.Close()
	return buf.Bytes()
})

func serveBomb(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Encoding", "gzip")
	w.Header().Set("Content-Type", "application/json")
	w.Write(bomb())
}

// TestGzipBombIsBoundedInTotal: 24 concurrent requests answered by gzip
// bombs hold at most the shared budget (twice the limit of one body) at once, each failing with a clear
// error; a second budget shows the bound is the budget's.
func TestGzipBombIsBoundedInTotal(t *testing.T) {
	srv := newServer(t, http.HandlerFunc(serveBomb))
	budget := httpclient.NewBudget(4 << 20)
	c, err := sentinelone.New(sentinelone.Config{BaseURL: srv.URL, Token: token, MaxBodyBytes: 2 << 20, BodyBudget: budget, RateLimits: map[string]sentinelone.RateLimit{"agents": {Rate: 1e6, Burst: 100}},
		Retry: retry.Policy{MaxAttempts: 1}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 24 {
		wg.Go(func() {
			_, err := c.CountAgents(t.Context(), nil)
			if err == nil || !strings.Contains(err.Error(), "larger than 2097152 bytes") && !errors.Is(err, httpclient.ErrBudget) {
				t.Errorf("err = %v", err)
			}
		})
	}
	wg.Wait()
	if budget.Peak() > 4<<20 || budget.Used() != 0 {
		t.Errorf("peak %d MiB, %d bytes still held", budget.Peak()>>20, budget.Used())
	}
	if budget.Peak() < 2<<20 {
		t.Errorf("peak %d MiB: the bodies were not read", budget.Peak()>>20)
	}
}
