package postgres

// MigrateKey is the key of the advisory lock Migrate holds for schema.
func MigrateKey(schema string) int64 { return migrateKey(schema) }
