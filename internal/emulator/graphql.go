package emulator

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/validator"
)

// graphqlRequest is the body of POST /unifiedalerts/graphql.
type graphqlRequest struct {
	Query         string         `json:"query"`
	Variables     map[string]any `json:"variables"`
	OperationName string         `json:"operationName"`
}

// graphqlAnswer is what a GraphQL server answers: data, errors, or both.
type graphqlAnswer struct {
	Data   any           `json:"data"`
	Errors gqlerror.List `json:"errors,omitempty"`
}

// authenticateGraphQL accepts "Bearer <token>" and "ApiToken <token>", or
// only one of them when the console is configured so (GraphQLAuth).
func (e *Emulator) authenticateGraphQL(r *http.Request) (Token, bool) {
	scheme, value, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	bearer, apiToken := strings.EqualFold(scheme, "Bearer"), strings.EqualFold(scheme, "ApiToken")
	switch {
	case !ok, e.cfg.GraphQLAuth == "bearer" && !bearer, e.cfg.GraphQLAuth == "apitoken" && !apiToken, !bearer && !apiToken:
		return Token{}, false
	}
	t, ok := e.findToken(value)
	return t, ok && e.clock.now().Before(t.ExpiresAt)
}

// graphql answers the Unified Alerts API: the query is parsed and
// validated against the schema (unknown fields and arguments answer 200
// with the error, as GraphQL servers do), variables are coerced, and the
// alerts field is resolved.
func (e *Emulator) graphql(w http.ResponseWriter, r *http.Request, c *call) {
	var req graphqlRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil || req.Query == "" {
		writeJSON(w, http.StatusBadRequest, graphqlAnswer{Errors: gqlerror.List{gqlerror.Errorf("POST body missing, invalid Content-Type, or JSON object has no keys.")}})
		return
	}
	if e.draw(c.fault.GraphQLErrors) {
		e.inject("graphql-error")
		writeJSON(w, http.StatusOK, graphqlAnswer{Errors: gqlerror.List{withCode(gqlerror.Errorf("Internal server error"), "INTERNAL_SERVER_ERROR")}})
		return
	}
	doc, errs := gqlparser.LoadQueryWithRules(e.gqlSchema, req.Query, nil)
	if len(errs) > 0 {
		for _, err := range errs {
			withCode(err, "GRAPHQL_VALIDATION_FAILED")
		}
		writeJSON(w, http.StatusOK, graphqlAnswer{Errors: errs})
		return
	}
	op := doc.Operations.ForName(req.OperationName)
	if op == nil || op.Operation != ast.Query {
		writeJSON(w, http.StatusOK, graphqlAnswer{Errors: gqlerror.List{withCode(gqlerror.Errorf("Unknown operation named %q.", req.OperationName), "BAD_USER_INPUT")}})
		return
	}
	vars, err := validator.VariableValues(e.gqlSchema, op, req.Variables)
	if err != nil {
		writeJSON(w, http.StatusOK, graphqlAnswer{Errors: gqlerror.List{withCode(asGQLError(err), "BAD_USER_INPUT")}})
		return
	}
	data := map[string]any{}
	for _, f := range collectFields(op.SelectionSet) {
		switch f.Name {
		case "__typename":
			data[f.Alias] = "Query"
		case "alerts":
			conn, err := e.resolveAlerts(f, vars)
			if err != nil {
				writeJSON(w, http.StatusOK, graphqlAnswer{Errors: gqlerror.List{withCode(err, "BAD_USER_INPUT")}})
				return
			}
			data[f.Alias] = project(f.SelectionSet, conn, "AlertConnection")
		}
	}
	writeJSON(w, http.StatusOK, graphqlAnswer{Data: data})
}

func withCode(err *gqlerror.Error, code string) *gqlerror.Error {
	if err.Extensions == nil {
		err.Extensions = map[string]any{}
	}
	err.Extensions["code"] = code
	return err
}

func asGQLError(err error) *gqlerror.Error {
	var ge *gqlerror.Error
	if errors.As(err, &ge) {
		return ge
	}
	return gqlerror.Errorf("%s", err.Error())
}

// collectFields flattens a selection set's fields, fragments included.
func collectFields(set ast.SelectionSet) []*ast.Field {
	var out []*ast.Field
	for _, s := range set {
		switch x := s.(type) {
		case *ast.Field:
			out = append(out, x)
		case *ast.InlineFragment:
			out = append(out, collectFields(x.SelectionSet)...)
		case *ast.FragmentSpread:
			if x.Definition != nil {
				out = append(out, collectFields(x.Definition.SelectionSet)...)
			}
		}
	}
	return out
}

// project keeps the fields a selection set asks for, under their aliases;
// a field the document lacks is null, as GraphQL answers it.
func project(set ast.SelectionSet, v map[string]any, typename string) map[string]any {
	out := make(map[string]any, len(set))
	for _, f := range collectFields(set) {
		if f.Name == "__typename" {
			out[f.Alias] = typename
			continue
		}
		val := v[f.Name]
		if len(f.SelectionSet) > 0 {
			inner := ""
			if f.Definition != nil {
				inner = f.Definition.Type.Name()
			}
			val = projectValue(f.SelectionSet, val, inner)
		}
		out[f.Alias] = val
	}
	return out
}

func projectValue(set ast.SelectionSet, val any, typename string) any {
	switch x := val.(type) {
	case map[string]any:
		return project(set, x, typename)
	case []any:
		items := make([]any, len(x))
		for i, e := range x {
			items[i] = projectValue(set, e, typename)
		}
		return items
	}
	return val
}
