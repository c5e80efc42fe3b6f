package cli

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"s1collector/internal/pipeline"
)

// watchProgress reports long syncs: an updating line on a terminal, a log
// line every 30s otherwise. It returns a function that stops it.
func watchProgress(w io.Writer, log *slog.Logger, streams []*pipeline.Stream) func() {
	term := isTerminal(w)
	every := 30 * time.Second
	if term {
		every = time.Second
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				if term {
					fmt.Fprint(w, "\r\033[K")
				}
				return
			case <-t.C:
				report(w, log, term, streams)
			}
		}
	}()
	return func() { close(done); <-finished }
}

func report(w io.Writer, log *slog.Logger, term bool, streams []*pipeline.Stream) {
	every := 30 * time.Second
	if term {
		every = time.Second
	}
	var parts []string
	for _, s := range streams {
		v := s.Status.Snapshot()
		if !longSync(v, time.Now(), every) {
			continue
		}
		if term {
			parts = append(parts, fmt.Sprintf("%s/%s %s", v.Source, v.Stream, v.Progress()))
			continue
		}
		log.Info("progress", "source", v.Source, "stream", v.Stream, "read", v.CycleRead, "total", v.Total, "delivered", v.CycleDelivered)
	}
	if term && len(parts) > 0 {
		fmt.Fprintf(w, "\r\033[K%s", strings.Join(parts, " · "))
	}
}

// longSync: a stream worth a progress line — reading for longer than one
// report period, and neither waiting for a retry (its own lines say so)
// nor just started.
func longSync(v pipeline.StatusSnapshot, now time.Time, every time.Duration) bool {
	return v.Phase == pipeline.PhaseSyncing && v.CycleRead > 0 && v.Retry == nil && now.Sub(v.CycleStarted) >= every
}
