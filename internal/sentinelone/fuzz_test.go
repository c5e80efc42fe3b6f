package sentinelone_test

import (
	"testing"

	"s1collector/internal/sentinelone"
)

// FuzzDecodePage feeds arbitrary bodies to the page decoder and the record
// models: nothing may panic, and a page that decodes must decode its records
// one by one without failing the page.
func FuzzDecodePage(f *testing.F) {
	f.Add([]byte(`{"data":[` + string(fixture(f, "agent_demisto.json")) + `],"pagination":{"nextCursor":"abc=","totalItems":"1"}}`))
	f.Add(fixture(f, "activities_envelope_demisto.json"))
	f.Add([]byte(`{"data":[{"id":1,"isActive":"True","networkInterfaces":{"x":1},"cpuCount":"4.0"}],"pagination":{}}`))
	f.Add([]byte(`{"data":[{"threatInfo":[],"agentRealtimeInfo":"x"}],"pagination":{"nextCursor":null}}`))
	f.Add([]byte(`<html><head><title>429 Too Many Requests</title></head></html>`))
	f.Add([]byte(`{"data":[{"id":"1"},{"id"`))
	f.Fuzz(func(t *testing.T, body []byte) {
		page, err := sentinelone.DecodePage(body)
		if err != nil {
			return
		}
		agents, bad := sentinelone.DecodeRecords[sentinelone.Agent](page.Records)
		if len(agents)+len(bad) != len(page.Records) {
			t.Fatalf("%d records became %d agents and %d errors", len(page.Records), len(agents), len(bad))
		}
		for i := range agents {
			_ = sentinelone.OddFields(&agents[i])
		}
		sentinelone.DecodeRecords[sentinelone.Threat](page.Records)
		sentinelone.DecodeRecords[sentinelone.Activity](page.Records)
	})
}
