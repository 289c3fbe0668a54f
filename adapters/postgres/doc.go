// Package postgres keeps the objects, the journal and the rule catalogs of
// package actions in PostgreSQL, through pgx, so that they outlive the
// process and can be shared by every instance of a host.
package postgres
