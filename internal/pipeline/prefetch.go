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
// only once it has ended.
func (s *Stream) pagesAhead(ctx context.Context, req sentinelone.ListRequest) iter.Seq2[*sentinelone.Page, error] {
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
				select {
				case ahead <- fetched{page, err}:
				case <-ctx.Done():
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
