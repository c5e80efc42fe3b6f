package emulator

import (
	"math"
	"time"
)

// SetActivitiesPerMinute changes how many activities appear per minute of
// emulated time from now on — 0 for none, as a console whose sources went
// silent — without a burst to make up for the time at the old rate.
func (e *Emulator) SetActivitiesPerMinute(n float64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := micros(e.clock.now())
	e.world.advanceTo(now)
	e.world.actCreates.restartAt(e.world.startUs, now, perUs(n, time.Minute))
}

// restartAt sets the stream's rate from nowUs on: it counts the events
// the new rate would have had by then as happened, so the next one is due
// after nowUs.
func (s *stream) restartAt(startUs, nowUs int64, perUs float64) {
	s.perUs = perUs
	if perUs <= 0 {
		return
	}
	s.n = int64(math.Floor(float64(nowUs-startUs) * perUs))
	if s.pairs {
		s.n -= s.n % 2
	}
}
