package server

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"s1collector/internal/collector"
	"s1collector/internal/delivery"
	"s1collector/internal/emulator"
	"s1collector/internal/pipeline"
	"s1collector/internal/sentinelone"
	"s1collector/internal/state"
)

const secret = "tok-VERY-SECRET-42"

// world is an emulated console, a state file and a quiet log.
func world(t *testing.T, cfg emulator.Config) (*emulator.Emulator, state.Store, *slog.Logger) {
	t.Helper()
	emu, err := emulator.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	st, err := state.OpenBolt(t.TempDir() + "/s.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return emu, st, slog.New(slog.NewTextHandler(io.Discard, nil))
}

// fixture runs one cycle of a healthy source and a source whose token
// the console refuses, and serves their status.
func fixture(t *testing.T) *httptest.Server { return fixtureWith(t, Auth{}) }

// fixtureWith is fixture with the server asking for auth.
func fixtureWith(t *testing.T, auth Auth) *httptest.Server {
	t.Helper()
	return serveSources(t, 72*time.Hour, nil, auth)
}

// serveSources runs one activities cycle of each source, with a look-back,
// and serves their status with saved series (nil: none), asking for auth
// (zero: none).
func serveSources(t *testing.T, lookback time.Duration, saved SeriesReader, auth Auth) *httptest.Server {
	t.Helper()
	return serveSourcesLogging(t, lookback, saved, auth, io.Discard)
}

// serveSourcesLogging is serveSources, the server logging to logs.
func serveSourcesLogging(t *testing.T, lookback time.Duration, saved SeriesReader, auth Auth, logs io.Writer) *httptest.Server {
	t.Helper()
	emu, st, _ := world(t, emulator.Config{Agents: 30, HistoryActivities: 40, HistoryThreats: 3, RateLimits: map[string]emulator.RateLimit{},
		Tokens: []emulator.Token{{Value: secret}}})
	log := slog.New(slog.NewTextHandler(logs, nil))
	clients := map[string]*sentinelone.Client{}
	var sources []Source
	for _, name := range []string{"healthy", "expired"} {
		token := secret
		if name == "expired" {
			token = "wrong-token"
		}
		c, _ := sentinelone.New(sentinelone.Config{BaseURL: "http://localhost", Token: token}, &http.Client{Transport: emu.Transport()})
		clients[name] = c
		s := &pipeline.Stream{Source: delivery.SourceInfo{Name: name}, API: sentinelone.Activities, Lister: c, Store: st,
			Outputs: []delivery.Output{}, Lookback: lookback, Interval: time.Hour, Now: emu.Now, Log: log,
			Status: pipeline.NewStatus(name, "activities")}
		(&pipeline.Collector{Streams: []*pipeline.Stream{s}, Log: log}).Once(t.Context(), nil)
		sources = append(sources, Source{Name: name, Streams: []*pipeline.Stream{s}})
	}
	srv, err := New(Config{Version: "test", Sources: sources, Clients: clients, Tokens: collector.NewTokens(), Log: log, Auth: auth,
		Redact: strings.NewReplacer(secret, "[redacted]").Replace, Series: saved})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.srv.Handler)
	t.Cleanup(ts.Close)
	return ts
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestStatusReadinessAndMetrics(t *testing.T) {
	ts := fixture(t)
	code, body := get(t, ts.URL+"/readyz")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "expired/activities: stopped") {
		t.Errorf("readyz: %d %s", code, body)
	}
	code, body = get(t, ts.URL+"/api/status")
	var st Status
	if err := json.Unmarshal([]byte(body), &st); err != nil || code != 200 {
		t.Fatalf("api/status: %d %v", code, err)
	}
	healthy, expired := st.Sources[0].Streams[0], st.Sources[1].Streams[0]
	if healthy.State != "ok" || healthy.Delivered != 40 || expired.State != "stopped" || !strings.Contains(expired.Fix, "generate a new one") {
		t.Errorf("streams: %+v / %+v", healthy, expired)
	}
	if len(expired.Failures) != 1 || len(expired.History) != 1 {
		t.Errorf("history of the failing stream: %+v", expired)
	}
	_, metrics := get(t, ts.URL+"/metrics")
	for _, want := range []string{
		`s1collector_events_delivered_total{source="healthy",stream="activities"} 40`,
		`s1collector_api_requests_total{code="4xx",endpoint="activities",source="expired"} 1`,
		`s1collector_cycles_total{result="failed",source="expired",stream="activities"} 1`,
		`s1collector_stream_state{source="expired",state="stopped",stream="activities"} 1`,
		`s1collector_build_info{goversion=`,
		`process_resident_memory_bytes`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	_, page := get(t, ts.URL+"/")
	for _, want := range []string{"Console healthy", "Console expired", "stopped", "Fix:", "Not ready"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	for _, p := range []string{"/", "/api/status", "/metrics", "/readyz"} {
		if _, b := get(t, ts.URL+p); strings.Contains(b, secret) {
			t.Errorf("%s shows the token", p)
		}
	}
	if code, _ := get(t, ts.URL+"/healthz"); code != 200 {
		t.Errorf("healthz %d", code)
	}
}

func TestTokenExpiryHighlight(t *testing.T) {
	now := time.Now()
	tokens := map[string]collector.TokenState{"a": {ExpiresAt: now.Add(10 * 24 * time.Hour)}, "b": {ExpiresAt: now.Add(100 * 24 * time.Hour)}}
	st := build("v", now, now, []Source{{Name: "a"}, {Name: "b"}}, nil, tokens, func(s string) string { return s })
	if !st.Sources[0].TokenWarning || st.Sources[1].TokenWarning || *st.Sources[0].TokenDaysLeft != 10 || st.Sources[0].TokenExpired {
		t.Fatalf("%+v %+v", st.Sources[0], st.Sources[1])
	}
}

// TestExpiredTokenBanner: once the expiry date has passed, the page says
// the token expired, not that it "expires in 0 day(s) … before then".
func TestExpiredTokenBanner(t *testing.T) {
	now := time.Now()
	tokens := map[string]collector.TokenState{"a": {ExpiresAt: now.Add(-time.Hour)}}
	st := build("v", now, now, []Source{{Name: "a"}}, nil, tokens, func(s string) string { return s })
	srv, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := srv.page.Execute(&b, st); err != nil {
		t.Fatal(err)
	}
	if page := b.String(); !st.Sources[0].TokenExpired || !strings.Contains(page, "API token expired on") || strings.Contains(page, "before then") {
		t.Errorf("page for an expired token:\n%s", page)
	}
}

func TestWaitingStreamIsReadyWithinItsFirstInterval(t *testing.T) {
	s := &pipeline.Stream{Interval: time.Hour, Status: pipeline.NewStatus("a", "agents")}
	now := time.Now()
	if st := build("v", now, now, []Source{{Name: "a", Streams: []*pipeline.Stream{s}}}, nil, nil, func(s string) string { return s }); !st.Ready {
		t.Fatalf("not ready at start: %v", st.Reasons)
	}
	if st := build("v", now.Add(-2*time.Hour), now, []Source{{Name: "a", Streams: []*pipeline.Stream{s}}}, nil, nil, func(s string) string { return s }); st.Ready {
		t.Fatal("ready after an interval without a cycle")
	}
}

// TestDisabledStreamIsNotCountedOk: a STAR alerts stream on a scope
// without Custom Rules is shown disabled in its cycles and metrics, not ok.
func TestDisabledStreamIsNotCountedOk(t *testing.T) {
	emu, st, log := world(t, emulator.Config{Agents: 5, NoCustomRules: true, RateLimits: map[string]emulator.RateLimit{}})
	c, _ := sentinelone.New(sentinelone.Config{BaseURL: "http://localhost", Token: emulator.DefaultToken}, &http.Client{Transport: emu.Transport()})
	s := &pipeline.Stream{Source: delivery.SourceInfo{Name: "star"}, API: sentinelone.StarAlerts, Lister: c, Store: st, Outputs: []delivery.Output{},
		Lookback: time.Hour, Interval: time.Hour, Now: emu.Now, Log: log, Status: pipeline.NewStatus("star", "cloud_detection_alerts")}
	(&pipeline.Collector{Streams: []*pipeline.Stream{s}, Log: log}).Once(t.Context(), nil)
	srv, err := New(Config{Version: "test", Sources: []Source{{Name: "star", Streams: []*pipeline.Stream{s}}},
		Clients: map[string]*sentinelone.Client{"star": c}, Tokens: collector.NewTokens(), Log: log})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.srv.Handler)
	t.Cleanup(ts.Close)
	_, metrics := get(t, ts.URL+"/metrics")
	for _, want := range []string{`s1collector_cycles_total{result="disabled",source="star",stream="cloud_detection_alerts"} 1`,
		`s1collector_cycles_total{result="ok",source="star",stream="cloud_detection_alerts"} 0`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if _, page := get(t, ts.URL+"/"); !strings.Contains(page, "<td>disabled</td>") {
		t.Errorf("the cycle is not shown disabled")
	}
}
