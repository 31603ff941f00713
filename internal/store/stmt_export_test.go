package store

// CacheStatements turns the prepared-statement cache of db on or off, for
// benchmarks that compare the two; it applies to transactions begun later.
func CacheStatements(db *DB, on bool) {
	db.prepared.mu.Lock()
	defer db.prepared.mu.Unlock()
	db.prepared.off = !on
}

// StatementStats returns how many queries of db's transactions ran through
// a prepared statement and how many without one.
func StatementStats(db *DB) (hits, misses int64) {
	db.prepared.mu.Lock()
	defer db.prepared.mu.Unlock()
	for _, s := range db.prepared.sets {
		hits += s.hits.Load()
		misses += s.misses.Load()
	}
	return hits, misses
}
