package httpclient

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
)

// Redirects is what a client does with a redirect (3xx with Location).
type Redirects int

const (
	// NoRedirects follows none: the 3xx answer reaches the caller, which
	// reports it as a RedirectError. Credentials never go anywhere but
	// the configured address.
	NoRedirects Redirects = iota
	// SameHostRedirects follows redirects to the same scheme, host and
	// port only (at most 10); any other is returned like NoRedirects.
	SameHostRedirects
)

func (p Redirects) String() string {
	if p == SameHostRedirects {
		return "same_host"
	}
	return "none"
}

// ParseRedirects reads the http.redirects setting: "", none or same_host.
func ParseRedirects(s string) (Redirects, error) {
	switch s {
	case "", "none":
		return NoRedirects, nil
	case "same_host":
		return SameHostRedirects, nil
	}
	return 0, fmt.Errorf("redirects: %q is not none or same_host", s)
}

// CheckRedirect is the http.Client.CheckRedirect of the policy.
func (p Redirects) CheckRedirect(req *http.Request, via []*http.Request) error {
	if p == SameHostRedirects && len(via) < 10 && sameOrigin(req.URL, via[0].URL) {
		return nil
	}
	return http.ErrUseLastResponse
}

// RefuseRedirects makes c follow no redirect, whatever it was built with:
// for clients that carry a credential. c is not changed; a copy is
// returned (nil gives a default client).
func RefuseRedirects(c *http.Client) *http.Client {
	var out http.Client
	if c != nil {
		out = *c
	}
	out.CheckRedirect = NoRedirects.CheckRedirect
	return &out
}

func sameOrigin(a, b *url.URL) bool {
	return a.Scheme == b.Scheme && a.Hostname() == b.Hostname() && port(a) == port(b)
}

func port(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if u.Scheme == "https" {
		return "443"
	}
	return "80"
}

// RedirectError is a redirect that was not followed.
type RedirectError struct {
	Status int
	Target string // scheme://host/path of the Location, without query or user
}

func (e *RedirectError) Error() string {
	return fmt.Sprintf("redirect to %s not followed: credentials go only to the configured address — "+
		"if that is the right place, configure it instead", e.Target)
}

// AsRedirect returns the RedirectError of a 3xx answer with a Location,
// or nil.
func AsRedirect(resp *http.Response) *RedirectError {
	if resp.StatusCode/100 != 3 || resp.Header.Get("Location") == "" {
		return nil
	}
	target := "an unreadable address"
	if u, err := resp.Location(); err == nil {
		target = (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
	}
	return &RedirectError{Status: resp.StatusCode, Target: target}
}

// IsRedirect reports whether err is a redirect that was not followed.
func IsRedirect(err error) bool {
	var re *RedirectError
	return errors.As(err, &re)
}
