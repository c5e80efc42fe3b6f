package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"s1collector/internal/emulator"
	"s1collector/internal/ocsf/ocsfcheck"
	"s1collector/internal/sentinelone"
	"s1collector/internal/transform"
)

// alertKey is one version of an alert as delivered: its OCSF metadata.uid
// (id and updatedAt in milliseconds).
func alertKey(id string, at time.Time) string { return fmt.Sprintf("%s-%d", id, at.UnixMilli()) }

// alertsOverTime polls the alerts stream every interval for span while
// the console creates and updates alerts, and returns every version
// delivered (with how often) and every version the console showed at a
// poll: what a collector could have seen.
func alertsOverTime(t *testing.T, ecfg emulator.Config, delay, interval, span time.Duration) (delivered map[string]int, shown map[string]bool) {
	ecfg.RateLimits = map[string]emulator.RateLimit{}
	emu, err := emulator.New(ecfg)
	if err != nil {
		t.Fatal(err)
	}
	out := &fakeOutput{name: "o"}
	s := newStream(t, emu, sentinelone.Alerts, newMemStore(), out)
	s.Profile, s.Delay = transform.ProfileOCSF, delay
	s.Lister = alertsClient(t, emu, 5)
	shown = map[string]bool{}
	for elapsed := time.Duration(0); elapsed <= span; elapsed += interval {
		for _, r := range emu.Alerts() {
			if delay == 0 || r.UpdatedAt.Before(emu.Now().Add(-delay)) { // the stream reads updatedAt < now - delay
				shown[alertKey(r.ID, r.UpdatedAt)] = true
			}
		}
		if _, err := s.Cycle(t.Context(), nil); err != nil {
			t.Fatal(err)
		}
		emu.Advance(interval)
	}
	delivered = map[string]int{}
	for _, e := range out.events {
		if err := ocsfcheck.Check(e.Body); err != nil {
			t.Fatalf("alert %s is not strict OCSF: %v", e.ID, err)
		}
		var ev struct{ Metadata struct{ UID string } }
		_ = json.Unmarshal(e.Body, &ev)
		delivered[ev.Metadata.UID]++
	}
	return delivered, shown
}

func compareVersions(t *testing.T, delivered map[string]int, shown map[string]bool) {
	t.Helper()
	for k, n := range delivered {
		if n > 1 {
			t.Errorf("alert version %s delivered %d times", k, n)
		}
		if !shown[k] {
			t.Errorf("alert version %s delivered but never shown by the console", k)
		}
	}
	lost := 0
	for k := range shown {
		if delivered[k] == 0 {
			lost++
		}
	}
	if lost > 0 {
		t.Errorf("%d of %d alert versions the console showed were never delivered", lost, len(shown))
	}
}

// TestAlertsStreamDeliversEveryVersionOnce: 30 emulated minutes of new and
// updated alerts (pairs sharing a millisecond, pages of five), polled every
// minute: every version the console showed is delivered, once.
func TestAlertsStreamDeliversEveryVersionOnce(t *testing.T) {
	delivered, shown := alertsOverTime(t, emulator.Config{Seed: 6, Agents: 20, HistoryAlerts: 40,
		AlertsPerHour: 120, AlertUpdatesPerHour: 120}, 0, time.Minute, 30*time.Minute)
	if len(shown) < 80 {
		t.Fatalf("only %d versions: the scenario is too quiet", len(shown))
	}
	compareVersions(t, delivered, shown)
}

// TestLateAlertsAreCollectedWithADelay: with a third of versions indexed
// one to four minutes late, a source delay of five minutes still
// collects every version once (reading only what is older than the
// console's indexing lag).
func TestLateAlertsAreCollectedWithADelay(t *testing.T) {
	delivered, shown := alertsOverTime(t, emulator.Config{Seed: 7, Agents: 20, HistoryAlerts: 20,
		AlertsPerHour: 120, AlertUpdatesPerHour: 60, LateAlerts: 0.3}, 5*time.Minute, time.Minute, 40*time.Minute)
	compareVersions(t, delivered, shown)
}

// syncBuffer is a log sink safe for the collector's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestStarAlertsWithoutCustomRulesWarnOnce: a console answering the STAR
// alerts endpoint with 403 "Custom Rules not enabled" disables that
// stream with one warning and one request; activities go on.
func TestStarAlertsWithoutCustomRulesWarnOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu, err := emulator.New(emulator.Config{Agents: 10, NoCustomRules: true, RateLimits: map[string]emulator.RateLimit{}})
		if err != nil {
			t.Fatal(err)
		}
		store := newMemStore()
		var logs syncBuffer
		acts := newStream(t, emu, sentinelone.Activities, store, &fakeOutput{name: "o"})
		star := newStream(t, emu, sentinelone.StarAlerts, store, &fakeOutput{name: "o"})
		star.Log = slog.New(slog.NewTextHandler(&logs, nil))
		c := &Collector{Streams: []*Stream{acts, star}, Log: star.Log}
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() { c.Run(context.Background(), stop); close(done) }()
		time.Sleep(5*time.Minute - time.Second)
		synctest.Wait()
		close(stop)
		<-done
		st := star.Status.Snapshot()
		if st.Phase != PhaseDisabled || !strings.Contains(st.Hint, "Custom Rules") || st.LastError != "" {
			t.Fatalf("STAR alerts status: %+v", st)
		}
		if got := emu.Requests("cloud-detection/alerts"); got != 1 {
			t.Errorf("%d requests to a disabled endpoint, want 1", got)
		}
		if n := strings.Count(logs.String(), "level=WARN"); n != 1 || strings.Contains(logs.String(), "level=ERROR") {
			t.Errorf("want one warning and no error:\n%s", logs.String())
		}
		if got := emu.Requests("activities"); got < 6 {
			t.Errorf("activities stopped too: %d requests", got)
		}
	})
}

// TestOCSFProfileMapsEveryStream: with profile ocsf, threats, activities
// and both kinds of alerts are delivered as strict OCSF, with the source's
// metadata kept under unmapped.
func TestOCSFProfileMapsEveryStream(t *testing.T) {
	emu, err := emulator.New(emulator.Config{Agents: 30, HistoryActivities: 200, HistoryThreats: 20, HistoryAlerts: 20,
		HistoryStarAlerts: 20, RateLimits: map[string]emulator.RateLimit{}})
	if err != nil {
		t.Fatal(err)
	}
	for _, api := range []sentinelone.Endpoint{sentinelone.Threats, sentinelone.Activities, sentinelone.Alerts, sentinelone.StarAlerts} {
		out := &fakeOutput{name: "o"}
		s := newStream(t, emu, api, newMemStore(), out)
		s.Profile = transform.ProfileOCSF
		if _, err := s.Cycle(t.Context(), nil); err != nil {
			t.Fatalf("%s: %v", api, err)
		}
		if len(out.events) < 20 {
			t.Fatalf("%s: %d events", api, len(out.events))
		}
		for _, e := range out.events {
			if err := ocsfcheck.Check(e.Body); err != nil || !e.MetaInUnmapped {
				t.Fatalf("%s event %s: %v (metadata in unmapped: %v)", api, e.ID, err, e.MetaInUnmapped)
			}
		}
	}
}

// alertsClient is a client that pages alerts pageSize at a time.
func alertsClient(t *testing.T, emu *emulator.Emulator, pageSize int) *sentinelone.Client {
	t.Helper()
	c, err := sentinelone.New(sentinelone.Config{BaseURL: "http://localhost", Token: emulator.DefaultToken, PageSize: pageSize,
		RateLimits: map[string]sentinelone.RateLimit{"alerts": {Rate: 1e6, Burst: 100}}}, &http.Client{Transport: emu.Transport()})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestStarAlertsIncrements: STAR alerts are checkpointed on
// alertInfo.createdAt: a second cycle brings exactly the new ones.
func TestStarAlertsIncrements(t *testing.T) {
	emu, err := emulator.New(emulator.Config{Agents: 10, HistoryStarAlerts: 25, StarAlertsPerHour: 60, RateLimits: map[string]emulator.RateLimit{}})
	if err != nil {
		t.Fatal(err)
	}
	out := &fakeOutput{name: "o"}
	s := newStream(t, emu, sentinelone.StarAlerts, newMemStore(), out)
	for range 3 {
		if _, err := s.Cycle(t.Context(), nil); err != nil {
			t.Fatal(err)
		}
		emu.Advance(10 * time.Minute)
	}
	ids := map[string]int{}
	for _, e := range out.events {
		ids[e.ID]++
	}
	want := emu.StarAlerts()
	if len(want) < 40 || len(ids) != len(want)-10 || len(out.events) != len(ids) { // the last 10 minutes are not collected yet
		t.Fatalf("%d events, %d distinct; the console has %d STAR alerts", len(out.events), len(ids), len(want))
	}
}
