package pipeline

import (
	"context"
	"net/url"
	"slices"
	"strings"

	"s1collector/internal/state"
)

// A source's scope (site_ids, account_ids) decides which records exist for
// it. A checkpoint keeps the scopes it was collected under, so that a
// change between runs is noticed: for agents, a full listing starts at
// once (the devices of a wider scope arrive now, not at the next periodic
// listing), and it reports no device removed, since devices listed under
// another scope say nothing about what the console removed; its own
// devices are the base of the next comparison. Activities, threats and
// alerts go on from their watermark, with a warning.

// scopeKey writes scope filters as a query string, ids sorted, so that the
// same sites listed in another order are the same scope.
func scopeKey(v url.Values) string {
	out := url.Values{}
	for k, vs := range v {
		var ids []string
		for _, x := range vs {
			ids = append(ids, strings.Split(x, ",")...)
		}
		slices.Sort(ids)
		out[k] = []string{strings.Join(slices.Compact(ids), ",")}
	}
	return out.Encode()
}

// scopeChanged reports whether cp holds anything collected under a scope
// other than scope.
func scopeChanged(cp state.Checkpoint, scope string) bool {
	return slices.ContainsFunc(cp.Scopes, func(s string) bool { return s != scope })
}

// withScope adds scope to the scopes a checkpoint was collected under.
func withScope(scopes []string, scope string) []string {
	if slices.Contains(scopes, scope) {
		return scopes
	}
	return append(slices.Clone(scopes), scope)
}

// eventScope records an event stream's scope and warns, once, when it
// changed: the stream goes on from its watermark.
func (s *Stream) eventScope(ctx context.Context, cp state.Checkpoint) (state.Checkpoint, error) {
	scope := scopeKey(s.Scope)
	if slices.Equal(cp.Scopes, []string{scope}) {
		return cp, nil
	}
	was, changed := otherScopes(cp.Scopes, scope), scopeChanged(cp, scope)
	cp.Scopes = []string{scope}
	if !changed || cp.IsZero() {
		return cp, nil
	}
	s.Log.Warn("the source's site_ids/account_ids changed: this stream goes on from its checkpoint, so records of "+
		"sites or accounts added to the scope that are older than the checkpoint are not collected; to collect them "+
		"from the look-back, run `s1collector state reset --source "+s.Source.Name+" --stream "+string(s.API)+
		"` (what was delivered before is then delivered again)", "was", was, "now", scopeName(scope))
	return cp, s.Store.Save(ctx, s.Key(), cp)
}

// otherScopes names, for a log line, the scopes other than scope.
func otherScopes(scopes []string, scope string) string {
	var out []string
	for _, s := range scopes {
		if s != scope {
			out = append(out, scopeName(s))
		}
	}
	return strings.Join(out, " + ")
}

func scopeName(s string) string {
	if s == "" {
		return "(the whole token's scope)"
	}
	return s
}
