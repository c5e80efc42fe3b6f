package transform

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"s1collector/internal/sentinelone"
)

// readAll reads every record, with the reports that let reading go on
// (bad lines, an answer's errors) and the error that ended it.
func readAll(in string, graphql bool) (recs, reports []string, err error) {
	r := NewReader(strings.NewReader(in))
	r.GraphQL = graphql
	for {
		raw, err := r.Next()
		switch {
		case errors.Is(err, io.EOF):
			return recs, reports, nil
		case errors.Is(err, ErrBadRecord) || errors.Is(err, ErrAnswer):
			reports = append(reports, err.Error())
		case err != nil:
			return recs, reports, err
		default:
			recs = append(recs, string(raw))
		}
	}
}

func TestReaderShapes(t *testing.T) {
	answer := `{"data":{"alerts":{"totalCount":2,"pageInfo":{"hasNextPage":false},"edges":[{"cursor":"c1","node":{"id":"a"}},{"cursor":"c2","node":{"id":"b"}}]}}}`
	tests := []struct {
		name, in string
		graphql  bool
		want     []string
		reports  []string // what each report says, in order
		err      string
	}{
		{"array", `[{"id":"1"},{"id":"2"}]`, false, []string{`{"id":"1"}`, `{"id":"2"}`}, nil, ""},
		{"ndjson", "{\"id\":\"1\"}\n{\"id\":\"2\",\"x\":[1,2]}\n", false, []string{`{"id":"1"}`, `{"id":"2","x":[1,2]}`}, nil, ""},
		{"page", `{"data":[{"id":"1"},{"id":"2"}],"pagination":{"nextCursor":null}}`, false, []string{`{"id":"1"}`, `{"id":"2"}`}, nil, ""},
		{"page pagination first", `{"pagination":{"totalItems":1},"data":[{"id":"1"}]}`, false, []string{`{"id":"1"}`}, nil, ""},
		{"pages then records", `{"data":[{"id":"1"}],"pagination":{}} {"data":[],"pagination":{}} [{"id":"2"}] {"id":"3"}`, false,
			[]string{`{"id":"1"}`, `{"id":"2"}`, `{"id":"3"}`}, nil, ""},
		{"escaped keys", `{"a\"b":1,"ü":"\u00fc"}`, false, []string{`{"a\"b":1,"ü":"\u00fc"}`}, nil, ""},
		{"empty", "", false, nil, nil, ""},
		{"empty object", `{}`, false, []string{`{}`}, nil, ""},
		{"scalars kept for the caller to reject", `[1,"x",null]`, false, []string{`1`, `"x"`, `null`}, nil, ""},
		{"truncated", `[{"id":"1"},{"id":`, false, []string{`{"id":"1"}`}, nil, "invalid JSON at record 1 "},
		{"cut after a record", `[{"id":"1"},`, false, []string{`{"id":"1"}`}, nil, "unexpected EOF"},
		{"cut inside a page", `{"data":[{"id":"1"}`, false, []string{`{"id":"1"}`}, nil, "unexpected EOF"},
		{"cut inside a record", `{"id":"1"`, false, nil, nil, "unexpected EOF"},
		{"garbage at the end", `{"id":"1"} nope`, false, []string{`{"id":"1"}`}, nil, "invalid JSON at record 1 "},
		{"page data not a list", `{"data":5,"pagination":{}}`, false, nil, nil, "a page's data is not a list"},
		{"an answer without --stream alerts", answer, false, nil, nil, "read it with --stream alerts"},
		// A record may start with data (an activity's details; keys in
		// any order): only a list, or what follows, makes it a page.
		{"record starting with data", "{\"data\":{\"computerName\":\"e\"},\"id\":\"9\"}\n{\"data\":null,\"id\":\"8\"}\n{\"data\":\"x\",\"id\":\"7\"}", false,
			[]string{`{"data":{"computerName":"e"},"id":"9"}`, `{"data":null,"id":"8"}`, `{"data":"x","id":"7"}`}, nil, ""},
		{"empty pages with null data", `{"data":null} {"data":null,"pagination":{}} {"id":"1"}`, false, []string{`{"id":"1"}`}, nil, ""},
		{"REST error with null data", `{"data":null,"errors":[{"title":"Unauthorized"}]}`, false, nil, []string{"Unauthorized"}, ""},
		// NDJSON lines are independent: a bad one is skipped and reported.
		{"bad line", "{\"id\":\"1\"}\n{\"id\":\"2\",\n{\"id\":\"3\"}\n", false, []string{`{"id":"1"}`, `{"id":"3"}`},
			[]string{"not valid JSON (near byte 22"}, ""},
		{"garbage line", "{\"id\":\"1\"}\nnot json at all\n\n{\"id\":\"3\"}", false, []string{`{"id":"1"}`, `{"id":"3"}`},
			[]string{"not valid JSON (near byte 12"}, ""},
		{"two bad lines", "{\"id\":}\n{\"id\":\"2\"}\n{\"id\"\n", false, []string{`{"id":"2"}`},
			[]string{"not valid JSON (near byte 6", "not valid JSON (near byte 25"}, ""},
		// GraphQL answers of the Unified Alerts API.
		{"answer", answer, true, []string{`{"id":"a"}`, `{"id":"b"}`}, nil, ""},
		{"answers concatenated", answer + "\n" + answer, true, []string{`{"id":"a"}`, `{"id":"b"}`, `{"id":"a"}`, `{"id":"b"}`}, nil, ""},
		{"array of nodes", `[{"id":"a"},{"id":"b"}]`, true, []string{`{"id":"a"}`, `{"id":"b"}`}, nil, ""},
		{"page of nodes", `{"data":[{"id":"a"},{"cursor":"x","node":{"id":"b"}}]}`, true, []string{`{"id":"a"}`, `{"id":"b"}`}, nil, ""},
		{"ndjson of edges", "{\"cursor\":\"c1\",\"node\":{\"id\":\"a\"}}\n{\"node\":{\"id\":\"b\"}}", true,
			[]string{`{"id":"a"}`, `{"id":"b"}`}, nil, ""},
		{"empty answer", `{"data":{"alerts":{"edges":[]}}}`, true, nil, nil, ""},
		{"errors only", `{"data":null,"errors":[{"message":"boom","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}`, true, nil,
			[]string{"the saved answer reports errors: boom"}, ""},
		{"errors first", `{"errors":[{"message":"Access denied"}],"data":null}`, true, nil, []string{"Access denied"}, ""},
		{"partial answer", `{"data":{"alerts":{"edges":[{"node":{"id":"a"}},{"node":null}]}},"errors":[{"message":"Cannot return null","path":["alerts","edges",1,"node"]}]}`,
			true, []string{`{"id":"a"}`, `null`}, []string{"Cannot return null at alerts.edges.1.node"}, ""},
		{"alerts null", `{"data":{"alerts":null}}`, true, nil, []string{"data.alerts is null"}, ""},
		{"REST error body", `{"errors":[{"code":4030010,"title":"Insufficient permissions"}]}`, false, nil,
			[]string{"Insufficient permissions (code 4030010)"}, ""},
		{"cut answer", answer[:60], true, nil, nil, "unexpected EOF"},
		{"answer cut after a node", answer[:strings.Index(answer, `},{"cursor":"c2"`)+2], true, []string{`{"id":"a"}`}, nil, "unexpected EOF"},
	}
	for _, tt := range tests {
		got, reports, err := readAll(tt.in, tt.graphql)
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
		if len(reports) != len(tt.reports) {
			t.Errorf("%s: reports %q, want %q", tt.name, reports, tt.reports)
		}
		for i := range min(len(reports), len(tt.reports)) {
			if !strings.Contains(reports[i], tt.reports[i]) {
				t.Errorf("%s: report %q does not say %q", tt.name, reports[i], tt.reports[i])
			}
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
		"{\"id\":1}\n{\"id\":\n{\"id\":2}\n", `{"errors":[{"title":"x"}],"data":null}`,
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
			if _, err := r.Next(); errors.Is(err, ErrAnswer) {
				raw--
			} else if err != nil && !errors.Is(err, ErrBadRecord) {
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
			if errors.Is(err, ErrAnswer) {
				decoded--
			}
			if errors.Is(err, ErrNotObject) || errors.Is(err, ErrBadRecord) || errors.Is(err, ErrAnswer) {
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

// FuzzAlertReader: the reader of alerts (GraphQL answers, their edges and
// nodes) ends any input in records, io.EOF or an error — never a panic or
// an endless loop.
func FuzzAlertReader(f *testing.F) {
	for _, s := range []string{`{"data":{"alerts":{"edges":[{"node":{"id":"a"}}]}}}`, `[{"node":{}}]`, "{\"id\":1}\n{}", `{"data":`,
		`{"errors":[{"message":"x","path":["alerts"]}],"data":{"alerts":{"edges":[{"node":null}]}}}`, "{\"node\":\n{\"id\":\"b\"}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		r := NewReader(strings.NewReader(in))
		r.GraphQL = true
		for i := 0; ; i++ {
			if i > 2*len(in)+2 {
				t.Fatalf("more records than input bytes: %q", in)
			}
			if _, err := r.Next(); err != nil && !errors.Is(err, ErrBadRecord) && !errors.Is(err, ErrAnswer) {
				return
			}
		}
	})
}

// TestReaderStreamsAnswers: a GraphQL answer is read node by node — the
// first node comes out while the rest of the answer has not been written
// yet — so memory does not grow with the answer (a 100 MB answer is never
// held whole).
func TestReaderStreamsAnswers(t *testing.T) {
	pr, pw := io.Pipe()
	r := NewReader(pr)
	r.GraphQL = true
	go func() {
		_, _ = io.WriteString(pw, `{"data":{"alerts":{"totalCount":2,"edges":[{"cursor":"c1","node":{"id":"a"}},`+strings.Repeat(" ", 300<<10))
	}()
	got := make(chan string, 1)
	go func() {
		raw, err := r.Next()
		got <- fmt.Sprint(string(raw), err)
	}()
	select {
	case g := <-got:
		if g != `{"id":"a"}<nil>` {
			t.Fatalf("first node: %s", g)
		}
	case <-time.After(time.Minute):
		t.Fatal("the first node waits for the whole answer")
	}
	go func() {
		_, _ = io.WriteString(pw, `{"cursor":"c2","node":{"id":"b"}}]}}}`)
		pw.Close()
	}()
	if raw, err := r.Next(); err != nil || string(raw) != `{"id":"b"}` {
		t.Fatalf("second node: %s %v", raw, err)
	}
	if _, err := r.Next(); !errors.Is(err, io.EOF) {
		t.Fatalf("end: %v", err)
	}
}
