package sentinelone

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// alertsAPI is what a client learns about a console's Unified Alerts API
// and remembers for its life: the authorization scheme that works, the
// fields and arguments the console rejects, the page size it accepts.
type alertsAPI struct {
	mu       sync.Mutex
	scheme   string // "" until a call succeeded: Bearer first, then ApiToken
	dropped  []string
	noView   bool
	pageSize int
}

// maxAdjustments bounds how many fields and arguments one call may drop.
const maxAdjustments = 40

// alertsPage fetches one page of alerts: variables as the API takes them,
// after the cursor. A field or argument the console rejects is dropped,
// remembered and logged, and the page asked again; a GraphQL error inside
// a 200 is an error (retried when it may pass); 401 to Bearer is tried
// once with ApiToken, and the scheme that worked is kept.
func (c *Client) alertsPage(ctx context.Context, vars map[string]any, pageSize int) (*gqlAnswer, error) {
	for range maxAdjustments {
		a := &c.alerts
		a.mu.Lock()
		q, scheme, first := buildAlertQuery(a.dropped, !a.noView, vars["scope"] != nil), a.scheme, a.pageSize
		a.mu.Unlock()
		if first == 0 {
			first = c.cfg.PageSize
		}
		if pageSize > 0 {
			first = min(first, pageSize)
		}
		vars["first"] = first
		body := map[string]any{"query": q.text, "variables": vars, "operationName": "Alerts"}
		ans, refused, err := c.postAlerts(ctx, body, scheme, first)
		if err != nil && scheme == "" && KindOf(err) == KindAuth {
			c.cfg.Logger.Info("unified alerts: the console refused the token as Bearer; trying ApiToken")
			ans, refused, err = c.postAlerts(ctx, body, "ApiToken", first)
			scheme = "ApiToken"
		} else if scheme == "" {
			scheme = "Bearer"
		}
		if err != nil {
			return nil, err
		}
		c.rememberScheme(scheme)
		if len(refused) == 0 {
			return ans, nil
		}
		for _, e := range refused {
			if err := c.adjust(q, e, first); err != nil {
				return nil, err
			}
		}
	}
	return nil, &APIError{Kind: KindValidation, Endpoint: string(Alerts), Status: http.StatusOK,
		Err: errors.New("the console keeps rejecting the alerts query")}
}

func (c *Client) rememberScheme(scheme string) {
	a := &c.alerts
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.scheme == "" && scheme == "ApiToken" {
		c.cfg.Logger.Info("unified alerts: the console accepts the token as ApiToken, not Bearer; using ApiToken from now on")
	}
	a.scheme = scheme
}

// postAlerts sends the query once (with retries of transient failures).
// Validation errors come back as refused, to be adjusted for; a page with
// more alerts than the first asked for is refused like a REST page over
// its limit.
func (c *Client) postAlerts(ctx context.Context, body map[string]any, scheme string, first int) (*gqlAnswer, []gqlError, error) {
	if scheme == "" {
		scheme = "Bearer"
	}
	var ans *gqlAnswer
	var refused []gqlError
	req := request{method: http.MethodPost, endpoint: string(Alerts), path: Alerts.resource(), body: body, scheme: scheme}
	err := c.do(ctx, req, func(b []byte) error {
		var err error
		if ans, refused, err = decodeAlertsAnswer(b); err == nil && ans.Data != nil && ans.Data.Alerts != nil {
			err = overLimit(len(ans.Data.Alerts.Edges), first)
		}
		return err
	})
	return ans, refused, err
}

// adjust drops what the console rejected, or says why it cannot.
func (c *Client) adjust(q alertQuery, e gqlError, first int) error {
	line := 0
	if len(e.Locations) > 0 {
		line = e.Locations[0].Line
	}
	a := &c.alerts
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, _, field := rejectedField(e.Message); strings.Contains(e.Message, "first") && !field && (first > 100 || pageLimit(e.Message, first) > 0) {
		a.pageSize = max(first/2, 100)
		if n := pageLimit(e.Message, first); n > 0 {
			a.pageSize = n
		}
		c.cfg.Logger.Warn("unified alerts: the console refuses the page size; asking for fewer alerts a page from now on", "page_size", a.pageSize, "console_said", e.Message)
		return nil
	}
	path, view, err := q.rejected(e.Message, line)
	if err != nil {
		return &APIError{Kind: KindValidation, Endpoint: string(Alerts), Status: http.StatusOK, Detail: e.Message, Err: err}
	}
	if view {
		a.noView = true
		c.cfg.Logger.Warn("unified alerts: the console does not know the viewType argument; asking without it from now on")
		return nil
	}
	a.dropped = dropField(a.dropped, path)
	c.cfg.Logger.Warn("unified alerts: the console does not know a field; collecting alerts without it from now on", "field", path)
	return nil
}

// pageLimit is the largest page size a refusal of first names ("must be
// at most 100", "maximum: 500", "<= 250"), when it is below first; 0 when
// it names none.
func pageLimit(msg string, first int) int {
	m := pageLimitRe.FindStringSubmatch(msg)
	if m == nil {
		return 0
	}
	if n, err := strconv.Atoi(m[1]); err == nil && n >= 1 && n < first {
		return n
	}
	return 0
}

var pageLimitRe = regexp.MustCompile(`(?i)(?:at most|maximum(?: is| of| value)?|max|up to|less than or equal to|<=|≤)\s*:?\s*(\d+)`)

// dropField adds path to the dropped fields, and its parent when none of
// the parent's fields is left (an empty selection is not valid GraphQL).
func dropField(dropped []string, path string) []string {
	dropped = append(dropped, path)
	for {
		i := strings.LastIndex(path, ".")
		if i < 0 {
			return dropped
		}
		parent := path[:i]
		kids := childrenOf(alertNodeFields, strings.Split(parent, "."))
		if slices.ContainsFunc(kids, func(k gqlNode) bool { return !slices.Contains(dropped, parent+"."+k.name) }) {
			return dropped
		}
		dropped, path = append(dropped, parent), parent
	}
}

func childrenOf(nodes []gqlNode, path []string) []gqlNode {
	for _, n := range nodes {
		if n.name == path[0] {
			if len(path) == 1 {
				return n.sub
			}
			return childrenOf(n.sub, path[1:])
		}
	}
	return nil
}

// alertPages walks the Unified Alerts API for a list request: its time
// filters and sort become the API's, its cursor the API's after.
func (c *Client) alertPages(ctx context.Context, req ListRequest) iter.Seq2[*Page, error] {
	return func(yield func(*Page, error) bool) {
		vars, err := alertVariables(req.Query)
		if err != nil {
			yield(nil, &APIError{Kind: KindValidation, Endpoint: string(Alerts), Err: err})
			return
		}
		seen := map[uint64]bool{}
		cursor := req.Cursor
		how := decoding{models: Alerts, each: req.Map}
		if req.RawRecords {
			how = decoding{}
		}
		for n := 1; ; n++ {
			if cursor != "" {
				vars["after"] = cursor
				seen[hashCursor(cursor)] = true
			}
			ans, err := c.alertsPage(ctx, vars, 0)
			if err != nil {
				yield(nil, fmt.Errorf("list alerts page %d: %w", n, err))
				return
			}
			if len(ans.otherErrors) > 0 {
				c.cfg.Logger.Warn("unified alerts: the console answered with errors beside the alerts; the alerts it gave are collected",
					"page", n, "console_said", strings.Join(ans.otherErrors, "; "))
			}
			page := alertsPageDecoded(ans, n, cursor, how)
			if page.Last() && ans.Data.Alerts.PageInfo.HasNextPage {
				c.cfg.Logger.Warn("unified alerts: the console said more alerts follow but gave nothing to go on from; "+
					"the walk ends here and the next poll reads on from the checkpoint", "page", n, "alerts", len(page.Records))
			}
			if !page.Last() && seen[hashCursor(page.NextCursor)] {
				yield(nil, fmt.Errorf("list alerts page %d: %w", n, ErrRepeatedCursor))
				return
			}
			if !yield(page, nil) || page.Last() {
				return
			}
			cursor = page.NextCursor
		}
	}
}

// alertsPageOf makes a page of an answer, its nodes decoded as alerts.
func alertsPageOf(ans *gqlAnswer, n int, cursor string) *Page {
	return alertsPageDecoded(ans, n, cursor, decoding{models: Alerts})
}

// alertsPageDecoded makes a page of an answer; its nodes are decoded as
// the other endpoints' records are (encoding/json has checked their
// syntax).
func alertsPageDecoded(ans *gqlAnswer, n int, cursor string, how decoding) *Page {
	al := ans.Data.Alerts
	page := &Page{Endpoint: Alerts, Number: n, Cursor: cursor, TotalItems: al.TotalCount.Ptr()}
	reused := newModel(how.models)
	for i, e := range al.Edges {
		m := reused
		if how.each == nil && m != nil {
			m = newModel(how.models)
		}
		page.Records = append(page.Records, how.recordOf(e.Node, m, ans.nodeErrors[i]...))
	}
	if al.PageInfo.HasNextPage && len(al.Edges) > 0 {
		page.NextCursor = al.PageInfo.EndCursor.Value
	}
	return page
}

// alertVariables translates a list request's filters, in the REST API's
// words (updatedAt__gte…, sortBy, sortOrder, siteIds, accountIds), into
// the alerts query's: dateTimeRange filters in epoch milliseconds, exact
// for any precision (the API's times are whole milliseconds), the sort,
// and the scope (sites when given, else accounts).
func alertVariables(q url.Values) (map[string]any, error) {
	ranges := map[string]map[string]any{}
	sort := map[string]any{"by": "updatedAt", "order": "ASC"}
	vars := map[string]any{}
	for k, vs := range q {
		v := vs[0]
		switch k {
		case "sortBy":
			sort["by"] = v
			continue
		case "sortOrder":
			sort["order"] = strings.ToUpper(v)
			continue
		case "siteIds", "accountIds":
			continue
		}
		field, op, ok := strings.Cut(k, "__")
		if !ok || !slices.Contains([]string{"updatedAt", "createdAt", "detectedAt"}, field) {
			return nil, fmt.Errorf("filter %s is not one the alerts stream can send to the Unified Alerts API", k)
		}
		t, err := ParseTime(v)
		if err != nil {
			return nil, fmt.Errorf("filter %s: %w", k, err)
		}
		r := ranges[field]
		if r == nil {
			r = map[string]any{}
			ranges[field] = r
		}
		floor, ceil := t.Truncate(time.Millisecond).UnixMilli(), t.Add(time.Millisecond-time.Nanosecond).Truncate(time.Millisecond).UnixMilli()
		switch op {
		case "gte":
			r["start"], r["startInclusive"] = ceil, true
		case "gt":
			r["start"], r["startInclusive"] = floor, false
		case "lt":
			r["end"], r["endInclusive"] = ceil, false
		case "lte":
			r["end"], r["endInclusive"] = floor, true
		default:
			return nil, fmt.Errorf("filter %s: the Unified Alerts API takes __gte, __gt, __lt and __lte", k)
		}
	}
	var filters []any
	for _, field := range []string{"updatedAt", "createdAt", "detectedAt"} {
		if r, ok := ranges[field]; ok {
			filters = append(filters, map[string]any{"fieldId": field, "dateTimeRange": r})
		}
	}
	vars["filters"], vars["sort"] = filters, sort
	if scope := alertScope(q); scope != nil {
		vars["scope"] = scope
	}
	return vars, nil
}

// alertScope is the ScopeSelectorInput of a request limited to sites or
// accounts (siteIds, accountIds: comma-separated ids); sites, the
// narrower, when both are given. nil when it is not limited.
func alertScope(q url.Values) map[string]any {
	for _, s := range []struct{ param, typ string }{{"siteIds", "SITE"}, {"accountIds", "ACCOUNT"}} {
		var ids []any
		for _, v := range q[s.param] {
			for _, id := range strings.Split(v, ",") {
				if id = strings.TrimSpace(id); id != "" {
					ids = append(ids, id)
				}
			}
		}
		if len(ids) > 0 {
			return map[string]any{"scopeType": s.typ, "scopeIds": ids}
		}
	}
	return nil
}
