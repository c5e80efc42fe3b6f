package cli

import (
	"fmt"
	"io"
	"log/slog"
	"os"
)

// newLogger builds the process logger: text on a terminal, JSON otherwise,
// unless the flags or the config say which.
func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	if globals.logLevel != "" {
		level = globals.logLevel
	}
	if globals.logFormat != "" {
		format = globals.logFormat
	}
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(orDefault(level, "info"))); err != nil {
		return nil, fmt.Errorf("log level %q is not debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch orDefault(format, "auto") {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "auto":
		if isTerminal(w) {
			return slog.New(slog.NewTextHandler(w, opts)), nil
		}
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("log format %q is not auto, text or json", format)
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
