package transform

import (
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
)

// ErrMappingCrashed is a record whose mapping panicked: a bug of this
// program, never of the record. The record is skipped and reported like
// one without an id, so one odd record cannot stop a stream for good (a
// crash would read the same page again after every restart).
var ErrMappingCrashed = errors.New("mapping crashed (a bug in s1collector: please report it with this record)")

// RecoverMapping turns a panic of the mapping into ErrMappingCrashed in
// *err. Deferred by every entry point that maps a record, and by callers
// around all they do with one record.
func RecoverMapping(err *error) {
	if v := recover(); v != nil {
		*err = crashed(v)
	}
}

// crashed is ErrMappingCrashed naming the panic and where it happened.
func crashed(v any) error {
	return fmt.Errorf("%w: %v%s", ErrMappingCrashed, v, crashSite())
}

// crashSite is " at dir/file.go:line" of the frame that panicked (the
// first below runtime.gopanic that is not the runtime's), or "".
func crashSite() string {
	pcs := make([]uintptr, 64)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(1, pcs)])
	panicked := false
	for {
		f, more := frames.Next()
		switch {
		case f.Function == "runtime.gopanic":
			panicked = true
		case panicked && !strings.HasPrefix(f.Function, "runtime."):
			return fmt.Sprintf(" at %s:%d", shortFile(f.File), f.Line)
		}
		if !more {
			return ""
		}
	}
}

// shortFile is a source path from its package directory on.
func shortFile(path string) string {
	dir, file := filepath.Split(path)
	return filepath.Join(filepath.Base(dir), file)
}
