package transform

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"s1collector/internal/ocsf/ocsfcheck"
)

// FuzzMapRecord feeds arbitrary records to the threat, alert, STAR alert
// and activity mappings: they must never panic, and whatever they map must
// still be strict OCSF 1.6.0.
func FuzzMapRecord(f *testing.F) {
	for i, in := range eventInputs {
		files, _ := filepath.Glob(filepath.Join("testdata", "*", in.file))
		for _, file := range files {
			f.Add(uint8(i), readFileF(f, file))
		}
	}
	f.Add(uint8(3), []byte(`{"id":"1","activityType":"27","createdAt":"x","data":[]}`))
	f.Add(uint8(0), []byte(`{"id":"1","threatInfo":"x","agentRealtimeInfo":{"networkInterfaces":{}}}`))
	f.Fuzz(func(t *testing.T, which uint8, raw []byte) {
		in := eventInputs[int(which)%len(eventInputs)]
		ev, _, err := ProfileOCSF.MapRecord(in.stream, raw, collected)
		if err != nil {
			return
		}
		b, err := json.Marshal(ev)
		if err != nil {
			t.Fatalf("event does not encode: %v", err)
		}
		if err := ocsfcheck.Check(b); err != nil {
			t.Fatalf("%s record mapped to an event that is not strict OCSF:\n%v\nrecord: %s", in.stream, err, raw)
		}
	})
}

func readFileF(f *testing.F, path string) []byte {
	b, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	return b
}
