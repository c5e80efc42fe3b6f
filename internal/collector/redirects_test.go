package collector

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"s1collector/internal/config"
	"s1collector/internal/output/outputtest"
)

// peer records what reaches it; origin peers redirect as told.
type peer struct {
	*httptest.Server
	mu   sync.Mutex
	seen []string
}

func newPeer(t *testing.T, redirect func(r *http.Request) string) *peer {
	p := &peer{}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		p.mu.Lock()
		p.seen = append(p.seen, fmt.Sprintf("%s %s key=%q auth=%q %.80s", r.Method, r.URL.Path, r.Header.Get("X-Api-Key"), r.Header.Get("Authorization"), body))
		p.mu.Unlock()
		if redirect != nil {
			if to := redirect(r); to != "" {
				http.Redirect(w, r, to, http.StatusTemporaryRedirect)
				return
			}
		}
		w.Write([]byte(`{"text":"Success","code":0,"ackId":1,"acks":{"1":true}}`))
	}))
	t.Cleanup(p.Close)
	return p
}

func (p *peer) requests() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.seen...)
}

// TestOutputsFollowNoRedirect: every HTTP output, redirected with 307 to
// another host, sends nothing there (no intake key, API key or token) and
// fails for good, naming the target; with http.redirects: same_host a
// webhook follows a redirect on its own host, and still not another.
func TestOutputsFollowNoRedirect(t *testing.T) {
	thief := newPeer(t, nil)
	elsewhere := strings.Replace(thief.URL, "127.0.0.1", "localhost", 1)
	origin := newPeer(t, func(r *http.Request) string {
		if r.URL.Path == "/same/final" {
			return ""
		}
		if strings.HasPrefix(r.URL.Path, "/same/") {
			return "/same/final"
		}
		return elsewhere + r.URL.Path
	})
	yaml := fmt.Sprintf(`
sources: [{name: s, base_url: https://t.sentinelone.net, token: tok-123456, outputs: [intake, assets, sumo, hec, hook, hook-same, hook-same-away]}]
outputs:
  - {name: intake, type: sekoia_intake, sekoia_intake: {url: "%[1]s", intake_key: INTAKE-KEY-1234}}
  - {name: assets, type: sekoia_assets, sekoia_assets: {base_url: "%[1]s", connector_uuid: 0b4e7e4c-8d1f-4c59-a1c5-6b2a8f7e9d10, api_key: ASSETS-KEY-1234}}
  - {name: sumo, type: sumologic, sumologic: {url: "%[1]s/receiver/v1/http/SUMOCODE12345678"}}
  - {name: hec, type: splunk_hec, splunk_hec: {url: "%[1]s", token: HEC-TOKEN-1234}}
  - {name: hook, type: webhook, webhook: {url: "%[1]s/in", headers: {X-Api-Key: HOOK-KEY-1234}}}
  - {name: hook-same, type: webhook, webhook: {url: "%[1]s/same/in", headers: {X-Api-Key: HOOK-KEY-1234}}, http: {redirects: same_host}}
  - {name: hook-same-away, type: webhook, webhook: {url: "%[1]s/away", headers: {X-Api-Key: HOOK-KEY-1234}}, http: {redirects: same_host}}
`, origin.URL)
	cfg, err := config.Parse([]byte(yaml), t.TempDir(), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	outs, err := Outputs(cfg, Options{Log: slog.New(slog.DiscardHandler), Stdout: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	for name, o := range outs {
		err := outputtest.Deliver(t.Context(), o, outputtest.Batch("agents", 0, 3, 10))
		if name == "hook-same" {
			if err != nil {
				t.Errorf("%s: a same-host redirect was not followed: %v", name, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), "redirect to "+elsewhere) || !strings.Contains(err.Error(), "not followed") {
			t.Errorf("%s: err = %v, want a redirect to %s not followed", name, err, elsewhere)
		}
		o.Close()
	}
	if got := thief.requests(); len(got) > 0 {
		t.Fatalf("credentials went to another host: %q", got)
	}
	if got := strings.Join(origin.requests(), "\n"); !strings.Contains(got, "POST /same/final") {
		t.Errorf("the same-host redirect did not arrive:\n%s", got)
	}
}
