package emulator

import (
	"testing"
	"time"
)

// TestActivityRateChangesWhileRunning: at 0 a minute no activity appears
// however long time runs; back at 60, about 60 a minute, with no burst for
// the silent time.
func TestActivityRateChangesWhileRunning(t *testing.T) {
	e, err := New(Config{Agents: 1, HistoryActivities: 10, ActivitiesPerMinute: 60})
	if err != nil {
		t.Fatal(err)
	}
	count := func() int { _, a, _ := e.Counts(); return a }
	e.Advance(time.Minute)
	if n := count(); n < 65 || n > 71 {
		t.Fatalf("%d activities after a minute at 60 a minute (10 at start)", n)
	}
	e.SetActivitiesPerMinute(0)
	before := count()
	e.Advance(time.Hour)
	if n := count(); n != before {
		t.Fatalf("%d activities appeared at 0 a minute", n-before)
	}
	e.SetActivitiesPerMinute(60)
	e.Advance(time.Minute)
	if n := count() - before; n < 58 || n > 62 {
		t.Fatalf("%d activities in the minute after the rate came back, want about 60", n)
	}
}
