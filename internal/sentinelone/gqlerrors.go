package sentinelone

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
)

// gqlAnswer is a GraphQL answer to the alerts query.
type gqlAnswer struct {
	Data *struct {
		Alerts *struct {
			TotalCount Int `json:"totalCount"`
			PageInfo   struct {
				HasNextPage bool   `json:"hasNextPage"`
				EndCursor   String `json:"endCursor"`
			} `json:"pageInfo"`
			Edges []struct {
				Node json.RawMessage `json:"node"`
			} `json:"edges"`
		} `json:"alerts"`
	} `json:"data"`
	Errors []gqlError `json:"errors"`

	// Of a partial answer: the errors located at an edge's node, by the
	// edge's index, and the others located in the alerts.
	nodeErrors  map[int][]string
	otherErrors []string
}

type gqlError struct {
	Message   string `json:"message"`
	Locations []struct {
		Line int `json:"line"`
	} `json:"locations"`
	Path       []any `json:"path"`
	Extensions struct {
		Code string `json:"code"`
	} `json:"extensions"`
}

// The wordings GraphQL servers give a field or an argument the schema
// does not have: graphql-js and gqlgen, graphql-ruby, graphql-java,
// Hasura.
var (
	fieldWordings = []*regexp.Regexp{
		regexp.MustCompile(`Cannot query field ["']([^"']+)["'] on type ["']([^"']+)["']`),
		regexp.MustCompile(`Field ["']([^"']+)["'] doesn'?t exist on type ["']([^"']+)["']`),
		regexp.MustCompile(`Field ["']([^"']+)["'] in type ["']([^"']+)["'] is undefined`),
		regexp.MustCompile(`(?i)field ["']([^"']+)["'] not found in type:? ["']([^"']+)["']`),
	}
	argumentWordings = []*regexp.Regexp{
		regexp.MustCompile(`Unknown argument ["']([^"']+)["']`),
		regexp.MustCompile(`Unknown field argument ["']([^"']+)["']`),
		regexp.MustCompile(`doesn'?t accept argument ["']([^"']+)["']`),
	}
)

// rejectedField reads a message saying the schema has no such field: the
// field's and its type's names.
func rejectedField(msg string) (field, typ string, ok bool) {
	for _, re := range fieldWordings {
		if m := re.FindStringSubmatch(msg); m != nil {
			return m[1], m[2], true
		}
	}
	return "", "", false
}

// rejectedArgument reads a message saying a field takes no such argument.
func rejectedArgument(msg string) (string, bool) {
	for _, re := range argumentWordings {
		if m := re.FindStringSubmatch(msg); m != nil {
			return m[1], true
		}
	}
	return "", false
}

// code is the error's extensions.code, upper case, letters only
// ("GRAPHQL_VALIDATION_FAILED" and "graphqlValidationFailed" alike).
func (e gqlError) code() string {
	var b strings.Builder
	for _, r := range strings.ToUpper(e.Extensions.Code) {
		if 'A' <= r && r <= 'Z' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// kind classifies what the error means for the caller: a rejected token,
// a missing permission, a query the console refuses (which no retry
// changes), or a failure it may recover from. The code decides when there
// is one, else the words.
func (e gqlError) kind() Kind {
	code, msg := e.code(), strings.ToLower(e.Message)
	switch {
	case code == "UNAUTHENTICATED":
		return KindAuth
	case code == "FORBIDDEN" || code == "UNAUTHORIZED" || code == "ACCESSDENIED" || code == "PERMISSIONDENIED":
		return KindPermission
	case strings.Contains(code, "VALIDATION") || strings.Contains(code, "PARSE") || strings.Contains(code, "BADUSERINPUT") ||
		strings.Contains(code, "BADREQUEST") || strings.Contains(code, "UNDEFINED") || strings.Contains(code, "NOTACCEPTED"):
		return KindValidation
	}
	if _, _, ok := rejectedField(e.Message); ok {
		return KindValidation
	}
	if _, ok := rejectedArgument(e.Message); ok {
		return KindValidation
	}
	switch {
	case code != "":
	case strings.Contains(msg, "unauthenticated") || strings.Contains(msg, "not authenticated"):
		return KindAuth
	case strings.Contains(msg, "not authorized") || strings.Contains(msg, "forbidden") || strings.Contains(msg, "access denied") ||
		strings.Contains(msg, "permission"):
		return KindPermission
	}
	return KindUnavailable
}

// at is where a located error points in the answer: the edge whose node
// it is about, or -1.
func (e gqlError) at() (edge int, located bool) {
	if len(e.Path) == 0 || e.Path[0] != "alerts" {
		return -1, false
	}
	if len(e.Path) >= 3 && e.Path[1] == "edges" {
		if i, ok := e.Path[2].(float64); ok && i >= 0 {
			return int(i), true
		}
	}
	return -1, true
}

func (e gqlError) String() string {
	s := e.Message
	if len(e.Path) > 0 {
		parts := make([]string, len(e.Path))
		for i, p := range e.Path {
			parts[i] = fmt.Sprint(p)
		}
		s += " (at " + strings.Join(parts, ".") + ")"
	}
	return s
}

// decodeAlertsAnswer reads a GraphQL answer to the alerts query. A partial
// answer — alerts, with errors located in them (a node the console could
// not resolve) — is an answer: its errors are kept with the nodes they
// are about. Any other error the console reports is returned as an
// *APIError of its kind, but for validation errors, which come back as
// refused for the caller to adjust the query; a body that is not such an
// answer is an error to retry.
func decodeAlertsAnswer(b []byte) (*gqlAnswer, []gqlError, error) {
	var ans gqlAnswer
	if err := json.Unmarshal(b, &ans); err != nil {
		return nil, nil, fmt.Errorf("decode GraphQL answer: %w", describeJSONError(b, err))
	}
	hasAlerts := ans.Data != nil && ans.Data.Alerts != nil
	if len(ans.Errors) == 0 {
		if !hasAlerts {
			return nil, nil, errors.New("GraphQL answer without data.alerts")
		}
		return &ans, nil, nil
	}
	if hasAlerts && ans.partial() {
		return &ans, nil, nil
	}
	first := ans.Errors[0]
	switch k := first.kind(); k {
	case KindValidation:
		return &ans, ans.Errors, nil
	case KindUnavailable:
		return nil, nil, fmt.Errorf("GraphQL error: %s", first)
	default:
		return nil, nil, &APIError{Kind: k, Endpoint: string(Alerts), Status: http.StatusOK, Detail: first.String()}
	}
}

// partial reports whether every error is located in the alerts, and
// sorts them: by node, or the others.
func (a *gqlAnswer) partial() bool {
	for _, e := range a.Errors {
		if _, located := e.at(); !located {
			return false
		}
	}
	for _, e := range a.Errors {
		edge, _ := e.at()
		if edge < 0 || edge >= len(a.Data.Alerts.Edges) {
			a.otherErrors = append(a.otherErrors, e.String())
			continue
		}
		if a.nodeErrors == nil {
			a.nodeErrors = map[int][]string{}
		}
		a.nodeErrors[edge] = append(a.nodeErrors[edge], "the console reported: "+e.String())
	}
	return true
}
