package proc

import (
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestNoProcessOutlivesItsTest: a command that would run for an hour,
// never waited for by its test, is gone once the test's cleanup has run.
func TestNoProcessOutlivesItsTest(t *testing.T) {
	var pid int
	t.Run("leaves", func(t *testing.T) {
		cmd := Command(t, 0, "sleep", "3600")
		if err := cmd.Start(); err != nil {
			t.Skip(err)
		}
		pid = cmd.Process.Pid
	})
	if pid != 0 && !ended(pid) {
		syscall.Kill(pid, syscall.SIGKILL)
		t.Fatalf("process %d outlived its test", pid)
	}
}

// TestCommandStopsAtItsLimit: a command past its limit is killed, and Run
// says so.
func TestCommandStopsAtItsLimit(t *testing.T) {
	cmd := Command(t, 200*time.Millisecond, "sleep", "3600")
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("Run: %v, want killed at its limit", err)
	}
}

// ended reports whether pid has ended — no longer there, or a zombie
// (which holds no memory) — within a few seconds of the kill signal.
func ended(pid int) bool {
	for range 500 {
		if endedNow(pid) {
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return false
}

func endedNow(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return syscall.Kill(pid, 0) != nil
	}
	_, rest, _ := strings.Cut(string(b), ") ")
	return strings.HasPrefix(rest, "Z")
}
