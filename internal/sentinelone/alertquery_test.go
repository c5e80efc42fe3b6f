package sentinelone

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// TestAlertVariables: REST filters become the API's millisecond ranges,
// exactly: no alert inside the range is left out, none outside let in.
func TestAlertVariables(t *testing.T) {
	cases := []struct {
		q    url.Values
		want string
	}{
		{url.Values{"updatedAt__gte": {"2026-01-01T00:00:00.001000Z"}}, `{"dateTimeRange":{"start":1767225600001,"startInclusive":true},"fieldId":"updatedAt"}`},
		{url.Values{"updatedAt__gte": {"2026-01-01T00:00:00.001500Z"}}, `"start":1767225600002,"startInclusive":true`},
		{url.Values{"updatedAt__gt": {"2026-01-01T00:00:00.001500Z"}}, `"start":1767225600001,"startInclusive":false`},
		{url.Values{"updatedAt__lt": {"2026-01-01T00:00:00.001500Z"}}, `"end":1767225600002,"endInclusive":false`},
		{url.Values{"updatedAt__lte": {"2026-01-01T00:00:00.001500Z"}}, `"end":1767225600001,"endInclusive":true`},
		{url.Values{"sortBy": {"updatedAt"}, "sortOrder": {"asc"}}, `"sort":{"by":"updatedAt","order":"ASC"}`},
		{url.Values{"siteIds": {"225494730938493804,225494730938493805"}}, `"scope":{"scopeIds":["225494730938493804","225494730938493805"],"scopeType":"SITE"}`},
		{url.Values{"accountIds": {"433241117337583618"}}, `"scope":{"scopeIds":["433241117337583618"],"scopeType":"ACCOUNT"}`},
		{url.Values{"accountIds": {"433241117337583618"}, "siteIds": {"225494730938493804"}}, `"scope":{"scopeIds":["225494730938493804"],"scopeType":"SITE"}`},
	}
	for _, c := range cases {
		v, err := alertVariables(c.q)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(v)
		if !strings.Contains(string(b), c.want) {
			t.Errorf("%v → %s, want %s", c.q, b, c.want)
		}
	}
	if _, err := alertVariables(url.Values{"groupIds": {"1"}}); err == nil {
		t.Error("a filter the API cannot take must be refused, not dropped")
	}
	if v, _ := alertVariables(url.Values{"updatedAt__gte": {"2026-01-01T00:00:00Z"}}); v["scope"] != nil {
		t.Errorf("an unscoped walk sends a scope: %v", v["scope"])
	}
	if q := buildAlertQuery(nil, true, true); !strings.Contains(q.text, "$scope: ScopeSelectorInput") || !strings.Contains(q.text, "scope: $scope") {
		t.Errorf("a scoped query without its scope:\n%s", q.text)
	}
	if q := buildAlertQuery(nil, true, false); strings.Contains(q.text, "$scope") {
		t.Errorf("an unscoped query names a scope (a variable it does not use is invalid GraphQL):\n%s", q.text)
	}
}

// TestDroppingEveryChildDropsTheParent: an object left without fields is
// not valid GraphQL, so it goes too.
func TestDroppingEveryChildDropsTheParent(t *testing.T) {
	var d []string
	for _, f := range []string{"host", "ip"} {
		d = dropField(d, "detectionTime.attacker."+f)
	}
	if !slices.Contains(d, "detectionTime.attacker") || slices.Contains(d, "detectionTime") {
		t.Fatalf("dropped %v", d)
	}
	q := buildAlertQuery(d, true, false)
	if strings.Contains(q.text, "attacker") || !strings.Contains(q.text, "targetUser") {
		t.Fatalf("query:\n%s", q.text)
	}
}

// TestRejectedFieldIsFoundByItsLocation: a name used twice ("name") is
// told apart by the line the console points at.
func TestRejectedFieldIsFoundByItsLocation(t *testing.T) {
	q := buildAlertQuery(nil, true, false)
	line := 0
	for l, p := range q.paths {
		if p == "assignee.fullName" {
			line = l
		}
	}
	path, _, err := q.rejected(`Cannot query field "fullName" on type "Assignee".`, line)
	if err != nil || path != "assignee.fullName" {
		t.Fatalf("%q %v", path, err)
	}
	if _, _, err := q.rejected(`Cannot query field "name" on type "Asset".`, 0); err == nil {
		t.Fatal("an ambiguous field without a location must not be guessed")
	}
}

// FuzzDecodeAlertsAnswer feeds arbitrary bodies to the GraphQL answer
// decoder: nothing may panic; an answer that decodes yields a page whose
// next cursor is empty on the last page.
func FuzzDecodeAlertsAnswer(f *testing.F) {
	f.Add([]byte(`{"data":{"alerts":{"totalCount":2,"pageInfo":{"hasNextPage":true,"endCursor":"c2"},"edges":[{"cursor":"c1","node":{"id":"a"}},{"node":null}]}}}`))
	f.Add([]byte(`{"data":null,"errors":[{"message":"Cannot query field \"x\" on type \"Alert\".","locations":[{"line":9,"column":9}]}]}`))
	f.Add([]byte(`{"errors":[{"message":"boom","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}`))
	f.Add([]byte(`{"data":{"alerts":{"edges":"x","totalCount":"7"}}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		ans, refused, err := decodeAlertsAnswer(body)
		if err != nil || len(refused) > 0 {
			return
		}
		page := alertsPageOf(ans, 1, "")
		if !ans.Data.Alerts.PageInfo.HasNextPage && !page.Last() {
			t.Fatalf("last page with a next cursor: %s", body)
		}
	})
}
