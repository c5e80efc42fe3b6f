package sentinelone_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"s1collector/internal/retry"
	"s1collector/internal/sentinelone"
)

const okNode = `{"id":"a1","name":"n","severity":"HIGH","status":"NEW","createdAt":"2026-11-30T10:00:00.000Z","updatedAt":"2026-11-30T10:00:00.412Z"}`

// okAnswer is a one-page answer of the given edges.
func okAnswer(edges ...string) string {
	return `{"data":{"alerts":{"totalCount":` + string(rune('0'+len(edges))) + `,"pageInfo":{"hasNextPage":false,"endCursor":"c"},"edges":[` +
		strings.Join(edges, ",") + `]}}}`
}

// gqlConsole is a console answering the alerts query with answer (given
// the query's text), counting requests.
func gqlConsole(t *testing.T, answer func(query string) string, opts ...func(*sentinelone.Config)) (*sentinelone.Client, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) { // in process: synctest's clock runs
		n.Add(1)
		var body struct{ Query string }
		_ = json.NewDecoder(r.Body).Decode(&body)
		return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}}, Request: r,
			Body: io.NopCloser(strings.NewReader(answer(body.Query)))}, nil
	})
	cfg := sentinelone.Config{BaseURL: "http://localhost", Token: token, Retry: retry.Policy{MaxAttempts: 3}}
	for _, o := range opts {
		o(&cfg)
	}
	c, err := sentinelone.New(cfg, &http.Client{Transport: rt})
	if err != nil {
		t.Fatal(err)
	}
	return c, &n
}

// TestGraphQLErrorsAreJudgedByWhatTheyMean: a field or argument the
// console lacks is dropped whatever the server's wording; a query it
// refuses otherwise, a rejected token or a missing permission is not
// retried (it would only repeat); a failure it may recover from is.
func TestGraphQLErrorsAreJudgedByWhatTheyMean(t *testing.T) {
	refuse := func(when, errJSON string) func(string) string {
		return func(q string) string {
			if when == "" || strings.Contains(q, when) {
				return `{"data":null,"errors":[` + errJSON + `]}`
			}
			return okAnswer(`{"cursor":"c","node":` + okNode + `}`)
		}
	}
	cases := []struct {
		name     string
		answer   func(string) string
		kind     sentinelone.Kind // KindUnknown: the walk succeeds
		requests int32
	}{
		{"graphql-js field", refuse("dataSources", `{"message":"Cannot query field \"dataSources\" on type \"Alert\".","extensions":{"code":"GRAPHQL_VALIDATION_FAILED"}}`), 0, 2},
		{"graphql-ruby field", refuse("dataSources", `{"message":"Field 'dataSources' doesn't exist on type 'Alert'","extensions":{"code":"undefinedField"}}`), 0, 2},
		{"graphql-java field", refuse("dataSources", `{"message":"Validation error (FieldUndefined@[alerts/edges/node/dataSources]) : Field 'dataSources' in type 'Alert' is undefined","extensions":{"classification":"ValidationError"}}`), 0, 2},
		{"Hasura field", refuse("dataSources", `{"message":"field 'dataSources' not found in type: 'Alert'","extensions":{"code":"validation-failed"}}`), 0, 2},
		{"graphql-ruby argument", refuse("viewType", `{"message":"Field 'alerts' doesn't accept argument 'viewType'","extensions":{"code":"argumentNotAccepted"}}`), 0, 2},
		{"graphql-java argument", refuse("viewType", `{"message":"Validation error (UnknownArgument@[alerts]) : Unknown field argument 'viewType'"}`), 0, 2},
		{"another validation error", refuse("", `{"message":"Variable \"$filters\" got invalid value","extensions":{"code":"BAD_USER_INPUT"}}`), sentinelone.KindValidation, 1},
		{"not authorized, no code", refuse("", `{"message":"Not authorized to access alerts"}`), sentinelone.KindPermission, 1},
		{"FORBIDDEN", refuse("", `{"message":"Forbidden","extensions":{"code":"FORBIDDEN"}}`), sentinelone.KindPermission, 1},
		{"UNAUTHENTICATED: ApiToken tried once", refuse("", `{"message":"no","extensions":{"code":"UNAUTHENTICATED"}}`), sentinelone.KindAuth, 2},
		{"internal error: retried", refuse("", `{"message":"Internal server error","extensions":{"code":"INTERNAL_SERVER_ERROR"}}`), sentinelone.KindUnavailable, 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				client, n := gqlConsole(t, c.answer)
				all, _, err := walkAlerts(t, client, nil)
				if c.kind == sentinelone.KindUnknown {
					if err != nil || len(all) != 1 {
						t.Fatalf("%d alerts, %v", len(all), err)
					}
				} else if got := sentinelone.KindOf(err); got != c.kind {
					t.Fatalf("kind %v, want %v: %v", got, c.kind, err)
				}
				if got := n.Load(); got != c.requests {
					t.Fatalf("%d requests, want %d", got, c.requests)
				}
			})
		})
	}
}

// TestPartialAnswersDeliverTheirGoodNodes: an answer with alerts and
// errors located in them is an answer: the good nodes come through, and
// the node in error carries what the console said (a null node stays a
// record the caller skips and reports) — never retried for ever.
func TestPartialAnswersDeliverTheirGoodNodes(t *testing.T) {
	bad := strings.Replace(okNode, `"a1"`, `"a2"`, 1)
	answer := okAnswer(`{"cursor":"c1","node":`+okNode+`}`, `{"cursor":"c2","node":null}`, `{"cursor":"c3","node":`+bad+`}`)
	answer = strings.TrimSuffix(answer, "}") + `,"errors":[` +
		`{"message":"Cannot return null for non-nullable field Alert.assets","path":["alerts","edges",1,"node","assets"]},` +
		`{"message":"timeout resolving process","path":["alerts","edges",2,"node","process"]},` +
		`{"message":"count unavailable","path":["alerts","totalCount"]}]}`
	client, n := gqlConsole(t, func(string) string { return answer })
	var recs []sentinelone.Record
	for page, err := range client.Pages(t.Context(), sentinelone.ListRequest{Endpoint: sentinelone.Alerts}) {
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, page.Records...)
	}
	if n.Load() != 1 || len(recs) != 3 {
		t.Fatalf("%d requests, %d records", n.Load(), len(recs))
	}
	if recs[0].Model == nil || len(recs[0].Errors) != 0 {
		t.Errorf("good node: %+v", recs[0])
	}
	if recs[1].Model != nil || !strings.Contains(strings.Join(recs[1].Errors, ""), "Cannot return null") {
		t.Errorf("null node: %+v", recs[1])
	}
	if id, _ := recs[2].Model.Key(); id.Value != "a2" || !strings.Contains(strings.Join(recs[2].Errors, ""), "timeout resolving process (at alerts.edges.2.node.process)") {
		t.Errorf("node with a field in error: %+v", recs[2])
	}
}

// TestMoreAlertsWithoutACursorIsSaid: a console that says more alerts
// follow but gives no cursor to go on from (or no alerts) ends the walk
// with what it gave — the next poll reads on from the checkpoint — and
// says so, rather than ending as if the walk were complete.
func TestMoreAlertsWithoutACursorIsSaid(t *testing.T) {
	for name, answer := range map[string]string{
		"no endCursor": `{"data":{"alerts":{"totalCount":5,"pageInfo":{"hasNextPage":true,"endCursor":null},"edges":[{"cursor":"c","node":` + okNode + `}]}}}`,
		"no edges":     `{"data":{"alerts":{"totalCount":5,"pageInfo":{"hasNextPage":true,"endCursor":"c2"},"edges":[]}}}`,
	} {
		t.Run(name, func(t *testing.T) {
			var logs *logRecorder
			client, n := gqlConsole(t, func(string) string { return answer }, func(c *sentinelone.Config) { logs = recorded(c) })
			for _, err := range client.Pages(t.Context(), sentinelone.ListRequest{Endpoint: sentinelone.Alerts}) {
				if err != nil {
					t.Fatal(err)
				}
			}
			if n.Load() != 1 || strings.Count(logs.String(), "said more alerts follow but gave nothing to go on from") != 1 {
				t.Fatalf("%d requests; log:\n%s", n.Load(), logs)
			}
		})
	}
}

// TestRefusedPageSizeIsLearnedOnce: a console refusing the page size and
// naming its limit is asked for that many alerts a page from then on, said
// once; one naming none is asked for half as many each time, down to 100.
func TestRefusedPageSizeIsLearnedOnce(t *testing.T) {
	cases := []struct {
		name     string
		limit    int
		refusal  string
		requests int32
		warnings int
	}{
		{"limit named", 50, `Argument \"first\" has invalid value 1000: must be at most 50`, 2, 1},
		{"limit not named", 250, `Argument \"first\" has an invalid value`, 3, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var logs *logRecorder
			var n atomic.Int32
			var asked []int
			rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
				n.Add(1)
				var body struct{ Variables struct{ First int } }
				_ = json.NewDecoder(r.Body).Decode(&body)
				asked = append(asked, body.Variables.First)
				answer := okAnswer(`{"cursor":"c","node":` + okNode + `}`)
				if body.Variables.First > tc.limit {
					answer = `{"data":null,"errors":[{"message":"` + tc.refusal + `","extensions":{"code":"BAD_USER_INPUT"}}]}`
				}
				return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}}, Request: r,
					Body: io.NopCloser(strings.NewReader(answer))}, nil
			})
			cfg := sentinelone.Config{BaseURL: "http://localhost", Token: token, Retry: retry.Policy{MaxAttempts: 3}}
			logs = recorded(&cfg)
			client, err := sentinelone.New(cfg, &http.Client{Transport: rt})
			if err != nil {
				t.Fatal(err)
			}
			for range 2 {
				for _, err := range client.Pages(t.Context(), sentinelone.ListRequest{Endpoint: sentinelone.Alerts}) {
					if err != nil {
						t.Fatal(err)
					}
				}
			}
			if got := strings.Count(logs.String(), "refuses the page size"); n.Load() != tc.requests+1 || got != tc.warnings || asked[len(asked)-1] != tc.limit {
				t.Fatalf("asked for %v (%d requests for two walks, want %d); %d warnings, want %d", asked, n.Load(), tc.requests+1, got, tc.warnings)
			}
		})
	}
}
