package sentinelone

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// Record is one record of a page, decoded once: its bytes as the console
// sent them and the model read from those bytes in the same pass.
type Record struct {
	// Raw is the record as it came (a slice of the page's body; read only).
	Raw jsontext.Value
	// Model is *Agent, *Activity or *Threat by endpoint; nil when the record
	// is not a JSON object, or when the page was decoded without models or
	// with ListRequest.Map.
	Model Model
	// Value is what ListRequest.Map returned for the record; Raw and Model
	// are then nil (Map keeps what it needs of them).
	Value any
}

// Model is a decoded record of a list endpoint.
type Model interface {
	// Key returns the record's id and the time its endpoint filters and
	// sorts on (threats: threatInfo.updatedAt).
	Key() (id, at String)
	// OddFields names the fields present with values that could not be read.
	OddFields() []string
}

// newModel returns an empty model of endpoint's records, nil for none.
func newModel(endpoint Endpoint) interface {
	Model
	json.UnmarshalerFrom
} {
	switch endpoint {
	case Agents:
		return new(Agent)
	case Activities:
		return new(Activity)
	case Threats:
		return new(Threat)
	}
	return nil
}

// DecodePage reads a list envelope {"data":[…],"pagination":{…}} and the
// records in it, as models of endpoint ("" keeps them raw), in one pass. It
// fails when the body is not that shape; a record that is not an object, or
// whose fields have odd types, is kept for the caller to judge.
func DecodePage(endpoint Endpoint, body []byte) (*Page, error) {
	return decoding{models: endpoint}.page(body)
}

// decoding is how a page's records are decoded.
type decoding struct {
	models Endpoint         // the endpoint whose models to decode; "" for none
	each   func(Record) any // when set, called per record with a reused model
}

func (how decoding) page(body []byte) (*Page, error) {
	page, err := how.envelope(NewDecoder(body), body)
	if err != nil {
		return nil, fmt.Errorf("decode page: %w", describeJSONError(body, err))
	}
	return page, nil
}

func (how decoding) envelope(dec *jsontext.Decoder, body []byte) (*Page, error) {
	if k := dec.PeekKind(); k != '{' {
		_, err := dec.ReadToken()
		switch {
		case errors.Is(err, io.EOF):
			return nil, errors.New("the body is empty")
		case err != nil:
			return nil, err
		}
		return nil, fmt.Errorf("the response is a JSON %s, not an object", kindName(k))
	}
	page := &Page{}
	pagination := false
	_, err := decodeObject(dec, memberFunc(func(dec *jsontext.Decoder, name []byte) (bool, error) {
		switch string(name) {
		case "data":
			return false, how.records(dec, body, page)
		case "pagination":
			pagination = true
			return false, decodePagination(dec, page)
		}
		return false, dec.SkipValue()
	}))
	if err != nil {
		return nil, err
	}
	if _, err := dec.ReadToken(); !errors.Is(err, io.EOF) {
		if err == nil {
			return nil, errors.New("more than one JSON value in the response")
		}
		return nil, err
	}
	if !pagination {
		return nil, errors.New("no pagination object in the response")
	}
	return page, nil
}

// memberFunc is a function that decodes members.
type memberFunc func(dec *jsontext.Decoder, name []byte) (bool, error)

func (f memberFunc) decodeMember(dec *jsontext.Decoder, name []byte) (bool, error) {
	return f(dec, name)
}

// records reads the data array, each record into a model and its bytes
// as a slice of body.
func (how decoding) records(dec *jsontext.Decoder, body []byte, page *Page) error {
	page.Records = page.Records[:0]
	if k := dec.PeekKind(); k == 'n' {
		_, err := dec.ReadValue()
		return err
	} else if k != '[' {
		if k == 0 {
			_, err := dec.ReadToken()
			return err
		}
		return fmt.Errorf("data is not a list but a JSON %s", kindName(k))
	}
	reused := newModel(how.models)
	return readArray(dec, func() error {
		start := dec.InputOffset()
		var rec Record
		var err error
		m := reused
		if m != nil && how.each == nil {
			m = newModel(how.models)
		}
		if m != nil && dec.PeekKind() == '{' {
			err = m.UnmarshalJSONFrom(dec)
			rec.Model = m
		} else {
			err = dec.SkipValue()
		}
		if err != nil {
			return err
		}
		rec.Raw = recordBytes(body[start:dec.InputOffset()])
		if how.each != nil {
			rec = Record{Value: how.each(rec)} // the page keeps only what Map kept
		}
		page.Records = append(page.Records, rec)
		return nil
	})
}

// recordBytes trims what precedes a value in an array: whitespace and the
// comma.
func recordBytes(b []byte) []byte {
	b = bytes.TrimLeft(b, " \t\r\n")
	if len(b) > 0 && b[0] == ',' {
		b = bytes.TrimLeft(b[1:], " \t\r\n")
	}
	return b[:len(b):len(b)]
}

func decodePagination(dec *jsontext.Decoder, page *Page) error {
	if k := dec.PeekKind(); k != '{' && k != 0 {
		return fmt.Errorf("pagination is not an object but a JSON %s", kindName(k))
	}
	_, err := decodeObject(dec, memberFunc(func(dec *jsontext.Decoder, name []byte) (bool, error) {
		switch string(name) {
		case "nextCursor":
			return false, readCursor(dec, page)
		case "totalItems":
			var n Int
			_, err := n.read(dec)
			page.TotalItems = n.Ptr()
			return false, err
		}
		return false, dec.SkipValue()
	}))
	return err
}

func readCursor(dec *jsontext.Decoder, page *Page) error {
	v, err := dec.ReadValue()
	if err != nil {
		return err
	}
	switch v.Kind() {
	case 'n':
		page.NextCursor = ""
	case '"':
		c, _ := jsontext.AppendUnquote(nil, v)
		page.NextCursor = string(c)
	default:
		return fmt.Errorf("nextCursor is not a string: %s", truncate(string(v), 40))
	}
	return nil
}

func kindName(k jsontext.Kind) string {
	switch k {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case '0':
		return "number"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "value"
}

// describeJSONError says what is wrong with a body that is not JSON, and
// where.
func describeJSONError(body []byte, err error) error {
	if t := bytes.TrimSpace(body); len(t) > 0 && t[0] == '<' {
		return fmt.Errorf("body is HTML, not JSON: %q", truncate(plainText(body), 80))
	}
	var se *jsontext.SyntacticError
	if errors.As(err, &se) {
		if errors.Is(se.Err, io.ErrUnexpectedEOF) {
			return fmt.Errorf("the body ends early, at byte %d: truncated (unexpected end of JSON input)", len(body))
		}
		return fmt.Errorf("invalid JSON at byte %d of %d: %w", se.ByteOffset, len(body), se.Err)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("the body ends early, at byte %d: truncated (unexpected end of JSON input)", len(body))
	}
	return err
}
