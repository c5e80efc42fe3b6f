package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// elasticQuery is the query Elastic's integration sends, trimmed as in the
// reference note.
const elasticQuery = `query Alerts($after: String, $first: Int, $filters: [FilterInput!], $sort: SortInput) {
  alerts(after: $after, first: $first, filters: $filters, sort: $sort) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id externalId name description severity status analystVerdict
      classification confidenceLevel createdAt updatedAt detectedAt firstSeenAt lastSeenAt
      storylineId ticketId noteExists result attackSurfaces dataSources
      detectionSource { product vendor } analytics { category name typeValue uid }
      assets { id name agentUuid agentVersion category subcategory osType osVersion status role }
      assignee { userId email fullName }
      process { cmdLine parentName file { name path md5 sha1 sha256 certSubject } }
      detectionTime { scope { accountId accountName siteName groupName }
        attacker { host ip } targetUser { name domain emailAddress }
        assets { asset { ipV4 ipV6 domain osName osType agentVersion } } }
      realTime { scope { account { id name } site { id name } group { id name } } } } }
  }
}`

// gql posts a GraphQL request with an Authorization header.
func gql(t *testing.T, e *Emulator, auth, query string, vars map[string]any) (int, map[string]any) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req := httptest.NewRequest(http.MethodPost, prefix+"unifiedalerts/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	rec := httptest.NewRecorder()
	e.Handler().ServeHTTP(rec, req)
	raw, _ := io.ReadAll(rec.Body)
	var v map[string]any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("status %d, body not JSON: %.200s", rec.Code, raw)
	}
	return rec.Code, v
}

func since(ms int64) map[string]any {
	return map[string]any{"first": 40, "sort": map[string]any{"by": "updatedAt", "order": "ASC"},
		"filters": []any{map[string]any{"fieldId": "updatedAt", "dateTimeRange": map[string]any{"start": ms, "startInclusive": true}}}}
}

// walkAlerts pages through alerts updated at or after ms.
func walkAlerts(t *testing.T, e *Emulator, ms int64) (nodes []map[string]any, total int) {
	t.Helper()
	vars := since(ms)
	for pages := 0; ; pages++ {
		status, body := gql(t, e, "Bearer "+DefaultToken, elasticQuery, vars)
		if status != http.StatusOK || body["errors"] != nil {
			t.Fatalf("status %d: %v", status, body["errors"])
		}
		conn := body["data"].(map[string]any)["alerts"].(map[string]any)
		total = int(conn["totalCount"].(float64))
		for _, e := range conn["edges"].([]any) {
			nodes = append(nodes, e.(map[string]any)["node"].(map[string]any))
		}
		info := conn["pageInfo"].(map[string]any)
		if info["hasNextPage"] != true {
			return nodes, total
		}
		vars["after"] = info["endCursor"]
	}
}

func TestAlertsWalkInUpdatedOrder(t *testing.T) {
	e := newTest(t, Config{Seed: 3, Agents: 50, HistoryAlerts: 130})
	nodes, total := walkAlerts(t, e, 0)
	if len(nodes) != 130 || total != 130 {
		t.Fatalf("walked %d of %d alerts, want 130", len(nodes), total)
	}
	seen := map[string]bool{}
	prev := ""
	for _, n := range nodes {
		id, up := n["id"].(string), n["updatedAt"].(string)
		if seen[id] || up < prev {
			t.Fatalf("alert %s repeated or out of order (%s after %s)", id, up, prev)
		}
		seen[id], prev = true, up
		for _, k := range []string{"severity", "status", "detectionSource", "assets", "process", "realTime", "dataSources"} {
			if n[k] == nil {
				t.Errorf("alert %s lacks %s", id, k)
			}
		}
		if _, ok := n["sloDetails"]; ok {
			t.Fatalf("a field the query did not ask for was answered")
		}
	}
	// A range leaves out what is before it.
	mid, _ := time.Parse(time.RFC3339, nodes[65]["updatedAt"].(string))
	later, _ := walkAlerts(t, e, mid.UnixMilli())
	want := 0
	for _, n := range nodes {
		if n["updatedAt"].(string) >= nodes[65]["updatedAt"].(string) {
			want++
		}
	}
	if len(later) != want || want > 66 || later[len(later)-1]["id"] != nodes[129]["id"] {
		t.Fatalf("from the 66th alert's time: %d alerts, want %d", len(later), want)
	}
}

// TestAlertsChangeAsTimePasses: alerts are created and updated as time
// passes; a new alert's first version is stamped a little after its
// creation (100–900 ms), as real consoles stamp it, never at it.
func TestAlertsChangeAsTimePasses(t *testing.T) {
	e := newTest(t, Config{Seed: 4, Agents: 20, HistoryAlerts: 10, AlertsPerHour: 60, AlertUpdatesPerHour: 120})
	start := e.Now().UnixMilli()
	e.Advance(10 * time.Minute)
	nodes, _ := walkAlerts(t, e, start)
	created, updated := 0, 0
	for _, n := range nodes {
		c, _ := time.Parse(time.RFC3339, n["createdAt"].(string))
		u, _ := time.Parse(time.RFC3339, n["updatedAt"].(string))
		switch d := u.Sub(c); {
		case d <= 0:
			t.Fatalf("alert %s: updatedAt %s not after createdAt %s", n["id"], n["updatedAt"], n["createdAt"])
		case n["status"] == "NEW" && d < time.Second:
			created++
		default:
			updated++
		}
	}
	if created < 5 || updated < 5 || created+updated < 15 {
		t.Fatalf("10 minutes gave %d new and %d updated alerts", created, updated)
	}
	if e.AlertVersions() < 10+created+updated {
		t.Fatalf("versions %d", e.AlertVersions())
	}
}

func TestLateAlertsAppearAfterTheirTime(t *testing.T) {
	e := newTest(t, Config{Seed: 5, Agents: 20, HistoryAlerts: 1, AlertsPerHour: 600, AlertUpdatesPerHour: 1e-9, Realism: Realism{LateShare: 0.5}})
	e.Advance(10 * time.Minute)
	now := e.Alerts()
	e.Advance(5 * time.Minute) // every lag has passed for what existed 5 minutes ago
	later := map[string]time.Time{}
	for _, r := range e.Alerts() {
		later[r.ID] = r.UpdatedAt
	}
	visible := map[string]bool{}
	for _, r := range now {
		visible[r.ID] = true
	}
	late := 0
	for id, at := range later {
		if !visible[id] && at.Before(e.Now().Add(-5*time.Minute)) {
			late++
		}
	}
	if late < 10 {
		t.Fatalf("only %d alerts became visible after their time", late)
	}
}

func TestAlertsAuthentication(t *testing.T) {
	e := newTest(t, Config{Seed: 1, Agents: 5, GraphQLAuth: "apitoken",
		Tokens: []Token{{Value: DefaultToken}, {Value: "no-alerts", Deny: []string{"alerts"}}}})
	q := `{ alerts(first: 1) { totalCount } }`
	cases := []struct {
		auth   string
		status int
		code   float64
	}{
		{"ApiToken " + DefaultToken, 200, 0},
		{"Bearer " + DefaultToken, 401, 4010010},
		{"ApiToken wrong", 401, 4010010},
		{"ApiToken no-alerts", 403, 4030010},
	}
	for _, c := range cases {
		status, body := gql(t, e, c.auth, q, nil)
		if status != c.status {
			t.Errorf("%s: status %d, want %d", c.auth, status, c.status)
		}
		if c.code != 0 && body["errors"].([]any)[0].(map[string]any)["code"] != c.code {
			t.Errorf("%s: body %v", c.auth, body)
		}
	}
	both := newTest(t, Config{Seed: 1, Agents: 5})
	for _, auth := range []string{"Bearer " + DefaultToken, "ApiToken " + DefaultToken} {
		if status, _ := gql(t, both, auth, q, nil); status != 200 {
			t.Errorf("%s refused by default", auth)
		}
	}
}

func TestAlertsErrors(t *testing.T) {
	e := newTest(t, Config{Seed: 1, Agents: 5, GraphQLRejects: []string{"dataSources", "viewType"}})
	cases := []struct {
		name, query string
		vars        map[string]any
		want        string
	}{
		{"rejected field", elasticQuery, since(0), `Cannot query field "dataSources" on type "Alert".`},
		{"rejected argument", `{ alerts(first: 1, viewType: ALL) { totalCount } }`, nil, `Unknown argument "viewType" on field "Query.alerts".`},
		{"syntax", `{ alerts(first: 1 { totalCount } }`, nil, "Expected Name"},
		{"page too large", `{ alerts(first: 5000) { totalCount } }`, nil, "first: must be between 1 and 1000"},
		{"variable type", `query Q($first: Int) { alerts(first: $first) { totalCount } }`, map[string]any{"first": "ten"}, "cannot use string as Int"},
		{"cursor of other filters", `{ alerts(first: 1, after: "dWFtMToxOjE6YWJj") { totalCount } }`, nil, "invalid cursor"},
	}
	for _, c := range cases {
		status, body := gql(t, e, "Bearer "+DefaultToken, c.query, c.vars)
		errs, _ := body["errors"].([]any)
		if status != 200 || len(errs) == 0 || body["data"] != nil {
			t.Errorf("%s: status %d, body %v: want 200 with errors and no data", c.name, status, body)
			continue
		}
		if msg := fmt.Sprint(errs[0].(map[string]any)["message"]); !strings.Contains(msg, c.want) {
			t.Errorf("%s: error %q, want %q", c.name, msg, c.want)
		}
	}
	e.SetFault("alerts", Fault{GraphQLErrors: 1})
	status, body := gql(t, e, "Bearer "+DefaultToken, `{ alerts(first: 1) { totalCount } }`, nil)
	if status != 200 || body["errors"] == nil || body["data"] != nil || e.Injected()["graphql-error"] != 1 {
		t.Errorf("GraphQL error fault: %d %v", status, body)
	}
}

func TestStarAlerts(t *testing.T) {
	e := newTest(t, Config{Seed: 2, Agents: 10, HistoryStarAlerts: 25})
	q := url.Values{"sortBy": {"alertInfoCreatedAt"}, "sortOrder": {"asc"}, "limit": {"10"}}
	recs := walkAll(t, e, "cloud-detection/alerts", q)
	if len(recs) != 25 {
		t.Fatalf("walked %d STAR alerts, want 25", len(recs))
	}
	if ai := recs[0]["alertInfo"].(map[string]any); ai["alertId"] == nil || recs[0]["ruleInfo"] == nil {
		t.Fatalf("shape: %v", recs[0])
	}
	if status, body := get(t, e, DefaultToken, "cloud-detection/alerts", url.Values{"updatedAt__gte": {"2026-01-01T00:00:00Z"}}); status != 400 {
		t.Errorf("undeclared filter: %d %v", status, body)
	}
	// Scoped to a site: that site's alerts, all of them.
	site := recs[0]["agentDetectionInfo"].(map[string]any)["siteId"].(string)
	want := 0
	for _, r := range recs {
		if r["agentDetectionInfo"].(map[string]any)["siteId"] == site {
			want++
		}
	}
	q.Set("siteIds", site)
	if got := walkAll(t, e, "cloud-detection/alerts", q); len(got) != want || want == len(recs) {
		t.Errorf("siteIds=%s: %d STAR alerts, want %d of %d", site, len(got), want, len(recs))
	}
	off := newTest(t, Config{Seed: 2, Agents: 10, NoCustomRules: true})
	status, body := get(t, off, DefaultToken, "cloud-detection/alerts", q)
	first := body["errors"].([]any)[0].(map[string]any)
	if status != 403 || first["code"] != 4030010.0 || !strings.Contains(fmt.Sprint(first["detail"]), "Custom Rules") {
		t.Fatalf("no Custom Rules: %d %v", status, body)
	}
}
