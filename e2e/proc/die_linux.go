package proc

import "syscall"

// dieWithParent has Linux send SIGKILL to the command when the thread that
// started it ends — with the test process, as the Go runtime does not end
// its threads while the process runs (none of these tests locks one).
func dieWithParent() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
