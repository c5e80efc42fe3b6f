package sentinelone_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"s1collector/internal/sentinelone"
)

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "fixtures", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// replay serves real payloads as console pages: agents from two fixtures on
// two pages linked by a cursor, activities and threats as one page each.
func replay(t *testing.T) *sentinelone.Client {
	t.Helper()
	page := func(records []json.RawMessage, next any) []byte {
		b, _ := json.Marshal(map[string]any{"data": records, "pagination": map[string]any{"nextCursor": next, "totalItems": 2}})
		return b
	}
	var acts []json.RawMessage
	if err := json.Unmarshal(fixture(t, "activities_elastic.json"), &acts); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/web/api/v2.1/agents", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "ApiToken "+token {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if r.URL.Query().Get("cursor") == "" {
			w.Write(page([]json.RawMessage{fixture(t, "agent_elastic.json")}, "YWdlbnRfaWQ6NTgwMjkzODE="))
			return
		}
		w.Write(page([]json.RawMessage{fixture(t, "agent_demisto.json")}, ""))
	})
	mux.HandleFunc("/web/api/v2.1/activities", func(w http.ResponseWriter, r *http.Request) {
		w.Write(page(acts, nil))
	})
	mux.HandleFunc("/web/api/v2.1/threats", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"data":[` + string(fixture(t, "threat_elastic.json")) + `],"pagination":{"totalItems":1}}`))
	})
	srv := newServer(t, mux)
	c, err := sentinelone.New(sentinelone.Config{BaseURL: srv.URL, Token: token}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRealPayloadsDecode(t *testing.T) {
	c := replay(t)
	var agents []*sentinelone.Agent
	for page, err := range c.Pages(t.Context(), sentinelone.ListRequest{Endpoint: sentinelone.Agents}) {
		if err != nil {
			t.Fatal(err)
		}
		got, bad := models[*sentinelone.Agent](page)
		if len(bad) > 0 {
			t.Fatal(bad)
		}
		agents = append(agents, got...)
	}
	if len(agents) != 2 {
		t.Fatalf("%d agents", len(agents))
	}
	elastic, demisto := agents[0], agents[1]
	if elastic.ID.Value != "13491234512345" || elastic.ActiveThreats.Value != 7 || !elastic.Infected.Value ||
		elastic.NetworkInterfaces.Values[0].Inet.Values[0] != "81.2.69.144" || elastic.TotalMemory.Value != 1234 {
		t.Errorf("elastic agent: %+v", elastic)
	}
	if !demisto.FirewallEnabled.Set || !demisto.FirewallEnabled.Value || demisto.ExternalID.Set {
		t.Errorf("demisto agent: firewallEnabled %+v externalId %+v", demisto.FirewallEnabled, demisto.ExternalID)
	}
	if odd := demisto.OddFields(); len(odd) != 0 {
		t.Errorf("demisto agent odd fields: %v", odd)
	}

	for page, err := range c.Pages(t.Context(), sentinelone.ListRequest{Endpoint: sentinelone.Activities}) {
		if err != nil {
			t.Fatal(err)
		}
		acts, bad := models[*sentinelone.Activity](page)
		if len(bad) > 0 || len(acts) != 3 || acts[0].ActivityType.Value != 1234 || acts[0].CreatedAt.Value != "2022-04-18T05:14:08.925421Z" {
			t.Fatalf("activities: %+v %v", acts, bad)
		}
	}
	for page, err := range c.Pages(t.Context(), sentinelone.ListRequest{Endpoint: sentinelone.Threats}) {
		if err != nil {
			t.Fatal(err)
		}
		threats, _ := models[*sentinelone.Threat](page)
		if len(threats) != 1 || threats[0].ThreatInfo.UpdatedAt.Value == "" || threats[0].AgentRealtimeInfo.AgentID.Value == "" {
			t.Fatalf("threat: %+v", threats)
		}
	}
}

func TestDecodePage(t *testing.T) {
	tests := []struct {
		name, body string
		next       string
		records    int
		err        string
	}{
		{"null cursor", `{"data":[{"id":"1"}],"pagination":{"nextCursor":null,"totalItems":1}}`, "", 1, ""},
		{"empty cursor", `{"data":[{"id":"1"}],"pagination":{"nextCursor":""}}`, "", 1, ""},
		{"missing cursor", `{"data":[],"pagination":{}}`, "", 0, ""},
		{"cursor", `{"data":[{}],"pagination":{"nextCursor":"a+b/c=="}}`, "a+b/c==", 1, ""},
		{"null data", `{"data":null,"pagination":{"nextCursor":null}}`, "", 0, ""},
		{"no pagination", `{"data":[]}`, "", 0, "no pagination object"},
		{"data object", `{"data":{"allSites":{}},"pagination":{}}`, "", 0, "data is not a list"},
		{"numeric cursor", `{"data":[],"pagination":{"nextCursor":5}}`, "", 0, "nextCursor is not a string"},
		{"truncated", `{"data":[{"id":"1"},{"id"`, "", 0, "ends early, at byte 25: truncated"},
		{"empty", ``, "", 0, "the body is empty"},
		{"not an object", `[{"id":"1"}]`, "", 0, "the response is a JSON array, not an object"},
		{"pagination a list", `{"data":[],"pagination":[]}`, "", 0, "pagination is not an object but a JSON array"},
		{"two values", `{"data":[],"pagination":{}} {}`, "", 0, "more than one JSON value"},
		{"pagination first, unknown keys", `{"pagination":{"nextCursor":"x\u002By","totalItems":"7"},"x":[{}],"data":[{"id":"1"}]}`, "x+y", 1, ""},
		{"html", `<html><head><title>502 Bad Gateway</title></head></html>`, "", 0, `body is HTML, not JSON: "502 Bad Gateway"`},
		{"odd record kept", `{"data":[1,"x",{"id":"2"}],"pagination":{}}`, "", 3, ""},
	}
	for _, tt := range tests {
		p, err := sentinelone.DecodePage(sentinelone.Agents, []byte(tt.body))
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: err %v, want %q", tt.name, err, tt.err)
			}
			continue
		}
		if err != nil || p.NextCursor != tt.next || len(p.Records) != tt.records {
			t.Errorf("%s: page %+v err %v", tt.name, p, err)
		}
	}
	body := "{\"data\":[1, \"x\" ,\n{\"id\":\"2\", \"cpuCount\": [] },null],\"pagination\":{}}"
	p, _ := sentinelone.DecodePage(sentinelone.Agents, []byte(body))
	agents, bad := models[*sentinelone.Agent](p)
	if len(agents) != 1 || len(bad) != 3 || bad[0] != 0 || bad[1] != 1 || bad[2] != 3 {
		t.Errorf("odd records: %d decoded, not objects %v", len(agents), bad)
	}
	var raws []string
	for _, r := range p.Records {
		raws = append(raws, string(r.Raw))
	}
	if got := strings.Join(raws, "|"); got != `1|"x"|{"id":"2", "cpuCount": [] }|null` {
		t.Errorf("records as they came: %s", got)
	}
	if odd := agents[0].OddFields(); len(odd) != 1 || odd[0] != "cpuCount" || agents[0].ID.Value != "2" {
		t.Errorf("agent %+v odd %v", agents[0], odd)
	}
}

func TestNormalizeBaseURL(t *testing.T) {
	tests := []struct{ in, want, err string }{
		{"https://tenant.sentinelone.net", "https://tenant.sentinelone.net", ""},
		{"https://tenant.sentinelone.net/", "https://tenant.sentinelone.net", ""},
		{"https://tenant.sentinelone.net/web/api/v2.1/", "https://tenant.sentinelone.net", ""},
		{"tenant.sentinelone.net", "https://tenant.sentinelone.net", ""},
		{"  https://EU.sentinelone.net:8443/x  ", "https://EU.sentinelone.net:8443", ""},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080", ""},
		{"http://localhost:9", "http://localhost:9", ""},
		{"http://[::1]:9", "http://[::1]:9", ""},
		{"http://tenant.sentinelone.net", "", "plain http"},
		{"ftp://tenant", "", "scheme"},
		{"", "", "empty"},
		{"https://", "", "not a URL"},
	}
	for _, tt := range tests {
		got, err := sentinelone.NormalizeBaseURL(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: err %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%q: got %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestConfigValidateNamesEveryProblem(t *testing.T) {
	err := sentinelone.Config{BaseURL: "http://example.com", Token: "abc\n",
		RateLimits: map[string]sentinelone.RateLimit{"agents": {Rate: 0}}}.Validate()
	for _, want := range []string{"plain http", "white space", "rate_limits.agents"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not mention %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "abc") {
		t.Errorf("error shows the token: %v", err)
	}
}
