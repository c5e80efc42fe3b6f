package httpclient

import (
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// TestRedirectPolicies: by default no redirect is followed and the answer
// names the target; same_host follows only to the same scheme, host and
// port — another port or host gets nothing, not even a connection.
func TestRedirectPolicies(t *testing.T) {
	var elsewhereHits int
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { elsewhereHits++ }))
	defer elsewhere.Close()
	var origin *httptest.Server
	origin = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/same":
			http.Redirect(w, r, origin.URL+"/final?x=1", http.StatusTemporaryRedirect)
		case "/other-port":
			http.Redirect(w, r, elsewhere.URL+"/steal?key=k", http.StatusFound)
		case "/final":
			w.Write([]byte("arrived with " + r.Header.Get("X-Api-Key")))
		}
	}))
	defer origin.Close()
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(elsewhere.URL, "http://"))
	cases := []struct {
		policy     Redirects
		path       string
		wantStatus int
		wantTarget string
	}{
		{NoRedirects, "/same", 307, origin.URL + "/final"},
		{NoRedirects, "/other-port", 302, "http://127.0.0.1:" + port + "/steal"},
		{SameHostRedirects, "/same", 200, ""},
		{SameHostRedirects, "/other-port", 302, "http://127.0.0.1:" + port + "/steal"},
	}
	for _, c := range cases {
		hc, err := NewClient(Config{Redirects: c.policy})
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest(http.MethodPost, origin.URL+c.path, strings.NewReader("{}"))
		req.Header.Set("X-Api-Key", "KEY-123456")
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.wantStatus {
			t.Errorf("%v %s: status %d, want %d", c.policy, c.path, resp.StatusCode, c.wantStatus)
		}
		re := AsRedirect(resp)
		switch {
		case c.wantTarget == "" && re != nil:
			t.Errorf("%v %s: %v", c.policy, c.path, re)
		case c.wantTarget != "" && (re == nil || re.Target != c.wantTarget || !strings.Contains(re.Error(), "not followed")):
			t.Errorf("%v %s: redirect error %v, want target %s", c.policy, c.path, re, c.wantTarget)
		}
	}
	if elsewhereHits != 0 {
		t.Errorf("the other port was reached %d times", elsewhereHits)
	}
	if sameOrigin(mustURL("https://a.example.com/x"), mustURL("https://a.example.com:443/y")) != true ||
		sameOrigin(mustURL("https://a.example.com/x"), mustURL("http://a.example.com/x")) {
		t.Error("sameOrigin misjudges default ports or schemes")
	}
}

// TestRefuseRedirectsOverridesAnyClient: a client handed in by a caller
// (or none) is made to follow nothing, without changing the caller's.
func TestRefuseRedirectsOverridesAnyClient(t *testing.T) {
	follow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return nil }}
	got := RefuseRedirects(follow)
	if got == follow || follow.CheckRedirect(nil, nil) != nil || got.CheckRedirect(nil, nil) != http.ErrUseLastResponse {
		t.Error("RefuseRedirects did not make a refusing copy")
	}
	if RefuseRedirects(nil).CheckRedirect(nil, nil) != http.ErrUseLastResponse {
		t.Error("the default client follows redirects")
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}
