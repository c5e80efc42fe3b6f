package transform

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"s1collector/internal/emulator"
	"s1collector/internal/sentinelone"
)

// emulatorRecords lists every record of a REST endpoint of an emulated
// console.
func emulatorRecords(t testing.TB, emu *emulator.Emulator, endpoint string, query url.Values) []json.RawMessage {
	t.Helper()
	c, err := sentinelone.New(sentinelone.Config{BaseURL: "http://localhost", Token: emulator.DefaultToken,
		RateLimits: map[string]sentinelone.RateLimit{"other": {Rate: 1e9, Burst: 1000}, "threats": {Rate: 1e9, Burst: 1000},
			"activities": {Rate: 1e9, Burst: 1000}}}, &http.Client{Transport: emu.Transport()})
	if err != nil {
		t.Fatal(err)
	}
	var out []json.RawMessage
	for page, err := range c.Pages(t.Context(), sentinelone.ListRequest{Endpoint: sentinelone.Endpoint(endpoint), Query: query}) {
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Records {
			out = append(out, json.RawMessage(r.Raw))
		}
	}
	return out
}

// emulatorAlerts asks the Unified Alerts API for every alert, all fields.
func emulatorAlerts(t testing.TB, emu *emulator.Emulator) []json.RawMessage {
	t.Helper()
	const q = `{ alerts(first: 1000) { edges { node { id externalId name description severity status analystVerdict
  classification confidenceLevel createdAt updatedAt detectedAt firstSeenAt lastSeenAt storylineId ticketId noteExists
  result attackSurfaces dataSources detectionSource { product vendor } analytics { category name typeValue uid }
  assets { id name agentUuid agentVersion category subcategory osType osVersion status role lastLoggedInUser }
  assignee { userId email fullName } process { cmdLine parentName file { name path md5 sha1 sha256 certSubject } }
  detectionTime { scope { accountId accountName siteName groupName } attacker { host ip } targetUser { name domain emailAddress }
    assets { asset { ipV4 ipV6 domain osName osType agentVersion } } }
  realTime { scope { account { id name } site { id name } group { id name } } } } } } }`
	body, _ := json.Marshal(map[string]any{"query": q})
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, "http://localhost/web/api/v2.1/unifiedalerts/graphql", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+emulator.DefaultToken)
	resp, err := (&http.Client{Transport: emu.Transport()}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var ans struct {
		Data struct {
			Alerts struct {
				Edges []struct{ Node json.RawMessage }
			}
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&ans); err != nil {
		t.Fatal(err)
	}
	var out []json.RawMessage
	for _, e := range ans.Data.Alerts.Edges {
		out = append(out, e.Node)
	}
	return out
}

// TestEmulatedStreamsAreStrictOCSF maps every threat (at every stage of
// its life), activity, unified alert and STAR alert an emulated console
// serves, after an hour of changes, and holds each event to strict OCSF.
// The alerts created in that hour, first versions stamped a little after
// their creation as on real consoles, are Create findings.
func TestEmulatedStreamsAreStrictOCSF(t *testing.T) {
	emu, err := emulator.New(emulator.Config{Seed: 9, Agents: 300, HistoryActivities: 400, HistoryThreats: 60,
		HistoryAlerts: 60, RateLimits: map[string]emulator.RateLimit{}})
	if err != nil {
		t.Fatal(err)
	}
	emu.Advance(time.Hour)
	streams := map[Stream][]json.RawMessage{
		StreamThreats:    emulatorRecords(t, emu, "threats", nil),
		StreamActivities: emulatorRecords(t, emu, "activities", nil),
		StreamStarAlerts: emulatorRecords(t, emu, "cloud-detection/alerts", nil),
		StreamAlerts:     emulatorAlerts(t, emu),
	}
	for st, recs := range streams {
		if len(recs) < 20 {
			t.Fatalf("%s: only %d records", st, len(recs))
		}
		creates, fresh := 0, 0
		for i, raw := range recs {
			ev, problems, err := ProfileOCSF.MapRecord(st, raw, collected)
			if err != nil || len(problems) > 0 {
				t.Fatalf("%s %d: %v %v\n%s", st, i, err, problems, raw)
			}
			b, _ := json.Marshal(ev)
			checkOCSF(t, b)
			if t.Failed() {
				t.Fatalf("%s record:\n%s", st, raw)
			}
			var e struct {
				ActivityID int `json:"activity_id"`
			}
			_ = json.Unmarshal(b, &e)
			if e.ActivityID == 1 {
				creates++
			}
			if st == StreamAlerts && newAlert(raw) {
				fresh++
			}
		}
		if st == StreamAlerts && (fresh == 0 || creates != fresh) {
			t.Errorf("alerts: %d Create findings for %d alerts new in this hour", creates, fresh)
		}
	}
}

// newAlert reports whether an alert node is a first version: NEW, stamped
// within a second of its creation.
func newAlert(raw []byte) bool {
	var n struct{ Status, CreatedAt, UpdatedAt string }
	_ = json.Unmarshal(raw, &n)
	c, _ := time.Parse(time.RFC3339, n.CreatedAt)
	u, _ := time.Parse(time.RFC3339, n.UpdatedAt)
	return n.Status == "NEW" && u.After(c) && u.Sub(c) < time.Second
}

// TestEveryEmulatedActivityTypeIsInTheTable: the types the emulator (and
// so the demo) produces all have a class.
func TestEveryEmulatedActivityTypeIsInTheTable(t *testing.T) {
	emu, err := emulator.New(emulator.Config{Seed: 1, Agents: 10, RateLimits: map[string]emulator.RateLimit{}})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, "http://localhost/web/api/v2.1/activities/types", nil)
	req.Header.Set("Authorization", "ApiToken "+emulator.DefaultToken)
	resp, err := (&http.Client{Transport: emu.Transport()}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var types struct{ Data []struct{ ID int64 } }
	if err := json.NewDecoder(resp.Body).Decode(&types); err != nil || len(types.Data) == 0 {
		t.Fatalf("activities/types: %v", err)
	}
	for _, ty := range types.Data {
		if _, ok := activityKinds[ty.ID]; !ok {
			t.Errorf("the emulator produces activity type %d, which the table does not classify", ty.ID)
		}
	}
}
