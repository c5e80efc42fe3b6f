package postgres

import (
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
)

// Hint says what to fix for an error opening the store, from what the
// server answered — or "" when the error says it already (a DSN that does
// not parse, a schema newer than this binary).
func Hint(err error) string {
	var ff fixFirst
	if err == nil || errors.As(err, &ff) {
		return ""
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == "28P01" || pe.Code == "28000":
			return "check the user and password in state.postgres.dsn, and that pg_hba.conf lets this host in"
		case pe.Code == "3D000":
			return "the database named in state.postgres.dsn does not exist: create it (CREATE DATABASE), or fix the name"
		case pe.Code == "42501":
			return "the user lacks a privilege: grant it CREATE on the database, or create the schema for it and make it the owner"
		case pe.Code == "53300":
			return "PostgreSQL has no connection left for this user: raise max_connections, or run fewer replicas"
		case pe.Code[:2] == "57" || pe.Code[:2] == "08":
			return "PostgreSQL is starting, stopping or refusing connections: wait for it, or check its log"
		}
		return "PostgreSQL refused it: see its message above"
	}
	return "check the host and port in state.postgres.dsn, and that PostgreSQL is up and reachable from this host"
}
