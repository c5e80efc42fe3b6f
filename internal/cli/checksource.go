package cli

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"s1collector/internal/collector"
	"s1collector/internal/config"
	"s1collector/internal/httpclient"
	"s1collector/internal/pipeline"
	"s1collector/internal/sentinelone"
	"s1collector/internal/server"
)

// errTestLimit is the cause of a check cut short by the whole test's limit.
var errTestLimit = errors.New("no answer before the test's overall limit")

// checkSource checks that the console answers and accepts the token; then,
// at once, the token's expiry and that each configured API is readable.
func checkSource(ctx context.Context, c *checker, src config.Source, cl *sentinelone.Client) {
	name := src.Name
	info, err := cl.SystemInfo(ctx)
	switch kind := sentinelone.KindOf(err); {
	case err == nil:
		c.ok("%s: console %s reachable (version %s)", name, cl.BaseURL(), info.Version)
		c.ok("%s: API token accepted", name)
	case kind == sentinelone.KindAuth:
		c.ok("%s: console %s reachable", name, cl.BaseURL())
		c.fail("%s: API token rejected: %v", name, err)
		return
	default:
		c.fail("%s: %s", name, firstContactFailure(ctx, cl.BaseURL(), err))
		return
	}
	checks := []func(*checker){func(c *checker) { checkTokenExpiry(ctx, c, name, cl, src.Timeout) }}
	for _, api := range src.SupportedAPIs {
		checks = append(checks, func(c *checker) { checkAPI(ctx, c, src, cl, sentinelone.Endpoint(api)) })
	}
	c.failed += inParallel(&c.w, c.redact, checks)
}

func checkTokenExpiry(ctx context.Context, c *checker, name string, cl *sentinelone.Client, timeout time.Duration) {
	d, err := cl.TokenDetails(ctx)
	if err != nil {
		c.fail("%s: token expiry unknown: %v%s", name, err, fixAfterAnswer(ctx, err, cl.BaseURL(), timeout))
		return
	}
	days := int(time.Until(d.ExpiresAt).Hours() / 24)
	msg := fmt.Sprintf("%s: API token expires %s (%d days left)", name, d.ExpiresAt.Format("2006-01-02"), days)
	if days < server.TokenWarnDays {
		c.warn("%s — generate a new token for the service user before then", msg)
	} else {
		c.ok("%s", msg)
	}
}

func checkAPI(ctx context.Context, c *checker, src config.Source, cl *sentinelone.Client, api sentinelone.Endpoint) {
	name, timeout := src.Name, src.Timeout
	total, err := cl.Probe(ctx, api, collector.Scope(src))
	switch {
	case sentinelone.FeatureDisabled(err):
		c.warn("%s: %s has nothing to read: %v", name, api, err)
	case err != nil:
		c.fail("%s: %s not readable: %v%s", name, api, err, fixAfterAnswer(ctx, err, cl.BaseURL(), timeout))
	case total != nil:
		c.ok("%s: %s readable (%s records)", name, api, pipeline.Count(*total))
	default:
		c.ok("%s: %s readable", name, api)
	}
}

// firstContactFailure says why the console's first answer failed: nothing
// answered (unreachable, and why), or something answered that is not a
// console, or the console answered with an error.
func firstContactFailure(ctx context.Context, base string, err error) string {
	var ae *sentinelone.APIError
	if !errors.As(err, &ae) || ae.Status == 0 {
		hint := fix(ctx, err, hostOf(base))
		if hint == "" && strings.HasPrefix(base, "http://") && closedConnection(err) {
			hint = " — " + hostOf(base) + " closed the connection: if that port serves HTTPS, write https:// in base_url"
		}
		if hint == "" {
			hint = " — check base_url, DNS, proxy and firewall"
		}
		return fmt.Sprintf("console %s unreachable: %v%s", base, err, hint)
	}
	text := strings.ToLower(ae.Detail + " " + ae.Title)
	switch {
	case strings.Contains(text, "http request was sent to https port"), strings.Contains(text, "http request to an https server"):
		return fmt.Sprintf("console %s answered %v — that port serves HTTPS: write https:// in base_url", base, err)
	case ae.Status == 404 || ae.Status == 405:
		return fmt.Sprintf("%s answered, but not as a SentinelOne console: %v — check base_url is the console's address, like https://tenant.sentinelone.net, with no path", base, err)
	case ae.Status >= 500:
		return fmt.Sprintf("console %s answered with an error: %v — the console, or a proxy in front of it, is failing: try again later; check base_url if it lasts", base, err)
	}
	return fmt.Sprintf("console %s answered with an error: %v — check base_url is the console's address, like https://tenant.sentinelone.net", base, err)
}

// fixAfterAnswer is fix for a check made after the console answered: it
// is not the wrong host, and a request it does not answer in time is slow.
func fixAfterAnswer(ctx context.Context, err error, base string, timeout time.Duration) string {
	var rt *sentinelone.RequestTimeoutError
	if ctx.Err() == nil && errors.As(err, &rt) {
		return fmt.Sprintf(" — the console answered its first request but not this one within --timeout (%s): it is slow for this API; "+
			"try a larger --timeout, and give the source a larger timeout if run fails the same way", timeout)
	}
	return fix(ctx, err, hostOf(base))
}

// fix is " — " and what a connection failure most likely means, or "".
func fix(ctx context.Context, err error, host string) string {
	if ctx.Err() != nil && errors.Is(context.Cause(ctx), errTestLimit) {
		return " — " + context.Cause(ctx).Error() + ": other checks took the time; try a larger --timeout"
	}
	if why := tlsTrust(err, host); why != "" {
		return " — " + why
	}
	if why := httpclient.Explain(err, host); why != "" {
		return " — " + why
	}
	return ""
}

// tlsTrust says why a certificate was refused and what to do, or "".
func tlsTrust(err error, host string) string {
	var unknown x509.UnknownAuthorityError
	var name x509.HostnameError
	var invalid x509.CertificateInvalidError
	switch {
	case errors.As(err, &unknown):
		return fmt.Sprintf("the certificate of %s is signed by an authority this machine does not trust (self-signed, or a TLS-inspecting proxy): "+
			"put that CA in http.ca_file, or in the system's trust store", host)
	case errors.As(err, &name):
		return fmt.Sprintf("the certificate %s presented is for another name: check the host in the URL", host)
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		return fmt.Sprintf("the certificate of %s has expired, or this machine's clock is wrong", host)
	}
	return ""
}

// closedConnection: the peer ended the connection without an answer.
func closedConnection(err error) bool {
	s := err.Error()
	return strings.HasSuffix(s, "EOF") || strings.Contains(s, "connection reset by peer")
}

// hostOf is the host:port of a URL.
func hostOf(u string) string {
	if p, err := url.Parse(u); err == nil && p.Host != "" {
		return p.Host
	}
	return u
}
