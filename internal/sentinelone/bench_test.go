package sentinelone_test

import (
	"io"
	"net/http"
	"net/url"
	"testing"

	"s1collector/internal/emulator"
	"s1collector/internal/sentinelone"
)

// BenchmarkListAgents walks 100,000 agents from the in-process emulator, the
// client's floor: no transform, no output. The emulator's own rendering is
// part of the cost.
func BenchmarkListAgents100k(b *testing.B) {
	emu, err := emulator.New(emulator.Config{Agents: 100_000, Tokens: []emulator.Token{{Value: token}}, RateLimits: map[string]emulator.RateLimit{}})
	if err != nil {
		b.Fatal(err)
	}
	c := benchClient(b, emu)
	pages := 0
	b.ReportAllocs()
	for b.Loop() {
		for _, err := range c.Pages(b.Context(), sentinelone.ListRequest{Endpoint: sentinelone.Agents, Query: url.Values{"sortBy": {"id"}}}) {
			if err != nil {
				b.Fatal(err)
			}
			pages++
		}
	}
	b.ReportMetric(float64(pages)/b.Elapsed().Seconds(), "pages/s")
	b.ReportMetric(float64(pages*1000)/b.Elapsed().Seconds(), "agents/s")
}

// BenchmarkDecodePage measures the envelope decoder alone on a 1000-agent
// page as the emulator writes it.
func BenchmarkDecodePage(b *testing.B) {
	emu, err := emulator.New(emulator.Config{Agents: 1000, Tokens: []emulator.Token{{Value: token}}, RateLimits: map[string]emulator.RateLimit{}})
	if err != nil {
		b.Fatal(err)
	}
	body := pageBody(b, emu, "agents?limit=1000")
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := sentinelone.DecodePage(sentinelone.Agents, body); err != nil {
			b.Fatal(err)
		}
	}
}

func benchClient(b *testing.B, emu *emulator.Emulator) *sentinelone.Client {
	c, err := sentinelone.New(sentinelone.Config{BaseURL: "http://localhost", Token: token,
		RateLimits: map[string]sentinelone.RateLimit{"agents": {Rate: 1e9, Burst: 1000}}}, &http.Client{Transport: emu.Transport()})
	if err != nil {
		b.Fatal(err)
	}
	return c
}

func pageBody(b testing.TB, emu *emulator.Emulator, path string) []byte {
	req, _ := http.NewRequest(http.MethodGet, "http://localhost/web/api/v2.1/"+path, nil)
	req.Header.Set("Authorization", "ApiToken "+token)
	resp, err := emu.Transport().RoundTrip(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return body
}
