package cli

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// shutdownGrace bounds how long a graceful stop may take before work in
// flight is abandoned (its checkpoint was not moved, so nothing is lost).
const shutdownGrace = 30 * time.Second

// graceful turns SIGINT/SIGTERM into a two-step stop: the first closes
// stop (finish the batch in flight, save, exit); a second, or the grace
// period running out, cancels ctx. reload receives SIGHUP.
func graceful(parent context.Context, log *slog.Logger) (ctx context.Context, stop <-chan struct{}, reload <-chan os.Signal, done func()) {
	ctx, cancel := context.WithCancel(parent)
	stopCh := make(chan struct{})
	sigs := make(chan os.Signal, 4)
	hup := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	signal.Notify(hup, syscall.SIGHUP)
	go func() {
		select {
		case sig := <-sigs:
			log.Info("stopping: finishing the batch in flight", "signal", sig.String(), "grace", shutdownGrace)
			close(stopCh)
		case <-ctx.Done():
			return
		}
		select {
		case <-sigs:
			log.Warn("second signal: stopping now; undelivered batches will be collected again")
		case <-time.After(shutdownGrace):
			log.Warn("grace period over: stopping now; undelivered batches will be collected again")
		case <-ctx.Done():
		}
		cancel()
	}()
	return ctx, stopCh, hup, func() {
		signal.Stop(sigs)
		signal.Stop(hup)
		cancel()
	}
}
