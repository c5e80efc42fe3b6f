package sentinelone

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/go-json-experiment/json/jsontext"
)

// Record is one record of a page, decoded once: its bytes as the console
// sent them and the model read from those bytes in the same pass.
type Record struct {
	// Raw is the record as it came (a slice of the page's body; read only).
	Raw jsontext.Value
	// Model is *Agent, *Activity, *Threat, *Alert or *StarAlert by
	// endpoint; nil when the record
	// is not a JSON object, or when the page was decoded without models or
	// with ListRequest.Map.
	Model Model
	// Value is what ListRequest.Map returned for the record; Raw and Model
	// are then nil (Map keeps what it needs of them).
	Value any
	// Errors is what the console reported about this record: the errors a
	// partial GraphQL answer located at its node (which may then be null,
	// or lack the fields in error).
	Errors []string
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
	decodeAt(b []byte, i int) (end int, err error)
} {
	switch endpoint {
	case Agents:
		return new(Agent)
	case Activities:
		return new(Activity)
	case Threats:
		return new(Threat)
	case Alerts:
		return new(Alert)
	case StarAlerts:
		return new(StarAlert)
	}
	return nil
}

// recordOf makes the record of one record's bytes (checked JSON), decoding
// its model into m when it has one (nil: keep it raw).
func (how decoding) recordOf(raw []byte, m interface {
	Model
	decodeAt(b []byte, i int) (end int, err error)
}, errs ...string) Record {
	rec := Record{Raw: raw, Errors: errs}
	if m != nil && len(raw) > 0 && raw[0] == '{' {
		_, _ = m.decodeAt(raw, 0) // an object: never fails
		rec.Model = m
	}
	if how.each != nil {
		rec = Record{Value: how.each(rec)} // the page keeps only what Map kept
	}
	return rec
}

// DecodePage reads a list envelope {"data":[…],"pagination":{…}} and the
// records in it, as models of endpoint ("" keeps them raw), each decoded
// once. It fails when the body is not JSON of that shape; a record that is
// not an object, or whose fields have odd types, is kept for the caller to
// judge.
func DecodePage(endpoint Endpoint, body []byte) (*Page, error) {
	return decoding{models: endpoint}.page(body)
}

// decoding is how a page's records are decoded.
type decoding struct {
	models Endpoint         // the endpoint whose models to decode; "" for none
	each   func(Record) any // when set, called per record with a reused model
}

func (how decoding) page(body []byte) (*Page, error) {
	page, err := how.decode(body)
	if err != nil {
		return nil, fmt.Errorf("decode page: %w", describeJSONError(body, err))
	}
	return page, nil
}

// decode checks the body's syntax in one pass of the decoder, then takes
// the envelope and the records from those bytes.
func (how decoding) decode(body []byte) (*Page, error) {
	v, err := checkedValue(body)
	if err != nil {
		return nil, err
	}
	if v[0] != '{' {
		return nil, fmt.Errorf("the response is a JSON %s, not an object", kindName(jsontext.Kind(v[0])))
	}
	page, pagination := &Page{}, false
	eachMember(v, 0, func(name []byte, _ bool, at int) int {
		if string(name) == "data" && err == nil {
			var end int
			end, err = how.records(v, at, page)
			return end
		}
		end := valueEnd(v, at)
		if string(name) == "pagination" && err == nil {
			pagination = true
			err = setPagination(v[at:end], page)
		}
		return end
	})
	if err == nil && !pagination {
		err = errors.New("no pagination object in the response")
	}
	return page, err
}

// checkedValue returns the one JSON value of body, without the whitespace
// around it. validJSON checks it; a body it refuses goes through the
// decoder, whose error says what is wrong and where.
func checkedValue(body []byte) ([]byte, error) {
	if validJSON(body) {
		start, end := wsEnd(body, 0), len(body)
		for class[body[end-1]] == ws {
			end--
		}
		return body[start:end], nil
	}
	dec := NewDecoder(body)
	v, err := dec.ReadValue()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("the body is empty")
	}
	if err != nil {
		return nil, err
	}
	if _, err := dec.ReadToken(); !errors.Is(err, io.EOF) {
		if err == nil {
			return nil, errors.New("more than one JSON value in the response")
		}
		return nil, err
	}
	return v, nil
}

// records reads the data array at b[i]: each record's bytes, and its
// model. It returns the index after the array.
func (how decoding) records(b []byte, i int, page *Page) (int, error) {
	page.Records = page.Records[:0]
	switch b[i] {
	case 'n':
		return i + len("null"), nil
	case '[':
	default:
		return 0, fmt.Errorf("data is not a list but a JSON %s", kindName(jsontext.Kind(b[i])))
	}
	reused := newModel(how.models)
	end := eachElement(b, i, func(at int) int {
		var rec Record
		var end int
		if m := reused; m != nil && b[at] == '{' {
			if how.each == nil {
				m = newModel(how.models)
			}
			end, _ = m.decodeAt(b, at) // an object: never fails
			rec.Model = m
		} else {
			end = valueEnd(b, at)
		}
		rec.Raw = b[at:end:end]
		if how.each != nil {
			rec = Record{Value: how.each(rec)} // the page keeps only what Map kept
		}
		page.Records = append(page.Records, rec)
		return end
	})
	return end, nil
}

func setPagination(value []byte, page *Page) error {
	if value[0] != '{' {
		return fmt.Errorf("pagination is not an object but a JSON %s", kindName(jsontext.Kind(value[0])))
	}
	var err error
	members(value, 0, func(name, v []byte) {
		switch string(name) {
		case "nextCursor":
			switch v[0] {
			case 'n':
				page.NextCursor = ""
			case '"':
				c, _ := jsontext.AppendUnquote(nil, v)
				page.NextCursor = string(c)
			default:
				err = fmt.Errorf("nextCursor is not a string: %s", truncate(string(v), 40))
			}
		case "totalItems":
			var n Int
			n.parse(v)
			page.TotalItems = n.Ptr()
		}
	})
	return err
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
