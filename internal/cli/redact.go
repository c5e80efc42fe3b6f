package cli

import (
	"context"
	"fmt"
	"log/slog"
)

// redactingHandler removes secrets from every message and attribute before
// they are written: errors may quote a peer's answer, and a peer may echo a
// key back.
type redactingHandler struct {
	h      slog.Handler
	redact func(string) string
}

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
