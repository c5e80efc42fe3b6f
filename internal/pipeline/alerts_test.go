package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"s1collector/internal/delivery"
	"s1collector/internal/emulator"
	"s1collector/internal/ocsf/ocsfcheck"
	"s1collector/internal/sentinelone"
	"s1collector/internal/transform"
)

// alertKey is one version of an alert as delivered: its OCSF metadata.uid
// (id and updatedAt in milliseconds).
func alertKey(id string, at time.Time) string { return fmt.Sprintf("%s-%d", id, at.UnixMilli()) }

// alertRun is what polling the alerts stream while the console changes
// gave: every version delivered (with how often), and every version the
// console showed at a poll — what a collector could have seen.
type alertRun struct {
	delivered map[string]int
	// shown is every version visible at a poll of the span; settled, those
	// among them already older than the delay at that poll.
	shown, settled map[string]bool
	// later is what polls after the span showed: they only give the
	// versions of the span time to pass the delay.
	later map[string]bool
}

// alertsOverTime polls the alerts stream every interval for span while
// the console creates and updates alerts, then for the delay and one more
// interval, so that every version of the span has had its chance.
func alertsOverTime(t *testing.T, ecfg emulator.Config, delay, overlap, interval, span time.Duration) alertRun {
	ecfg.RateLimits = map[string]emulator.RateLimit{}
	emu, err := emulator.New(ecfg)
	if err != nil {
		t.Fatal(err)
	}
	out := &fakeOutput{name: "o"}
	s := newStream(t, emu, sentinelone.Alerts, newMemStore(), out)
	s.Profile, s.Delay, s.Overlap = transform.ProfileOCSF, delay, overlap
	s.Lister = alertsClient(t, emu, 5)
	run := alertRun{delivered: map[string]int{}, shown: map[string]bool{}, settled: map[string]bool{}, later: map[string]bool{}}
	for elapsed := time.Duration(0); elapsed <= span+delay+interval; elapsed += interval {
		for _, r := range emu.Alerts() {
			k := alertKey(r.ID, r.UpdatedAt)
			switch {
			case elapsed > span:
				run.later[k] = true
			case r.UpdatedAt.Before(emu.Now().Add(-delay)):
				run.settled[k] = true
				fallthrough
			default:
				run.shown[k] = true
			}
		}
		if _, err := s.Cycle(t.Context(), nil); err != nil {
			t.Fatal(err)
		}
		emu.Advance(interval)
	}
	for _, e := range out.events {
		if err := ocsfcheck.Check(e.Body); err != nil {
			t.Fatalf("alert %s is not strict OCSF: %v", e.ID, err)
		}
		var ev struct{ Metadata struct{ UID string } }
		_ = json.Unmarshal(e.Body, &ev)
		run.delivered[ev.Metadata.UID]++
	}
	return run
}

// check reports versions delivered twice or never shown, and returns the
// versions shown in the span that were never delivered.
func (r alertRun) check(t *testing.T) (lost []string) {
	t.Helper()
	for k, n := range r.delivered {
		if n > 1 {
			t.Errorf("alert version %s delivered %d times", k, n)
		}
		if !r.shown[k] && !r.later[k] {
			t.Errorf("alert version %s delivered but never shown by the console", k)
		}
	}
	for k := range r.shown {
		if r.delivered[k] == 0 {
			lost = append(lost, k)
		}
	}
	slices.Sort(lost)
	return lost
}

// TestAlertsStreamDeliversEveryVersionOnce: 30 emulated minutes of new and
// updated alerts (pairs sharing a millisecond, pages of five), polled every
// minute: every version the console showed is delivered, once.
func TestAlertsStreamDeliversEveryVersionOnce(t *testing.T) {
	run := alertsOverTime(t, emulator.Config{Seed: 6, Agents: 20, HistoryAlerts: 40,
		AlertsPerHour: 120, AlertUpdatesPerHour: 120}, 0, 5*time.Minute, time.Minute, 30*time.Minute)
	if len(run.shown) < 80 {
		t.Fatalf("only %d versions: the scenario is too quiet", len(run.shown))
	}
	if lost := run.check(t); len(lost) > 0 {
		t.Errorf("%d of %d alert versions the console showed were never delivered: %s", len(lost), len(run.shown), sample(lost, 5))
	}
}

// TestLateAlertsAreDeliveredOnce: a third of the versions are indexed one
// to four minutes late (until then the console shows the previous
// version). With the default overlap and no delay every version the
// console showed is delivered, once; without the overlap some are lost —
// the scenario does have late versions.
func TestLateAlertsAreDeliveredOnce(t *testing.T) {
	for _, overlap := range []time.Duration{5 * time.Minute, 0} {
		run := alertsOverTime(t, emulator.Config{Seed: 7, Agents: 20, HistoryAlerts: 20,
			AlertsPerHour: 120, AlertUpdatesPerHour: 60, Realism: emulator.Realism{LateShare: 0.3}}, 0, overlap, time.Minute, 40*time.Minute)
		lost := run.check(t)
		t.Logf("overlap %s: %d of %d versions shown lost", overlap, len(lost), len(run.shown))
		if overlap > 0 && len(lost) > 0 {
			t.Errorf("overlap %s: %d of %d alert versions the console showed were never delivered: %s", overlap, len(lost), len(run.shown), sample(lost, 5))
		}
		if overlap == 0 && len(lost) == 0 {
			t.Errorf("without the overlap nothing was lost: the late versions did not come late")
		}
	}
}

// TestADelayLosesOnlyVersionsReplacedWithinIt holds what the README says
// of delay: a walk ending delay before now never sees a version the
// console replaced within the delay (it lists only the latest version of
// an alert) — there are such versions here — and loses no other.
func TestADelayLosesOnlyVersionsReplacedWithinIt(t *testing.T) {
	run := alertsOverTime(t, emulator.Config{Seed: 7, Agents: 20, HistoryAlerts: 20,
		AlertsPerHour: 120, AlertUpdatesPerHour: 60, Realism: emulator.Realism{LateShare: 0.3}}, 5*time.Minute, 5*time.Minute, time.Minute, 40*time.Minute)
	lost := run.check(t)
	t.Logf("delay 5m: %d of %d versions shown lost", len(lost), len(run.shown))
	if len(lost) == 0 {
		t.Errorf("a 5-minute delay lost no version: the scenario replaces none within it")
	}
	for _, k := range lost {
		if run.settled[k] {
			t.Errorf("alert version %s was shown older than the delay and never delivered", k)
		}
	}
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
		if len(st.History) == 0 || !st.History[0].Disabled || st.DisabledCycles != st.Cycles || st.FailedCycles != 0 {
			t.Fatalf("a disabled cycle must not count as ok (nor failed): history %+v, cycles %d/%d/%d", st.History, st.Cycles, st.DisabledCycles, st.FailedCycles)
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

// TestAlertsRetriesAreShownAndShutdownDoesNotWaitForThem: while the
// alerts API answers GraphQL errors it may recover from, the retries are
// logged at once and shown on the status; a shutdown during a retry's
// wait ends the stream at once (there is no batch in flight to finish),
// saying so once, with no error.
func TestAlertsRetriesAreShownAndShutdownDoesNotWaitForThem(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu, err := emulator.New(emulator.Config{Agents: 10, HistoryAlerts: 10, RateLimits: map[string]emulator.RateLimit{}})
		if err != nil {
			t.Fatal(err)
		}
		emu.SetFault("alerts", emulator.Fault{GraphQLErrors: 1})
		rec := &recorder{}
		s := newStream(t, emu, sentinelone.Alerts, newMemStore(), &fakeOutput{name: "o"})
		s.Lister, s.Log = alertsClient(t, emu, 100), slog.New(rec) // the default retries: 8, 1 s doubling to 60 s
		c := &Collector{Streams: []*Stream{s}, Log: s.Log}
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() { c.Run(context.Background(), stop); close(done) }()
		time.Sleep(20 * time.Second)
		synctest.Wait()
		st := s.Status.Snapshot()
		if st.Retry == nil || st.Retry.Endpoint != "alerts" || !strings.Contains(st.Retry.Error, "GraphQL error: Internal server error") {
			t.Fatalf("status while retrying: %+v", st.Retry)
		}
		if w := rec.warnings("console request failed; retrying"); len(w) == 0 || w[0].Time.Sub(st.CycleStarted) > 2*time.Second {
			t.Fatalf("the first retry is not logged at once: %d lines", len(w))
		}
		stopped := time.Now()
		close(stop)
		<-done
		if waited := time.Since(stopped); waited > time.Second {
			t.Errorf("shutdown waited %s for the console's retries", waited)
		}
		rec.mu.Lock()
		defer rec.mu.Unlock()
		interrupted := 0
		for _, r := range rec.records {
			if r.Level >= slog.LevelError {
				t.Errorf("error at shutdown: %s %v", r.Message, attrs(r))
			}
			if r.Message == "cycle interrupted by shutdown; checkpoint saved" {
				interrupted++
			}
		}
		if interrupted != 1 {
			t.Errorf("shutdown said %d times", interrupted)
		}
	})
}

// TestPartialAlertsAnswerDeliversTheGoodNodes: a console answering every
// page with one node it cannot resolve does not hold the stream: the good
// nodes are delivered, the node with a field in error too (counted odd,
// the console's words logged), the null node is skipped and reported, and
// the checkpoint moves on.
func TestPartialAlertsAnswerDeliversTheGoodNodes(t *testing.T) {
	node := func(id, at string) string {
		return `{"id":"` + id + `","name":"n","severity":"HIGH","status":"NEW","createdAt":"2026-11-30T10:00:00.000Z","updatedAt":"` + at + `"}`
	}
	answer := `{"data":{"alerts":{"totalCount":3,"pageInfo":{"hasNextPage":false,"endCursor":"c3"},"edges":[` +
		`{"cursor":"c1","node":` + node("a1", "2026-11-30T10:00:00.412Z") + `},{"cursor":"c2","node":null},` +
		`{"cursor":"c3","node":` + node("a3", "2026-11-30T10:05:00.000Z") + `}]}},"errors":[` +
		`{"message":"Cannot return null for non-nullable field Alert.assets","path":["alerts","edges",1,"node","assets"]},` +
		`{"message":"timeout resolving process","path":["alerts","edges",2,"node","process"]}]}`
	var logs syncBuffer
	out := &fakeOutput{name: "o"}
	store := newMemStore()
	s := &Stream{Source: delivery.SourceInfo{Name: "emu"}, API: sentinelone.Alerts, Lister: consoleAnswering(t, answer), Store: store,
		Outputs: []delivery.Output{out}, Profile: transform.ProfileOCSF, Lookback: 72 * time.Hour,
		Now: func() time.Time { return time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC) }, Log: slog.New(slog.NewTextHandler(&logs, nil)),
		Status: NewStatus("emu", "alerts")}
	res, err := s.Cycle(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.events) != 2 || res.Skipped != 1 || res.Odd != 1 {
		t.Fatalf("%d delivered, %d skipped, %d odd", len(out.events), res.Skipped, res.Odd)
	}
	for _, want := range []string{"Cannot return null for non-nullable field Alert.assets", "timeout resolving process (at alerts.edges.2.node.process)"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
	if cp, _ := store.Load(t.Context(), s.Key()); !cp.Watermark.Equal(time.Date(2026, 11, 30, 10, 5, 0, 0, time.UTC)) {
		t.Errorf("checkpoint %v, want the last good node's time", cp.Watermark)
	}
}
