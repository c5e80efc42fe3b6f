package server

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"s1collector/internal/emulator"
	"s1collector/internal/pipeline"
	"s1collector/internal/sentinelone"
)

// TestConsoleClockAndSlowRequestShown: a console whose clock is 3 hours
// behind this host's is said on the page (a banner with what to check), in
// /api/status and in /metrics; one in step is not warned about. A request
// still waiting for the console's answer shows on its stream.
func TestConsoleClockAndSlowRequestShown(t *testing.T) {
	var clients = map[string]*sentinelone.Client{}
	var sources []Source
	for name, start := range map[string]time.Time{"late": time.Now().Add(-3 * time.Hour), "inStep": time.Now()} {
		emu, err := emulator.New(emulator.Config{Agents: 1, Start: start, Speed: 1})
		if err != nil {
			t.Fatal(err)
		}
		c, err := sentinelone.New(sentinelone.Config{BaseURL: "http://localhost", Token: emulator.DefaultToken}, &http.Client{Transport: emu.Transport()})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.SyncClock(t.Context()); err != nil {
			t.Fatal(err)
		}
		clients[name] = c
		st := pipeline.NewStatus(name, "agents")
		sources = append(sources, Source{Name: name, Streams: []*pipeline.Stream{{API: sentinelone.Agents, Interval: time.Minute, Status: st}}})
	}
	srv, err := New(Config{Version: "test", Sources: sources, Clients: clients})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.srv.Handler)
	defer ts.Close()

	st := srv.Status()
	for _, src := range st.Sources {
		if src.ClockSkewSeconds == nil {
			t.Errorf("%s: no clock skew", src.Name)
			continue
		}
		skew := *src.ClockSkewSeconds
		switch src.Name {
		case "late":
			if skew > -3*3600+5 || skew < -3*3600-5 || !strings.Contains(src.ClockWarning, "The console's clock is 3h 0m behind this host's") {
				t.Errorf("late console: skew %.0fs, warning %q", skew, src.ClockWarning)
			}
		case "inStep":
			if skew > 5 || skew < -5 || src.ClockWarning != "" {
				t.Errorf("console in step: skew %.0fs, warning %q", skew, src.ClockWarning)
			}
		}
	}
	if _, page := get(t, ts.URL+"/"); strings.Count(page, "The console&#39;s clock is") != 1 || !strings.Contains(page, "check this host&#39;s time synchronisation") {
		t.Errorf("the page does not warn of the late console's clock once")
	}
	if _, metrics := get(t, ts.URL+"/metrics"); !strings.Contains(metrics, `s1collector_console_clock_skew_seconds{source="late"} -10`) {
		t.Errorf("no clock skew metric for the late console")
	}

	now := time.Now()
	v := pipeline.StatusSnapshot{Source: "late", Stream: "agents", Phase: pipeline.PhaseSyncing, Total: -1,
		Slow: &pipeline.Slow{Endpoint: "agents", Since: now.Add(-20 * time.Second), Timeout: time.Minute, TimesOut: now.Add(40 * time.Second)}}
	s := streamStatus(v, time.Minute, 0, now, func(s string) string { return s })
	var b strings.Builder
	if err := srv.page.Execute(&b, Status{Now: now, Sources: []SourceStatus{{Name: "late", Streams: []StreamStatus{s}}}}); err != nil {
		t.Fatal(err)
	}
	if want := "agents: sent 20s ago, no answer yet; the request timeout (1m0s) gives up in 40s"; !strings.Contains(b.String(), want) {
		t.Errorf("the page lacks %q", want)
	}
}
