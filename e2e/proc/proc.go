// Package proc starts the programs an end-to-end test runs so that none
// outlives its test: each is bound to a deadline and killed when the test
// ends, however it ends (a failed assertion, a panic, a timeout). A runaway
// regression — a config parser copying aliases for minutes, in GBs — once
// left orphaned processes eating the machine's memory long after its test
// had failed.
package proc

import (
	"context"
	"os/exec"
	"testing"
	"time"
)

// DefaultLimit bounds a command when the test has no deadline of its own
// (go test -timeout 0).
const DefaultLimit = 10 * time.Minute

// margin is what is left before the test binary's own deadline, so a
// command killed at its limit still lets the test report why.
const margin = 15 * time.Second

// Command is exec.Command bound to t: the process is killed when limit
// passes (0: the test's deadline less a margin, or DefaultLimit) and at the
// latest when t's cleanup runs. Cleanups registered later run first, so a
// test's own graceful stop (SIGTERM and wait) still comes before the kill.
func Command(t testing.TB, limit time.Duration, name string, args ...string) *exec.Cmd {
	t.Helper()
	deadline := time.Now().Add(DefaultLimit)
	if d, ok := t.(interface{ Deadline() (time.Time, bool) }); ok {
		if end, ok := d.Deadline(); ok {
			deadline = end.Add(-margin)
		}
	}
	if limit > 0 && time.Now().Add(limit).Before(deadline) {
		deadline = time.Now().Add(limit)
	}
	if !time.Now().Before(deadline) {
		t.Fatalf("no time left to run %s before go test's -timeout: give the package a larger -timeout", name)
	}
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	cmd := exec.CommandContext(ctx, name, args...)
	// Should the test process itself die (go test's -timeout panic, a
	// kill), where no cleanup runs, the system kills the command too.
	cmd.SysProcAttr = dieWithParent()
	// A child holding the output pipes open cannot stall Wait past this.
	cmd.WaitDelay = 5 * time.Second
	t.Cleanup(func() {
		cancel()
		if cmd.Process != nil {
			// Synchronous, unlike cancel's kill: the process is gone (or
			// a zombie holding no memory) before the next test starts.
			// After a Wait it is a no-op.
			cmd.Process.Kill()
		}
	})
	return cmd
}
