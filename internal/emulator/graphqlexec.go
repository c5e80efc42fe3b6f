package emulator

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// alertsQuery is a parsed alerts(first, after, filters, sort) call.
type alertsQuery struct {
	first   int
	after   string
	sortBy  string // updatedAt, detectedAt or createdAt
	desc    bool
	filters []alertFilter
	scope   *alertScope
	key     uint64 // the filters, sort and scope a cursor belongs to
}

// alertScope is a ScopeSelectorInput: the accounts, sites or groups whose
// alerts a call sees (realTime.scope's ids).
type alertScope struct {
	field string // realTime.scope.site.id…
	ids   []string
}

func parseAlertScope(v any) *alertScope {
	m, _ := v.(map[string]any)
	if m == nil || m["scopeType"] == "GLOBAL" {
		return nil
	}
	sc := &alertScope{field: "realTime.scope." + strings.ToLower(fmt.Sprint(m["scopeType"])) + ".id"}
	ids, _ := m["scopeIds"].([]any)
	for _, id := range ids {
		sc.ids = append(sc.ids, fmt.Sprint(id))
	}
	return sc
}

func (sc *alertScope) match(doc func() map[string]any) bool {
	return sc == nil || slices.Contains(sc.ids, lookup(doc(), sc.field))
}

// alertFilter is one FilterInput: a time range, or a string match on
// severity, status or detection product.
type alertFilter struct {
	field   string
	negated bool
	lo, hi  int64
	loOpen  bool
	hiOpen  bool
	hasLo   bool
	hasHi   bool
	values  []string
}

var (
	alertTimeFields   = []string{"updatedAt", "detectedAt", "createdAt"}
	alertStringFields = map[string]string{"severity": "severity", "status": "status", "detectionProduct": "detectionSource.product"}
)

func parseAlertsQuery(args map[string]any) (*alertsQuery, *gqlerror.Error) {
	q := &alertsQuery{first: 50, sortBy: "detectedAt"}
	if v, ok := args["first"]; ok && v != nil {
		n, _ := toInt64(v)
		if n < 1 || n > 1000 {
			return nil, gqlerror.Errorf("first: must be between 1 and 1000, got %d", n)
		}
		q.first = int(n)
	}
	q.after, _ = args["after"].(string)
	if s, ok := args["sort"].(map[string]any); ok {
		q.sortBy, _ = s["by"].(string)
		q.desc = s["order"] == "DESC"
		if !slices.Contains(alertTimeFields, q.sortBy) {
			return nil, gqlerror.Errorf("sort.by: %q is not a sort field the s1collector emulator implements (%s)", q.sortBy, strings.Join(alertTimeFields, ", "))
		}
	}
	list, _ := args["filters"].([]any)
	for _, raw := range list {
		f, err := parseAlertFilter(raw)
		if err != nil {
			return nil, err
		}
		q.filters = append(q.filters, f)
	}
	q.scope = parseAlertScope(args["scope"])
	key, _ := json.Marshal([]any{args["filters"], args["sort"], args["scope"]})
	h := fnv.New64a()
	h.Write(key)
	q.key = h.Sum64()
	return q, nil
}

func parseAlertFilter(raw any) (alertFilter, *gqlerror.Error) {
	m, _ := raw.(map[string]any)
	f := alertFilter{field: fmt.Sprint(m["fieldId"]), negated: m["isNegated"] == true}
	if dr, ok := m["dateTimeRange"].(map[string]any); ok && dr != nil {
		if !slices.Contains(alertTimeFields, f.field) {
			return f, gqlerror.Errorf("filters: dateTimeRange on %q is not implemented by the s1collector emulator", f.field)
		}
		if v, ok := toInt64(dr["start"]); ok {
			f.lo, f.hasLo, f.loOpen = v, true, dr["startInclusive"] == false
		}
		if v, ok := toInt64(dr["end"]); ok {
			f.hi, f.hasHi, f.hiOpen = v, true, dr["endInclusive"] != true
		}
		return f, nil
	}
	if _, ok := alertStringFields[f.field]; !ok {
		return f, gqlerror.Errorf("filters: field %q is not implemented by the s1collector emulator", f.field)
	}
	if se, ok := m["stringEqual"].(map[string]any); ok && se != nil {
		f.values = []string{fmt.Sprint(se["value"])}
		return f, nil
	}
	if si, ok := m["stringIn"].(map[string]any); ok && si != nil {
		vals, _ := si["values"].([]any)
		for _, v := range vals {
			f.values = append(f.values, fmt.Sprint(v))
		}
		return f, nil
	}
	return f, gqlerror.Errorf("filters: %q needs stringEqual or stringIn in the s1collector emulator", f.field)
}

// toInt64 reads a coerced Int or Long: JSON numbers arrive as float64 or
// json.Number, literals as int64.
func toInt64(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case int:
		return int64(n), true
	case float64:
		return int64(n), n == math.Trunc(n)
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	case string:
		i, err := strconv.ParseInt(n, 10, 64)
		return i, err == nil
	}
	return 0, false
}

func (f alertFilter) timeOf(av alertVersion) int64 {
	switch f.field {
	case "createdAt":
		return av.created
	case "detectedAt":
		return av.created - 1500
	}
	return av.updated
}

func (f alertFilter) match(av alertVersion, doc func() map[string]any) bool {
	var ok bool
	if f.values == nil {
		t := f.timeOf(av)
		ok = (!f.hasLo || t > f.lo || !f.loOpen && t == f.lo) && (!f.hasHi || t < f.hi || !f.hiOpen && t == f.hi)
	} else {
		ok = slices.Contains(f.values, lookup(doc(), alertStringFields[f.field]))
	}
	return ok != f.negated
}

func lookup(doc map[string]any, path string) string {
	var v any = doc
	for _, k := range strings.Split(path, ".") {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	s, _ := v.(string)
	return s
}

// alertCursor is a position in a walk: the sort key and the alert's
// index, bound to the walk's filters.
func alertCursor(key int64, idx int, filters uint64) string {
	return base64.StdEncoding.EncodeToString(fmt.Appendf(nil, "uam1:%d:%d:%x", key, idx, filters))
}

func decodeAlertCursor(s string, filters uint64) (key int64, idx int, err *gqlerror.Error) {
	b, e := base64.StdEncoding.DecodeString(s)
	var f uint64
	if e == nil {
		_, e = fmt.Sscanf(string(b), "uam1:%d:%d:%x", &key, &idx, &f)
	}
	if e != nil || f != filters {
		return 0, 0, gqlerror.Errorf("after: invalid cursor for these filters and sort")
	}
	return key, idx, nil
}

// resolveAlerts runs an alerts call: the alerts visible now that match the
// filters, in the sort order (ties by index), after the cursor, first of
// them; totalCount counts every match.
func (e *Emulator) resolveAlerts(f *ast.Field, vars map[string]any) (map[string]any, *gqlerror.Error) {
	q, err := parseAlertsQuery(f.ArgumentMap(vars))
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	now := e.clock.now().UnixMilli()
	e.alerts.advanceTo(now)
	all := e.alerts.visibleAt(now)
	e.mu.Unlock()
	sortKey := alertFilter{field: q.sortBy}.timeOf
	var hits []alertVersion
	for _, av := range all {
		var doc map[string]any
		lazy := func() map[string]any {
			if doc == nil {
				doc = e.alertDocument(av)
			}
			return doc
		}
		if !slices.ContainsFunc(q.filters, func(f alertFilter) bool { return !f.match(av, lazy) }) && q.scope.match(lazy) {
			hits = append(hits, av)
		}
	}
	less := func(a, b alertVersion) int {
		ka, kb := sortKey(a), sortKey(b)
		if ka != kb {
			if (ka < kb) != q.desc {
				return -1
			}
			return 1
		}
		return a.idx - b.idx
	}
	slices.SortFunc(hits, less)
	total := len(hits)
	if q.after != "" {
		key, idx, err := decodeAlertCursor(q.after, q.key)
		if err != nil {
			return nil, err
		}
		pivot := alertVersion{idx: idx, created: key + 1500, updated: key}
		if q.sortBy == "createdAt" {
			pivot.created = key
		}
		n := slices.IndexFunc(hits, func(av alertVersion) bool { return less(av, pivot) > 0 })
		if n < 0 {
			n = len(hits)
		}
		hits = hits[n:]
	}
	more := len(hits) > q.first
	hits = hits[:min(len(hits), q.first)]
	edges := make([]any, len(hits))
	info := map[string]any{"hasNextPage": more, "hasPreviousPage": q.after != "", "startCursor": nil, "endCursor": nil}
	for i, av := range hits {
		c := alertCursor(sortKey(av), av.idx, q.key)
		edges[i] = map[string]any{"cursor": c, "node": e.alertDocument(av)}
		if i == 0 {
			info["startCursor"] = c
		}
		info["endCursor"] = c
	}
	if q.after != "" && more && e.draw(e.faultFor("alerts", "alerts").RepeatCursor) {
		e.inject("repeat-cursor")
		info["endCursor"] = q.after
	}
	return map[string]any{"totalCount": total, "pageInfo": info, "edges": edges}, nil
}
