package jsonenc

import (
	"encoding/json"
	"testing"
)

// omitted has every kind of member the Omit* methods write, as
// encoding/json writes them with omitempty.
type omitted struct {
	S *string  `json:"s,omitempty"`
	I *int64   `json:"i,omitempty"`
	B *bool    `json:"b,omitempty"`
	L []string `json:"l,omitempty"`
}

func (v *omitted) AppendJSON(w *Writer) {
	w.BeginObject()
	w.OmitStringPtr("s", v.S)
	w.OmitIntPtr("i", v.I)
	w.OmitBoolPtr("b", v.B)
	w.OmitStrings("l", v.L)
	w.EndObject()
}

// TestOmitAsEncodingJSON: nil pointers and empty lists are left out, and
// pointers to zero values (empty string, 0, false) are written, as
// encoding/json's omitempty does.
func TestOmitAsEncodingJSON(t *testing.T) {
	empty, zero, no := "", int64(0), false
	s, n, yes := "a<b", int64(-3), true
	for _, v := range []omitted{
		{},
		{L: []string{}},
		{S: &empty, I: &zero, B: &no},
		{S: &s, I: &n, B: &yes, L: []string{"x", ""}},
	} {
		want, _ := json.Marshal(&v)
		if got := Marshal(&v); string(got) != string(want) {
			t.Errorf("got %s, want %s", got, want)
		}
	}
}
