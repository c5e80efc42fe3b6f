package transform

import (
	"slices"
	"testing"
	"time"

	"s1collector/internal/sentinelone"
)

// TestAppendMappedResultsOutliveTheNextAgent: the problems and the line
// AppendMapped returns for one agent are the caller's; mapping the next
// agents (whose facts may be the same memory, reused) changes none of it.
func TestAppendMappedResultsOutliveTheNextAgent(t *testing.T) {
	records := []string{
		`{"id":"1","cpuCount":"lots","createdAt":"yesterday","networkInterfaces":[{"inet":["10.0.0.1"],"physical":"aa:bb"}]}`,
		`{"id":"2","isActive":{},"coreCount":"x","updatedAt":"soon","networkInterfaces":[{"inet":["10.0.0.2","10.0.0.3"],"inet6":["fe80::1"]}]}`,
		`{"id":"3","totalMemory":[],"computerName":"host-3"}`,
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, p := range []Profile{ProfileSekoia, ProfileOCSF} {
		t.Run(string(p), func(t *testing.T) {
			var a sentinelone.Agent
			var lines [][]byte
			var problems [][]string
			for _, r := range records {
				if err := sentinelone.Unmarshal([]byte(r), &a); err != nil {
					t.Fatal(err)
				}
				line, probs, err := p.AppendMapped(nil, &a, now, false)
				if err != nil {
					t.Fatal(err)
				}
				lines, problems = append(lines, line), append(problems, probs)
			}
			for i, r := range records {
				var fresh sentinelone.Agent
				if err := sentinelone.Unmarshal([]byte(r), &fresh); err != nil {
					t.Fatal(err)
				}
				line, probs, _ := p.AppendMapped(nil, &fresh, now, false)
				if string(lines[i]) != string(line) || !slices.Equal(problems[i], probs) {
					t.Errorf("agent %d changed once later agents were mapped:\ngot  %s %q\nwant %s %q", i+1, lines[i], problems[i], line, probs)
				}
				if len(probs) == 0 {
					t.Errorf("agent %d: no problems reported; the test needs odd values", i+1)
				}
			}
		})
	}
}
