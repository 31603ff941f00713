package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Engine names, as returned by DB.Engine.
const (
	EngineSQLite   = "sqlite"
	EnginePostgres = "postgres"
)

// dialect holds the few places where SQLite and PostgreSQL differ. Queries
// are written once, in the common subset, with ? placeholders.
type dialect struct {
	postgres bool
}

// rebind rewrites ? placeholders to PostgreSQL's $1, $2, … outside string
// literals; SQLite takes the query as written.
func (d dialect) rebind(q string) string {
	if !d.postgres {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n, quoted := 0, false
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'':
			quoted = !quoted
		case c == '?' && !quoted:
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// timeLayout is how SQLite stores instants: fixed-width UTC text, so that
// text order is time order and comparisons in SQL are correct.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// args converts Go values to what the engine stores: times become
// fixed-width text on SQLite and stay timestamps on PostgreSQL; nil time
// pointers become NULL.
func (d dialect) args(in []any) []any {
	out := in
	for i, v := range in {
		var conv any
		switch t := v.(type) {
		case time.Time:
			conv = d.time(t)
		case *time.Time:
			if t == nil {
				conv = nil
			} else {
				conv = d.time(*t)
			}
		default:
			continue
		}
		if &out[0] == &in[0] {
			out = append([]any(nil), in...)
		}
		out[i] = conv
	}
	return out
}

func (d dialect) time(t time.Time) any {
	t = t.UTC().Truncate(time.Microsecond)
	if d.postgres {
		return t
	}
	return t.Format(timeLayout)
}

// forUpdate locks the rows a mutation reads on PostgreSQL. SQLite needs no
// row locks: writes go through one connection whose transactions begin
// IMMEDIATE, so they are already serialised.
func (d dialect) forUpdate() string {
	if d.postgres {
		return " FOR UPDATE"
	}
	return ""
}

// lockTable serialises transactions that check a table-wide invariant (the
// first user, the last admin) on PostgreSQL, where READ COMMITTED would let
// two of them pass the check at once.
func (d dialect) lockTable(ctx context.Context, tx *sql.Tx, table string) error {
	if !d.postgres {
		return nil
	}
	if _, err := tx.ExecContext(ctx, "LOCK TABLE "+table+" IN SHARE ROW EXCLUSIVE MODE"); err != nil {
		return fmt.Errorf("lock %s: %w", table, err)
	}
	return nil
}

// isUnique reports whether err is a unique-constraint violation.
func isUnique(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// isForeignKey reports whether err is a foreign-key violation.
func isForeignKey(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23503"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
	}
	return false
}

// timeScanner reads an instant stored by either engine into a UTC time;
// nullable columns go to a **time.Time.
type timeScanner struct {
	t  *time.Time
	pt **time.Time
}

// scanTime returns the one scanner every time column is read through.
func scanTime(t *time.Time) sql.Scanner { return &timeScanner{t: t} }

// scanNullTime is scanTime for nullable columns.
func scanNullTime(t **time.Time) sql.Scanner { return &timeScanner{pt: t} }

// Scan implements sql.Scanner.
func (s *timeScanner) Scan(src any) error {
	var v time.Time
	switch x := src.(type) {
	case nil:
		if s.pt == nil {
			return errors.New("scan time: unexpected NULL")
		}
		*s.pt = nil
		return nil
	case time.Time:
		v = x
	case string:
		p, err := time.Parse(time.RFC3339Nano, x)
		if err != nil {
			return fmt.Errorf("scan time: %w", err)
		}
		v = p
	case []byte:
		p, err := time.Parse(time.RFC3339Nano, string(x))
		if err != nil {
			return fmt.Errorf("scan time: %w", err)
		}
		v = p
	default:
		return fmt.Errorf("scan time: unsupported type %T", src)
	}
	v = v.UTC()
	if s.pt != nil {
		*s.pt = &v
	} else {
		*s.t = v
	}
	return nil
}

// nullID stores 0 (the system, or no one) as NULL so that foreign keys hold.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// nullIDPtr is nullID for optional references.
func nullIDPtr(id *int64) any {
	if id == nil {
		return nil
	}
	return nullID(*id)
}

// idScanner reads a nullable reference as 0.
type idScanner struct{ id *int64 }

func scanID(id *int64) sql.Scanner { return idScanner{id} }

// Scan implements sql.Scanner.
func (s idScanner) Scan(src any) error {
	var n sql.NullInt64
	if err := n.Scan(src); err != nil {
		return err
	}
	*s.id = n.Int64
	return nil
}

// ptrIDScanner reads a nullable reference as a nil pointer.
type ptrIDScanner struct{ id **int64 }

func scanIDPtr(id **int64) sql.Scanner { return ptrIDScanner{id} }

// Scan implements sql.Scanner.
func (s ptrIDScanner) Scan(src any) error {
	var n sql.NullInt64
	if err := n.Scan(src); err != nil {
		return err
	}
	if !n.Valid {
		*s.id = nil
		return nil
	}
	v := n.Int64
	*s.id = &v
	return nil
}
