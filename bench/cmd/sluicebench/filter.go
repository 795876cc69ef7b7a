package main

import (
	"context"
	"database/sql/driver"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/redpanda-data/benthos/v4/public/service"

	"github.com/sluicestream/sluice"
	"github.com/sluicestream/sluice/internal/benchdata"
)

// Stateless filter and projection over a 6-column event schema:
//
//	SELECT id, user, amount * 1.1 AS gross FROM events WHERE amount > 50 AND kind = 'a'
//
// about 12.5 % of rows pass. Each system reduces the projected rows to a
// checksum (row count and the sum of each column) inside the timer.
func init() {
	register(&workload{
		name:  "filter",
		rank:  3,
		title: "Stateless filter and projection",
		about: "Events (id int64, user int64, kind string of 4 values, amount float64 in [0, 100), ts timestamp, ok bool; fixed seed), " +
			"`SELECT id, user, amount * 1.1 AS gross FROM events WHERE amount > 50 AND kind = 'a'` (about 12.5 % pass); " +
			"each system reduces the projected rows to a checksum (count, sums) inside the timer. Throughput is input rows/s. " +
			"Benthos runs a tenth of the rows (one message per row is too slow for 10 M in a reasonable bench time); compare rows/s.",
		unit:   "rows/s",
		smoke:  5_000,
		full:   10_000_000,
		work:   func(n int) float64 { return float64(n) },
		expect: filterAnswer,
		systems: []system{
			{name: "sluice", about: "DataFrame API `Filter` + `Select`, `Collect` over in-memory Arrow records of 65,536 rows", prepare: prepareSluiceFilter},
			{name: "duckdb", about: "the SQL above over a table loaded by the appender, checksum in SQL, `SET threads` = GOMAXPROCS", prepare: prepareDuckFilter},
			{name: "benthos", about: "structured messages in batches of 1,000 through a `mapping` processor (bloblang: `deleted()` unless the filter holds, else the 3 columns), pipeline threads = GOMAXPROCS, a consumer func summing", size: func(n int) int { return n / 10 }, prepare: prepareBenthosFilter},
		},
		ratios: []ratio{
			{num: "sluice", dens: []string{"duckdb"}, why: "no target in the issue; Sluice relative to DuckDB (above 1: faster)."},
			{num: "sluice", dens: []string{"benthos"}, why: "no target in the issue; Sluice relative to Benthos, on rows/s (Benthos runs a tenth of the rows)."},
		},
	})
}

const (
	filterMinAmount = 50.0
	filterKind      = "a"
	filterFactor    = 1.1
)

var evCache struct {
	sync.Mutex
	ev      benchdata.Events
	answers map[int]answer
}

// eventColumns is the first n events of internal/benchdata's sequence, made
// once for the largest n asked.
func eventColumns(n int) benchdata.Events {
	evCache.Lock()
	defer evCache.Unlock()
	if len(evCache.ev.ID) < n {
		evCache.ev = benchdata.EventColumns(n)
	}
	e := evCache.ev
	return benchdata.Events{ID: e.ID[:n], User: e.User[:n], Kind: e.Kind[:n], Amount: e.Amount[:n], TS: e.TS[:n], OK: e.OK[:n]}
}

// filterAnswer is the checksum of the query over n events, in plain Go.
func filterAnswer(n int) answer {
	e := eventColumns(n)
	evCache.Lock()
	defer evCache.Unlock()
	if a, ok := evCache.answers[n]; ok {
		return a
	}
	var c checksum
	for i := range n {
		if e.Amount[i] > filterMinAmount && e.Kind[i] == filterKind {
			c.add(e.ID[i], e.User[i], e.Amount[i]*filterFactor)
		}
	}
	if evCache.answers == nil {
		evCache.answers = map[int]answer{}
	}
	evCache.answers[n] = c.answer()
	return evCache.answers[n]
}

type checksum struct {
	rows, ids, users float64
	gross            float64
}

func (c *checksum) add(id, user int64, gross float64) {
	c.rows++
	c.ids += float64(id)
	c.users += float64(user)
	c.gross += gross
}

func (c checksum) answer() answer {
	return answer{"rows": c.rows, "sum(id)": c.ids, "sum(user)": c.users, "sum(gross)": c.gross}
}

func prepareSluiceFilter(ctx context.Context, n int) (*runner, error) {
	s := sluice.NewSession()
	recs := benchdata.EventRecords(memory.DefaultAllocator, eventColumns(n), wcBatchRows)
	df := s.FromRecords("events", benchdata.EventSchema, recs...).
		Filter(sluice.Col("amount").Gt(filterMinAmount).And(sluice.Col("kind").Eq(filterKind))).
		Select(sluice.Col("id"), sluice.Col("user"), sluice.Col("amount").Mul(filterFactor).As("gross"))
	for _, r := range recs {
		r.Release()
	}
	return &runner{
		run: func(ctx context.Context) (answer, error) {
			out, err := df.Collect(ctx)
			if err != nil {
				return nil, err
			}
			var c checksum
			for _, r := range out {
				ids, users, gross := r.Column(0).(*array.Int64), r.Column(1).(*array.Int64), r.Column(2).(*array.Float64)
				for i := range ids.Len() {
					c.add(ids.Value(i), users.Value(i), gross.Value(i))
				}
				r.Release()
			}
			return c.answer(), nil
		},
		close: s.Close,
	}, nil
}

func prepareDuckFilter(ctx context.Context, n int) (*runner, error) {
	d, err := openDuck(ctx, 0)
	if err != nil {
		return nil, err
	}
	if err := d.exec(ctx, `CREATE TABLE events (id BIGINT, "user" BIGINT, kind VARCHAR, amount DOUBLE, ts TIMESTAMP, ok BOOLEAN)`); err != nil {
		d.close()
		return nil, err
	}
	e := eventColumns(n)
	row := make([]driver.Value, 6)
	err = d.appendRows("events", n, func(i int) []driver.Value {
		row[0], row[1], row[2], row[3], row[4], row[5] = e.ID[i], e.User[i], e.Kind[i], e.Amount[i], time.UnixMicro(e.TS[i]).UTC(), e.OK[i]
		return row
	})
	if err != nil {
		d.close()
		return nil, err
	}
	q := fmt.Sprintf(`SELECT count(*)::DOUBLE, coalesce(sum(id), 0)::DOUBLE, coalesce(sum("user"), 0)::DOUBLE, coalesce(sum(gross), 0) FROM `+
		`(SELECT id, "user", amount * %v AS gross FROM events WHERE amount > %v AND kind = '%s')`, filterFactor, filterMinAmount, filterKind)
	return &runner{
		run: func(ctx context.Context) (answer, error) {
			var c checksum
			if err := d.conn.QueryRowContext(ctx, q).Scan(&c.rows, &c.ids, &c.users, &c.gross); err != nil {
				return nil, err
			}
			return c.answer(), nil
		},
		close: d.close,
	}, nil
}

const filterMapping = `root = if this.amount > 50 && this.kind == "a" { {"id": this.id, "user": this.user, "gross": this.amount * 1.1} } else { deleted() }`

func prepareBenthosFilter(ctx context.Context, n int) (*runner, error) {
	e := eventColumns(n)
	var cur *benthosFilterRun
	return &runner{
		reset: func(ctx context.Context) error {
			var err error
			cur, err = newBenthosFilterRun(e)
			return err
		},
		run: func(ctx context.Context) (answer, error) { return cur.run(ctx) },
	}, nil
}

// benthosFilterRun is one Benthos stream built for one run.
type benthosFilterRun struct {
	benthosRun
	sum checksum
	err error
}

func newBenthosFilterRun(e benchdata.Events) (*benthosFilterRun, error) {
	r := &benthosFilterRun{}
	sb := service.NewStreamBuilder()
	sb.SetThreads(runtime.GOMAXPROCS(0))
	if err := sb.SetLoggerYAML("level: none"); err != nil {
		return nil, err
	}
	var err error
	if r.produce, err = sb.AddBatchProducerFunc(); err != nil {
		return nil, err
	}
	if err := sb.AddProcessorYAML("mapping: '" + filterMapping + "'"); err != nil {
		return nil, err
	}
	if err := sb.AddBatchConsumerFunc(r.consume); err != nil {
		return nil, err
	}
	if r.stream, err = sb.Build(); err != nil {
		return nil, err
	}
	for start := 0; start < len(e.ID); start += benthosBatch {
		end := min(start+benthosBatch, len(e.ID))
		b := make(service.MessageBatch, 0, end-start)
		for i := start; i < end; i++ {
			m := service.NewMessage(nil)
			m.SetStructured(map[string]any{"id": e.ID[i], "user": e.User[i], "kind": e.Kind[i], "amount": e.Amount[i], "ts": time.UnixMicro(e.TS[i]).UTC(), "ok": e.OK[i]})
			b = append(b, m)
		}
		r.batches = append(r.batches, b)
	}
	return r, nil
}

// consume adds the projected rows to the checksum.
func (r *benthosFilterRun) consume(_ context.Context, b service.MessageBatch) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, m := range b {
		v, err := m.AsStructured()
		if err != nil {
			return err
		}
		row, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("message %T, want an object", v)
		}
		id, ok1 := row["id"].(int64)
		user, ok2 := row["user"].(int64)
		gross, ok3 := row["gross"].(float64)
		if !ok1 || !ok2 || !ok3 {
			return fmt.Errorf("row %v: want int64 id and user, float64 gross", row)
		}
		r.sum.add(id, user, gross)
	}
	return nil
}

func (r *benthosFilterRun) run(ctx context.Context) (answer, error) {
	if _, err := r.benthosRun.run(ctx); err != nil {
		return nil, err
	}
	return r.sum.answer(), nil
}
