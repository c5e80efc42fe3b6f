package scrub

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
	"unicode"
)

// parts returns a secret and its meaningful parts: the credential of an
// Authorization value without its scheme (and a Basic pair's password),
// and the user information, long path segments, path and query values of a
// URL.
func parts(s string) []string {
	out := []string{s}
	add := func(p string) {
		if len(p) >= minLen {
			out = append(out, p)
		}
	}
	if scheme, cred, ok := strings.Cut(s, " "); ok && isWord(scheme) {
		cred = strings.TrimSpace(cred)
		add(cred)
		if strings.EqualFold(scheme, "basic") {
			if pair, err := base64.StdEncoding.DecodeString(cred); err == nil {
				add(string(pair))
				if _, pass, ok := strings.Cut(string(pair), ":"); ok {
					add(pass)
				}
			}
		}
	}
	if u, err := url.Parse(s); err == nil && u.Scheme != "" && u.Host != "" {
		if u.User != nil {
			add(u.User.String())
			if pass, ok := u.User.Password(); ok {
				add(pass)
			}
		}
		if len(u.EscapedPath()) > 1 {
			add(u.EscapedPath())
			add(u.Path)
		}
		for _, seg := range strings.Split(u.Path, "/") {
			if meaningful(seg) {
				add(seg)
			}
		}
		for k, vs := range u.Query() {
			if plainSetting[k] {
				continue
			}
			for _, v := range vs {
				add(v)
			}
		}
		add(u.RawQuery)
	}
	return out
}

// plainSetting names the query settings of a URL or DSN that are no
// secret: hiding them would only hide what an error is about ("open
// [redacted]: no such file" for a CA file's path).
var plainSetting = map[string]bool{
	"sslmode": true, "sslrootcert": true, "sslcert": true, "sslkey": true,
	"connect_timeout": true, "application_name": true, "target_session_attrs": true,
}

// meaningful tells a path segment that may be a credential (a Sumo Logic
// collector code, a webhook's key) from words like "receiver" or "v1".
func meaningful(seg string) bool {
	if len(seg) >= 16 {
		return true
	}
	return len(seg) >= 8 && strings.ContainsFunc(seg, unicode.IsDigit) && strings.ContainsFunc(seg, unicode.IsLetter)
}

func isWord(s string) bool {
	return s != "" && !strings.ContainsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' })
}

// encodings returns p as it may be echoed: itself, URL-escaped, JSON- and
// Go-quoted, and in base64 — whole, and the part that stays the same
// wherever p sits inside a longer encoded text.
func encodings(p string) []string {
	out := []string{p, url.QueryEscape(p), url.PathEscape(p)}
	if j, err := json.Marshal(p); err == nil {
		out = append(out, string(j[1:len(j)-1]))
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
		out = append(out, enc.EncodeToString([]byte(p)))
		for offset := range 3 {
			if m := stableBase64(enc, p, offset); len(m) >= 8 {
				out = append(out, m)
			}
		}
	}
	return out
}

// stableBase64 is the base64 of p preceded by offset other bytes, without
// the characters that depend on those bytes or on what follows p.
func stableBase64(enc *base64.Encoding, p string, offset int) string {
	first := (offset + 2) / 3     // the first group made of p's bytes only
	last := (offset + len(p)) / 3 // groups before it are whole
	if last <= first {
		return ""
	}
	padded := strings.Repeat("\x00", offset) + p
	e := enc.EncodeToString([]byte(padded))
	return e[4*first : 4*last]
}
