package series

import (
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 2, 14, 37, 12, 0, time.UTC)

func at(d time.Duration, delivered int64) Bucket {
	return Bucket{Start: t0.Add(d), Delivered: delivered, Cycles: 1, LastDelivery: t0.Add(d)}
}

func TestDayHasEveryBucketOfTheLast24Hours(t *testing.T) {
	bs := []Bucket{
		at(-25*time.Hour, 1000), // before the day: not shown
		at(-24*time.Hour+5*time.Minute, 7),
		at(-3*time.Hour, 5),
		at(-3*time.Hour+time.Minute, 6), // same bucket: adds up
		{Start: t0.Add(-time.Hour), Cycles: 2, Failed: 2, LagSeconds: 90},
		at(0, 3),
		at(11*time.Minute, 99), // after now: not shown
	}
	day := Day(bs, t0)
	if len(day) != PerDay || PerDay != 144 {
		t.Fatalf("%d buckets, want 144", len(day))
	}
	if !day[PerDay-1].Start.Equal(time.Date(2026, 3, 2, 14, 30, 0, 0, time.UTC)) || !day[0].Start.Equal(time.Date(2026, 3, 1, 14, 40, 0, 0, time.UTC)) {
		t.Fatalf("day from %s to %s", day[0].Start, day[PerDay-1].Start)
	}
	var sum, failed int64
	for i, b := range day {
		if i > 0 && b.Start.Sub(day[i-1].Start) != Width {
			t.Fatalf("bucket %d at %s after %s", i, b.Start, day[i-1].Start)
		}
		sum += b.Delivered
		failed += b.Failed
	}
	if sum != 7+5+6+3 || failed != 2 {
		t.Errorf("the day holds %d events and %d failed cycles, want 21 and 2", sum, failed)
	}
	if got := day[PerDay-1-18]; got.Delivered != 11 || got.Cycles != 2 {
		t.Errorf("3h ago: %+v", got)
	}
	if got := day[PerDay-1-6]; got.Failed != 2 || got.LagSeconds != 90 {
		t.Errorf("1h ago: %+v", got)
	}
}

func TestMergeAddsUpWhatReplicasRecorded(t *testing.T) {
	a := []Bucket{{Start: t0, Delivered: 10, Cycles: 2, LagSeconds: 3, LastDelivery: t0.Add(time.Minute)}}
	b := []Bucket{{Start: t0.Add(2 * time.Minute), Delivered: 5, Cycles: 1, Failed: 1, LagSeconds: 40, LastDelivery: t0.Add(-time.Minute)},
		{Start: t0.Add(-time.Hour)}}
	got := Merge(a, b)
	want := Bucket{Start: Start(t0), Delivered: 15, Cycles: 3, Failed: 1, LagSeconds: 40, LastDelivery: t0.Add(time.Minute)}
	if len(got) != 1 || got[0] != want {
		t.Fatalf("merged %+v, want %+v", got, want)
	}
}

func TestSinceCountsTheCalendarDay(t *testing.T) {
	bs := []Bucket{at(-15*time.Hour, 100), at(-14*time.Hour-40*time.Minute, 20), at(-14*time.Hour-30*time.Minute, 3), at(0, 4)}
	if got := Since(bs, Midnight(t0)); got != 7 {
		t.Errorf("today %d, want 7 (the buckets from 00:00 UTC)", got)
	}
}

func TestFoldKeepsOrderAndBound(t *testing.T) {
	var l []Bucket
	l = Fold(l, at(0, 1))
	l = Fold(l, at(-time.Hour, 2))
	l = Fold(l, at(time.Minute, 3))
	if len(l) != 2 || l[0].Delivered != 2 || l[1].Delivered != 4 {
		t.Fatalf("%+v", l)
	}
	l = Fold(l, at(Keep-50*time.Minute, 1))
	if len(l) != 2 || l[0].Delivered != 4 {
		t.Fatalf("older than Keep not dropped: %+v", l)
	}
}

func TestQuiet(t *testing.T) {
	busyYesterday := []Bucket{at(-Span-20*time.Minute, 1000), at(-Span+10*time.Minute, 2000)}
	sparseYesterday := []Bucket{at(-Span, 6)} // an event every 10 minutes: quiet after 30
	tests := []struct {
		name    string
		bs      []Bucket
		checked time.Time
		quiet   bool
		after   time.Duration
	}{
		{"busy yesterday, nothing for 3 intervals", append([]Bucket{at(-4*time.Minute, 5)}, busyYesterday...), t0, true, 3 * time.Minute},
		{"busy yesterday, nothing for 2 intervals", append([]Bucket{at(-2*time.Minute, 5)}, busyYesterday...), t0, false, 3 * time.Minute},
		{"silent, but the last good cycle started before 3 intervals passed", append([]Bucket{at(-10*time.Minute, 5)}, busyYesterday...),
			t0.Add(-8 * time.Minute), false, 3 * time.Minute},
		{"failing or not yet cycled", append([]Bucket{at(-time.Hour, 5)}, busyYesterday...), time.Time{}, false, 3 * time.Minute},
		{"nothing yesterday at this hour", []Bucket{at(-Span-3*time.Hour, 500), at(-2*time.Hour, 5)}, t0, false, 0},
		{"sparse yesterday, silent 20m", append([]Bucket{at(-20*time.Minute, 1)}, sparseYesterday...), t0, false, 30 * time.Minute},
		{"sparse yesterday, silent 40m", append([]Bucket{at(-40*time.Minute, 1)}, sparseYesterday...), t0, true, 30 * time.Minute},
	}
	for _, tt := range tests {
		q := Quiet(tt.bs, t0, time.Minute, tt.checked)
		if q.Quiet != tt.quiet || q.After != tt.after {
			t.Errorf("%s: quiet %v after %s, want %v after %s (%+v)", tt.name, q.Quiet, q.After, tt.quiet, tt.after, q)
		}
	}
}
