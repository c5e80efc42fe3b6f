package cli

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"s1collector/internal/delivery"
	"s1collector/internal/pipeline"
)

// TestOnceLines: a partial full listing is marked "!" with what it left,
// and is not a failure; removal events are shown apart from the devices
// delivered.
func TestOnceLines(t *testing.T) {
	agents := &pipeline.Stream{Source: delivery.SourceInfo{Name: "c"}, API: "agents"}
	tests := []struct {
		name string
		res  pipeline.Result
		want string
	}{
		{"complete", pipeline.Result{Delivered: 2015, Read: 2017, Pages: 9, FullSync: true, Gone: []string{"1", "2"}},
			"✓ c/agents: 2,015 delivered (full listing), 2,017 read in 9 page(s), 0s, 2 device(s) removed from the console (removal events)\n"},
		{"partial", pipeline.Result{Delivered: 35287, Read: 36000, Pages: 180, FullSync: true, Behind: &pipeline.Behind{Changed: 4713}},
			"! c/agents: 35,287 delivered (full listing, partial: the console changed faster than it was read; 4,713 device(s) changed since, the next run delivers them), 36,000 read in 180 page(s), 0s\n"},
		{"partial, not counted", pipeline.Result{FullSync: true, Behind: &pipeline.Behind{Since: time.Now(), Changed: -1}},
			"! c/agents: 0 delivered (full listing, partial: the console changed faster than it was read; the next run delivers what changed since), 0 read in 0 page(s), 0s\n"},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		failed := printResults(&out, []pipeline.StreamResult{{Stream: agents, Result: tt.res}}, func(s string) string { return s })
		if failed != 0 || out.String() != tt.want {
			t.Errorf("%s: %d failed,\n%q\nwant\n%q", tt.name, failed, out.String(), tt.want)
		}
	}
	if !strings.Contains(newOnceCmd().Long, "partial") {
		t.Error("once --help does not say what a partial listing prints")
	}
}
