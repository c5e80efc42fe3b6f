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
	var parts []string
	for _, s := range streams {
		v := s.Status.Snapshot()
		if v.Phase != pipeline.PhaseSyncing || v.CycleRead == 0 {
			continue
		}
		line := fmt.Sprintf("%s/%s %s", v.Source, v.Stream, progressText(v))
		if term {
			parts = append(parts, line)
			continue
		}
		log.Info("progress", "source", v.Source, "stream", v.Stream, "read", v.CycleRead, "total", v.Total, "delivered", v.CycleDelivered)
	}
	if term && len(parts) > 0 {
		fmt.Fprintf(w, "\r\033[K%s", strings.Join(parts, " · "))
	}
}

// progressText is "12,000/100,000 (12%, ~3m left)" or "12,000 read".
func progressText(v pipeline.StatusSnapshot) string {
	if v.Total <= 0 {
		return fmt.Sprintf("%s read", thousands(int64(v.CycleRead)))
	}
	pct := float64(v.CycleRead) * 100 / float64(v.Total)
	text := fmt.Sprintf("%s/%s (%.0f%%", thousands(int64(v.CycleRead)), thousands(v.Total), min(pct, 100))
	if el := time.Since(v.CycleStarted); v.CycleRead > 0 && int64(v.CycleRead) < v.Total {
		left := time.Duration(float64(el) * float64(v.Total-int64(v.CycleRead)) / float64(v.CycleRead))
		text += fmt.Sprintf(", ~%s left", left.Round(time.Second))
	}
	return text + ")"
}

// thousands writes 1234567 as 1,234,567.
func thousands(n int64) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
