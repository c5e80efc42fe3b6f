package emulator

import (
	"fmt"
	"hash/fnv"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// listSpec is what the emulator implements of one list endpoint. Parameters
// the official spec declares but the emulator does not implement are refused
// with a 400 that says so, never silently ignored.
type listSpec struct {
	sorts   []string
	times   []string // fields with __gt/__gte/__lt/__lte filters
	filters []string
}

var listSpecs = map[string]listSpec{
	"agents":       {sorts: []string{"id", "createdAt", "updatedAt"}, times: []string{"createdAt", "updatedAt"}, filters: []string{"ids", "siteIds", "accountIds", "isDecommissioned", "isUninstalled"}},
	"agents/count": {times: []string{"createdAt", "updatedAt"}, filters: []string{"ids", "siteIds", "accountIds", "isDecommissioned", "isUninstalled"}},
	"activities":   {sorts: []string{"id", "createdAt"}, times: []string{"createdAt"}, filters: []string{"ids", "accountIds"}},
	"threats":      {sorts: []string{"id", "createdAt", "updatedAt"}, times: []string{"createdAt", "updatedAt"}, filters: []string{"ids", "accountIds"}},
}

// maxIDs is the most ids one request may name (the spec's maxItems).
const maxIDs = 5000

var pagingParams = []string{"limit", "cursor", "skip", "skipCount", "countOnly", "sortBy", "sortOrder"}

// bounds is a time range in µs.
type bounds struct {
	lo, hi         int64
	hasLo, hasHi   bool
	loOpen, hiOpen bool // strict (gt / lt)
}

func (b bounds) contains(us int64) bool {
	if b.hasLo && (us < b.lo || b.loOpen && us == b.lo) {
		return false
	}
	return !b.hasHi || us < b.hi || !b.hiOpen && us == b.hi
}

// query is a parsed list request.
type query struct {
	endpoint         string
	limit, skip      int
	cursor           string
	sortBy           string
	desc             bool
	created, updated bounds
	ids              map[string]bool
	sites            map[int]bool
	decommissioned   []bool // allowed values; nil = any
	uninstalled      []bool
	noAccount        bool // accountIds excludes the only account
	skipCount        bool
	countOnly        bool
	key              uint64 // identifies the filters a cursor belongs to
}

// validationError is a 400 with the console's marshmallow-style detail.
type validationError struct{ detail string }

func (e validationError) Error() string { return e.detail }

func invalid(format string, args ...any) error {
	return validationError{fmt.Sprintf(format, args...)}
}

func parseQuery(endpoint string, v url.Values) (*query, error) {
	spec := listSpecs[endpoint]
	q := &query{endpoint: endpoint, limit: 10, sortBy: "id"}
	for name := range v {
		if err := checkParam(endpoint, spec, name); err != nil {
			return nil, err
		}
	}
	if err := q.parsePaging(spec, v); err != nil {
		return nil, err
	}
	if err := q.parseFilters(spec, v); err != nil {
		return nil, err
	}
	q.key = filterKey(v)
	return q, nil
}

func checkParam(endpoint string, spec listSpec, name string) error {
	if !slices.Contains(swaggerParams[endpoint], name) {
		return invalid("%s: Unknown field.", name)
	}
	field, _, _ := strings.Cut(name, "__")
	if slices.Contains(pagingParams, name) || slices.Contains(spec.filters, name) ||
		(slices.Contains(spec.times, field) && field != name && !strings.HasSuffix(name, "__between")) {
		return nil
	}
	return invalid("%s: not implemented by the s1collector emulator (the real console accepts it)", name)
}

func (q *query) parsePaging(spec listSpec, v url.Values) error {
	var err error
	if s := v.Get("limit"); s != "" {
		if q.limit, err = strconv.Atoi(s); err != nil || q.limit < 1 || q.limit > 1000 {
			return invalid("limit: Must be greater than or equal to 1 and less than or equal to 1000.")
		}
	}
	if s := v.Get("skip"); s != "" {
		if q.skip, err = strconv.Atoi(s); err != nil || q.skip < 0 || q.skip > 1000 {
			return invalid("skip: Must be greater than or equal to 0 and less than or equal to 1000.")
		}
	}
	if s := v.Get("sortBy"); s != "" {
		if !slices.Contains(spec.sorts, s) {
			return invalid("sortBy: %q is not a sort order the s1collector emulator implements (%s).", s, strings.Join(spec.sorts, ", "))
		}
		q.sortBy = s
	}
	switch s := v.Get("sortOrder"); s {
	case "", "asc":
	case "desc":
		q.desc = true
	default:
		return invalid("sortOrder: Must be one of: asc, desc.")
	}
	q.cursor = v.Get("cursor")
	q.skipCount = strings.EqualFold(v.Get("skipCount"), "true")
	q.countOnly = strings.EqualFold(v.Get("countOnly"), "true")
	return nil
}

func (q *query) parseFilters(spec listSpec, v url.Values) error {
	for _, field := range spec.times {
		b := &q.created
		if field == "updatedAt" {
			b = &q.updated
		}
		for _, op := range []string{"gt", "gte", "lt", "lte"} {
			s := v.Get(field + "__" + op)
			if s == "" {
				continue
			}
			t, err := parseFilterTime(s)
			if err != nil {
				return invalid("%s__%s: Not a valid datetime.", field, op)
			}
			us := micros(t)
			if op[0] == 'g' {
				b.lo, b.hasLo, b.loOpen = us, true, op == "gt"
			} else {
				b.hi, b.hasHi, b.hiOpen = us, true, op == "lt"
			}
		}
	}
	if s := v.Get("ids"); s != "" {
		list := strings.Split(s, ",")
		if len(list) > maxIDs {
			return invalid("ids: Longer than maximum length %d.", maxIDs)
		}
		q.ids = map[string]bool{}
		for _, id := range list {
			q.ids[strings.TrimSpace(id)] = true
		}
	}
	return q.parseScope(v)
}

func (q *query) parseScope(v url.Values) error {
	if s := v.Get("siteIds"); s != "" {
		q.sites = map[int]bool{}
		for _, id := range strings.Split(s, ",") {
			n, err := strconv.ParseUint(strings.TrimSpace(id), 10, 64)
			if err != nil || n < 100000000000000000 {
				return invalid("siteIds: 0: Must be greater than or equal to 100000000000000000.")
			}
			if n >= siteIDBase && (n-siteIDBase)%7919 == 0 {
				q.sites[int((n-siteIDBase)/7919)] = true
			}
		}
	}
	if s := v.Get("accountIds"); s != "" {
		q.noAccount = !slices.Contains(strings.Split(s, ","), itoa(accountID))
	}
	var err error
	if q.decommissioned, err = boolList(v, "isDecommissioned"); err != nil {
		return err
	}
	q.uninstalled, err = boolList(v, "isUninstalled")
	return err
}

// boolList reads a list of booleans ("True,False"); nil when absent.
func boolList(v url.Values, name string) ([]bool, error) {
	var out []bool
	if s := v.Get(name); s != "" {
		for _, b := range strings.Split(s, ",") {
			val, err := strconv.ParseBool(strings.ToLower(strings.TrimSpace(b)))
			if err != nil {
				return nil, invalid("%s: Not a valid boolean.", name)
			}
			out = append(out, val)
		}
	}
	return out, nil
}

// filterKey hashes the request's filters, so a cursor is only accepted with
// the filters it was made for.
func filterKey(v url.Values) uint64 {
	keys := make([]string, 0, len(v))
	for k := range v {
		if k != "cursor" && k != "limit" && k != "skip" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	h := fnv.New64a()
	for _, k := range keys {
		fmt.Fprintf(h, "%s=%s&", k, strings.Join(v[k], ","))
	}
	return h.Sum64()
}
