package series

import "time"

// QuietIntervals is how many of its intervals a stream must go without
// an event, at least, before it is quiet.
const QuietIntervals = 3

// Quietness says whether a stream went quiet, and why.
type Quietness struct {
	Quiet bool `json:"quiet"`
	// LastDelivery is when the stream last delivered an event (zero when
	// not within Keep).
	LastDelivery time.Time `json:"last_delivery,omitzero"`
	// DayBefore is what the stream delivered a day earlier, in the hour
	// around the same time.
	DayBefore int64 `json:"day_before"`
	// After is how long without an event makes it quiet: three intervals,
	// or three times the usual gap between events a day earlier, whichever
	// is longer.
	After time.Duration `json:"-"`
}

// Quiet tells whether a stream has delivered nothing for longer than
// usual: a day earlier, in the hour around the same time, it delivered
// events, and none since its last delivery for at least QuietIntervals
// intervals and three times the usual gap between the events of that hour.
// checked is the start of the stream's last successful cycle (zero when
// it is failing, stopped or has not completed a cycle): a successful cycle
// read everything the console held up to its start, so the silence up to
// then is the console's, not the collector's.
func Quiet(bs []Bucket, now time.Time, interval time.Duration, checked time.Time) Quietness {
	q := Quietness{LastDelivery: lastDelivery(bs)}
	from, to := now.Add(-Span-30*time.Minute), now.Add(-Span+30*time.Minute)
	for _, b := range bs {
		if !b.Start.Before(Start(from)) && b.Start.Before(to) {
			q.DayBefore += b.Delivered
		}
	}
	if q.DayBefore == 0 {
		return q
	}
	q.After = max(QuietIntervals*interval, 3*time.Hour/time.Duration(q.DayBefore))
	q.Quiet = !checked.IsZero() && checked.Sub(q.LastDelivery) >= q.After
	return q
}

// lastDelivery is the latest delivery the buckets know of; a bucket that
// counts events without saying when had them by its end at the latest.
func lastDelivery(bs []Bucket) time.Time {
	var last time.Time
	for _, b := range bs {
		t := b.LastDelivery
		if t.IsZero() && b.Delivered > 0 {
			t = b.Start.Add(Width)
		}
		if t.After(last) {
			last = t
		}
	}
	return last
}
