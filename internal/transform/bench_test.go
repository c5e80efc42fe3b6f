package transform

import (
	"encoding/json"
	"io"
	"testing"
	"time"

	"s1collector/internal/emulator"
	"s1collector/internal/sentinelone"
)

// benchAgents is 1000 realistic agents as the emulator serves them.
func benchAgents(b *testing.B) []json.RawMessage {
	emu, err := emulator.New(emulator.Config{Seed: 3, Agents: 1000, RateLimits: map[string]emulator.RateLimit{}})
	if err != nil {
		b.Fatal(err)
	}
	return emulatorAgents(b, emu, nil)
}

// BenchmarkAgents measures decode + map + encode per profile as transform
// and the pipeline run them (one reused agent, events written by
// AppendMapped), and the floor: a plain encoding/json round trip of the
// same agents (decode to a generic map, encode it back).
func BenchmarkAgents(b *testing.B) {
	agents := benchAgents(b)
	var size int64
	for _, a := range agents {
		size += int64(len(a))
	}
	enc := json.NewEncoder(io.Discard)
	cases := []struct {
		name string
		run  func(json.RawMessage) error
	}{
		{"floor-json-roundtrip", func(raw json.RawMessage) error {
			var v map[string]any
			if err := json.Unmarshal(raw, &v); err != nil {
				return err
			}
			return enc.Encode(v)
		}},
		{"sekoia", mapper(ProfileSekoia, enc)},
		{"ocsf", mapper(ProfileOCSF, enc)},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(size)
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				for _, a := range agents {
					if err := c.run(a); err != nil {
						b.Fatal(err)
					}
					n++
				}
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "agents/s")
		})
	}
}

func mapper(p Profile, _ *json.Encoder) func(json.RawMessage) error {
	now := time.Now()
	var a sentinelone.Agent
	var line []byte
	return func(raw json.RawMessage) error {
		if err := sentinelone.Unmarshal(raw, &a); err != nil {
			return err
		}
		var err error
		line, _, err = p.AppendMapped(line[:0], &a, now, false)
		return err
	}
}
