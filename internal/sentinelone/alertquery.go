package sentinelone

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// gqlNode is a field of the alerts query's selection; an object field has
// sub-fields.
type gqlNode struct {
	name string
	sub  []gqlNode
}

func leaves(names ...string) []gqlNode {
	out := make([]gqlNode, len(names))
	for i, n := range names {
		out[i] = gqlNode{name: n}
	}
	return out
}

func object(name string, sub ...[]gqlNode) gqlNode {
	return gqlNode{name: name, sub: slices.Concat(sub...)}
}

// alertNodeFields is what the collector asks of each alert: the shape
// Elastic's integration uses in production.
var alertNodeFields = slices.Concat(
	leaves("id", "externalId", "name", "description", "severity", "status", "analystVerdict", "classification",
		"confidenceLevel", "createdAt", "updatedAt", "detectedAt", "firstSeenAt", "lastSeenAt", "storylineId",
		"ticketId", "noteExists", "result", "attackSurfaces", "dataSources"),
	[]gqlNode{
		object("detectionSource", leaves("product", "vendor")),
		object("analytics", leaves("category", "name", "typeValue", "uid")),
		object("assets", leaves("id", "name", "agentUuid", "agentVersion", "category", "subcategory", "osType", "osVersion", "status", "role")),
		object("assignee", leaves("userId", "email", "fullName")),
		object("process", leaves("cmdLine", "parentName"), []gqlNode{object("file", leaves("name", "path", "md5", "sha1", "sha256", "certSubject"))}),
		object("detectionTime",
			[]gqlNode{object("scope", leaves("accountId", "accountName", "siteName", "groupName"))},
			[]gqlNode{object("attacker", leaves("host", "ip"))},
			[]gqlNode{object("targetUser", leaves("name", "domain", "emailAddress"))},
			[]gqlNode{object("assets", []gqlNode{object("asset", leaves("ipV4", "ipV6", "domain", "osName", "osType", "agentVersion"))})}),
		object("realTime", []gqlNode{object("scope",
			[]gqlNode{object("account", leaves("id", "name"))},
			[]gqlNode{object("site", leaves("id", "name"))},
			[]gqlNode{object("group", leaves("id", "name"))})}),
	})

// requiredAlertFields cannot be dropped: without them an alert cannot be
// identified or checkpointed.
var requiredAlertFields = []string{"id", "updatedAt"}

// alertQuery is the query text and, for each line that names a node
// field, its path ("detectionTime.assets.asset.ipV4"), so an error's
// location points back at the field.
type alertQuery struct {
	text  string
	paths map[int]string
}

// buildAlertQuery writes the alerts query without the dropped fields and,
// when the console does not know it, without viewType.
func buildAlertQuery(dropped []string, viewType bool) alertQuery {
	var b strings.Builder
	q := alertQuery{paths: map[int]string{}}
	line := 1
	w := func(s string) { b.WriteString(s + "\n"); line++ }
	w("query Alerts($after: String, $first: Int, $filters: [FilterInput!], $sort: SortInput) {")
	args := "after: $after, first: $first, filters: $filters, sort: $sort"
	if viewType {
		args += ", viewType: ALL"
	}
	w("  alerts(" + args + ") {")
	w("    totalCount")
	w("    pageInfo { hasNextPage endCursor }")
	w("    edges {")
	w("      cursor")
	w("      node {")
	var fields func(nodes []gqlNode, prefix, indent string)
	fields = func(nodes []gqlNode, prefix, indent string) {
		for _, n := range nodes {
			path := prefix + n.name
			if slices.Contains(dropped, path) {
				continue
			}
			q.paths[line] = path
			if n.sub == nil {
				w(indent + n.name)
				continue
			}
			w(indent + n.name + " {")
			fields(n.sub, path+".", indent+"  ")
			w(indent + "}")
		}
	}
	fields(alertNodeFields, "", "        ")
	w("      }")
	w("    }")
	w("  }")
	w("}")
	q.text = b.String()
	return q
}

var (
	unknownField    = regexp.MustCompile(`Cannot query field "([^"]+)" on type "([^"]+)"`)
	unknownArgument = regexp.MustCompile(`Unknown argument "([^"]+)"`)
)

// rejected works out what a validation error rejects: a node field (its
// path) or the viewType argument. ok is false when it is neither, or a
// field the collector cannot do without.
func (q alertQuery) rejected(msg string, line int) (path string, viewType bool, err error) {
	if m := unknownArgument.FindStringSubmatch(msg); m != nil {
		if m[1] == "viewType" {
			return "", true, nil
		}
		return "", false, fmt.Errorf("the console rejects the %s argument, which alerts cannot be collected without", m[1])
	}
	m := unknownField.FindStringSubmatch(msg)
	if m == nil {
		return "", false, fmt.Errorf("%s", msg)
	}
	if p, ok := q.paths[line]; ok && (p == m[1] || strings.HasSuffix(p, "."+m[1])) {
		path = p
	} else {
		// No usable location: the field must be unambiguous by name.
		var matches []string
		for _, p := range q.paths {
			if p == m[1] || strings.HasSuffix(p, "."+m[1]) {
				matches = append(matches, p)
			}
		}
		if len(matches) != 1 {
			return "", false, fmt.Errorf("the console rejects field %s of %s, which the query names %d times", m[1], m[2], len(matches))
		}
		path = matches[0]
	}
	if slices.Contains(requiredAlertFields, path) {
		return "", false, fmt.Errorf("the console rejects field %s, which alerts cannot be collected without", path)
	}
	return path, false, nil
}
