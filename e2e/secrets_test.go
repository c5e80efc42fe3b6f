package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"s1collector/internal/emulator"
	"s1collector/internal/output/outputtest"
)

// TestSecretsNeverShown runs every command and page with known secrets —
// a console token, a webhook key that the peer echoes back in its error,
// a Sumo Logic URL whose path is the credential — and looks for them in
// everything printed or served, logs at debug level included.
func TestSecretsNeverShown(t *testing.T) {
	const (
		token    = "S1-TOKEN-0123456789abcdef"
		denied   = "S1-DENIED-TOKEN-fedcba987"
		hookKey  = "HOOK-KEY-5f4dcc3b5aa765d6"
		sumoCode = "SUMO-CODE-ZaVnC4dhaV2ZUFuSmFn"
	)
	secrets := []string{token, denied, hookKey, sumoCode}
	c := startConsole(t, emulator.Config{Agents: 50, HistoryActivities: 10, HistoryThreats: 2, Tokens: []emulator.Token{
		{Value: token, ExpiresAt: time.Now().Add(5 * 24 * time.Hour)}, {Value: denied, Deny: []string{"threats"}}}})
	echo := outputtest.NewPeer(t, func(int) int { return 0 })
	echo.Accept = func(w http.ResponseWriter, r outputtest.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, `{"error":"bad credentials %q"}`, r.Header.Get("Authorization"))
	}
	w := newWorkdir(t, fmt.Sprintf(`state: {path: state.db}
log: {level: debug, format: json}
sources:
  - {name: main, base_url: %[1]s, token: "${S1_TOKEN}", lookback: 72h, outputs: [local, hook, sumo]}
  - {name: denied, base_url: %[1]s, token: "${S1_DENIED}", lookback: 72h, outputs: [local]}
outputs:
  - {name: local, type: file, file: {dir: out}}
  - {name: hook, type: webhook, webhook: {url: "%[2]s/in", headers: {Authorization: "Bearer ${HOOK_KEY}"}}}
  - {name: sumo, type: sumologic, sumologic: {url: "http://127.0.0.1:1/receiver/v1/http/${SUMO_CODE}"}}
`, c.URL, echo.URL))
	env := []string{"S1_TOKEN=" + token, "S1_DENIED=" + denied, "HOOK_KEY=" + hookKey, "SUMO_CODE=" + sumoCode}
	var seen strings.Builder
	record := func(what, text string) { fmt.Fprintf(&seen, "== %s\n%s\n", what, text) }
	for _, args := range [][]string{{"validate"}, {"test"}, {"once", "--delivery-attempts", "1"}, {"state", "show"}} {
		out, errOut, _ := w.run(env, args...)
		record(strings.Join(args, " "), out+errOut)
	}
	// The main source's webhook refuses for good: its cycles hold their
	// checkpoints and never end; the denied source's three do.
	url, stderr := daemonEnv(t, w, env, 3)
	waitFor(t, stderr, "output failed; batch held", 1)
	for _, p := range []string{"/", "/api/status", "/metrics", "/readyz", "/healthz"} {
		_, body := fetch(t, url+p)
		record(p, body)
	}
	record("run log", stderr.String())
	all := seen.String()
	for _, want := range []string{"HTTP 401", "bad credentials", "HTTP 403 Insufficient permissions", "[redacted]"} {
		if !strings.Contains(all, want) {
			t.Errorf("the failures this test provokes were not seen (%q); it proves nothing", want)
		}
	}
	for _, s := range secrets {
		if i := strings.Index(all, s); i >= 0 {
			t.Errorf("secret %q shown: …%s…", s, all[max(0, i-200):min(len(all), i+100)])
		}
	}
}
