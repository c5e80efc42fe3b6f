package state_test

import (
	"path/filepath"
	"testing"

	"s1collector/internal/state"
	"s1collector/internal/state/statetest"
)

// TestStoreSuite holds the bbolt file to the behaviour every store shares.
func TestStoreSuite(t *testing.T) {
	statetest.Run(t, func(t *testing.T) func() (state.Store, error) {
		path := filepath.Join(t.TempDir(), "state.db")
		return func() (state.Store, error) { return state.OpenBolt(path) }
	})
}
