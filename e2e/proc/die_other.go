//go:build !linux

package proc

import "syscall"

// dieWithParent: only Linux can tie a child's life to its parent's; the
// cleanup and the deadline still hold elsewhere.
func dieWithParent() *syscall.SysProcAttr { return nil }
