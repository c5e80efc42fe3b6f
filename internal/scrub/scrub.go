// Package scrub makes text safe to show: configured secrets replaced by
// [redacted] in every form a peer could echo them (whole, the meaningful
// parts, base64, URL- and JSON-encoded), control characters escaped so a
// peer cannot forge log lines or drive a terminal, and excerpts cut without
// ever splitting a secret.
package scrub

import (
	"slices"
	"strings"
)

// Mark replaces a secret.
const Mark = "[redacted]"

// minLen is the shortest value redacted: shorter ones would blank out
// ordinary words.
const minLen = 4

// Redactor replaces secrets in text. The nil Redactor knows no secret but
// still escapes and cuts. It is safe for concurrent use.
type Redactor struct {
	secrets []string
	r       *strings.Replacer
}

// New returns a Redactor of the given secrets (values shorter than four
// characters are ignored).
func New(secrets ...string) *Redactor {
	var keep []string
	for _, s := range secrets {
		if len(s) >= minLen && !slices.Contains(keep, s) {
			keep = append(keep, s)
		}
	}
	if len(keep) == 0 {
		return nil
	}
	var forms []string
	for _, s := range keep {
		for _, p := range parts(s) {
			forms = append(forms, encodings(p)...)
		}
	}
	slices.SortFunc(forms, func(a, b string) int { return len(b) - len(a) }) // longest first wins
	forms = slices.Compact(forms)
	pairs := make([]string, 0, 2*len(forms))
	for _, f := range forms {
		pairs = append(pairs, f, Mark)
	}
	return &Redactor{secrets: keep, r: strings.NewReplacer(pairs...)}
}

// With returns a Redactor of r's secrets and more (r may be nil).
func (r *Redactor) With(more ...string) *Redactor {
	if r == nil {
		return New(more...)
	}
	return New(append(slices.Clone(r.secrets), more...)...)
}

// Redact replaces every form of every secret in s.
func (r *Redactor) Redact(s string) string {
	if r == nil {
		return s
	}
	return r.r.Replace(s)
}

// Line makes s safe as one line of a terminal or a log: secrets redacted,
// line breaks shown as "; " (errors joined from several outputs read on),
// other control characters escaped.
func (r *Redactor) Line(s string) string {
	return Control(strings.ReplaceAll(r.Redact(s), "\n", "; "))
}

// Excerpt reduces a peer's text to one line of at most about n bytes:
// white space collapsed, secrets redacted first, control characters
// escaped, then cut at a word boundary so no secret is split by the cut.
func (r *Redactor) Excerpt(s string, n int) string {
	return Cut(r.Line(strings.Join(strings.Fields(s), " ")), n)
}
