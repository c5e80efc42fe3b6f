package transform

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"s1collector/internal/sentinelone"
)

func readAll(in string) ([]string, error) {
	r := NewReader(strings.NewReader(in))
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

func TestReaderShapes(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
		err      string
	}{
		{"array", `[{"id":"1"},{"id":"2"}]`, []string{`{"id":"1"}`, `{"id":"2"}`}, ""},
		{"ndjson", "{\"id\":\"1\"}\n{\"id\":\"2\",\"x\":[1,2]}\n", []string{`{"id":"1"}`, `{"id":"2","x":[1,2]}`}, ""},
		{"page", `{"data":[{"id":"1"},{"id":"2"}],"pagination":{"nextCursor":null}}`, []string{`{"id":"1"}`, `{"id":"2"}`}, ""},
		{"page pagination first", `{"pagination":{"totalItems":1},"data":[{"id":"1"}]}`, []string{`{"id":"1"}`}, ""},
		{"pages then records", `{"data":[{"id":"1"}],"pagination":{}} {"data":[],"pagination":{}} [{"id":"2"}] {"id":"3"}`,
			[]string{`{"id":"1"}`, `{"id":"2"}`, `{"id":"3"}`}, ""},
		{"escaped keys", `{"a\"b":1,"ü":"\u00fc"}`, []string{`{"a\"b":1,"ü":"\u00fc"}`}, ""},
		{"empty", "", nil, ""},
		{"empty object", `{}`, []string{`{}`}, ""},
		{"scalars kept for the caller to reject", `[1,"x",null]`, []string{`1`, `"x"`, `null`}, ""},
		{"truncated", `[{"id":"1"},{"id":`, []string{`{"id":"1"}`}, "invalid JSON after record 1"},
		{"cut after a record", `[{"id":"1"},`, []string{`{"id":"1"}`}, "unexpected EOF"},
		{"cut inside a page", `{"data":[{"id":"1"}`, []string{`{"id":"1"}`}, "unexpected EOF"},
		{"cut inside a record", `{"id":"1"`, nil, "unexpected EOF"},
		{"garbage", `{"id":"1"} nope`, []string{`{"id":"1"}`}, "invalid JSON after record 1"},
		{"page data not a list", `{"data":{"x":1},"pagination":{}}`, nil, "a page's data is not a list"},
	}
	for _, tt := range tests {
		got, err := readAll(tt.in)
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
		if (tt.err == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("%s: err %v, want %q", tt.name, err, tt.err)
		}
	}
}

// FuzzReader: any input ends in records, io.EOF or an error — never a
// panic or an endless loop; the raw and the decoding reads find the same
// records; and every record both profiles map is written byte for byte as
// encoding/json writes the event (the path transform runs).
func FuzzReader(f *testing.F) {
	for _, s := range []string{`[{"id":"1"}]`, "{\"id\":1}\n{}", `{"data":[{"id":"1"}],"pagination":{}}`, `[[1]]`, `{"data":`,
		`{"id":"<a&b>","computerName":"\u2028x","networkInterfaces":[{"inet":["10.0.0.1"],"physical":"aa:bb:cc:dd:ee:ff"}],"isActive":"yes"}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		raw := 0
		r := NewReader(strings.NewReader(in))
		for ; ; raw++ {
			if raw > len(in)+1 {
				t.Fatalf("more records than input bytes: %q", in)
			}
			if _, err := r.Next(); err != nil {
				break
			}
		}
		decoded := 0
		r = NewReader(strings.NewReader(in))
		var a sentinelone.Agent
		for ; ; decoded++ {
			if decoded > len(in)+1 {
				t.Fatalf("more records than input bytes: %q", in)
			}
			err := r.NextInto(&a)
			if errors.Is(err, ErrNotObject) {
				continue
			}
			if err != nil {
				break
			}
			for _, p := range []Profile{ProfileSekoia, ProfileOCSF} {
				ev, _, err := p.Map(&a, collected)
				if err != nil {
					continue
				}
				want, _ := json.Marshal(ev)
				if got, _, _ := p.AppendMapped(nil, &a, collected, true); !bytes.Equal(got, want) {
					t.Fatalf("%s event differs from encoding/json:\ngot  %s\nwant %s", p, got, want)
				}
			}
		}
		if raw != decoded {
			t.Fatalf("%d records read raw, %d decoded: %q", raw, decoded, in)
		}
	})
}
