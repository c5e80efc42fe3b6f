package pipeline

import (
	"sync"
	"time"

	"s1collector/internal/sentinelone"
)

// RetryLogEvery is the least time between two log lines about one stream's
// console retries: the first retry is logged at once, the ones that follow
// within this time are counted into the next line.
const RetryLogEvery = 30 * time.Second

// retryLog rate-limits a stream's retry lines.
type retryLog struct {
	mu     sync.Mutex
	last   time.Time // when the last line was written
	unsaid int       // retries since, not logged
}

func newRetryLog() *retryLog { return &retryLog{} }

// allow reports whether a line may be written now and, if so, how many
// retries it stands for.
func (l *retryLog) allow(now time.Time) (int, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.unsaid++
	if !l.last.IsZero() && now.Sub(l.last) < RetryLogEvery {
		return 0, false
	}
	n := l.unsaid
	l.last, l.unsaid = now, 0
	return n, true
}

// retrying shows and logs a console request that failed and will be sent
// again: the status page says so at once, the log within RetryLogEvery.
func (s *Stream) retrying(l *retryLog, n sentinelone.RetryNotice) {
	now := time.Now()
	s.Status.retrying(n.Endpoint, n.Err, n.Attempt, now.Add(n.Wait))
	count, ok := l.allow(now)
	if !ok {
		return
	}
	s.Log.Warn("console request failed; retrying", "console", n.Console, "endpoint", n.Endpoint, "error", n.Err,
		"attempt", n.Attempt, "retry_in", n.Wait.Round(time.Millisecond).String(), "retries", count)
}

// slow shows and logs a console request still waiting for its answer: a
// hung console is said long before the request timeout gives up on it.
func (s *Stream) slow(l *retryLog, n sentinelone.SlowNotice) {
	now := time.Now()
	s.Status.slow(n.Endpoint, now.Add(-n.Waited), n.Timeout)
	if _, ok := l.allow(now); !ok {
		return
	}
	s.Log.Warn("console request has had no answer yet; still waiting", "console", n.Console, "endpoint", n.Endpoint,
		"waited", n.Waited.String(), "gives_up_in", (n.Timeout - n.Waited).String(), "timeout", n.Timeout.String(),
		"fix", "if the console is slow rather than down, raise the source's timeout")
}
