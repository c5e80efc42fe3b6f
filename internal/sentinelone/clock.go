package sentinelone

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// ClockSkewWarn is how far the console's clock and this host's may differ
// before it is said (logged, shown on the status page). Time windows
// follow the console's clock whatever the difference.
const ClockSkewWarn = 30 * time.Second

const (
	// clockMaxRoundTrip: answers slower than this say too little about
	// when the console wrote its Date.
	clockMaxRoundTrip = 10 * time.Second
	// clockFresh is how long a reading of the console's clock is used
	// before SyncClock asks for a new one.
	clockFresh = 10 * time.Minute
	// clockSyncTimeout bounds SyncClock's request (system/info answers in
	// well under a second): a hung console must not hold a cycle longer.
	clockSyncTimeout = 10 * time.Second
	// clockResolution: a Date has whole seconds, so readings within a
	// second of the last say nothing new.
	clockResolution = time.Second
)

// consoleClock is what the client knows of the console's clock, from the
// Date header of its answers.
type consoleClock struct {
	log *slog.Logger

	mu     sync.Mutex
	offset time.Duration // console minus this host
	at     time.Time     // when it was read; zero: never
	warned bool
}

// observe reads the Date of an answer to a request sent at sent and
// answered at recv. Date has whole seconds: the console wrote it within
// the second after, somewhere between sent and recv.
func (k *consoleClock) observe(sent, recv time.Time, date string) {
	if date == "" || recv.Sub(sent) > clockMaxRoundTrip {
		return
	}
	d, err := http.ParseTime(date)
	if err != nil {
		return
	}
	mid := sent.Add(recv.Sub(sent) / 2)
	offset := d.Add(500 * time.Millisecond).Sub(mid).Round(time.Millisecond)
	k.mu.Lock()
	if k.at.IsZero() || (offset-k.offset).Abs() >= clockResolution {
		k.offset = offset // within Date's resolution, keep the last: "now" does not wobble
	}
	k.at = recv
	offset = k.offset
	warn := !k.warned && skewed(offset)
	agree := k.warned && !skewed(2*offset) // hysteresis: back under half the threshold
	if warn {
		k.warned = true
	}
	if agree {
		k.warned = false
	}
	k.mu.Unlock()
	switch {
	case warn:
		k.log.Warn("the console's clock and this host's differ; time windows follow the console's clock — check this host's time synchronisation (NTP)",
			"console_ahead_by", offset.Truncate(time.Second).String(), "threshold", ClockSkewWarn.String())
	case agree:
		k.log.Info("the console's clock and this host's agree again", "console_ahead_by", offset.Truncate(time.Second).String())
	}
}

func skewed(offset time.Duration) bool { return offset > ClockSkewWarn || offset < -ClockSkewWarn }

// reading is the last offset and when it was read.
func (k *consoleClock) reading() (time.Duration, time.Time) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.offset, k.at
}

// ConsoleNow is the console's time now, as its last answer told it; this
// host's time until the console has answered. Time windows (delay, the
// start of a full listing) are computed on it, so that a host clock ahead
// of the console's does not read past what the console has indexed.
func (c *Client) ConsoleNow() time.Time {
	offset, _ := c.clock.reading()
	return time.Now().Add(offset)
}

// ClockSkew is how far the console's clock is ahead of this host's
// (negative: behind), and when that was read; ok is false until the
// console has answered.
func (c *Client) ClockSkew() (offset time.Duration, at time.Time, ok bool) {
	offset, at = c.clock.reading()
	return offset, at, !at.IsZero()
}

// SyncClock reads the console's clock, with one light request
// (system/info), unless an answer in the last minutes already told it. A
// failure is returned but harmless: ConsoleNow keeps the last reading, or
// this host's time.
func (c *Client) SyncClock(ctx context.Context) error {
	if _, at := c.clock.reading(); !at.IsZero() && time.Since(at) < clockFresh {
		return nil
	}
	if err := c.limiter("system/info").Wait(ctx); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, min(c.cfg.Timeout, clockSyncTimeout))
	defer cancel()
	req, err := c.newRequest(ctx, request{method: http.MethodGet, endpoint: "system/info"})
	if err != nil {
		return err
	}
	resp, err := c.http.Do(req) // the observer reads the Date of any answer
	if err != nil {
		c.stats.count("system/info", 0)
		return err
	}
	c.stats.count("system/info", resp.StatusCode)
	return resp.Body.Close()
}
