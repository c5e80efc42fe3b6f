package sentinelone_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"s1collector/internal/emulator"
	"s1collector/internal/sentinelone"
)

// walkAlerts collects every alert node a walk returns, by id.
func walkAlerts(t *testing.T, c *sentinelone.Client, q url.Values) (map[string]map[string]any, int, error) {
	t.Helper()
	out := map[string]map[string]any{}
	pages := 0
	for page, err := range c.Pages(t.Context(), sentinelone.ListRequest{Endpoint: sentinelone.Alerts, Query: q}) {
		if err != nil {
			return out, pages, err
		}
		pages++
		for _, r := range page.Records {
			var m map[string]any
			if err := json.Unmarshal(r.Raw, &m); err != nil {
				t.Fatal(err)
			}
			if out[m["id"].(string)] != nil {
				t.Fatalf("alert %s returned twice", m["id"])
			}
			out[m["id"].(string)] = m
		}
	}
	return out, pages, nil
}

func TestAlertsWalkIsCompleteAndFiltered(t *testing.T) {
	emu, c := setup(t, emulator.Config{Seed: 2, Agents: 30, HistoryAlerts: 250}, func(c *sentinelone.Config) { c.PageSize = 100 })
	all, pages, err := walkAlerts(t, c, url.Values{"sortBy": {"updatedAt"}, "sortOrder": {"asc"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 250 || pages != 3 || emu.Requests("alerts") != 3 {
		t.Fatalf("%d alerts in %d pages (%d requests), want 250 in 3", len(all), pages, emu.Requests("alerts"))
	}
	// The updatedAt range, sent in milliseconds, leaves out what is older.
	var cut time.Time
	for _, r := range emu.Alerts()[:100] {
		if r.UpdatedAt.After(cut) {
			cut = r.UpdatedAt
		}
	}
	newer, _, err := walkAlerts(t, c, url.Values{"updatedAt__gte": {sentinelone.FormatTime(cut.Add(time.Microsecond))}})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range newer {
		if at, _ := sentinelone.ParseTime(m["updatedAt"].(string)); !at.After(cut) {
			t.Fatalf("alert at %s returned for updatedAt >= %s", at, cut)
		}
	}
	if len(newer) == 0 || len(newer) >= 250 {
		t.Fatalf("%d alerts newer than the cut", len(newer))
	}
}

// logRecorder keeps what a client logs.
type logRecorder struct{ bytes.Buffer }

func recorded(c *sentinelone.Config) *logRecorder {
	var l logRecorder
	c.Logger = slog.New(slog.NewTextHandler(&l, nil))
	return &l
}

func TestAlertsFallBackToApiTokenOnceAndRemember(t *testing.T) {
	var logs *logRecorder
	emu, c := setup(t, emulator.Config{Seed: 2, Agents: 10, HistoryAlerts: 5, GraphQLAuth: "apitoken"}, func(c *sentinelone.Config) { logs = recorded(c) })
	for range 3 {
		if _, _, err := walkAlerts(t, c, nil); err != nil {
			t.Fatal(err)
		}
	}
	if got := emu.Requests("alerts"); got != 4 {
		t.Fatalf("%d requests for 3 walks: want one Bearer refusal, then ApiToken only (4)", got)
	}
	if n := strings.Count(logs.String(), "using ApiToken from now on"); n != 1 {
		t.Fatalf("the fallback is logged %d times:\n%s", n, logs)
	}
	// A console that takes Bearer is never asked with ApiToken.
	emu2, c2 := setup(t, emulator.Config{Seed: 2, Agents: 10, HistoryAlerts: 5, GraphQLAuth: "bearer"}, nil)
	for range 2 {
		if _, _, err := walkAlerts(t, c2, nil); err != nil {
			t.Fatal(err)
		}
	}
	if got := emu2.Requests("alerts"); got != 2 {
		t.Fatalf("%d requests, want 2", got)
	}
}

func TestAlertsDropRejectedFieldsOnceAndRemember(t *testing.T) {
	var logs *logRecorder
	emu, c := setup(t, emulator.Config{Seed: 2, Agents: 10, HistoryAlerts: 5, GraphQLRejects: []string{"dataSources", "viewType", "DetectionTime.attacker"}},
		func(c *sentinelone.Config) { logs = recorded(c) })
	all, _, err := walkAlerts(t, c, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := emu.Requests("alerts"); got != 2 {
		t.Fatalf("%d requests: want one refusal (naming two fields and one argument), then the page", got)
	}
	for _, m := range all {
		if _, ok := m["dataSources"]; ok {
			t.Fatal("a dropped field was still asked for")
		}
		if m["severity"] == nil || m["detectionTime"].(map[string]any)["targetUser"] == nil {
			t.Fatal("fields the console knows were lost")
		}
	}
	if _, _, err := walkAlerts(t, c, nil); err != nil || emu.Requests("alerts") != 3 {
		t.Fatalf("the second walk asked again (%d requests, %v)", emu.Requests("alerts"), err)
	}
	for _, want := range []string{"field=dataSources", "field=detectionTime.attacker", "viewType"} {
		if strings.Count(logs.String(), want) != 1 {
			t.Errorf("log should say %q once:\n%s", want, logs)
		}
	}
}

func TestAlertsErrors(t *testing.T) {
	cases := []struct {
		name   string
		cfg    emulator.Config
		fault  emulator.Fault
		kind   sentinelone.Kind
		text   string
		probes int64
	}{
		{"wrong token", emulator.Config{Tokens: []emulator.Token{{Value: "other"}}}, emulator.Fault{}, sentinelone.KindAuth, "generate a new one", 2},
		{"no permission", emulator.Config{Tokens: []emulator.Token{{Value: token, Deny: []string{"alerts"}}}}, emulator.Fault{}, sentinelone.KindPermission, `"Alerts.view" permission`, 1},
		{"GraphQL error in a 200", emulator.Config{}, emulator.Fault{GraphQLErrors: 1}, sentinelone.KindUnavailable, "GraphQL error: Internal server error", 4},
		{"required field rejected", emulator.Config{GraphQLRejects: []string{"updatedAt"}}, emulator.Fault{}, sentinelone.KindValidation, "cannot be collected without", 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				tc.cfg.Agents, tc.cfg.HistoryAlerts = 5, 5
				emu, c := setup(t, tc.cfg, nil)
				emu.SetFault("alerts", tc.fault)
				_, err := c.Probe(t.Context(), sentinelone.Alerts, nil)
				if got := sentinelone.KindOf(err); got != tc.kind {
					t.Fatalf("kind %v, want %v (%v)", got, tc.kind, err)
				}
				if !strings.Contains(err.Error(), tc.text) || strings.Contains(err.Error(), token) {
					t.Fatalf("error %q should say %q and never the token", err, tc.text)
				}
				if got := emu.Requests("alerts"); got != tc.probes {
					t.Fatalf("%d requests, want %d", got, tc.probes)
				}
			})
		})
	}
	synctest.Test(t, func(t *testing.T) {
		emu, c := setup(t, emulator.Config{Agents: 5, HistoryAlerts: 40}, func(c *sentinelone.Config) { c.PageSize = 10 })
		emu.SetFault("alerts", emulator.Fault{GraphQLErrors: 0.3})
		all, _, err := walkAlerts(t, c, nil)
		if err != nil || len(all) != 40 {
			t.Fatalf("transient GraphQL errors are retried: %d alerts, %v", len(all), err)
		}
	})
}

// TestAlertsRepeatedCursorEndsTheWalk: a console handing back the cursor
// it was sent would loop the walk for ever; it is an error instead.
func TestAlertsRepeatedCursorEndsTheWalk(t *testing.T) {
	emu, c := setup(t, emulator.Config{Agents: 5, HistoryAlerts: 30}, func(c *sentinelone.Config) { c.PageSize = 10 })
	emu.SetFault("alerts", emulator.Fault{RepeatCursor: 1})
	_, pages, err := walkAlerts(t, c, nil)
	if !errors.Is(err, sentinelone.ErrRepeatedCursor) || pages != 1 {
		t.Fatalf("after %d pages: %v", pages, err)
	}
}

// TestAlertsScope: a source limited to sites or accounts collects their
// alerts only, through the API's scope argument; on a console whose API
// takes no scope, the walk and the probe fail at once, saying what to do.
func TestAlertsScope(t *testing.T) {
	emu, c := setup(t, emulator.Config{Seed: 3, Agents: 40, Sites: 4, HistoryAlerts: 80}, nil)
	all, _, err := walkAlerts(t, c, nil)
	if err != nil {
		t.Fatal(err)
	}
	siteOf := func(m map[string]any) string {
		return m["realTime"].(map[string]any)["scope"].(map[string]any)["site"].(map[string]any)["id"].(string)
	}
	var site, account string
	inSite := 0
	for _, m := range all {
		if site == "" {
			site = siteOf(m)
			account = m["realTime"].(map[string]any)["scope"].(map[string]any)["account"].(map[string]any)["id"].(string)
		}
		if siteOf(m) == site {
			inSite++
		}
	}
	if inSite == 0 || inSite == len(all) {
		t.Fatalf("%d of %d alerts in site %s: the scenario does not tell sites apart", inSite, len(all), site)
	}
	scoped, _, err := walkAlerts(t, c, url.Values{"siteIds": {site}})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range scoped {
		if siteOf(m) != site {
			t.Fatalf("alert of site %s in a walk scoped to %s", siteOf(m), site)
		}
	}
	if len(scoped) != inSite {
		t.Fatalf("%d alerts scoped to site %s, want %d", len(scoped), site, inSite)
	}
	if byAccount, _, err := walkAlerts(t, c, url.Values{"accountIds": {account}}); err != nil || len(byAccount) != len(all) {
		t.Fatalf("scoped to the account: %d alerts, want %d (%v)", len(byAccount), len(all), err)
	}
	if total, err := c.Probe(t.Context(), sentinelone.Alerts, url.Values{"siteIds": {site}}); err != nil || *total != int64(inSite) {
		t.Fatalf("probe within the scope: %v %v", total, err)
	}

	emu, c = setup(t, emulator.Config{Seed: 3, Agents: 40, Sites: 4, HistoryAlerts: 80, GraphQLRejects: []string{"scope"}}, nil)
	if _, _, err := walkAlerts(t, c, url.Values{"siteIds": {site}}); sentinelone.KindOf(err) != sentinelone.KindValidation || !strings.Contains(err.Error(), "remove site_ids and account_ids") {
		t.Fatalf("a console without scope: %v", err)
	}
	if _, err := c.Probe(t.Context(), sentinelone.Alerts, url.Values{"siteIds": {site}}); sentinelone.KindOf(err) != sentinelone.KindValidation {
		t.Fatalf("the probe must fail as the stream will: %v", err)
	}
	if _, _, err := walkAlerts(t, c, nil); err != nil {
		t.Fatalf("an unscoped walk needs no scope: %v", err)
	}
	if got := emu.Requests("alerts"); got != 3 {
		t.Fatalf("%d requests: one refusal each, no retries", got)
	}
}
