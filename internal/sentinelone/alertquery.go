package sentinelone

import (
	"errors"
	"fmt"
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
// when the console does not know it, without viewType; with the scope
// argument when the walk is limited to sites or accounts.
func buildAlertQuery(dropped []string, viewType, scoped bool) alertQuery {
	var b strings.Builder
	q := alertQuery{paths: map[int]string{}}
	line := 1
	w := func(s string) { b.WriteString(s + "\n"); line++ }
	params, args := "$after: String, $first: Int, $filters: [FilterInput!], $sort: SortInput", "after: $after, first: $first, filters: $filters, sort: $sort"
	if scoped {
		params, args = params+", $scope: ScopeSelectorInput", args+", scope: $scope"
	}
	if viewType {
		args += ", viewType: ALL"
	}
	w("query Alerts(" + params + ") {")
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

// errNoScope: the console's alerts API takes no scope, so a source limited
// to sites or accounts cannot collect its alerts there.
var errNoScope = errors.New("this console's Unified Alerts API takes no scope argument, so alerts cannot be limited to the source's site_ids or account_ids: " +
	"remove site_ids and account_ids from the source (a service user scoped to those sites sees only their alerts), or remove alerts from its supported_apis")

// rejected works out what a validation error rejects: a node field (its
// path) or the viewType argument. ok is false when it is neither, or a
// field the collector cannot do without.
func (q alertQuery) rejected(msg string, line int) (path string, viewType bool, err error) {
	if arg, ok := rejectedArgument(msg); ok {
		switch arg {
		case "viewType":
			return "", true, nil
		case "scope":
			return "", false, errNoScope
		}
		return "", false, fmt.Errorf("the console rejects the %s argument, which alerts cannot be collected without", arg)
	}
	name, typ, ok := rejectedField(msg)
	if !ok {
		return "", false, errors.New("the console refuses the alerts query")
	}
	suffix := "." + name
	switch p, located := q.paths[line]; {
	case located && (p == name || strings.HasSuffix(p, suffix)):
		path = p
	case typ == "Alert" && slices.ContainsFunc(alertNodeFields, func(n gqlNode) bool { return n.name == name }):
		path = name // a field of the node itself
	default:
		// No usable location: the field must be unambiguous by name.
		var matches []string
		for _, p := range q.paths {
			if p == name || strings.HasSuffix(p, suffix) {
				matches = append(matches, p)
			}
		}
		if len(matches) != 1 {
			return "", false, fmt.Errorf("the console rejects field %s of %s, which the query names %d times", name, typ, len(matches))
		}
		path = matches[0]
	}
	if slices.Contains(requiredAlertFields, path) {
		return "", false, fmt.Errorf("the console rejects field %s, which alerts cannot be collected without", path)
	}
	return path, false, nil
}
