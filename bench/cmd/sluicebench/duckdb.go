package main

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"runtime"

	"github.com/duckdb/duckdb-go/v2"
)

// duck is an in-memory DuckDB database with one connection, its threads set
// to GOMAXPROCS (or to threads when that is positive).
type duck struct {
	connector *duckdb.Connector
	db        *sql.DB
	conn      *sql.Conn
}

func openDuck(ctx context.Context, threads int) (*duck, error) {
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	c, err := duckdb.NewConnector("", nil)
	if err != nil {
		return nil, err
	}
	d := &duck{connector: c, db: sql.OpenDB(c)}
	d.db.SetMaxOpenConns(1)
	if d.conn, err = d.db.Conn(ctx); err != nil {
		d.close()
		return nil, err
	}
	if err := d.exec(ctx, fmt.Sprintf("SET threads = %d", threads)); err != nil {
		d.close()
		return nil, err
	}
	return d, nil
}

func (d *duck) exec(ctx context.Context, q string, args ...any) error {
	if _, err := d.conn.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("duckdb %q: %w", q, err)
	}
	return nil
}

// appendRows appends rows to table through DuckDB's appender; row(i) gives
// row i's values.
func (d *duck) appendRows(table string, n int, row func(i int) []driver.Value) error {
	return d.conn.Raw(func(dc any) error {
		app, err := duckdb.NewAppenderFromConn(dc.(driver.Conn), "", table)
		if err != nil {
			return err
		}
		for i := range n {
			if err := app.AppendRow(row(i)...); err != nil {
				app.Close()
				return err
			}
		}
		return app.Close()
	})
}

// appendLines appends each line as a row of table's one VARCHAR column.
func (d *duck) appendLines(table string, lines []string) error {
	v := make([]driver.Value, 1)
	return d.appendRows(table, len(lines), func(i int) []driver.Value {
		v[0] = lines[i]
		return v
	})
}

// counts runs a query of (word, count) rows and collects them.
func (d *duck) counts(ctx context.Context, q string) (answer, error) {
	rows, err := d.conn.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("duckdb %q: %w", q, err)
	}
	defer rows.Close()
	a := make(answer, wcVocabulary)
	var w string
	var c int64
	for rows.Next() {
		if err := rows.Scan(&w, &c); err != nil {
			return nil, err
		}
		a[w] = float64(c)
	}
	return a, rows.Err()
}

func (d *duck) close() error {
	if d.conn != nil {
		d.conn.Close()
	}
	err := d.db.Close()
	if cerr := d.connector.Close(); err == nil {
		err = cerr
	}
	return err
}

// duckdbVersion is the bundled DuckDB's own version, "v1.5.6".
func duckdbVersion() string {
	ctx := context.Background()
	d, err := openDuck(ctx, 1)
	if err != nil {
		return "unknown"
	}
	defer d.close()
	var v string
	if err := d.conn.QueryRowContext(ctx, "SELECT version()").Scan(&v); err != nil {
		return "unknown"
	}
	return v
}
