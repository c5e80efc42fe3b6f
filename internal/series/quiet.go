package series

import "time"

const (
	// QuietIntervals is how many of its intervals a stream must go without
	// an event, at least, before it is quiet.
	QuietIntervals = 3
	// QuietMargin is how many times its longest silence of the two days
	// before a stream's current silence must last to be unusual: the night
	// of a stream that follows office hours, the day between the runs of a
	// daily job vary a little from day to day.
	QuietMargin = 2
	// QuietGaps is how many of its average gaps between events a stream
	// must go without one, at least: a rare stream (a few threats a day)
	// has, now and then, a silence much longer than the longest of the two
	// days before; one of twelve average gaps comes once in 160,000 (see
	// TestQuietRaisesNoFalseAlarm).
	QuietGaps = 12
)

// Quietness says whether a stream went quiet, and why.
type Quietness struct {
	Quiet bool `json:"quiet"`
	// LastDelivery is when the stream last delivered an event (zero when
	// not within Keep).
	LastDelivery time.Time `json:"last_delivery,omitzero"`
	// Usual is the longest silence between the stream's deliveries in what
	// the buckets know before LastDelivery (up to Keep): the nights of a
	// stream that follows office hours, the day between the runs of a
	// daily job. Zero when the stream cannot be judged.
	Usual time.Duration `json:"-"`
	// After is how long without an event makes it quiet: QuietMargin
	// times Usual, QuietGaps average gaps between the events of the two
	// days before, and QuietIntervals intervals at least.
	After time.Duration `json:"-"`
}

// Quiet tells whether a stream has delivered nothing for longer than
// usual: its buckets reach back a whole Span at least (a new stream is not
// judged), it delivered within Keep, and it has gone without an event for
// QuietIntervals intervals, QuietMargin times the longest silence it had
// before its last delivery, and QuietGaps times the average gap between
// its events up to then. checked is the start of the stream's last
// successful cycle (zero when it is failing, stopped or has not completed
// a cycle): a successful cycle read everything the console held up to its
// start, so the silence up to then is the console's, not the collector's.
//
// Buckets know when their last event was delivered, not their first: a
// silence between two buckets is taken from the last delivery of one to
// the last of the next, which is never shorter than it was. A stream that
// delivers in every bucket is thus quiet after about 20 minutes at the
// earliest; one silent every night, after twice its night.
func Quiet(bs []Bucket, now time.Time, interval time.Duration, checked time.Time) Quietness {
	q := Quietness{LastDelivery: lastDelivery(bs)}
	from := now.Add(-Keep)
	if len(bs) == 0 || q.LastDelivery.IsZero() || bs[0].Start.After(now.Add(-Span)) {
		return q
	}
	var events int64
	prev := bs[0].Start // a silence before what the buckets know lasted this long at least
	if prev.Before(from) {
		prev = from
	}
	known := q.LastDelivery.Sub(prev)
	for _, b := range bs {
		t := deliveredAt(b)
		if t.IsZero() || t.Before(from) {
			continue
		}
		q.Usual = max(q.Usual, t.Sub(prev))
		prev, events = t, events+b.Delivered
	}
	q.After = max(QuietIntervals*interval, QuietMargin*q.Usual, QuietGaps*known/time.Duration(max(events, 1)))
	q.Quiet = !checked.IsZero() && checked.Sub(q.LastDelivery) >= q.After
	return q
}

// lastDelivery is the latest delivery the buckets know of.
func lastDelivery(bs []Bucket) time.Time {
	var last time.Time
	for _, b := range bs {
		if t := deliveredAt(b); t.After(last) {
			last = t
		}
	}
	return last
}

// deliveredAt is when the bucket's last events were delivered; a bucket
// that counts events without saying when had them by its end at the
// latest. Zero when it has none.
func deliveredAt(b Bucket) time.Time {
	if b.Delivered <= 0 {
		return time.Time{}
	}
	if b.LastDelivery.IsZero() {
		return b.Start.Add(Width)
	}
	return b.LastDelivery
}
