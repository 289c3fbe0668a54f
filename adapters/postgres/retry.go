package postgres

import (
	"context"
	"errors"
	"io"
	"net"

	"github.com/jackc/pgx/v5/pgconn"
)

// lostConnection reports whether err says that the connection a statement
// ran on is gone rather than that the statement failed: PostgreSQL ended
// the backend (pg_terminate_backend, a shutdown or a restart, an idle
// session timeout), or the network failed under it. A pool hands out its
// idle connections without asking the server whether they still live (pgx
// pings only those idle for more than a second), so after a restart or a
// failover every idle connection fails its next statement this way.
func lostConnection(err error) bool {
	if err == nil {
		return false
	}
	if pgconn.SafeToRetry(err) { // nothing was sent: a closed connection
		return true
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "57P01", "57P02", "57P03", "57P05": // admin shutdown, crash shutdown, cannot connect now, idle session timeout
			return true
		}
		return false
	}
	var ne net.Error
	return errors.As(err, &ne) && !ne.Timeout() || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// retry runs op, and runs it again as long as it fails with an error
// again says may be retried, up to once per connection the pool may hold
// and once more: pgx drops a connection from the pool when it finds it
// lost, so that the last try runs on a new one. It returns op's last error,
// and stops when the context ends or when a try could not connect.
//
// With lostConnection for again, op must be safe to run again after a lost
// connection (a read is); with pgconn.SafeToRetry, which holds only when
// nothing was sent, any op is.
func (s *Store[T]) retry(ctx context.Context, again func(error) bool, op func() error) error {
	err := op()
	if err == nil || !again(err) {
		return err
	}
	var connect *pgconn.ConnectError
	for tries := s.pool.Config().MaxConns; tries > 0 && again(err) && ctx.Err() == nil; tries-- {
		retryHook(err)
		if err = op(); errors.As(err, &connect) {
			// A new connection could not be made: the server is down or
			// starting, and more dials now would only add to its load.
			return err
		}
	}
	return err
}

// retryHook hears each error that retry tries again after; tests count them.
var retryHook = func(error) {}
