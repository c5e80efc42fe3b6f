package stdout

import (
	"bytes"
	"encoding/json"
	"testing"

	"s1collector/internal/delivery"
)

func TestWritesDecoratedLines(t *testing.T) {
	var buf bytes.Buffer
	o := New("console", &buf)
	b := delivery.Batch{Events: []delivery.Event{
		{Body: json.RawMessage(`{"id":"1"}`), Meta: []delivery.Field{{Key: "_source", Value: "prod"}}},
		{Body: json.RawMessage(`{"id":"2"}`)},
	}}
	if err := o.Deliver(t.Context(), b); err != nil {
		t.Fatal(err)
	}
	if got := buf.String(); got != "{\"_source\":\"prod\",\"id\":\"1\"}\n{\"id\":\"2\"}\n" {
		t.Fatalf("got %q", got)
	}
}
