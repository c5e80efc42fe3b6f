package scrub

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

const (
	token    = "S1-TOKEN-0123456789abcdef"
	hookKey  = "HOOK-KEY-5f4dcc3b5aa765d6"
	sumoCode = "ZaVnC4dhaV2ZUFuSmFnSUMOCODE=="
	sumoURL  = "https://endpoint4.collection.sumologic.com/receiver/v1/http/" + sumoCode
	userPass = "s3cr3t-pass"
)

// TestEveryFormIsRedacted: each way a peer may echo a secret back — whole,
// the bearer value without its scheme, the URL's secret path, its user
// information and query values, base64 at any offset in a longer text,
// URL- and JSON-encoded — comes out as [redacted].
func TestEveryFormIsRedacted(t *testing.T) {
	r := New(token, "Bearer "+hookKey, sumoURL, "https://user:"+userPass+"@siem.example.com/in?key=QK-77aa991", "Basic "+base64.StdEncoding.EncodeToString([]byte("admin:"+userPass)))
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	jsonOf := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	cases := []struct{ name, text, secret string }{
		{"whole token", "token " + token + " refused", token},
		{"bearer value alone", `{"error":"bad key ` + hookKey + `"}`, hookKey},
		{"bearer whole", "Authorization: Bearer " + hookKey, hookKey},
		{"sumo URL whole", "posting to " + sumoURL, sumoCode},
		{"sumo code alone", "unknown collector " + sumoCode, sumoCode},
		{"sumo path alone", "404 /receiver/v1/http/" + sumoCode, sumoCode},
		{"sumo code url-encoded", "code=" + url.QueryEscape(sumoCode), url.QueryEscape(sumoCode)},
		{"userinfo password", "login " + userPass + " failed", userPass},
		{"query value", "key QK-77aa991 unknown", "QK-77aa991"},
		{"base64 of token", "echo " + b64(token), b64(token)},
		{"base64 of token at offset 1", "echo " + b64("x"+token+"y"), b64("x" + token + "y")[8:28]},
		{"base64 of token at offset 2", "echo " + b64("xy"+token), b64("xy" + token)[4:32]},
		{"base64 inside a JSON body", b64(`{"data":{"apiToken":"` + token + `"}}`), b64(`{"data":{"apiToken":"` + token + `"}}`)[32:56]},
		{"url-safe base64", base64.URLEncoding.EncodeToString([]byte("??" + token)), base64.URLEncoding.EncodeToString([]byte("??" + token))[4:28]},
		{"basic pair", "user admin:" + userPass, userPass},
		{"json quoted", jsonOf(`a"` + token), token},
		{"go quoted in a log", fmt.Sprintf("%q", "HTTP/1.1 401\r\nX: "+token), token},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !strings.Contains(c.text, c.secret) {
				t.Fatalf("bad case: %q not in %q", c.secret, c.text)
			}
			got := r.Redact(c.text)
			if strings.Contains(got, c.secret) || !strings.Contains(got, Mark) {
				t.Errorf("Redact(%q) = %q: %q still shown", c.text, got, c.secret)
			}
		})
	}
}

// TestOrdinaryWordsStay: the parts of secret URLs that are not secret —
// the host, "receiver", "http", a DSN's TLS file paths — and short values
// are left alone, or every message would be unreadable.
func TestOrdinaryWordsStay(t *testing.T) {
	r := New(sumoURL, "abc", "Bearer "+hookKey)
	for _, s := range []string{"endpoint4.collection.sumologic.com", "receiver", "http", "v1", "abc", "Bearer", "HTTP 401 Unauthorized"} {
		if got := r.Redact(s); got != s {
			t.Errorf("Redact(%q) = %q", s, got)
		}
	}
	dsn := New("postgres://collector:" + userPass + "@db.example.com/s1?sslmode=verify-full&sslrootcert=/etc/s1c/ca.pem&password=QP-0099aabb")
	for _, s := range []string{"open /etc/s1c/ca.pem: no such file or directory", "sslmode verify-full"} {
		if got := dsn.Redact(s); got != s {
			t.Errorf("a DSN's plain setting is hidden: Redact(%q) = %q", s, got)
		}
	}
	if got := dsn.Redact("password QP-0099aabb refused"); strings.Contains(got, "QP-0099aabb") {
		t.Errorf("a DSN's password query value is shown: %q", got)
	}
	if New("ab", "") != nil {
		t.Error("values under four characters make a redactor")
	}
	var none *Redactor
	if none.Redact(token) != token || none.With(token).Redact(token) != Mark {
		t.Error("the nil redactor misbehaves")
	}
}

// TestExcerptRedactsBeforeCutting: a secret straddling the cut is never
// shown in part, whether the redactor knows it (redacted first) or not
// (the cut backs off to the word's start).
func TestExcerptRedactsBeforeCutting(t *testing.T) {
	for pad := 180; pad < 205; pad++ {
		text := strings.Repeat("x ", pad/2) + token + " tail"
		known := New(token).Excerpt(text, 200)
		if strings.Contains(known, token[:6]) || len(known) > 200+len("…") {
			t.Errorf("pad %d, known secret: %q", pad, known)
		}
		unknown := (*Redactor)(nil).Excerpt(text, 200)
		if strings.Contains(unknown, token[:4]) && !strings.Contains(unknown, token) {
			t.Errorf("pad %d: a part of the secret is shown: %q", pad, unknown)
		}
	}
	if got := Cut(strings.Repeat("A", 500), 100); got != "…" {
		t.Errorf("a run longer than the cut gives %q", got)
	}
	if got := Cut("héllo wörld", 8); got != "héllo…" {
		t.Errorf("Cut = %q", got)
	}
}

// TestControlCharactersAreEscaped: a peer's ESC, CR and LF cannot forge a
// log line or move a terminal's cursor.
func TestControlCharactersAreEscaped(t *testing.T) {
	cases := map[string]string{
		"ok\nlevel=ERROR msg=\"injected line\"": `ok\nlevel=ERROR msg="injected line"`,
		"\x1b[2J\x1b[1;31mred":                  `\x1b[2J\x1b[1;31mred`,
		"a\rb\x00c\x7f":                         `a\rb\x00c\x7f`,
		"evil\u202etxt.exe":                     `evil\u202etxt.exe`,
		"bad \xff utf8":                         `bad \xff utf8`,
		"plain — text ✓":                        "plain — text ✓",
	}
	for in, want := range cases {
		if got := Control(in); got != want {
			t.Errorf("Control(%q) = %q, want %q", in, got, want)
		}
	}
	if got := New(token).Line("x\r\n" + token + "\x1b"); got != `x\r; `+Mark+`\x1b` {
		t.Errorf("Line = %q", got)
	}
}
