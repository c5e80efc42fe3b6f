package emulator

import (
	"sync"
	"time"
)

// clock is the emulator's time: it starts at a fixed instant, runs at Speed
// times wall-clock speed (0 = stopped) and can be moved forward by hand.
type clock struct {
	mu        sync.Mutex
	start     time.Time
	wallStart time.Time
	speed     float64
	advanced  time.Duration
}

func newClock(start time.Time, speed float64) *clock {
	return &clock{start: start, wallStart: time.Now(), speed: speed}
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	run := time.Duration(float64(time.Since(c.wallStart)) * c.speed)
	return c.start.Add(run + c.advanced)
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.advanced += d
	c.mu.Unlock()
}

// micros converts to the emulator's internal unit, microseconds since 1970.
func micros(t time.Time) int64 { return t.UnixMicro() }

// fromMicros converts back.
func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

// setSpeed keeps the current time and runs on at the new speed.
func (c *clock) setSpeed(speed float64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	run := time.Duration(float64(time.Since(c.wallStart)) * c.speed)
	c.advanced += run
	c.wallStart, c.speed = time.Now(), speed
}
