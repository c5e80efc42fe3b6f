package sentinelone

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// SlowAfter is how long a request waits for the console's answer before
// the wait is reported (see WithSlowNotify): a first sign well before a
// request timeout of a minute. Requests whose timeout is not longer are
// not reported: the timeout itself comes soon.
const SlowAfter = 15 * time.Second

// SlowNotice is a request that has waited SlowAfter for an answer.
type SlowNotice struct {
	Console  string        // the console's base URL
	Endpoint string        // e.g. "agents"
	Waited   time.Duration // how long it has waited
	Timeout  time.Duration // when it gives up (the source's timeout)
}

type slowNotifyKey struct{}

// WithSlowNotify returns a context whose requests report to fn when the
// console has not answered them within SlowAfter.
func WithSlowNotify(ctx context.Context, fn func(SlowNotice)) context.Context {
	return context.WithValue(ctx, slowNotifyKey{}, fn)
}

// RequestTimeoutError is a request the console did not answer within the
// request timeout (the source's timeout setting).
type RequestTimeoutError struct {
	Timeout time.Duration
	Setting string // where Timeout was set
	Err     error
}

func (e *RequestTimeoutError) Error() string {
	return fmt.Sprintf("no answer within the request timeout of %s (%s): %v", e.Timeout, e.Setting, e.Err)
}

func (e *RequestTimeoutError) Unwrap() error { return e.Err }

// observer sits between the client and the network: it reads the
// console's clock from every answer's Date header, reports requests the
// console is slow to answer, and names the request timeout when it ends
// one.
type observer struct {
	base    http.RoundTripper
	console string
	timeout time.Duration
	setting string // where timeout was set
	clock   *consoleClock
}

// observed is hc with its transport behind an observer.
func (c *Client) observed(hc *http.Client) *http.Client {
	cp := *hc
	base := cp.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	cp.Transport = &observer{base: base, console: c.base, timeout: c.cfg.Timeout, setting: c.cfg.TimeoutSetting, clock: c.clock}
	return &cp
}

func (o *observer) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if fn, ok := ctx.Value(slowNotifyKey{}).(func(SlowNotice)); ok && fn != nil && o.timeout > SlowAfter {
		endpoint := strings.TrimPrefix(req.URL.Path, APIPrefix)
		t := time.AfterFunc(SlowAfter, func() {
			fn(SlowNotice{Console: o.console, Endpoint: endpoint, Waited: SlowAfter, Timeout: o.timeout})
		})
		defer t.Stop()
	}
	sent := time.Now()
	resp, err := o.base.RoundTrip(req)
	if err != nil {
		return nil, o.named(ctx, err)
	}
	o.clock.observe(sent, time.Now(), resp.Header.Get("Date"))
	resp.Body = &timedBody{ReadCloser: resp.Body, o: o, ctx: ctx}
	return resp, nil
}

// named says an error is the request timeout's doing, when it is.
func (o *observer) named(ctx context.Context, err error) error {
	// The request's own deadline, not one of a context it was made in.
	if context.Cause(ctx) == context.DeadlineExceeded && errors.Is(err, context.DeadlineExceeded) {
		return &RequestTimeoutError{Timeout: o.timeout, Setting: o.setting, Err: err}
	}
	return err
}

// timedBody names the request timeout when it ends the reading of a body.
type timedBody struct {
	io.ReadCloser
	o   *observer
	ctx context.Context
}

func (b *timedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		err = b.o.named(b.ctx, err)
	}
	return n, err
}
