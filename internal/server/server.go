package server

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
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

// Config is what the server shows.
type Config struct {
	Listen  string
	Version string
	Sources []Source
	Clients map[string]*sentinelone.Client
	Tokens  *collector.Tokens
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
	mu      sync.RWMutex // guards what cfg shows: Sources, Clients, Tokens, Redact
	cfg     Config
	started time.Time
	srv     *http.Server
	ln      net.Listener
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
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	return s, nil
}

// Start listens and serves in the background.
func (s *Server) Start() error {
	ln, err := net.Listen("tcp", s.cfg.Listen)
	if err != nil {
		return err
	}
	s.ln = ln
	go func() {
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.cfg.Log.Error("status server stopped", "error", err)
		}
	}()
	return nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

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

// readyz is 503 with the reasons when a stream is stopped, fails without
// having completed a cycle since the start, has been failing for more than
// two intervals, or has not started within its first interval (notReady);
// 200 otherwise.
func (s *Server) readyz(w http.ResponseWriter, _ *http.Request) {
	st := s.Status()
	if st.Ready {
		writeJSON(w, http.StatusOK, map[string]any{"ready": true})
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
