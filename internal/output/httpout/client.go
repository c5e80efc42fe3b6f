// Package httpout is what the HTTP outputs share: a client with TLS, proxy
// and timeout settings, a POST that classifies the peer's answer (accepted,
// retry later, refused for good), gzip, and chunk progress so a batch that
// is retried does not send again the chunks already accepted.
package httpout

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"s1collector/internal/retry"
	"s1collector/internal/sentinelone"
)

// Config is the HTTP client of an output.
type Config struct {
	Timeout            time.Duration // per request; default 30s
	CAFile             string        // PEM bundle trusted in addition to the system's
	CertFile, KeyFile  string        // client certificate (mutual TLS)
	InsecureSkipVerify bool          // only when asked: disables certificate checks
	ProxyURL           string        // default: HTTPS_PROXY / HTTP_PROXY / NO_PROXY
}

// Validate reports settings that cannot work.
func (c Config) Validate() error {
	var errs []error
	if c.Timeout < 0 {
		errs = append(errs, errors.New("timeout: must not be negative"))
	}
	if (c.CertFile == "") != (c.KeyFile == "") {
		errs = append(errs, errors.New("cert_file and key_file go together"))
	}
	if c.ProxyURL != "" {
		if u, err := url.Parse(c.ProxyURL); err != nil || u.Host == "" {
			errs = append(errs, fmt.Errorf("proxy_url: %q is not a URL", c.ProxyURL))
		}
	}
	return errors.Join(errs...)
}

// NewClient builds the HTTP client; TLS certificates are verified unless
// InsecureSkipVerify is set.
func NewClient(c Config) (*http.Client, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	tlsCfg := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: c.InsecureSkipVerify}
	if c.CAFile != "" {
		pem, err := os.ReadFile(c.CAFile)
		if err != nil {
			return nil, fmt.Errorf("ca_file: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("ca_file: %s holds no PEM certificate", c.CAFile)
		}
		tlsCfg.RootCAs = pool
	}
	if c.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(c.CertFile, c.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("client certificate: %w", err)
		}
		tlsCfg.Certificates = []tls.Certificate{cert}
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = tlsCfg
	if c.ProxyURL != "" {
		u, _ := url.Parse(c.ProxyURL)
		tr.Proxy = http.ProxyURL(u)
	}
	timeout := c.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	return &http.Client{Transport: tr, Timeout: timeout}, nil
}

// PeerError is an answer the peer did not accept.
type PeerError struct {
	Status     int
	Body       string // the start of the response body, as the peer explained
	RetryAfter time.Duration
}

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
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, retry.Permanent(fmt.Errorf("build request: %w", err))
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := c.Do(req)
	if err != nil {
		if sentinelone.CertificateError(err) {
			return nil, retry.Permanent(fmt.Errorf("send: %w — the peer's TLS certificate is not trusted: if it has a private CA, set http.ca_file", sentinelone.RedactURL(err)))
		}
		return nil, fmt.Errorf("send: %w", sentinelone.RedactURL(err))
	}
	defer resp.Body.Close()
	respBody, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 == 2 {
		return respBody, nil
	}
	return nil, Classify(resp, respBody)
}

// Classify turns a non-2xx answer into a retryable, throttling or
// permanent error.
func Classify(resp *http.Response, body []byte) error {
	pe := &PeerError{Status: resp.StatusCode, Body: excerpt(body), RetryAfter: sentinelone.ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now())}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusRequestTimeout || resp.StatusCode >= 500:
		if pe.RetryAfter > 0 {
			return &retry.ThrottleError{Err: pe, Delay: pe.RetryAfter}
		}
		return pe
	}
	return retry.Permanent(pe)
}

func excerpt(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// Gzip compresses b.
func Gzip(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}
