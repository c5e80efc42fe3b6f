package sentinelone

import (
	"context"
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
	// Map, when set, is called with each record as its page is decoded. The
	// record's model is reused for the next record, so Map must not keep it:
	// its result is kept as Record.Value, and Raw and Model are nil. A page
	// then holds only what Map kept, and each record is still decoded once.
	// Map may be called again for a page fetched again after a garbled body.
	Map func(Record) any
	// RawRecords leaves records undecoded (Record.Model nil): for measuring
	// what paging alone costs.
	RawRecords bool
}

// Page is one page of a list endpoint.
type Page struct {
	Endpoint   Endpoint
	Number     int    // 1-based within this walk
	Cursor     string // the cursor that fetched this page ("" for the first)
	NextCursor string // "" on the last page
	TotalItems *int64 // as the console reported it, nil when absent
	Records    []Record
}

// Last reports whether this is the last page of the walk.
func (p *Page) Last() bool { return p.NextCursor == "" }

// ErrRepeatedCursor is returned when the console hands back a cursor it has
// already given during the same walk: following it would loop for ever.
var ErrRepeatedCursor = errors.New("console returned a cursor it had already returned")

// Pages walks a list endpoint page by page. Only the current page is held in
// memory. The walk stops at the first error, which is yielded with a nil page.
//
// For Alerts the walk goes through the Unified Alerts GraphQL API: Query's
// updatedAt/createdAt/detectedAt filters and sort are sent as its filters
// and sort, and the cursor is its endCursor.
func (c *Client) Pages(ctx context.Context, req ListRequest) iter.Seq2[*Page, error] {
	if req.Endpoint == Alerts {
		return c.alertPages(ctx, req)
	}
	return func(yield func(*Page, error) bool) {
		seen := map[uint64]struct{}{}
		cursor := req.Cursor
		for n := 1; ; n++ {
			page, err := c.page(ctx, req, cursor)
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
	return c.page(ctx, ListRequest{Endpoint: endpoint, Query: filters}, cursor)
}

func (c *Client) page(ctx context.Context, req ListRequest, cursor string) (*Page, error) {
	q := url.Values{}
	for k, v := range req.Query {
		q[k] = v
	}
	if req.Endpoint == StarAlerts && q.Get("sortBy") == "createdAt" {
		q.Set("sortBy", "alertInfoCreatedAt") // the console's name for it there
	}
	q.Set("limit", strconv.Itoa(c.cfg.PageSize))
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	how := decoding{models: req.Endpoint, each: req.Map}
	if req.RawRecords {
		how = decoding{}
	}
	page, err := c.fetchPage(ctx, req.Endpoint, q, how)
	if err != nil {
		return nil, err
	}
	page.Endpoint, page.Cursor = req.Endpoint, cursor
	return page, nil
}

// fetchPage gets and decodes one page; a body that does not decode, or
// holds more records than the limit asked for, is fetched again within the
// retry budget.
func (c *Client) fetchPage(ctx context.Context, endpoint Endpoint, q url.Values, how decoding) (*Page, error) {
	var page *Page
	err := c.do(ctx, request{method: http.MethodGet, endpoint: endpoint.resource(), query: q}, func(body []byte) error {
		var err error
		if page, err = how.page(body); err == nil {
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
	if limit, err := strconv.Atoi(q.Get("limit")); err == nil {
		return overLimit(len(page.Records), limit)
	}
	return nil
}

// overLimit refuses n records where at most limit were asked for.
func overLimit(n, limit int) error {
	if limit > 0 && n > limit {
		return fmt.Errorf("the page holds %d records, more than the limit of %d asked for: refused", n, limit)
	}
	return nil
}

func hashCursor(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}
