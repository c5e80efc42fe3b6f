package server

import (
	"context"
	"crypto/tls"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"s1collector/internal/collector"
	"s1collector/internal/sentinelone"
)

// DefaultListen is where the server listens unless told otherwise: on
// loopback, so exposing it is an explicit choice.
const DefaultListen = "127.0.0.1:9464"

// Config is what the server shows, and how it is protected.
type Config struct {
	Listen string
	// Hosts are names the server answers to besides loopback ones and its
	// listen address (the Host header is checked on loopback).
	Hosts []string
	Auth  Auth
	// CertFile and KeyFile, when set, serve HTTPS.
	CertFile, KeyFile string
	Version           string
	Sources           []Source
	Clients           map[string]*sentinelone.Client
	Tokens            *collector.Tokens
	// Redact removes secrets from texts shown (errors carry peers' answers).
	Redact func(string) string
	Log    *slog.Logger
	// Cluster, when replicas share the streams, tells who holds which.
	Cluster Cluster
	// Series, when set, holds the streams' saved series: their charts,
	// today's counts and whether they went quiet survive restarts.
	Series SeriesReader
}

// Server serves /metrics, /healthz, /readyz, / and /api/status.
type Server struct {
	mu      sync.RWMutex // guards what cfg shows: Sources, Clients, Tokens, Redact, and Hosts and Auth
	cfg     Config
	started time.Time
	srv     *http.Server
	ln      net.Listener
	tls     bool // HTTPS
	page    *template.Template
	series  seriesCache
	// future is set once the server has logged that the saved series hold
	// buckets dated in the future.
	future atomic.Bool
}

//go:embed templates/status.html
var templates embed.FS

// New builds the server.
func New(cfg Config) (*Server, error) {
	if cfg.Redact == nil {
		cfg.Redact = func(s string) string { return s }
	}
	if cfg.Tokens == nil {
		cfg.Tokens = collector.NewTokens()
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	page, err := template.New("status.html").Funcs(pageFuncs).ParseFS(templates, "templates/status.html")
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, started: time.Now(), page: page}
	reg := prometheus.NewRegistry()
	registerer(reg, cfg.Cluster).MustRegister(metrics{srv: s}, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.HandleFunc("GET /api/status", s.apiStatus)
	mux.HandleFunc("GET /{$}", s.statusPage)
	s.srv = &http.Server{Handler: s.guard(mux), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(cfg.Log.Handler(), slog.LevelWarn)}
	if cfg.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(cfg.CertFile, cfg.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("server.tls: %w", err)
		}
		s.srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
		s.tls = true
	}
	return s, nil
}

// Start listens and serves in the background. Listening beyond loopback is
// logged as a warning, louder without authentication or TLS.
func (s *Server) Start() error {
	ln, err := net.Listen("tcp", s.cfg.Listen)
	if err != nil {
		return err
	}
	s.warnIfExposed(ln.Addr())
	s.ln = ln
	serve := s.srv.Serve
	if s.tls {
		serve = func(ln net.Listener) error { return s.srv.ServeTLS(ln, "", "") }
	}
	go func() {
		if err := serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.cfg.Log.Error("status server stopped", "error", err)
		}
	}()
	return nil
}

func (s *Server) warnIfExposed(addr net.Addr) {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok || tcp.IP.IsLoopback() {
		return
	}
	switch {
	case !s.cfg.Auth.enabled():
		s.cfg.Log.Warn("the status server listens beyond loopback without authentication: anyone who reaches it reads "+
			"the status, errors and metrics — set server.auth (and server.tls), or listen on 127.0.0.1", "address", addr.String())
	case !s.tls:
		s.cfg.Log.Warn("the status server listens beyond loopback without TLS: its credentials cross the network in clear text — set server.tls",
			"address", addr.String())
	default:
		s.cfg.Log.Info("the status server listens beyond loopback, with authentication and TLS", "address", addr.String())
	}
}

// Addr is the address the server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// URL is the status page's address.
func (s *Server) URL() string {
	if s.tls {
		return "https://" + s.Addr() + "/"
	}
	return "http://" + s.Addr() + "/"
}

// TLS reports whether the server speaks HTTPS.
func (s *Server) TLS() bool { return s.tls }

// Shutdown stops serving; it is safe to call without Start.
func (s *Server) Shutdown(ctx context.Context) error {
	if s.ln == nil {
		return nil
	}
	return s.srv.Shutdown(ctx)
}

// Update shows another collector: after a reload, its streams, clients,
// tokens and secrets to redact replace the previous ones.
func (s *Server) Update(sources []Source, clients map[string]*sentinelone.Client, tokens *collector.Tokens, redact func(string) string) {
	if redact == nil {
		redact = func(s string) string { return s }
	}
	if tokens == nil {
		tokens = collector.NewTokens()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cfg.Sources, s.cfg.Clients, s.cfg.Tokens, s.cfg.Redact = sources, clients, tokens, redact
}

// Protect replaces the names the server answers to and its credentials:
// after a reload. (Whether it speaks TLS is fixed when it starts.)
func (s *Server) Protect(hosts []string, auth Auth) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cfg.Hosts, s.cfg.Auth = hosts, auth
}

// SetCluster shows another lease manager: after a reload, the replica's
// new one.
func (s *Server) SetCluster(c Cluster) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cfg.Cluster = c
}

// shown is what the server shows now.
func (s *Server) shown() Config {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.cfg
}

// Status returns the collector's state now.
func (s *Server) Status() Status {
	c := s.shown()
	now := time.Now()
	saved, serr := s.savedSeries(c.Series, now, seriesMark(c.Sources))
	s.tellFuture(c.Log, saved, now)
	st := build(c.Version, s.started, now, c.Sources, saved, c.Tokens.Snapshot(), c.Redact)
	if serr != "" {
		st.SeriesError = c.Redact(serr)
	}
	addClocks(&st, c.Clients)
	if c.Cluster != nil {
		addCluster(&st, c.Cluster.Snapshot(), c.Redact)
	}
	return st
}

func (s *Server) apiStatus(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.Status())
}

// readyz is 503 when a stream is stopped, fails without having completed a
// cycle since the start, has been failing for more than two intervals, or
// has not started within its first interval (notReady) — with the reasons
// when the request may read them; 200 otherwise.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	st := s.Status()
	if st.Ready {
		writeJSON(w, http.StatusOK, map[string]any{"ready": true})
		return
	}
	if !s.authorized(r) { // a probe without credentials: the answer, not the errors
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"ready": false})
		return
	}
	writeJSON(w, http.StatusServiceUnavailable, map[string]any{"ready": false, "reasons": st.Reasons})
}

func (s *Server) statusPage(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := s.page.Execute(w, s.Status()); err != nil {
		s.cfg.Log.Error("render status page", "error", err)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	b, _ := json.MarshalIndent(v, "", "  ")
	w.Write(append(oneLineNumbers(b), '\n'))
}
