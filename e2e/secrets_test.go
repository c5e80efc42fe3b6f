package e2e

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"s1collector/e2e/proc"
	"s1collector/internal/emulator"
)

// echoPeer answers every output request with a refusal that quotes the
// credential it was sent, each path in another form: /in the whole
// Authorization value, /bare the bearer value without its scheme, /b64 its
// base64, /edge the value straddling the 300th character of the excerpt,
// the Sumo path the URL's secret path; /unsolicited accepts, then sends an
// unsolicited response echoing the header on the idle connection (which
// net/http logs through the standard log package).
func echoPeer(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		auth := r.Header.Get("Authorization")
		bare := strings.TrimPrefix(auth, "Bearer ")
		switch {
		case r.URL.Path == "/unsolicited":
			unsolicited(w, auth)
			return
		case r.URL.Path == "/bare":
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintf(w, `{"error":"unknown key %s"}`, bare)
		case r.URL.Path == "/b64":
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintf(w, "refused credentials %s (%s)", base64.StdEncoding.EncodeToString([]byte(auth)),
				base64.URLEncoding.EncodeToString([]byte("key="+bare)))
		case r.URL.Path == "/edge":
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintf(w, "%s %s", strings.Repeat("z", 280), bare) // the cut at 300 falls in the key
		case strings.HasPrefix(r.URL.Path, "/receiver/"):
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprintf(w, "no collector at %s (%s)", r.URL.Path, url.QueryEscape(r.URL.Path))
		default:
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintf(w, `{"error":"bad credentials %q"}`, auth)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func unsolicited(w http.ResponseWriter, auth string) {
	conn, buf, err := w.(http.Hijacker).Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	// The answer and, behind it, a second one nobody asked for: once the
	// client has read the first, the connection is idle with bytes waiting.
	buf.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
	buf.WriteString("HTTP/1.1 200 OK\r\nX-Echo: " + auth + "\r\n\r\n")
	buf.Flush()
	time.Sleep(100 * time.Millisecond)
}

// TestSecretsNeverShown runs every command and page with known secrets — a
// console token, a webhook bearer key that peers echo back whole, without
// its scheme, in base64, straddling the cut of the excerpt and in an
// unsolicited response, a Sumo Logic URL whose path is the credential and
// is echoed back, and a key that arrives with a SIGHUP reload — and looks
// for them, and their base64 and URL-encoded forms and first characters,
// in everything printed or served, logs at debug level included.
func TestSecretsNeverShown(t *testing.T) {
	const (
		token    = "S1-TOKEN-0123456789abcdef"
		denied   = "S1-DENIED-TOKEN-fedcba987"
		hookKey  = "HOOK-KEY-5f4dcc3b5aa765d6"
		sumoCode = "SUMO-CODE-ZaVnC4dhaV2ZUFuSmFn"
		lateKey  = "LATE-KEY-9e107d9d372bb6826b"
	)
	var needles []string
	for _, s := range []string{token, denied, hookKey, sumoCode, lateKey} {
		needles = append(needles, s, s[:12], base64.StdEncoding.EncodeToString([]byte(s))[:16], url.QueryEscape(s))
	}
	needles = append(needles, base64.StdEncoding.EncodeToString([]byte("Bearer " + hookKey))[8:28])
	c := startConsole(t, emulator.Config{Agents: 50, HistoryActivities: 10, HistoryThreats: 2, Tokens: []emulator.Token{
		{Value: token, ExpiresAt: time.Now().Add(5 * 24 * time.Hour)}, {Value: denied, Deny: []string{"threats"}}}})
	echo := echoPeer(t)
	hook := func(name, path, key string) string {
		return fmt.Sprintf("  - {name: %s, type: webhook, webhook: {url: \"%s%s\", headers: {Authorization: \"Bearer %s\"}}}\n", name, echo.URL, path, key)
	}
	config := fmt.Sprintf(`state: {path: state.db}
log: {level: debug, format: json}
sources:
  - {name: main, base_url: %[1]s, token: "${S1_TOKEN}", lookback: 72h, outputs: [local, hook, bare, b64, edge, unsolicited, sumo%[3]s]}
  - {name: denied, base_url: %[1]s, token: "${S1_DENIED}", lookback: 72h, outputs: [local]}
outputs:
  - {name: local, type: file, file: {dir: out}}
  - {name: sumo, type: sumologic, sumologic: {url: "%[2]s/receiver/v1/http/${SUMO_CODE}"}}
`, c.URL, echo.URL, "%s")
	outputs := hook("hook", "/in", "${HOOK_KEY}") + hook("bare", "/bare", "${HOOK_KEY}") + hook("b64", "/b64", "${HOOK_KEY}") +
		hook("edge", "/edge", "${HOOK_KEY}") + hook("unsolicited", "/unsolicited", "${HOOK_KEY}")
	w := newWorkdir(t, fmt.Sprintf(config, "")+outputs)
	env := []string{"S1_TOKEN=" + token, "S1_DENIED=" + denied, "HOOK_KEY=" + hookKey, "SUMO_CODE=" + sumoCode}
	var seen strings.Builder
	record := func(what, text string) { fmt.Fprintf(&seen, "== %s\n%s\n", what, text) }
	for _, args := range [][]string{{"validate"}, {"test"}, {"once", "--delivery-attempts", "1"}, {"state", "show"}} {
		out, errOut, _ := w.run(env, args...)
		record(strings.Join(args, " "), out+errOut)
	}
	// The daemon starts with outputs that accept, then a reload brings a
	// new source feeding the refusing ones and a new key, which a peer
	// echoes without its scheme. Their batches are then held.
	w.write("s1collector.yaml", strings.Replace(fmt.Sprintf(config, ""), "outputs: [local, hook, bare, b64, edge, unsolicited, sumo]",
		"outputs: [local, unsolicited]", 1)+outputs)
	cmd, _, stderr := runDaemon(t, w, env, "--listen", "127.0.0.1:0")
	waitFor(t, stderr, `"duration":"`, 6)
	fresh := fmt.Sprintf("  - {name: fresh, base_url: %s, token: \"${S1_TOKEN}\", lookback: 72h, outputs: [local, hook, bare, b64, edge, sumo, late]}\n", c.URL)
	w.write("s1collector.yaml", strings.Replace(fmt.Sprintf(config, ""), "outputs:\n", fresh+"outputs:\n", 1)+outputs+hook("late", "/bare", lateKey))
	cmd.Process.Signal(syscall.SIGHUP)
	waitFor(t, stderr, "configuration reloaded", 1)
	waitFor(t, stderr, "output late:", 1)
	base := statusURL(t, stderr)
	for _, p := range []string{"/", "/api/status", "/metrics", "/readyz", "/healthz"} {
		_, body := fetch(t, base+p)
		record(p, body)
	}
	record("run log", stderr.String())
	recordFiles(t, w.dir, record)
	all := seen.String()
	for _, want := range []string{"HTTP 401", "bad credentials", "unknown key [redacted]", "refused credentials [redacted]", "HTTP 404",
		"no collector at [redacted]", "Unsolicited response", "HTTP 403 Insufficient permissions", "output late:"} {
		if !strings.Contains(all, want) {
			t.Errorf("the failures this test provokes were not seen (%q); it proves nothing", want)
		}
	}
	for _, s := range needles {
		if i := strings.Index(all, s); i >= 0 {
			t.Errorf("secret %q shown: …%s…", s, all[max(0, i-200):min(len(all), i+100)])
		}
	}
}

// recordFiles records every file the collector wrote under dir — outputs,
// the state file — but the config, which holds a key by design.
func recordFiles(t *testing.T, dir string, record func(what, text string)) {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() == "s1collector.yaml" {
			return err
		}
		b, err := os.ReadFile(p)
		record(p, string(b))
		n++
		return err
	})
	if err != nil || n < 4 { // the state file and three streams' outputs at least
		t.Fatalf("%d files read under %s: %v", n, dir, err)
	}
}

// statusURL is the status server's address, from the last time the log
// gave it (a reload restarts the server).
func statusURL(t *testing.T, stderr *proc.Output) string {
	t.Helper()
	waitFor(t, stderr, `"url":"http`, 1)
	var last string
	sc := bufio.NewScanner(strings.NewReader(stderr.String()))
	re := regexp.MustCompile(`"url":"(https?://[^"]+)/"`)
	for sc.Scan() {
		if m := re.FindStringSubmatch(sc.Text()); m != nil {
			last = m[1]
		}
	}
	return last
}
