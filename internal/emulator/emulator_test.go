package emulator

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// get calls the emulator in-process and decodes a JSON body.
func get(t *testing.T, e *Emulator, token, path string, q url.Values) (int, map[string]any) {
	t.Helper()
	u := prefix + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req := httptest.NewRequest(http.MethodGet, u, nil)
	if token != "" {
		req.Header.Set("Authorization", "ApiToken "+token)
	}
	rec := httptest.NewRecorder()
	e.Handler().ServeHTTP(rec, req)
	body, _ := io.ReadAll(rec.Body)
	var v map[string]any
	if err := json.Unmarshal(body, &v); err != nil && rec.Code != http.StatusTooManyRequests && rec.Code != http.StatusBadGateway {
		t.Fatalf("%s: status %d, body not JSON: %.200s", u, rec.Code, body)
	}
	return rec.Code, v
}

func newTest(t *testing.T, cfg Config) *Emulator {
	t.Helper()
	if cfg.RateLimits == nil {
		cfg.RateLimits = map[string]RateLimit{}
	}
	e, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// walkAll pages an endpoint to the end and returns the records.
func walkAll(t *testing.T, e *Emulator, endpoint string, q url.Values) []map[string]any {
	t.Helper()
	var out []map[string]any
	seen := map[string]bool{}
	for pages := 0; ; pages++ {
		if pages > 10000 {
			t.Fatal("walk does not end")
		}
		status, body := get(t, e, DefaultToken, endpoint, q)
		if status != http.StatusOK {
			t.Fatalf("%s: status %d: %v", endpoint, status, body)
		}
		for _, r := range body["data"].([]any) {
			out = append(out, r.(map[string]any))
		}
		next, _ := body["pagination"].(map[string]any)["nextCursor"].(string)
		if next == "" {
			return out
		}
		if seen[next] {
			t.Fatalf("cursor repeated: %s", next)
		}
		seen[next] = true
		q = cloneWith(q, "cursor", next)
	}
}

func cloneWith(q url.Values, k, v string) url.Values {
	c := url.Values{}
	for key, vals := range q {
		c[key] = vals
	}
	c.Set(k, v)
	return c
}

func TestFullListingIsCompleteAndOrdered(t *testing.T) {
	e := newTest(t, Config{Seed: 7, Agents: 2500})
	for _, sortBy := range []string{"id", "createdAt", "updatedAt"} {
		for _, order := range []string{"asc", "desc"} {
			q := url.Values{"limit": {"1000"}, "sortBy": {sortBy}, "sortOrder": {order}}
			recs := walkAll(t, e, "agents", q)
			if len(recs) != 2500 {
				t.Fatalf("%s %s: got %d agents, want 2500", sortBy, order, len(recs))
			}
			ids := map[string]bool{}
			for i, r := range recs {
				ids[r["id"].(string)] = true
				if i == 0 {
					continue
				}
				a, b := recs[i-1][sortBy].(string), r[sortBy].(string)
				if (order == "asc" && a > b) || (order == "desc" && a < b) {
					t.Fatalf("%s %s: out of order at %d: %s then %s", sortBy, order, i, a, b)
				}
			}
			if len(ids) != 2500 {
				t.Fatalf("%s %s: %d distinct ids", sortBy, order, len(ids))
			}
		}
	}
}

func TestCursorNeedsEncodingAndItsFilters(t *testing.T) {
	e := newTest(t, Config{Agents: 50})
	_, body := get(t, e, DefaultToken, "agents", url.Values{"limit": {"10"}})
	cur := body["pagination"].(map[string]any)["nextCursor"].(string)
	if !strings.ContainsAny(cur, "+/") || !strings.HasSuffix(cur, "=") {
		t.Fatalf("cursor %q lacks + / = characters", cur)
	}
	if total := body["pagination"].(map[string]any)["totalItems"].(float64); total != 50 {
		t.Fatalf("totalItems = %v", total)
	}
	// The raw cursor in a query string: '+' decodes as space.
	req := httptest.NewRequest(http.MethodGet, prefix+"agents?limit=10&cursor="+cur, nil)
	req.Header.Set("Authorization", "ApiToken "+DefaultToken)
	rec := httptest.NewRecorder()
	e.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "Invalid cursor value received") {
		t.Fatalf("unencoded cursor: %d %s", rec.Code, rec.Body)
	}
	// The same cursor with other filters.
	status, b := get(t, e, DefaultToken, "agents", url.Values{"limit": {"10"}, "cursor": {cur}, "sortBy": {"updatedAt"}})
	if status != http.StatusBadRequest {
		t.Fatalf("cursor with other filters: %d %v", status, b)
	}
}

func TestValidationErrors(t *testing.T) {
	e := newTest(t, Config{Agents: 5})
	tests := []struct {
		endpoint string
		q        url.Values
		detail   string
	}{
		{"agents", url.Values{"limit": {"0"}}, "limit: Must be greater than or equal to 1"},
		{"agents", url.Values{"limit": {"1001"}}, "limit: Must be greater than or equal to 1"},
		{"agents", url.Values{"skip": {"1001"}}, "skip: Must be"},
		{"agents", url.Values{"bogus": {"1"}}, "bogus: Unknown field."},
		{"activities", url.Values{"updatedAt__gte": {"2026-01-01T00:00:00Z"}}, "updatedAt__gte: Unknown field."},
		{"agents", url.Values{"computerName__contains": {"x"}}, "not implemented by the s1collector emulator"},
		{"agents", url.Values{"createdAt__gte": {"yesterday"}}, "createdAt__gte: Not a valid datetime."},
		{"agents", url.Values{"siteIds": {"0"}}, "siteIds: 0: Must be greater than or equal to 100000000000000000."},
		{"agents", url.Values{"cursor": {"garbage"}}, "Invalid cursor value received"},
		{"activities", url.Values{"sortBy": {"updatedAt"}}, "sortBy"},
	}
	for _, tt := range tests {
		status, body := get(t, e, DefaultToken, tt.endpoint, tt.q)
		if status != http.StatusBadRequest {
			t.Errorf("%s %v: status %d", tt.endpoint, tt.q, status)
			continue
		}
		errs := body["errors"].([]any)[0].(map[string]any)
		if errs["code"].(float64) != 4000010 || !strings.Contains(errs["detail"].(string), tt.detail) {
			t.Errorf("%s %v: got %v, want detail containing %q", tt.endpoint, tt.q, errs, tt.detail)
		}
	}
}

func TestAuthAndPermissions(t *testing.T) {
	start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	e := newTest(t, Config{Agents: 5, Start: start, Tokens: []Token{
		{Value: "good"},
		{Value: "expired", ExpiresAt: start.Add(-time.Hour)},
		{Value: "no-threats", Deny: []string{"threats"}},
	}})
	tests := []struct {
		token, endpoint string
		status, code    int
	}{
		{"good", "agents", 200, 0},
		{"", "agents", 401, 4010010},
		{"wrong", "agents", 401, 4010010},
		{"expired", "system/info", 401, 4010010},
		{"no-threats", "threats", 403, 4030010},
		{"no-threats", "agents", 200, 0},
		{"", "system/status", 200, 0},
		{"good", "nope", 404, 4040010},
	}
	for _, tt := range tests {
		status, body := get(t, e, tt.token, tt.endpoint, nil)
		if status != tt.status {
			t.Errorf("%s %s: status %d, want %d", tt.token, tt.endpoint, status, tt.status)
		}
		if tt.code != 0 && body["errors"].([]any)[0].(map[string]any)["code"].(float64) != float64(tt.code) {
			t.Errorf("%s %s: body %v", tt.token, tt.endpoint, body)
		}
	}
}

func TestTimeMovesRecords(t *testing.T) {
	e := newTest(t, Config{Seed: 3, Agents: 200, HistoryActivities: 100, HistoryThreats: 10,
		AgentUpdatesPerMinute: 10, ActivitiesPerMinute: 6, ThreatsPerHour: 60, ThreatUpdatesPerHour: 60, NewAgentsPerHour: 60})
	start := e.Now()
	since := url.Values{"limit": {"1000"}, "sortBy": {"updatedAt"}, "updatedAt__gte": {stamp(micros(start))}}
	if got := walkAll(t, e, "agents", since); len(got) != 0 {
		t.Fatalf("%d agents updated before time moved", len(got))
	}
	e.Advance(10 * time.Minute)
	changed := walkAll(t, e, "agents", since)
	// 100 updates (some hit the same agent twice) plus 10 new agents.
	if len(changed) < 80 || len(changed) > 110 {
		t.Fatalf("%d agents changed in 10 minutes", len(changed))
	}
	acts := walkAll(t, e, "activities", url.Values{"limit": {"1000"}, "sortBy": {"createdAt"}, "createdAt__gte": {stamp(micros(start))}})
	if len(acts) != 60 {
		t.Fatalf("%d new activities, want 60", len(acts))
	}
	if acts[0]["createdAt"] != acts[1]["createdAt"] {
		t.Errorf("activities should come in pairs sharing a timestamp: %v %v", acts[0]["createdAt"], acts[1]["createdAt"])
	}
	threats := walkAll(t, e, "threats", url.Values{"limit": {"1000"}, "sortBy": {"updatedAt"}, "updatedAt__gte": {stamp(micros(start))}})
	if len(threats) < 10 || len(threats) > 20 {
		t.Fatalf("%d threats changed", len(threats))
	}
	if a, _, _ := e.Counts(); a != 210 {
		t.Fatalf("agents = %d, want 210", a)
	}
}
