package postgres

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// TestHint: a startup error is followed by the fix for its real cause,
// not always "check the DSN and that PostgreSQL is up"; an error that
// already says what to fix gets nothing more.
func TestHint(t *testing.T) {
	pg := func(code string) error { return fmt.Errorf("state: PostgreSQL: %w", &pgconn.PgError{Code: code}) }
	tests := []struct {
		name string
		err  error
		want string // "" for no hint
	}{
		{"wrong password", pg("28P01"), "check the user and password"},
		{"no such database", pg("3D000"), "does not exist"},
		{"no privilege", pg("42501"), "grant it CREATE"},
		{"too many connections", pg("53300"), "max_connections"},
		{"shutting down", pg("57P01"), "starting, stopping"},
		{"other refusal", pg("XX000"), "PostgreSQL refused it"},
		{"unreachable", errors.New("dial tcp 127.0.0.1:5432: connect: connection refused"), "check the host and port"},
		{"newer schema", fixFirst{errors.New("schema s1 is at version 9, newer than this s1collector knows (2)")}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Hint(tt.err)
			if tt.want == "" && got != "" || !strings.Contains(got, tt.want) {
				t.Errorf("Hint = %q, want it to say %q", got, tt.want)
			}
		})
	}
}
