package proc

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
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

// TestNoProcessOutlivesItsTestProcess: when the test process dies without
// running cleanups (go test's -timeout panic, a kill), its commands die too.
func TestNoProcessOutlivesItsTestProcess(t *testing.T) {
	if os.Getenv("PROC_TEST_CHILD") != "" {
		cmd := Command(t, 0, "sleep", "3600")
		if err := cmd.Start(); err != nil {
			t.Skip(err)
		}
		fmt.Println(cmd.Process.Pid)
		os.Exit(3) // no cleanup runs, as when -timeout panics
	}
	if runtime.GOOS != "linux" {
		t.Skip("only Linux ties a child's life to its parent's")
	}
	child := Command(t, time.Minute, os.Args[0], "-test.run", "^TestNoProcessOutlivesItsTestProcess$")
	child.Env = append(os.Environ(), "PROC_TEST_CHILD=1")
	out, _ := child.Output()
	pid, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil {
		t.Skipf("the child started nothing: %q", out)
	}
	if !ended(pid) {
		syscall.Kill(pid, syscall.SIGKILL)
		t.Fatalf("process %d outlived the test process that started it", pid)
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
