package pipeline

import (
	"context"
	"net/url"
	"slices"
	"sort"
	"strings"

	"s1collector/internal/delivery"
	"s1collector/internal/sentinelone"
	"s1collector/internal/state"
	"s1collector/internal/transform"
)

// lookupChunk is how many ids one lookup asks the console for: one page.
const lookupChunk = 1000

// removals is the last phase of a full listing. The devices the previous
// listings saw and this one did not are candidates; each is looked up by
// id (decommissioned and uninstalled agents included, as they still
// exist). Those the console returns are kept as seen by this listing; only
// those it does not return are reported, and delivered as removal events.
// Candidates are handled in sorted order and the last one handled is in
// the checkpoint, so a resumed listing does not report them again.
func (s *Stream) removals(ctx context.Context, stop <-chan struct{}, cp state.Checkpoint, res *Result) (state.Checkpoint, error) {
	l := cp.Listing
	missing, err := s.Store.Missing(ctx, s.Source.Name, l.Generation())
	if err != nil {
		return cp, err
	}
	if l.RemovalsAfter != "" {
		missing = missing[sort.Search(len(missing), func(i int) bool { return missing[i] > l.RemovalsAfter }):]
	}
	var kept int
	for len(missing) > 0 {
		chunk := missing[:min(lookupChunk, len(missing))]
		missing = missing[len(chunk):]
		listed, err := s.stillListed(ctx, chunk)
		if err != nil {
			return cp, err
		}
		gone := slices.DeleteFunc(slices.Clone(chunk), func(id string) bool { return listed[id] })
		if err := s.deliverRemovals(ctx, gone, res); err != nil {
			return cp, err
		}
		l.RemovalsAfter, l.Removed = chunk[len(chunk)-1], l.Removed+int64(len(gone))
		cp.Delivered += int64(len(gone))
		res.Gone = append(res.Gone, gone...)
		kept += len(chunk) - len(gone)
		if err := s.Store.Save(ctx, s.Key(), cp, s.seenBy(l, keys(listed))...); err != nil {
			return cp, err
		}
		s.Status.delivered(len(gone), cp.Watermark)
		if stopped(stop) && len(missing) > 0 {
			return cp, ErrStopped
		}
	}
	if kept > 0 {
		s.Log.Info("devices the full listing did not see are still listed by the console; kept", "count", kept)
	}
	if len(res.Gone) > 0 {
		s.Log.Warn("devices removed from the console since the previous full listing (confirmed by a lookup by id)",
			"count", len(res.Gone), "ids", sample(res.Gone, 20))
	}
	return cp, nil
}

// stillListed returns which of ids the console still has.
func (s *Stream) stillListed(ctx context.Context, ids []string) (map[string]bool, error) {
	q := url.Values{"ids": {strings.Join(ids, ",")}, "isDecommissioned": {"true,false"}, "isUninstalled": {"true,false"}}
	for k, v := range s.Scope {
		q[k] = v
	}
	listed := map[string]bool{}
	req := sentinelone.ListRequest{Endpoint: sentinelone.Agents, Query: q, Map: idOf}
	for page, err := range s.Lister.Pages(ctx, req) {
		if err != nil {
			return nil, err
		}
		for _, rec := range page.Records {
			if id, _ := rec.Value.(string); id != "" {
				listed[id] = true
			}
		}
	}
	return listed, nil
}

// idOf keeps a record's id as its page is decoded.
func idOf(rec sentinelone.Record) any {
	if rec.Model == nil {
		return ""
	}
	id, _ := rec.Model.Key()
	return id.Value
}

// deliverRemovals delivers one removal event per device to every output.
func (s *Stream) deliverRemovals(ctx context.Context, ids []string, res *Result) error {
	at := s.Now()
	b := delivery.Batch{Source: s.Source.Name, Stream: string(s.API), Info: s.Source}
	for _, id := range ids {
		body, err := s.Profile.Removed(id, at)
		if err != nil {
			return err
		}
		b.Events = append(b.Events, delivery.Event{ID: id, Time: at, Body: body, Removal: true,
			Meta: s.Source.Meta(), MetaInUnmapped: s.Profile == transform.ProfileOCSF})
	}
	return s.deliverBatch(ctx, b, res)
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
