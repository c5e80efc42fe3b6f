package httpclient

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"
)

// Explain says what a failed connection to host most likely means and what
// to check, or "" when err is not a connection failure (an HTTP answer, a
// certificate that did not verify: those say it themselves).
func Explain(err error, host string) string {
	var dns *net.DNSError
	var rec tls.RecordHeaderError
	var op *net.OpError
	errors.As(err, &op) // the address dialled, when there is one
	switch {
	case err == nil:
		return ""
	case errors.As(err, &dns) && dns.IsNotFound:
		return fmt.Sprintf("the name %s does not exist in DNS: check its spelling; an internal name may need the right DNS server or a proxy", dns.Name)
	case errors.As(err, &dns):
		return fmt.Sprintf("the name %s could not be resolved (%s): check the DNS settings, or whether a proxy is needed", dns.Name, dns.Err)
	case op != nil && op.Op == "proxyconnect":
		return fmt.Sprintf("the proxy %s could not be used: check proxy_url or HTTPS_PROXY", addr(op, "configured"))
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Sprintf("nothing accepts connections at %s: check the port (https is 443) and that the service runs there", addr(op, host))
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return fmt.Sprintf("no route to %s: check the network, a firewall, or whether a proxy (proxy_url, HTTPS_PROXY) is needed", addr(op, host))
	case errors.As(err, &rec), strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		return fmt.Sprintf("%s does not speak TLS on that port: check the scheme and port of the URL", host)
	case op != nil && op.Op == "dial" && op.Timeout():
		return fmt.Sprintf("%s did not accept the connection in time: a firewall may drop it, or a proxy (proxy_url, HTTPS_PROXY) is needed", addr(op, host))
	case errors.Is(err, context.DeadlineExceeded), isTimeout(err):
		return fmt.Sprintf("%s did not answer within the timeout: check it is the right host, or that a proxy is not needed; a slow service needs a larger timeout", host)
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return fmt.Sprintf("%s closed the connection: a proxy or firewall may be interfering, or the port serves something else", host)
	}
	return ""
}

// addr is the address a network operation used, else fallback.
func addr(op *net.OpError, fallback string) string {
	if op != nil && op.Addr != nil {
		return op.Addr.String()
	}
	return fallback
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
