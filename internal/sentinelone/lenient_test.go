package sentinelone

import (
	"encoding/json"
	"testing"
	"time"
)

// decoders are the two ways a lenient type is decoded: encoding/json's
// UnmarshalJSON and the production decoder's UnmarshalJSONFrom.
var decoders = []func([]byte, any) error{json.Unmarshal, Unmarshal}

func TestLenientBool(t *testing.T) {
	tests := []struct {
		in       string
		val, set bool
		odd      bool
	}{
		{`true`, true, true, false},
		{`false`, false, true, false},
		{`"True"`, true, true, false},
		{`"false"`, false, true, false},
		{`1`, true, true, false},
		{`0`, false, true, false},
		{`null`, false, false, false},
		{`"maybe"`, false, false, true},
		{`"yes"`, true, true, false},
		{`"NO"`, false, true, false},
		{`"1"`, true, true, false},
		{`"null"`, false, false, false},
		{`" true"`, false, false, true},
		{`2`, false, false, true},
		{`""`, false, false, true},
		{`{}`, false, false, true},
	}
	for _, tt := range tests {
		for _, decode := range decoders {
			var b Bool
			if err := decode([]byte(tt.in), &b); err != nil {
				t.Fatalf("%s: %v", tt.in, err)
			}
			if b.Value != tt.val || b.Set != tt.set || b.Odd != tt.odd {
				t.Errorf("%s: got %+v, want value=%v set=%v odd=%v", tt.in, b, tt.val, tt.set, tt.odd)
			}
		}
	}
}

func TestLenientInt(t *testing.T) {
	tests := []struct {
		in       string
		val      int64
		set, odd bool
	}{
		{`42`, 42, true, false},
		{`"42"`, 42, true, false},
		{`4.0`, 4, true, false},
		{`4.5`, 0, false, true},
		{`null`, 0, false, false},
		{`"lots"`, 0, false, true},
		{`" 7 "`, 7, true, false},
		{`"-3"`, -3, true, false},
		{`1e3`, 1000, true, false},
		{`9007199254740993.0`, 0, false, true},
		{`""`, 0, false, true},
		{`[]`, 0, false, true},
	}
	for _, tt := range tests {
		for _, decode := range decoders {
			var n Int
			if err := decode([]byte(tt.in), &n); err != nil {
				t.Fatalf("%s: %v", tt.in, err)
			}
			if n.Value != tt.val || n.Set != tt.set || n.Odd != tt.odd {
				t.Errorf("%s: got %+v", tt.in, n)
			}
		}
	}
}

func TestLenientStringAndLists(t *testing.T) {
	var v struct {
		A, B, C, D String
		L1, L2, L3 Strings
		N          Objects[NetworkInterface, *NetworkInterface]
	}
	in := `{"A":"x","B":12345678901234567890,"C":null,"D":{"x":1},
	        "L1":null,"L2":"solo","L3":["a",1,null,{}],"N":{"not":"a list"}}`
	if err := json.Unmarshal([]byte(in), &v); err != nil {
		t.Fatal(err)
	}
	if v.A.Value != "x" || v.B.Value != "12345678901234567890" || v.C.Set || !v.D.Odd {
		t.Errorf("strings: %+v %+v %+v %+v", v.A, v.B, v.C, v.D)
	}
	if len(v.L1.Values) != 0 || v.L2.Values[0] != "solo" || len(v.L3.Values) != 2 || !v.L3.Odd {
		t.Errorf("lists: %+v %+v %+v", v.L1, v.L2, v.L3)
	}
	if len(v.N.Values) != 0 || !v.N.Odd {
		t.Errorf("object list: %+v", v.N)
	}
}

func TestParseTime(t *testing.T) {
	tests := []struct {
		in   string
		want int64 // unix seconds
		ns   int
	}{
		{"2025-08-21T23:32:21.981602Z", 1755819141, 981602000},
		{"2025-08-21T20:01:59Z", 1755806519, 0},
		{"2022-04-06T08:45:54.519988+00:00", 1649234754, 519988000},
		{"2023-06-04T10:00:00.000Z", 1685872800, 0},
		{"2023-06-04T12:00:00+02:00", 1685872800, 0},
		{"2023-06-04T10:00:00.123456789Z", 1685872800, 123456789},
		{"2023-06-04T10:00:00", 1685872800, 0},
	}
	for _, tt := range tests {
		got, err := ParseTime(tt.in)
		if err != nil {
			t.Fatalf("%s: %v", tt.in, err)
		}
		if got.Unix() != tt.want || got.Nanosecond() != tt.ns || got.Location() != time.UTC {
			t.Errorf("%s: got %s", tt.in, got)
		}
	}
	for _, bad := range []string{"", "yesterday", "2023-13-04T10:00:00Z", "1685872800"} {
		if _, err := ParseTime(bad); err == nil {
			t.Errorf("%q: want error", bad)
		}
	}
}

func TestLenientStringEscapes(t *testing.T) {
	var v struct{ A, B String }
	if err := json.Unmarshal([]byte(`{"A":"plain ü","B":"q\"uote \u00e9 \\ end"}`), &v); err != nil {
		t.Fatal(err)
	}
	if v.A.Value != "plain ü" || v.B.Value != `q"uote é \ end` {
		t.Fatalf("got %q %q", v.A.Value, v.B.Value)
	}
}
