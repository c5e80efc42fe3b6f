package sentinelone

import (
	"io"
	"net/http"
	"testing"

	"s1collector/internal/emulator"
)

// TestMapSeesEachRecordOnce: with ListRequest.Map, each record is decoded
// once into one reused model, Map sees its bytes and its model, and the
// page keeps only what Map returned.
func TestMapSeesEachRecordOnce(t *testing.T) {
	body := []byte(`{"data":[{"id":"1","computerName":"a"}, 7, {"id":"3","cpuCount":[1]}],"pagination":{"nextCursor":null}}`)
	var models []Model
	var raws []string
	page, err := decoding{models: Agents, each: func(r Record) any {
		models = append(models, r.Model)
		raws = append(raws, string(r.Raw))
		if a, ok := r.Model.(*Agent); ok {
			return a.ID.Value + "/" + a.ComputerName.Value
		}
		return "not an object"
	}}.page(body)
	if err != nil {
		t.Fatal(err)
	}
	if models[0] == nil || models[0] != models[2] || models[1] != nil {
		t.Errorf("models %v: want one reused agent, nil for the number", models)
	}
	if raws[0] != `{"id":"1","computerName":"a"}` || raws[1] != "7" || raws[2] != `{"id":"3","cpuCount":[1]}` {
		t.Errorf("raw records %q", raws)
	}
	want := []string{"1/a", "not an object", "3/"}
	for i, r := range page.Records {
		if r.Model != nil || r.Raw != nil || r.Value != want[i] {
			t.Errorf("record %d kept %+v, want only the value %q", i, r, want[i])
		}
	}
}

// BenchmarkDecodePageForPipeline decodes a 1,000-agent page as the
// pipeline does: one reused model, each record handed on as it is decoded.
func BenchmarkDecodePageForPipeline(b *testing.B) {
	emu, err := emulator.New(emulator.Config{Agents: 1000, RateLimits: map[string]emulator.RateLimit{}})
	if err != nil {
		b.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, "http://localhost/web/api/v2.1/agents?limit=1000", nil)
	req.Header.Set("Authorization", "ApiToken "+emulator.DefaultToken)
	resp, err := emu.Transport().RoundTrip(req)
	if err != nil {
		b.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		page, err := decoding{models: Agents, each: func(r Record) any { return nil }}.page(body)
		if err != nil || len(page.Records) != 1000 {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "agents/s")
}
