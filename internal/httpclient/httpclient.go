// Package httpclient is what the console client and the HTTP outputs share
// about HTTP: a client built from TLS, proxy, timeout and redirect
// settings (no redirect followed unless asked, and then only to the same
// host), a memory budget for response bodies, transport errors stripped of
// their URL (which may carry a secret) and classified, and Retry-After.
package httpclient

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config is an HTTP client's transport settings.
type Config struct {
	Timeout            time.Duration // per request; default 30s
	CAFile             string        // PEM bundle trusted in addition to the system's
	CertFile, KeyFile  string        // client certificate (mutual TLS)
	InsecureSkipVerify bool          // only when asked: disables certificate checks
	ProxyURL           string        // default: HTTPS_PROXY / HTTP_PROXY / NO_PROXY
	Redirects          Redirects     // default: follow none
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
	tlsCfg, err := TLSConfig(c)
	if err != nil {
		return nil, err
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
	return &http.Client{Transport: tr, Timeout: timeout, CheckRedirect: c.Redirects.CheckRedirect}, nil
}

// RedactURL drops the URL (and so its query, which may carry a secret)
// from a transport error; callers name what they called instead.
func RedactURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}

// CertificateError reports whether err is a TLS certificate that did not
// verify (unknown authority, wrong host name, expired).
func CertificateError(err error) bool {
	var verr *tls.CertificateVerificationError
	var uerr x509.UnknownAuthorityError
	var herr x509.HostnameError
	var cerr x509.CertificateInvalidError
	return errors.As(err, &verr) || errors.As(err, &uerr) || errors.As(err, &herr) || errors.As(err, &cerr)
}

// ParseRetryAfter reads a Retry-After header: delay-seconds or an HTTP-date
// (0 when absent, unreadable or past).
func ParseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// TLSConfig is the TLS side of c, for clients that are not HTTP (Kafka):
// the system's CAs and CAFile's, a client certificate, and certificate
// checks unless InsecureSkipVerify.
func TLSConfig(c Config) (*tls.Config, error) {
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
	return tlsCfg, nil
}
