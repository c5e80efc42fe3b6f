package cli

import (
	"testing"
	"time"

	"s1collector/internal/pipeline"
)

// TestProgressOnlyForLongSyncs: progress lines are for syncs that run
// longer than a report period; a cycle of a few milliseconds caught by the
// tick, or one held by a retry (logged on its own), gets none.
func TestProgressOnlyForLongSyncs(t *testing.T) {
	now := time.Date(2026, 12, 1, 4, 0, 0, 0, time.UTC)
	long := pipeline.StatusSnapshot{Phase: pipeline.PhaseSyncing, CycleRead: 5000, CycleStarted: now.Add(-2 * time.Minute)}
	short, idle, held := long, long, long
	short.CycleStarted = now.Add(-3 * time.Millisecond)
	idle.Phase = pipeline.PhaseIdle
	held.Retry = &pipeline.Retry{Output: "hook", Error: "HTTP 500", Attempt: 3}
	for _, tt := range []struct {
		name string
		v    pipeline.StatusSnapshot
		want bool
	}{{"a two-minute sync", long, true}, {"a 3 ms cycle", short, false}, {"idle", idle, false}, {"held by a retry", held, false}} {
		if got := longSync(tt.v, now, 30*time.Second); got != tt.want {
			t.Errorf("%s: longSync %v, want %v", tt.name, got, tt.want)
		}
	}
}
