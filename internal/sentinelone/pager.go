package sentinelone

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"iter"
	"net/http"
	"net/url"
	"strconv"
)

// ListRequest describes a walk over a list endpoint.
type ListRequest struct {
	Endpoint Endpoint
	// Query holds the filters and sort order. It is sent unchanged with every
	// page; the client adds limit and cursor.
	Query url.Values
	// Cursor resumes a walk where a previous one stopped.
	Cursor string
}

// Page is one page of a list endpoint.
type Page struct {
	Endpoint   Endpoint
	Number     int    // 1-based within this walk
	Cursor     string // the cursor that fetched this page ("" for the first)
	NextCursor string // "" on the last page
	TotalItems *int64 // as the console reported it, nil when absent
	Records    []json.RawMessage
}

// Last reports whether this is the last page of the walk.
func (p *Page) Last() bool { return p.NextCursor == "" }

// ErrRepeatedCursor is returned when the console hands back a cursor it has
// already given during the same walk: following it would loop for ever.
var ErrRepeatedCursor = errors.New("console returned a cursor it had already returned")

// Pages walks a list endpoint page by page. Only the current page is held in
// memory. The walk stops at the first error, which is yielded with a nil page.
func (c *Client) Pages(ctx context.Context, req ListRequest) iter.Seq2[*Page, error] {
	return func(yield func(*Page, error) bool) {
		seen := map[uint64]struct{}{}
		cursor := req.Cursor
		for n := 1; ; n++ {
			page, err := c.Page(ctx, req.Endpoint, req.Query, cursor)
			if err != nil {
				yield(nil, fmt.Errorf("list %s page %d: %w", req.Endpoint, n, err))
				return
			}
			page.Number = n
			if cursor != "" {
				seen[hashCursor(cursor)] = struct{}{}
			}
			if _, dup := seen[hashCursor(page.NextCursor)]; dup && !page.Last() {
				yield(nil, fmt.Errorf("list %s page %d: %w", req.Endpoint, n, ErrRepeatedCursor))
				return
			}
			if !yield(page, nil) || page.Last() {
				return
			}
			cursor = page.NextCursor
		}
	}
}

// Page fetches one page of endpoint with the given filters and cursor.
func (c *Client) Page(ctx context.Context, endpoint Endpoint, filters url.Values, cursor string) (*Page, error) {
	q := url.Values{}
	for k, v := range filters {
		q[k] = v
	}
	q.Set("limit", strconv.Itoa(c.cfg.PageSize))
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	page, err := c.fetchPage(ctx, endpoint, q)
	if err != nil {
		return nil, err
	}
	page.Endpoint, page.Cursor = endpoint, cursor
	return page, nil
}

// fetchPage gets and decodes one page; a body that does not decode, or
// holds more records than the limit asked for, is fetched again within the
// retry budget.
func (c *Client) fetchPage(ctx context.Context, endpoint Endpoint, q url.Values) (*Page, error) {
	var page *Page
	err := c.do(ctx, request{method: http.MethodGet, endpoint: string(endpoint), query: q}, func(body []byte) error {
		var err error
		if page, err = DecodePage(body); err == nil {
			err = withinLimit(page, q)
		}
		return err
	})
	return page, err
}

// withinLimit refuses a page with more records than the limit asked for:
// a console never sends one, and mapping it would take memory without
// bound.
func withinLimit(page *Page, q url.Values) error {
	limit, err := strconv.Atoi(q.Get("limit"))
	if err == nil && len(page.Records) > limit {
		return fmt.Errorf("the page holds %d records, more than the limit of %d asked for: refused", len(page.Records), limit)
	}
	return nil
}

type envelope struct {
	Data       []json.RawMessage `json:"data"`
	Pagination *struct {
		NextCursor json.RawMessage `json:"nextCursor"`
		TotalItems Int             `json:"totalItems"`
	} `json:"pagination"`
}

// DecodePage reads a list envelope {"data":[…],"pagination":{…}} in one
// pass. It fails when the body is not that shape; odd records inside data are
// kept as they are for the caller to judge one by one.
func DecodePage(body []byte) (*Page, error) {
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field == "data" {
			return nil, fmt.Errorf("decode page: data is not a list but a JSON %s", te.Value)
		}
		return nil, fmt.Errorf("decode page: %w", describeJSONError(body, err))
	}
	if env.Pagination == nil {
		return nil, errors.New("decode page: no pagination object in the response")
	}
	page := &Page{Records: env.Data}
	next := bytes.TrimSpace(env.Pagination.NextCursor)
	if len(next) > 0 && string(next) != "null" {
		var s string
		if err := json.Unmarshal(next, &s); err != nil {
			return nil, fmt.Errorf("decode page: nextCursor is not a string: %s", truncate(string(next), 40))
		}
		page.NextCursor = s
	}
	page.TotalItems = env.Pagination.TotalItems.Ptr()
	return page, nil
}

// describeJSONError adds where in the body a syntax error is.
func describeJSONError(body []byte, err error) error {
	if t := bytes.TrimSpace(body); len(t) > 0 && t[0] == '<' {
		return fmt.Errorf("body is HTML, not JSON: %q", truncate(plainText(body), 80))
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("%w at byte %d of %d", err, se.Offset, len(body))
	}
	return err
}

func hashCursor(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

// RecordError is a record that could not be read.
type RecordError struct {
	Index int // position in the page
	Err   error
}

func (e RecordError) Error() string { return fmt.Sprintf("record %d: %v", e.Index, e.Err) }

// DecodeRecords decodes each record into T. A record that is not a JSON
// object is reported and skipped; the others are returned.
func DecodeRecords[T any](records []json.RawMessage) ([]T, []RecordError) {
	out := make([]T, 0, len(records))
	var bad []RecordError
	for i, r := range records {
		var v T
		if err := json.Unmarshal(r, &v); err != nil {
			bad = append(bad, RecordError{Index: i, Err: err})
			continue
		}
		out = append(out, v)
	}
	return out, bad
}
