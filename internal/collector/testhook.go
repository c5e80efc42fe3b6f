package collector

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"s1collector/internal/delivery"
)

// HoldEnv names the test hook that lands a crash where it costs the most:
// "agents:3,threats:1" makes the agents stream, after every output
// accepted its 3rd batch and before that batch's checkpoint is saved,
// write "s1collector-test: holding agents after batch 3 (N events)" to
// standard error and wait for ever — for the test to kill the process.
// Production never sets it.
const HoldEnv = "S1COLLECTOR_TEST_HOLD_AFTER_BATCH"

// holdHook returns the hook for stream, or nil when the test hook does not
// name it.
func holdHook(stream string) func(delivery.Batch) {
	n := 0
	for _, part := range strings.Split(os.Getenv(HoldEnv), ",") {
		name, count, _ := strings.Cut(part, ":")
		if c, err := strconv.Atoi(count); err == nil && name == stream && c > 0 {
			n = c
		}
	}
	if n == 0 {
		return nil
	}
	var mu sync.Mutex
	batches := 0
	return func(b delivery.Batch) {
		mu.Lock()
		batches++
		hold := batches == n
		mu.Unlock()
		if hold {
			fmt.Fprintf(os.Stderr, "s1collector-test: holding %s after batch %d (%d events)\n", stream, n, len(b.Events))
			for {
				time.Sleep(time.Hour) // a timer, so the runtime never calls it a deadlock
			}
		}
	}
}
