package server

import (
	"crypto/subtle"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"

	"s1collector/internal/scrub"
)

// Auth asks for credentials on every request but the probes' (/healthz,
// and /readyz, which then tells its reasons only to an authorized
// request): a bearer token, or a user name and password (basic). Zero: no
// authentication.
type Auth struct {
	BearerToken        string
	Username, Password string
}

func (a Auth) enabled() bool { return a.BearerToken != "" || a.Username != "" }

// securityHeaders are sent with every answer: nothing is sniffed as
// another type, framed, or allowed to load or run anything.
var securityHeaders = map[string]string{
	"X-Content-Type-Options":  "nosniff",
	"X-Frame-Options":         "DENY",
	"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
	"Referrer-Policy":         "no-referrer",
	"Cache-Control":           "no-store",
}

// guard wraps the handler with the security headers, the Host check and
// authentication.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range securityHeaders {
			w.Header().Set(k, v)
		}
		if !s.hostAllowed(r.Host) {
			http.Error(w, fmt.Sprintf("Host %q is not a name of this server: add it to server.hosts", scrub.Control(r.Host)), http.StatusMisdirectedRequest)
			return
		}
		if r.URL.Path != "/healthz" && r.URL.Path != "/readyz" && !s.authorized(r) {
			w.Header().Set("WWW-Authenticate", s.challenge())
			http.Error(w, "credentials required (server.auth)", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// hostAllowed checks the Host header when the server listens on loopback
// (or names were configured), so that a page of another site, its name
// re-pointed at 127.0.0.1 (DNS rebinding), cannot read the status.
func (s *Server) hostAllowed(hostport string) bool {
	c := s.shown()
	if !isLoopback(listenHost(c.Listen)) && len(c.Hosts) == 0 {
		return true
	}
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.ToLower(strings.Trim(host, "[]"))
	return isLoopback(host) || host == strings.ToLower(listenHost(c.Listen)) ||
		slices.ContainsFunc(c.Hosts, func(h string) bool { return strings.EqualFold(h, host) })
}

func (s *Server) authorized(r *http.Request) bool {
	a := s.shown().Auth
	if !a.enabled() {
		return true
	}
	if a.BearerToken != "" {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		return ok && subtle.ConstantTimeCompare([]byte(got), []byte(a.BearerToken)) == 1
	}
	user, pass, ok := r.BasicAuth()
	return ok && subtle.ConstantTimeCompare([]byte(user), []byte(a.Username)) == 1 &&
		subtle.ConstantTimeCompare([]byte(pass), []byte(a.Password)) == 1
}

func (s *Server) challenge() string {
	if s.shown().Auth.BearerToken != "" {
		return `Bearer realm="s1collector"`
	}
	return `Basic realm="s1collector", charset="UTF-8"`
}

// listenHost is the host of a listen address ("" for all interfaces); an
// empty address is the default, on loopback.
func listenHost(listen string) string {
	if listen == "" {
		listen = DefaultListen
	}
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return listen
	}
	return host
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
