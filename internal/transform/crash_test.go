package transform

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestAMappingCrashIsAnError: a panic while mapping a record (here: no
// agent at all) is the record's error, naming the bug and where it is —
// not the end of the process, which would stop the stream on every
// restart at the same page.
func TestAMappingCrashIsAnError(t *testing.T) {
	entries := map[string]func() error{
		"ocsf AppendMapped": func() error {
			_, _, err := ProfileOCSF.AppendMapped(nil, nil, time.Now(), false)
			return err
		},
		"sekoia AppendMapped": func() error {
			_, _, err := ProfileSekoia.AppendMapped(nil, nil, time.Now(), true)
			return err
		},
		"ocsf Map":   func() error { _, _, err := ProfileOCSF.Map(nil, time.Now()); return err },
		"sekoia Map": func() error { _, _, err := ProfileSekoia.Map(nil, time.Now()); return err },
	}
	for name, call := range entries {
		err := call()
		if !errors.Is(err, ErrMappingCrashed) {
			t.Errorf("%s: err %v, want ErrMappingCrashed", name, err)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, "nil pointer") || !strings.Contains(msg, ".go:") {
			t.Errorf("%s: %q names neither the panic nor where it happened", name, msg)
		}
	}
}

// TestACrashingRecordKeepsTheLinesBefore: in ConvertAgents, a record
// whose decoding or mapping crashes (here: no agent to decode into) is the
// record's error, and the batch's lines before it are kept.
func TestACrashingRecordKeepsTheLinesBefore(t *testing.T) {
	c := &converter{p: ProfileSekoia, collected: collected}
	line, _, _, err := c.convert([]byte("before\n"), []byte(`{"id":"1"}`), nil)
	if !errors.Is(err, ErrMappingCrashed) || string(line) != "before\n" {
		t.Fatalf("line %q, err %v; want the line before kept and ErrMappingCrashed", line, err)
	}
}
