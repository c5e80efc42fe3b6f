// Package stdout writes events as NDJSON to standard output (or any writer).
package stdout

import (
	"bufio"
	"context"
	"io"
	"sync"

	"s1collector/internal/delivery"
)

// Output writes one event per line, with its source metadata.
type Output struct {
	name string
	mu   sync.Mutex
	w    *bufio.Writer
}

// New returns an output writing to w.
func New(name string, w io.Writer) *Output {
	return &Output{name: name, w: bufio.NewWriterSize(w, 1<<16)}
}

// Name is the output's configured name.
func (o *Output) Name() string { return o.name }

// Deliver writes the batch and flushes it.
func (o *Output) Deliver(_ context.Context, b delivery.Batch) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, e := range b.Events {
		o.w.Write(e.Decorated())
		o.w.WriteByte('\n')
	}
	return o.w.Flush()
}

// Check always succeeds: standard output needs no credentials.
func (o *Output) Check(context.Context) error { return nil }

// Close flushes what is buffered.
func (o *Output) Close() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.w.Flush()
}
