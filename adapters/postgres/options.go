package postgres

import (
	"errors"
	"fmt"
	"hash/fnv"
	"strings"
	"time"

	"github.com/actionable-go/actionable/actions"
	"github.com/jackc/pgx/v5"
)

// DefaultSchema is the schema the package's tables live in unless
// WithSchema says otherwise.
const DefaultSchema = "actionable"

// Option configures Migrate, the store constructors and NewCatalogs. Each
// option says where it applies; passing it elsewhere is an error.
type Option func(*config) error

// What an option applies to.
type scope uint8

const (
	forMigrate scope = 1 << iota
	forDocuments
	forTable
	forCatalogs
	forAll = forMigrate | forDocuments | forTable | forCatalogs
)

type config struct {
	schema     string
	idColumn   string
	verColumn  string
	collection string
	compile    []actions.CompileOption
	events     func(WatchEvent)
	// watchInterval: see WithWatchInterval.
	watchInterval time.Duration

	scope scope // of the constructor the options are given to
}

// newConfig applies opts for a constructor of scope s.
func newConfig(s scope, opts []Option) (*config, error) {
	c := &config{schema: DefaultSchema, idColumn: "id", verColumn: "version", watchInterval: DefaultWatchInterval, scope: s}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(c); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// option returns an Option named name that applies to the scopes in s.
func option(name string, s scope, set func(*config) error) Option {
	return func(c *config) error {
		if c.scope&s == 0 {
			return fmt.Errorf("postgres: %s does not apply here", name)
		}
		return set(c)
	}
}

// WithSchema sets the schema of the package's tables (default
// DefaultSchema). Migrate creates it; every store and catalog of one
// application names the same one. It applies everywhere.
func WithSchema(name string) Option {
	return option("WithSchema", forAll, func(c *config) error {
		if err := checkName("schema", name); err != nil {
			return err
		}
		c.schema = name
		return nil
	})
}

// WithIDColumn names the id column of a host table (default "id"). It
// applies to NewTableStore.
func WithIDColumn(name string) Option {
	return option("WithIDColumn", forTable, func(c *config) error {
		if err := checkName("id column", name); err != nil {
			return err
		}
		c.idColumn = name
		return nil
	})
}

// WithVersionColumn names the version column of a host table (default
// "version"; OpenProject's is "lock_version"). It must be an integer
// column. It applies to NewTableStore.
func WithVersionColumn(name string) Option {
	return option("WithVersionColumn", forTable, func(c *config) error {
		if err := checkName("version column", name); err != nil {
			return err
		}
		c.verColumn = name
		return nil
	})
}

// WithCollection names the journal of a host table (default: the table
// name as given to NewTableStore). Two stores with the same collection
// name share their journal and their execution policies. It applies to
// NewTableStore.
func WithCollection(name string) Option {
	return option("WithCollection", forTable, func(c *config) error {
		if name == "" {
			return errors.New("postgres: the collection name must not be empty")
		}
		c.collection = name
		return nil
	})
}

// WithCompileOptions sets the options rule sets are compiled with (effects,
// clock, validator): Publish compiles with them before it stores a rule set,
// Latest and Watch before they install one. Give every instance the same.
// It applies to NewCatalogs.
func WithCompileOptions(opts ...actions.CompileOption) Option {
	return option("WithCompileOptions", forCatalogs, func(c *config) error {
		c.compile = append(c.compile, opts...)
		return nil
	})
}

// WithWatchEvents sets the function a Watcher tells what it does: each
// version it installs, each version it could not compile (the engine keeps
// its catalog), each lost connection. The default logs them with
// slog.Default. It is called from the watcher's goroutine. It applies to
// NewCatalogs.
func WithWatchEvents(f func(WatchEvent)) Option {
	return option("WithWatchEvents", forCatalogs, func(c *config) error {
		if f == nil {
			return errors.New("postgres: the watch event function must not be nil")
		}
		c.events = f
		return nil
	})
}

// DefaultWatchInterval is how long a Watcher waits for a notification
// before it checks its connection, unless WithWatchInterval says otherwise.
const DefaultWatchInterval = 30 * time.Second

// WithWatchInterval sets how long a Watcher waits for a notification
// before it reads the latest version on its connection (default
// DefaultWatchInterval). A connection lost without an error (a firewall
// or a NAT forgets it, a host vanishes) would otherwise keep the watcher
// waiting for good; the read shows that the connection lives, or fails
// (the watcher reconnects and catches up), and installs a version whose
// notification was lost. A lost connection is found within about two
// intervals; each costs one small query per watcher. The interval also
// bounds how long a (re)connection may take to acquire a connection and
// LISTEN, so an interval shorter than the pool's busiest wait keeps a
// watcher reconnecting. It applies to NewCatalogs.
func WithWatchInterval(d time.Duration) Option {
	return option("WithWatchInterval", forCatalogs, func(c *config) error {
		if d <= 0 {
			return fmt.Errorf("postgres: the watch interval %v is not positive", d)
		}
		c.watchInterval = d
		return nil
	})
}

// checkName checks an SQL identifier that the package quotes.
func checkName(what, name string) error {
	switch {
	case name == "":
		return fmt.Errorf("postgres: the %s name must not be empty", what)
	case len(name) > 63:
		return fmt.Errorf("postgres: the %s name %q is longer than 63 bytes", what, name)
	case strings.ContainsRune(name, 0):
		return fmt.Errorf("postgres: the %s name %q holds a NUL byte", what, name)
	}
	return nil
}

// ident quotes a schema-qualified name.
func ident(schema, name string) string { return pgx.Identifier{schema, name}.Sanitize() }

// hash32 is FNV-1a of s, as the int32 PostgreSQL's advisory locks take.
func hash32(s string) int32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return int32(h.Sum32())
}

// hash64 is FNV-1a of s, as the bigint PostgreSQL's advisory locks take.
func hash64(s string) int64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return int64(h.Sum64())
}
