package cli

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"
)

// shutdownGrace bounds how long a graceful stop may take before work in
// flight is abandoned (its checkpoint was not moved, so nothing is lost).
const shutdownGrace = 30 * time.Second

// signals is how the daemon hears SIGINT, SIGTERM and SIGHUP.
type signals struct {
	// ctx ends at a second stop signal, or shutdownGrace after the first.
	ctx context.Context
	// stop closes at the first SIGINT or SIGTERM: finish the batch in
	// flight, save, exit.
	stop <-chan struct{}
	// reload receives SIGHUP.
	reload <-chan os.Signal
	log    atomic.Pointer[slog.Logger]
	done   func()
}

// graceful installs the daemon's signal handling. Call it before anything
// slow (reading the config, opening the state): until it is installed a
// SIGHUP ends the process, as it does any program that does not handle it.
// A SIGHUP received while starting is a reload once started.
func graceful(parent context.Context) *signals {
	ctx, cancel := context.WithCancel(parent)
	stopCh := make(chan struct{})
	sigs := make(chan os.Signal, 4)
	hup := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	signal.Notify(hup, syscall.SIGHUP)
	s := &signals{ctx: ctx, stop: stopCh, reload: hup}
	s.log.Store(slog.New(slog.DiscardHandler))
	go func() {
		select {
		case sig := <-sigs:
			s.logger().Info("stopping: console requests end now; a batch being delivered finishes first", "signal", sig.String(), "grace", shutdownGrace)
			close(stopCh)
		case <-ctx.Done():
			return
		}
		select {
		case <-sigs:
			s.logger().Warn("second signal: stopping now; undelivered batches will be collected again")
		case <-time.After(shutdownGrace):
			s.logger().Warn("grace period over: stopping now; undelivered batches will be collected again")
		case <-ctx.Done():
		}
		cancel()
	}()
	s.done = func() {
		signal.Stop(sigs)
		signal.Stop(hup)
		cancel()
	}
	return s
}

func (s *signals) logger() *slog.Logger { return s.log.Load() }

// setLogger is where the signal lines go, once the config said how to log.
func (s *signals) setLogger(l *slog.Logger) { s.log.Store(l) }

// stopping reports whether a stop signal came.
func (s *signals) stopping() bool { return closed(s.stop) }

// closed reports whether ch is closed.
func closed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// untilClosed is ctx, cancelled also when ch closes; cancel it when done.
func untilClosed(ctx context.Context, ch <-chan struct{}) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		select {
		case <-ch:
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, cancel
}
