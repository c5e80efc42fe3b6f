package pipeline

import (
	"bytes"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"s1collector/internal/delivery"
	"s1collector/internal/emulator"
	"s1collector/internal/sentinelone"
	"s1collector/internal/transform"
)

// oneSite is the first of the emulator's sites.
var oneSite = url.Values{"siteIds": {"1300000000000000000"}}

// TestNarrowedScopeReportsNoLiveDeviceRemoved: a listing under a narrower
// site_ids than the previous one reports none of the devices now out of
// scope as removed (they are live), and says why; the next listing under
// the same scope compares with it and reports exactly the devices of the
// scope the console removed.
func TestNarrowedScopeReportsNoLiveDeviceRemoved(t *testing.T) {
	emu, err := emulator.New(emulator.Config{Seed: 61, Agents: 800, AgentUpdatesPerMinute: 1e-9, NewAgentsPerHour: 1e-9,
		RateLimits: map[string]emulator.RateLimit{}})
	if err != nil {
		t.Fatal(err)
	}
	s, out, _ := listingStream(t, emu, 4, 100)
	var log bytes.Buffer
	s.Profile, s.Log = transform.ProfileOCSF, slog.New(slog.NewTextHandler(&log, nil))
	if _, err := s.Cycle(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	s.Scope = oneSite
	emu.Advance(time.Minute)
	from := len(out.events)
	res, err := s.Cycle(t.Context(), nil)
	if err != nil || !res.FullSync {
		t.Fatalf("narrowed listing: %+v %v", res, err)
	}
	inScope := deliveredIDs(&fakeOutput{events: out.events[from:]})
	if len(res.Gone) != 0 || removalEvents(out.events[from:]) != 0 {
		t.Fatalf("narrowing the scope reported %d live devices removed (%d removal events)", len(res.Gone), removalEvents(out.events[from:]))
	}
	if len(inScope) == 0 || len(inScope) >= 800 || res.Delivered != len(inScope) {
		t.Fatalf("narrowed listing delivered %d (counted %d) of 800", len(inScope), res.Delivered)
	}
	if !strings.Contains(log.String(), "reports no device removed") {
		t.Errorf("the listing did not say why it reports no removals:\n%s", log.String())
	}
	var want []string
	for _, id := range emu.RemoveAgents(40) {
		if inScope[id] > 0 {
			want = append(want, id)
		}
	}
	slices.Sort(want)
	emu.Advance(time.Minute)
	from = len(out.events)
	if res, err = s.Cycle(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	if len(want) == 0 || !slices.Equal(res.Gone, want) || removalEvents(out.events[from:]) != len(want) {
		t.Fatalf("the next listing under the same scope reported %v, want %v", res.Gone, want)
	}
	if res.Delivered != len(inScope)-len(want) {
		t.Errorf("delivered counted %d with %d removal events; want the %d devices read", res.Delivered, len(want), len(inScope)-len(want))
	}
}

func removalEvents(events []delivery.Event) int {
	n := 0
	for _, e := range events {
		if e.Removal {
			n++
		}
	}
	return n
}

// TestWidenedScopeListsAtOnce: widening site_ids between runs starts a
// full listing at once, however recent the last one; it delivers the added
// sites' devices and reports none removed. An unchanged scope does not.
func TestWidenedScopeListsAtOnce(t *testing.T) {
	emu, err := emulator.New(emulator.Config{Seed: 62, Agents: 800, AgentUpdatesPerMinute: 1e-9, NewAgentsPerHour: 1e-9,
		RateLimits: map[string]emulator.RateLimit{}})
	if err != nil {
		t.Fatal(err)
	}
	s, out, _ := listingStream(t, emu, 4, 100)
	s.Profile, s.FullSync, s.Scope = transform.ProfileRaw, 24*time.Hour, oneSite
	if _, err := s.Cycle(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	emu.Advance(time.Minute)
	s.Scope = url.Values{"siteIds": {"1300000000000007919,1300000000000000000"}}
	from := len(out.events)
	res, err := s.Cycle(t.Context(), nil)
	if err != nil || !res.FullSync || len(res.Gone) != 0 {
		t.Fatalf("widened: full listing %v, %d reported removed, %v", res.FullSync, len(res.Gone), err)
	}
	first := len(deliveredIDs(&fakeOutput{events: out.events[:from]}))
	if got := len(deliveredIDs(&fakeOutput{events: out.events[from:]})); got <= first {
		t.Fatalf("widening from one site (%d devices) to two delivered %d devices", first, got)
	}
	emu.Advance(time.Minute)
	s.Scope = url.Values{"siteIds": {"1300000000000000000", "1300000000000007919"}} // the same sites
	if res, err = s.Cycle(t.Context(), nil); err != nil || res.FullSync {
		t.Fatalf("the same scope written otherwise started a full listing (%v, %v)", res.FullSync, err)
	}
}

// TestChangedScopeOfAnEventStreamWarnsOnce: an event stream whose scope
// changed goes on from its watermark and says, once, how to collect the
// older records of the new scope.
func TestChangedScopeOfAnEventStreamWarnsOnce(t *testing.T) {
	emu := quietEmulator(t, 10)
	out := &fakeOutput{name: "o"}
	s := newStream(t, emu, sentinelone.Activities, newMemStore(), out)
	var log bytes.Buffer
	s.Log = slog.New(slog.NewTextHandler(&log, nil))
	if _, err := s.Cycle(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	s.Scope = url.Values{"accountIds": {"1200000000000000001"}}
	for range 2 {
		emu.Advance(time.Minute)
		if _, err := s.Cycle(t.Context(), nil); err != nil {
			t.Fatal(err)
		}
	}
	if n := strings.Count(log.String(), "site_ids/account_ids changed"); n != 1 || !strings.Contains(log.String(), "state reset --source emu --stream activities") {
		t.Errorf("%d warnings of the changed scope:\n%s", n, log.String())
	}
	for id, n := range deliveredIDs(out) {
		if n > 1 {
			t.Errorf("the changed scope delivered activity %s %d times", id, n)
		}
	}
}
