package emulator

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"
)

const prefix = "/web/api/v2.1/"

// Handler serves the Management API under /web/api/v2.1/.
func (e *Emulator) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+prefix+"system/status", e.systemStatus)
	routes := []struct {
		pattern, endpoint string
		h                 handlerFunc
	}{
		{"GET " + prefix + "system/info", "system/info", e.systemInfo},
		{"GET " + prefix + "agents", "agents", e.list},
		{"GET " + prefix + "agents/count", "agents/count", e.count},
		{"GET " + prefix + "activities", "activities", e.list},
		{"GET " + prefix + "activities/types", "activities/types", e.activityTypes},
		{"GET " + prefix + "threats", "threats", e.list},
		{"GET " + prefix + "user", "user", e.user},
		{"POST " + prefix + "users/api-token-details", "users/api-token-details", e.tokenDetails},
		{"GET " + prefix + "users/{id}/api-token-details", "users/api-token-details", e.tokenDetails},
	}
	for _, rt := range routes {
		mux.Handle(rt.pattern, e.guard(rt.endpoint, rt.h))
	}
	mux.Handle("POST "+prefix+"unifiedalerts/graphql", e.guardWith("alerts", e.authenticateGraphQL, e.graphql))
	mux.Handle("GET "+prefix+"cloud-detection/alerts", e.guard("cloud-detection/alerts", e.starAlerts))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		e.countRequest(strings.TrimPrefix(r.URL.Path, prefix))
		writeError(w, http.StatusNotFound, 4040010, "Requested resource was not found", "")
	})
	return e.dated(mux)
}

// dated sets each answer's Date from the emulated clock, as a console
// dates its answers by its own clock; net/http would give this host's.
func (e *Emulator) dated(h http.Handler) http.Handler {
	if e.cfg.HostDate {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", e.Now().UTC().Format(http.TimeFormat))
		h.ServeHTTP(w, r)
	})
}

// call is what a handler knows of its request beyond HTTP.
type call struct {
	endpoint string
	token    Token
	fault    Fault
}

type handlerFunc func(w http.ResponseWriter, r *http.Request, c *call)

// guard applies, in order: request counting, authentication, permissions,
// the per-token rate limit and injected faults.
func (e *Emulator) guard(endpoint string, h handlerFunc) http.Handler {
	return e.guardWith(endpoint, e.authenticate, h)
}

// guardWith is guard with the endpoint's own way of authenticating.
func (e *Emulator) guardWith(endpoint string, auth func(*http.Request) (Token, bool), h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.countRequest(endpoint)
		tok, ok := auth(r)
		if !ok {
			writeError(w, http.StatusUnauthorized, 4010010, "Authentication Failed", nil)
			return
		}
		family := strings.Split(endpoint, "/")[0]
		if slices.Contains(tok.Deny, family) {
			writeError(w, http.StatusForbidden, 4030010, "Insufficient permissions", nil)
			return
		}
		c := &call{endpoint: endpoint, token: tok}
		if e.throttled(tok.Value, family) {
			e.inject("rate-limit")
			writeThrottle(w, false)
			return
		}
		c.fault = e.faultFor(endpoint, family)
		if !e.injectFaults(w, r, c) {
			h(w, r, c)
		}
	})
}

func (e *Emulator) countRequest(endpoint string) {
	e.mu.Lock()
	e.requests[endpoint]++
	e.mu.Unlock()
}

// authenticate accepts "ApiToken <t>" (any case, as the official SDK sends
// "APIToken") and "Token <t>", for a known token that has not expired.
func (e *Emulator) authenticate(r *http.Request) (Token, bool) {
	scheme, value, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	if !ok || (!strings.EqualFold(scheme, "ApiToken") && !strings.EqualFold(scheme, "Token")) {
		return Token{}, false
	}
	t, ok := e.findToken(value)
	return t, ok && e.clock.now().Before(t.ExpiresAt)
}

func (e *Emulator) throttled(token, family string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	lim := e.limiter(token, family)
	return lim != nil && !lim.Allow()
}

// faultFor finds an endpoint's faults: set for the endpoint itself
// ("agents/count"), else for its family ("agents"), else for "*".
func (e *Emulator) faultFor(endpoint, family string) Fault {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, k := range []string{endpoint, family} {
		if f, ok := e.faults[k]; ok {
			return f
		}
	}
	return e.faults["*"]
}

// draw reports true with probability p, from the seeded generator.
func (e *Emulator) draw(p float64) bool {
	if p <= 0 {
		return false
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.rng.Float64() < p
}

// injectFaults applies latency and the faults that replace the answer; it
// reports whether it answered.
func (e *Emulator) injectFaults(w http.ResponseWriter, r *http.Request, c *call) bool {
	if c.fault.Latency > 0 {
		t := time.NewTimer(c.fault.Latency)
		select {
		case <-r.Context().Done():
			t.Stop()
			return true
		case <-t.C:
		}
	}
	switch {
	case e.draw(c.fault.Throttle):
		e.inject("throttle")
		writeThrottle(w, e.draw(0.5))
	case e.draw(c.fault.ServerErrors):
		e.inject("5xx")
		e.writeServerError(w)
	case e.draw(c.fault.Malformed):
		e.inject("malformed")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`<html><body>upstream sent an invalid response</body></html>`))
	default:
		return false
	}
	return true
}

func (e *Emulator) writeServerError(w http.ResponseWriter) {
	e.mu.Lock()
	n := e.rng.IntN(3)
	e.mu.Unlock()
	switch n {
	case 0:
		writeJSON(w, http.StatusInternalServerError, map[string]any{"timestamp": time.Now().UTC().Format(time.RFC3339), "status": 500,
			"error": "Internal Server Error", "path": "/web/api/v2.1/"})
	case 1:
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = w.Write([]byte("Bad Gateway"))
	default:
		writeError(w, http.StatusServiceUnavailable, 5030010, "Service Unavailable", "Service is temporarily unavailable.")
	}
}

// nginxThrottle is the body real consoles send with 429.
const nginxThrottle = "<html>\r\n<head><title>429 Too Many Requests</title></head>\r\n<body>\r\n<center><h1>429 Too Many Requests</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"

func writeThrottle(w http.ResponseWriter, retryAfter bool) {
	if retryAfter {
		w.Header().Set("Retry-After", "1")
	}
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(http.StatusTooManyRequests)
	_, _ = w.Write([]byte(nginxThrottle))
}

// writeError writes the console's error envelope; detail may be nil (JSON
// null) as real consoles send for 401 and 403.
func writeError(w http.ResponseWriter, status, code int, title string, detail any) {
	writeJSON(w, status, map[string]any{"errors": []map[string]any{{"code": code, "title": title, "detail": detail}}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"errors":[{"code":5000010,"title":"Internal Server Error","detail":null}]}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
