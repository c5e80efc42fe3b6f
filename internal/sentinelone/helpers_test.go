package sentinelone_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"s1collector/internal/sentinelone"
)

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func throttleResponse(r *http.Request, retryAfter string) *http.Response {
	h := http.Header{"Content-Type": {"text/html"}}
	if retryAfter != "" {
		h.Set("Retry-After", retryAfter)
	}
	return &http.Response{StatusCode: http.StatusTooManyRequests, Header: h, Request: r,
		Body: io.NopCloser(strings.NewReader("<html><head><title>429 Too Many Requests</title></head></html>"))}
}

func newServer(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// models returns the page's records decoded as T (*Agent, *Activity or
// *Threat) and the indexes of the records that were not JSON objects.
func models[T sentinelone.Model](page *sentinelone.Page) (out []T, notObjects []int) {
	for i, r := range page.Records {
		if r.Model == nil {
			notObjects = append(notObjects, i)
			continue
		}
		out = append(out, r.Model.(T)) // a panic for a model of the wrong type
	}
	return out, notObjects
}
