package kafka

import (
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// outageWindow is how recent the failures of every broker must be to make
// an outage: the client dials again at each metadata refresh, at least
// every 5 s, so older failures say nothing of now.
const outageWindow = 5 * time.Second

// reach follows the outcome of the client's connections to brokers (dial,
// TLS and SASL), to tell a cluster that cannot be reached at all — every
// broker known refused lately, none connected since — from one that is
// merely slow, so that an outage fails a delivery at once rather than at
// its timeout. Deliveries of several streams share it.
type reach struct {
	mu     sync.Mutex
	known  map[string]bool // brokers: the seeds and every broker dialled
	failed map[string]failure
	okAt   time.Time     // the last connection that succeeded
	signal chan struct{} // closed, and replaced, at each failure
	now    func() time.Time
}

type failure struct {
	at  time.Time
	err error
}

func newReach(seeds []string) *reach {
	r := &reach{known: map[string]bool{}, failed: map[string]failure{}, signal: make(chan struct{}), now: time.Now}
	for _, s := range seeds {
		host, port, err := net.SplitHostPort(s)
		if err != nil {
			host, port = s, "9092"
		}
		r.known[net.JoinHostPort(host, port)] = true
	}
	return r
}

// OnBrokerConnect implements kgo.HookBrokerConnect.
func (r *reach) OnBrokerConnect(meta kgo.BrokerMetadata, _ time.Duration, _ net.Conn, err error) {
	addr := net.JoinHostPort(meta.Host, strconv.Itoa(int(meta.Port)))
	r.mu.Lock()
	defer r.mu.Unlock()
	r.known[addr] = true
	if err == nil {
		r.okAt = r.now()
		return
	}
	r.failed[addr] = failure{at: r.now(), err: err}
	close(r.signal)
	r.signal = make(chan struct{})
}

// changed is closed at the next failure.
func (r *reach) changed() <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.signal
}

// outage returns the errors of every broker known when each failed within
// outageWindow and none connected since; nil otherwise.
func (r *reach) outage() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	var errs brokerErrors
	for addr := range r.known {
		f, ok := r.failed[addr]
		if !ok || !f.at.After(r.okAt) || r.now().Sub(f.at) > outageWindow {
			return nil
		}
		errs = append(errs, f.err)
	}
	return errs
}

// brokerErrors are the failures of several brokers, on one line.
type brokerErrors []error

func (e brokerErrors) Error() string {
	msgs := make([]string, len(e))
	for i, err := range e {
		msgs[i] = err.Error()
	}
	return strings.Join(msgs, "; ")
}

func (e brokerErrors) Unwrap() []error { return e }
