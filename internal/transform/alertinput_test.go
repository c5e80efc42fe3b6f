package transform

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func readAlerts(in string) ([]string, error) {
	r := NewAlertReader(strings.NewReader(in))
	var out []string
	for {
		raw, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, string(raw))
	}
}

func TestAlertReaderShapes(t *testing.T) {
	answer := `{"data":{"alerts":{"totalCount":2,"pageInfo":{"hasNextPage":false},"edges":[{"cursor":"c1","node":{"id":"a"}},{"cursor":"c2","node":{"id":"b"}}]}}}`
	tests := []struct {
		name, in string
		want     []string
		err      string
	}{
		{"answer", answer, []string{`{"id":"a"}`, `{"id":"b"}`}, ""},
		{"answers concatenated", answer + "\n" + answer, []string{`{"id":"a"}`, `{"id":"b"}`, `{"id":"a"}`, `{"id":"b"}`}, ""},
		{"array of nodes", `[{"id":"a"},{"id":"b"}]`, []string{`{"id":"a"}`, `{"id":"b"}`}, ""},
		{"ndjson of edges", "{\"cursor\":\"c1\",\"node\":{\"id\":\"a\"}}\n{\"node\":{\"id\":\"b\"}}", []string{`{"id":"a"}`, `{"id":"b"}`}, ""},
		{"ndjson of nodes", "{\"id\":\"a\",\"x\":[1]}\n{\"id\":\"b\"}", []string{`{"id":"a","x":[1]}`, `{"id":"b"}`}, ""},
		{"empty answer", `{"data":{"alerts":{"edges":[]}}}`, nil, ""},
		{"errors only", `{"data":null,"errors":[{"message":"boom"}]}`, nil, ""},
		{"data not alerts", `{"data":[1,2]}`, nil, "is not {\"alerts\""},
		{"truncated", `[{"id":"a"},{"id":`, []string{`{"id":"a"}`}, "unexpected EOF"},
		{"cut answer", answer[:60], nil, "unexpected EOF"},
	}
	for _, tt := range tests {
		got, err := readAlerts(tt.in)
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
		if (tt.err == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("%s: err %v, want %q", tt.name, err, tt.err)
		}
	}
}

// FuzzAlertReader: any input ends in nodes, io.EOF or an error — never a
// panic or an endless loop.
func FuzzAlertReader(f *testing.F) {
	for _, s := range []string{`{"data":{"alerts":{"edges":[{"node":{"id":"a"}}]}}}`, `[{"node":{}}]`, "{\"id\":1}\n{}", `{"data":`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		r := NewAlertReader(strings.NewReader(in))
		for i := 0; ; i++ {
			if i > len(in)+1 {
				t.Fatalf("more records than input bytes: %q", in)
			}
			if _, err := r.Next(); err != nil {
				return
			}
		}
	})
}
