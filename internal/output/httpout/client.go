// Package httpout is what the HTTP outputs share: a POST that classifies
// the peer's answer (accepted, retry later, refused for good), gzip, and
// chunk progress so a batch that is retried does not send again the chunks
// already accepted.
package httpout

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"s1collector/internal/delivery"
	"s1collector/internal/httpclient"
	"s1collector/internal/retry"
	"s1collector/internal/scrub"
)

// PeerError is an answer the peer did not accept.
type PeerError struct {
	Status     int
	Body       string // the start of the response body, as the peer explained
	RetryAfter time.Duration
}

// HTTPStatus is the peer's status code: the pipeline words its fix from it.
func (e *PeerError) HTTPStatus() int { return e.Status }

func (e *PeerError) Error() string {
	msg := fmt.Sprintf("HTTP %d", e.Status)
	if e.Body != "" {
		msg += ": " + e.Body
	}
	return msg
}

// Post sends body and returns the response body of a 2xx. Other answers
// are classified: 408, 429 and 5xx and network errors are retryable (with
// the peer's Retry-After), other 4xx are permanent.
func Post(ctx context.Context, c *http.Client, url string, header http.Header, body []byte) ([]byte, error) {
	return Do(ctx, c, http.MethodPost, url, header, body)
}

// Do is Post with any method; a nil body sends none.
func Do(ctx context.Context, c *http.Client, method, url string, header http.Header, body []byte) ([]byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return nil, retry.Permanent(fmt.Errorf("build request: %w", err))
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := c.Do(req)
	if err != nil {
		if httpclient.CertificateError(err) {
			return nil, retry.Permanent(fmt.Errorf("send: %w — the peer's TLS certificate is not trusted: if it has a private CA, set http.ca_file", httpclient.RedactURL(err)))
		}
		return nil, fmt.Errorf("send: %w", httpclient.RedactURL(err))
	}
	defer resp.Body.Close()
	respBody, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 == 2 {
		return respBody, nil
	}
	return nil, Classify(resp, respBody)
}

// Classify turns a non-2xx answer into a retryable, throttling or
// permanent error. A redirect that was not followed is permanent and names
// its target.
func Classify(resp *http.Response, body []byte) error {
	if re := httpclient.AsRedirect(resp); re != nil {
		return retry.Permanent(fmt.Errorf("HTTP %d: %w", resp.StatusCode, re))
	}
	pe := &PeerError{Status: resp.StatusCode, Body: excerpt(body), RetryAfter: httpclient.ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now())}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusRequestTimeout || resp.StatusCode >= 500:
		if pe.RetryAfter > 0 {
			return &retry.ThrottleError{Err: pe, Delay: pe.RetryAfter}
		}
		return pe
	}
	return retry.Permanent(pe)
}

// excerpt is the start of a peer's answer, safe to show: control
// characters escaped, cut between words so that a secret the peer echoes
// is whole (and so redacted where it is shown) or absent, never in part.
func excerpt(b []byte) string {
	return (*scrub.Redactor)(nil).Excerpt(string(b), 300)
}

// Gzip compresses b.
func Gzip(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// Fixes are what the user must change when the peer answers a status.
type Fixes map[int]string

// Explain makes err a delivery.Refusal with the fix for the peer's status
// when fixes has one, keeping it permanent or retryable as it was.
func Explain(err error, fixes Fixes) error {
	var pe *PeerError
	if !errors.As(err, &pe) {
		return err
	}
	fix, ok := fixes[pe.Status]
	if !ok {
		return err
	}
	r := &delivery.Refusal{Err: err, Fix: fix}
	if retry.IsPermanent(err) {
		return retry.Permanent(r)
	}
	return r
}
