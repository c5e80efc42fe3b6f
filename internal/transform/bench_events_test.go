package transform

import (
	"encoding/json"
	"io"
	"testing"
	"time"

	"s1collector/internal/emulator"
)

// BenchmarkEvents measures, per stream, what the ocsf profile costs a
// record (decode, map, encode) against the floor: a plain encoding/json
// round trip of the same record.
func BenchmarkEvents(b *testing.B) {
	emu, err := emulator.New(emulator.Config{Seed: 3, Agents: 200, HistoryActivities: 1000, HistoryThreats: 300,
		HistoryAlerts: 300, HistoryStarAlerts: 300, RateLimits: map[string]emulator.RateLimit{}})
	if err != nil {
		b.Fatal(err)
	}
	emu.Advance(time.Hour)
	streams := []struct {
		st   Stream
		recs []json.RawMessage
	}{
		{StreamThreats, emulatorRecords(b, emu, "threats", nil)},
		{StreamAlerts, emulatorAlerts(b, emu)},
		{StreamStarAlerts, emulatorRecords(b, emu, "cloud-detection/alerts", nil)},
		{StreamActivities, emulatorRecords(b, emu, "activities", nil)},
	}
	enc := json.NewEncoder(io.Discard)
	for _, s := range streams {
		b.Run(string(s.st)+"/floor-json-roundtrip", func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				var v map[string]any
				if err := json.Unmarshal(s.recs[i%len(s.recs)], &v); err != nil {
					b.Fatal(err)
				}
				_ = enc.Encode(v)
			}
		})
		b.Run(string(s.st)+"/ocsf", func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				ev, _, err := ProfileOCSF.MapRecord(s.st, s.recs[i%len(s.recs)], collected)
				if err != nil {
					b.Fatal(err)
				}
				_ = enc.Encode(ev)
			}
		})
	}
}
