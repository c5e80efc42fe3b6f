package sentinelone_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"s1collector/internal/retry"
	"s1collector/internal/sentinelone"
)

// TestHostileResponses: malformed answers a console or a proxy in front of
// it may give. Each ends in a clear error or a sound page — never a crash,
// never memory beyond the body limit.
func TestHostileResponses(t *testing.T) {
	rec := `{"id":"1","computerName":"x"}`
	huge := `{"id":"2","computerName":"` + strings.Repeat("A", 5<<20) + `"}`
	rec6k := `{"id":"5","computerName":"` + strings.Repeat("n", 6000) + `"}`
	pageOf := func(n int, rec string) string {
		return `{"data":[` + strings.TrimSuffix(strings.Repeat(rec+",", n), ",") + `],"pagination":{"nextCursor":null}}`
	}
	tests := []struct {
		name, body string
		status     int
		records    int
		err        string
	}{
		{"truncated", `{"data":[` + rec + `,{"id"`, 200, 0, "truncated (unexpected end of JSON input)"},
		{"html with 200", `<html><head><title>Service Unavailable</title></head><body>maintenance</body></html>`, 200, 0, `body is HTML, not JSON: "Service Unavailable"`},
		{"html 502", `<html><head><title>502 Bad Gateway</title></head></html>`, 502, 0, "HTTP 502 Bad Gateway"},
		{"empty 200", ``, 200, 0, "the body is empty"},
		{"data is a string", `{"data":"x","pagination":{}}`, 200, 0, "data is not a list but a JSON string"},
		{"pagination is a list", `{"data":[],"pagination":[]}`, 200, 0, "pagination is not an object but a JSON array"},
		{"wrong record types", `{"data":[1,"two",null,` + rec + `],"pagination":{"nextCursor":null}}`, 200, 4, ""},
		{"odd field types", `{"data":[{"id":7,"isActive":"yes","cpuCount":"4.0","networkInterfaces":"eth0","computerName":{}}],"pagination":{}}`, 200, 1, ""},
		{"duplicate keys", `{"data":[{"id":"1","id":"6"}],"pagination":{},"pagination":{"nextCursor":null}}`, 200, 1, ""},
		{"huge string", `{"data":[` + huge + `],"pagination":{"nextCursor":null}}`, 200, 1, ""},
		{"6 MB page", pageOf(1000, rec6k), 200, 1000, ""},
		{"10 MB page over an 8 MiB limit", pageOf(1700, rec6k), 200, 0, "response body larger than 8388608 bytes"},
		{"more records than the limit", pageOf(1001, `{}`), 200, 0, "the page holds 1001 records, more than the limit of 1000 asked for: refused"},
		{"a million records in one page", pageOf(1_000_000, `0`), 200, 0, "the page holds 1000000 records, more than the limit of 1000"},
		{"deep nesting", `{"data":[` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `],"pagination":{}}`, 200, 0, "exceeded max depth"},
		{"invalid utf-8", "{\"data\":[{\"id\":\"3\",\"computerName\":\"bad \xff\xfe name\"}],\"pagination\":{}}", 200, 1, ""},
		{"nul bytes", "{\"data\":[{\"id\":\"4\x00\"}],\"pagination\":{}}", 200, 0, "invalid character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tt.status)
				w.Write([]byte(tt.body))
			}))
			c, err := sentinelone.New(sentinelone.Config{BaseURL: srv.URL, Token: token, MaxBodyBytes: 8 << 20,
				Retry: retry.Policy{MaxAttempts: 1, Initial: time.Millisecond}}, nil)
			if err != nil {
				t.Fatal(err)
			}
			page, err := c.Page(t.Context(), sentinelone.Agents, nil, "")
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				if len(err.Error()) > 600 {
					t.Fatalf("error is %d characters: it quotes the body", len(err.Error()))
				}
				return
			}
			if err != nil || len(page.Records) != tt.records {
				t.Fatalf("page %v, err %v", page, err)
			}
			agents, notObjects := models[*sentinelone.Agent](page)
			if len(agents)+len(notObjects) != tt.records {
				t.Fatalf("%d agents, %d not objects", len(agents), len(notObjects))
			}
			for _, a := range agents {
				if id, _ := a.Key(); !id.Set || id.Value == "" {
					t.Errorf("agent without its id: %+v", a.ID)
				}
			}
		})
	}
}

// TestAlertsPageOverFirstIsRefused: a GraphQL console answering one alert
// more than the 10 asked for, or a million, is refused, as a REST page over
// its limit is, instead of mapping them all.
func TestAlertsPageOverFirstIsRefused(t *testing.T) {
	for _, n := range []int{11, 1_000_000} {
		edges := strings.TrimSuffix(strings.Repeat(`{"node":{"id":"1"}},`, n), ",")
		srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, `{"data":{"alerts":{"totalCount":%d,"pageInfo":{"hasNextPage":false,"endCursor":null},"edges":[%s]}}}`, n, edges)
		}))
		c, err := sentinelone.New(sentinelone.Config{BaseURL: srv.URL, Token: token, PageSize: 10,
			Retry: retry.Policy{MaxAttempts: 1, Initial: time.Millisecond}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, err := range c.Pages(t.Context(), sentinelone.ListRequest{Endpoint: sentinelone.Alerts}) {
			if want := fmt.Sprintf("the page holds %d records, more than the limit of 10 asked for: refused", n); err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%d alerts: err = %v", n, err)
			}
			break
		}
	}
}
