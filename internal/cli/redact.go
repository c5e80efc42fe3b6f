package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"

	"s1collector/internal/config"
	"s1collector/internal/scrub"
)

// redaction is the set of secrets scrubbed from the process's logs. A
// reload adds the new configuration's, so secrets that arrive with a
// SIGHUP are scrubbed too.
type redaction struct {
	mu sync.RWMutex
	r  *scrub.Redactor
}

func (r *redaction) add(cfg *config.Config) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.r = r.r.With(cfg.Secrets()...)
}

func (r *redaction) redact(s string) string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.r.Redact(s)
}

// logSecrets are the secrets of every configuration this process loaded.
var logSecrets redaction

// redactingWriter is the standard log package's output until a logger is
// built: scrubbed like the logs.
type redactingWriter struct{ w io.Writer }

func (w redactingWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(w.w, logSecrets.redact(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// redactingHandler removes secrets from every message and attribute before
// they are written: errors may quote a peer's answer, and a peer may echo a
// key back.
type redactingHandler struct {
	h      slog.Handler
	redact func(string) string
}

// withRedaction returns log scrubbed of every secret redact knows.
func withRedaction(log *slog.Logger, redact func(string) string) *slog.Logger {
	return slog.New(&redactingHandler{h: log.Handler(), redact: redact})
}

func (r *redactingHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return r.h.Enabled(ctx, l)
}

func (r *redactingHandler) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, r.redact(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(r.attr(a))
		return true
	})
	return r.h.Handle(ctx, out)
}

func (r *redactingHandler) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, r.redact(v.String()))
	case slog.KindGroup:
		attrs := v.Group()
		out := make([]any, len(attrs))
		for i, g := range attrs {
			out[i] = r.attr(g)
		}
		return slog.Group(a.Key, out...)
	case slog.KindAny:
		return slog.String(a.Key, r.redact(fmt.Sprint(v.Any())))
	}
	return a
}

func (r *redactingHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	out := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		out[i] = r.attr(a)
	}
	return &redactingHandler{h: r.h.WithAttrs(out), redact: r.redact}
}

func (r *redactingHandler) WithGroup(name string) slog.Handler {
	return &redactingHandler{h: r.h.WithGroup(name), redact: r.redact}
}
