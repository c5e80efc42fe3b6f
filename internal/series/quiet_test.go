package series

import (
	"math/rand/v2"
	"testing"
	"time"
)

// simulate runs a stream whose console produces events at the times
// given, the way the collector does: a cycle every interval from start
// delivers the events produced before it, folded into the buckets as the
// pipeline folds them, and the status page asks Quiet after every cycle of
// the last day (the first two fill Keep). It returns the cycles flagged
// quiet.
func simulate(events []time.Time, start time.Time, days int, interval time.Duration) []time.Time {
	var bs []Bucket
	var quiet []time.Time
	end := start.Add(time.Duration(days) * Span)
	judged := end.Add(-Span)
	for c := start; c.Before(end); c = c.Add(interval) {
		var n int64
		for len(events) > 0 && events[0].Before(c) {
			events, n = events[1:], n+1
		}
		if n > 0 {
			bs = Fold(bs, Bucket{Start: c, Delivered: n, LastDelivery: c})
		}
		bs = Fold(bs, Bucket{Start: c, Cycles: 1, LagSeconds: 1})
		if !c.Before(judged) && Quiet(bs, c.Add(time.Second), interval, c).Quiet {
			quiet = append(quiet, c)
		}
	}
	return quiet
}

// poisson draws events at rate(t) an hour, from from to to.
func poisson(r *rand.Rand, from, to time.Time, most float64, rate func(time.Time) float64) []time.Time {
	var out []time.Time
	for t := from; ; {
		t = t.Add(time.Duration(r.ExpFloat64() / most * float64(time.Hour)))
		if !t.Before(to) {
			return out
		}
		if r.Float64() < rate(t)/most {
			out = append(out, t)
		}
	}
}

var simStart = time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)

// hourOf is the time of day of t, in hours.
func hourOf(t time.Time) float64 { return float64(t.Hour()) + float64(t.Minute())/60 }

// officeHours: 120 activities an hour from about 08:00 to about 18:00,
// the start and end varying by up to 45 minutes from day to day, nothing
// at night.
func officeHours(r *rand.Rand) []time.Time {
	var opens, closes [3]float64
	for d := range opens {
		opens[d], closes[d] = 8+r.Float64()*1.5-.75, 18+r.Float64()*1.5-.75
	}
	return poisson(r, simStart, simStart.Add(3*Span), 120, func(t time.Time) float64 {
		d, h := int(t.Sub(simStart)/Span), hourOf(t)
		if h >= opens[d] && h < closes[d] {
			return 120
		}
		return 0
	})
}

// dailyJob: 500 events once a day at 02:00 (give or take 5 minutes).
func dailyJob(r *rand.Rand) []time.Time {
	var out []time.Time
	for d := range 3 {
		at := simStart.Add(time.Duration(d)*Span + 2*time.Hour + time.Duration(r.IntN(600)-300)*time.Second)
		for i := range 500 {
			out = append(out, at.Add(time.Duration(i)*100*time.Millisecond))
		}
	}
	return out
}

// dayAfterIncident: threats at 1 an hour, and an outbreak of about 60 in
// 20 minutes the day before the day judged.
func dayAfterIncident(r *rand.Rand) []time.Time {
	from := simStart.Add(Span + 14*time.Hour)
	return poisson(r, simStart, simStart.Add(3*Span), 180, func(t time.Time) float64 {
		if !t.Before(from) && t.Before(from.Add(20*time.Minute)) {
			return 180
		}
		return 1
	})
}

func steady(perHour float64) func(r *rand.Rand) []time.Time {
	return func(r *rand.Rand) []time.Time {
		return poisson(r, simStart, simStart.Add(3*Span), perHour, func(time.Time) float64 { return perHour })
	}
}

// TestQuietRaisesNoFalseAlarm: streams behaving as they always do — the
// shapes an SRE found flagged by the first rule (a day earlier, the same
// hour) — are never quiet on the day judged, whatever the seed. The
// mornings before office hours, the evenings after, around a daily job,
// the day after an incident, steady rare streams.
func TestQuietRaisesNoFalseAlarm(t *testing.T) {
	tests := []struct {
		name     string
		interval time.Duration
		events   func(r *rand.Rand) []time.Time
	}{
		{"office hours", 5 * time.Minute, officeHours},
		{"office hours, interval 1m", time.Minute, officeHours},
		{"a daily job", 5 * time.Minute, dailyJob},
		{"the day after an incident", 5 * time.Minute, dayAfterIncident},
		{"steady 0.25/h", 5 * time.Minute, steady(0.25)},
		{"steady 0.5/h", 5 * time.Minute, steady(0.5)},
		{"steady 1/h", 5 * time.Minute, steady(1)},
		{"steady 2/h", 5 * time.Minute, steady(2)},
		{"steady 6/h", 5 * time.Minute, steady(6)},
		{"steady 30/h, interval 1m", time.Minute, steady(30)},
	}
	seeds := 12 // each a stream's three days; together, more than a year of streams
	if testing.Short() {
		seeds = 4
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for seed := range seeds {
				r := rand.New(rand.NewPCG(uint64(seed), 7))
				if q := simulate(tt.events(r), simStart, 3, tt.interval); len(q) > 0 {
					t.Errorf("seed %d: flagged quiet %d times, first at %s", seed, len(q), q[0].Format("15:04"))
				}
			}
		})
	}
}

// TestQuietFlagsADeadUpstream: a busy stream whose console stops
// producing is flagged within 30 minutes (the alert's clock starts then),
// and stays flagged; one of rare threats (1 an hour), within a day.
func TestQuietFlagsADeadUpstream(t *testing.T) {
	dies := simStart.Add(2*Span + 2*time.Hour)
	tests := []struct {
		name    string
		perHour float64
		within  time.Duration
	}{
		{"busy, 300/h", 300, 30 * time.Minute},
		{"rare, 1/h", 1, 24 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for seed := range 5 {
				r := rand.New(rand.NewPCG(uint64(seed), 3))
				ev := poisson(r, simStart, dies, tt.perHour, func(time.Time) float64 { return tt.perHour })
				q := simulate(ev, simStart, 3, 5*time.Minute)
				last := ev[len(ev)-1]
				if len(q) == 0 || q[0].Sub(last) > tt.within || q[0].Before(last) {
					t.Fatalf("seed %d: last event at %s, quiet %d times (%v…); want from within %s", seed, last.Format("15:04"), len(q), q[:min(len(q), 1)], tt.within)
				}
				// old buckets leaving Keep move the bar a little: a cycle or two may drop out
				want := int(simStart.Add(3*Span).Sub(q[0]) / (5 * time.Minute))
				if len(q) < want*95/100 || !q[len(q)-1].Equal(simStart.Add(3*Span-5*time.Minute)) {
					t.Errorf("seed %d: quiet %d times from %s to %s, want every cycle since (%d)", seed, len(q), q[0].Format("15:04"), q[len(q)-1].Format("15:04"), want)
				}
			}
		})
	}
}

// TestQuietJudgesOnlyWhatItKnows: a new stream (less than a day of
// buckets), one whose last delivery is older than Keep, and one that is
// failing or stopped (checked zero) are never quiet.
func TestQuietJudgesOnlyWhatItKnows(t *testing.T) {
	now := simStart.Add(3 * Span)
	var busy []Bucket
	for d := Keep; d >= time.Hour; d -= Width {
		busy = append(busy, Bucket{Start: Start(now.Add(-d)), Delivered: 50, Cycles: 10, LastDelivery: Start(now.Add(-d)).Add(9 * time.Minute)})
	}
	tests := []struct {
		name    string
		bs      []Bucket
		checked time.Time
		quiet   bool
	}{
		{"busy, silent for an hour", busy, now, true},
		{"busy, silent, failing", busy, time.Time{}, false},
		{"busy, silent, its last good cycle started 15 minutes after the last event", busy, now.Add(-45 * time.Minute), false},
		{"new: 12 hours of buckets", busy[len(busy)-72:], now, false},
		{"nothing delivered within Keep", []Bucket{{Start: Start(now.Add(-Keep)), Cycles: 1}, {Start: Start(now), Cycles: 1}}, now, false},
	}
	for _, tt := range tests {
		if q := Quiet(tt.bs, now, time.Minute, tt.checked); q.Quiet != tt.quiet {
			t.Errorf("%s: quiet %v, want %v (%+v)", tt.name, q.Quiet, tt.quiet, q)
		}
	}
}
