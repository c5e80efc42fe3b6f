package pipeline

import (
	"context"
	"iter"

	"s1collector/internal/sentinelone"
)

// pagesAhead walks like Lister.Pages, fetching the next page while the
// caller maps and delivers the current one: a single cursor then reads
// about as fast as the slower of the two, not their sum. At most one page
// waits ahead; a caller that stops early cancels the fetch and returns
// only once it has ended. When enough reports that a page is the last one
// the caller needs, no page is fetched after it.
func (s *Stream) pagesAhead(ctx context.Context, req sentinelone.ListRequest, enough func(*sentinelone.Page) bool) iter.Seq2[*sentinelone.Page, error] {
	type fetched struct {
		page *sentinelone.Page
		err  error
	}
	return func(yield func(*sentinelone.Page, error) bool) {
		ctx, cancel := context.WithCancel(ctx)
		ahead := make(chan fetched, 1)
		go func() {
			defer close(ahead)
			for page, err := range s.Lister.Pages(ctx, req) {
				last := enough != nil && err == nil && enough(page)
				select {
				case ahead <- fetched{page, err}:
				case <-ctx.Done():
					return
				}
				if last {
					return
				}
			}
		}()
		defer func() {
			cancel()
			for range ahead {
			}
		}()
		for f := range ahead {
			if !yield(f.page, f.err) {
				return
			}
		}
	}
}
