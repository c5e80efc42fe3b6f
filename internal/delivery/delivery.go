// Package delivery is what flows from the pipeline to the outputs: batches
// of events with their source metadata, and the Output interface every
// destination implements. It sits below both, so outputs need not know the
// pipeline or the console client.
package delivery

import (
	"bytes"
	"context"
	"encoding/json"
	"time"
)

// Event is one record ready for delivery.
type Event struct {
	ID   string    // the record's console id
	Time time.Time // the record's createdAt/updatedAt; zero when unreadable
	// Kind is the record's type within its stream where the console gives
	// one: an activity's activityType. Empty for the other streams.
	Kind string
	// Body is the event in the stream's profile, without source metadata.
	Body json.RawMessage
	// Meta is the source metadata (_source, _sourceCategory, _fields) for
	// outputs that carry it in the event.
	Meta []Field
	// MetaInUnmapped puts Meta under "unmapped" (strict OCSF events), where
	// non-schema data belongs, instead of at the top level.
	MetaInUnmapped bool
	// Removal marks a removal notice: the console no longer has device ID.
	// Outputs that hold an inventory rather than a log of events (the
	// Sekoia.io asset connector) skip it.
	Removal bool
}

// Field is one metadata key and value.
type Field struct {
	Key   string
	Value any
}

// Batch is what a stream hands to its outputs at once: one page.
type Batch struct {
	Source string
	Stream string
	Events []Event
	// Info describes the source, for outputs that send it out of band.
	Info SourceInfo
}

// Output is a destination. Deliver returns nil only once the batch is
// durably accepted; any error holds the stream's checkpoint.
type Output interface {
	Name() string
	Deliver(ctx context.Context, b Batch) error
	// Check proves the destination is reachable and accepts our
	// credentials, without sending events where the protocol allows.
	Check(ctx context.Context) error
	Close() error
}

// Decorated returns the event with its metadata merged in: at the top level
// (keys start with "_", so they cannot meet a console or profile key), or
// under "unmapped" for strict OCSF.
func (e Event) Decorated() []byte {
	if len(e.Meta) == 0 {
		return e.Body
	}
	if e.MetaInUnmapped {
		return e.intoUnmapped()
	}
	body := bytes.TrimSpace(e.Body)
	if len(body) < 2 || body[0] != '{' {
		return e.Body
	}
	var buf bytes.Buffer
	buf.Grow(len(body) + 64*len(e.Meta))
	buf.WriteByte('{')
	for i, f := range e.Meta {
		if i > 0 {
			buf.WriteByte(',')
		}
		k, _ := json.Marshal(f.Key)
		v, _ := json.Marshal(f.Value)
		buf.Write(k)
		buf.WriteByte(':')
		buf.Write(v)
	}
	if rest := bytes.TrimSpace(body[1:]); len(rest) > 0 && rest[0] != '}' {
		buf.WriteByte(',')
	}
	buf.Write(body[1:])
	return buf.Bytes()
}

func (e Event) intoUnmapped() []byte {
	var top map[string]json.RawMessage
	if json.Unmarshal(e.Body, &top) != nil {
		return e.Body
	}
	unmapped := map[string]any{}
	if raw, ok := top["unmapped"]; ok {
		_ = json.Unmarshal(raw, &unmapped)
	}
	for _, f := range e.Meta {
		unmapped[f.Key] = f.Value
	}
	top["unmapped"], _ = json.Marshal(unmapped)
	out, err := json.Marshal(top)
	if err != nil {
		return e.Body
	}
	return out
}

// Warning is what Check returns when the destination works but something
// in its configuration should change: `test` shows it as a warning, not a
// failure.
type Warning struct{ Msg string }

func (w *Warning) Error() string { return w.Msg }
