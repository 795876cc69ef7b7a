package sluice_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice"
	"github.com/sluicestream/sluice/expr"
)

func newSession(t *testing.T) *sluice.Session {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	s := sluice.NewSession(sluice.WithAllocator(mem), sluice.WithBatchSize(2))
	t.Cleanup(func() {
		s.Close()
		mem.AssertSize(t, 0)
	})
	return s
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func show(t *testing.T, df *sluice.DataFrame, n int) string {
	t.Helper()
	var b bytes.Buffer
	if err := df.Show(&b, n); err != nil {
		t.Fatalf("show: %v", err)
	}
	return b.String()
}

func wantShow(t *testing.T, df *sluice.DataFrame, want string) {
	t.Helper()
	got := show(t, df, 100)
	want = strings.TrimLeft(want, "\n")
	if got != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
}

const peopleCSV = "name,age,city\nada,36,london\ngrace,45,nyc\nalan,41,london\nbarbara,,nyc\n"

func TestDataFrameTransformations(t *testing.T) {
	s := newSession(t)
	people := s.Read().Option("header", "true").CSV(writeFile(t, "p.csv", peopleCSV))
	wantShow(t, people.WithColumn("next", sluice.Col("age").Add(1)).Drop("city").OrderBy(sluice.Col("name")), `
+-------+----+----+
|   name| age|next|
+-------+----+----+
|    ada|  36|  37|
|   alan|  41|  42|
|barbara|NULL|NULL|
|  grace|  45|  46|
+-------+----+----+
`)
	wantShow(t, people.Select(sluice.Col("city")).Distinct().OrderBy(sluice.Col("city").Desc()), `
+------+
|  city|
+------+
|   nyc|
|london|
+------+
`)
	wantShow(t, people.Where(sluice.Col("age").IsNull()).Union(people.Limit(1)).Select(sluice.Col("name")), `
+-------+
|   name|
+-------+
|barbara|
|    ada|
+-------+
`)
	wantShow(t, people.GroupBy("city").Agg(sluice.Avg(sluice.Col("age")).As("avg"), sluice.Max(sluice.Col("name")).As("last")).OrderBy(sluice.Col("city")), `
+------+----+-----+
|  city| avg| last|
+------+----+-----+
|london|38.5| alan|
|   nyc|45.0|grace|
+------+----+-----+
`)
	n, err := people.Count(context.Background())
	if err != nil || n != 4 {
		t.Fatalf("count = %d, %v", n, err)
	}
}

func TestDataFrameUnknownColumnListsColumns(t *testing.T) {
	s := newSession(t)
	people := s.Read().Option("header", "true").CSV(writeFile(t, "p.csv", peopleCSV))
	bad := people.Filter(sluice.Col("agee").Gt(1)).Select(sluice.Col("name"))
	err := bad.Err()
	var uc *expr.UnknownColumnError
	if !errors.As(err, &uc) {
		t.Fatalf("err = %v, want an unknown-column error", err)
	}
	for _, want := range []string{`"agee"`, "name", "age", "city"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
	if _, err := bad.Collect(context.Background()); err == nil {
		t.Fatal("collect of a failed DataFrame succeeded")
	}
}

func TestDataFrameJoinUsing(t *testing.T) {
	s := newSession(t)
	a := s.Read().JSON(writeFile(t, "a.json", `{"k":1,"x":"a1"}
{"k":2,"x":"a2"}
`))
	b := s.Read().JSON(writeFile(t, "b.json", `{"k":2,"y":"b2"}
{"k":3,"y":"b3"}
`))
	wantShow(t, a.JoinUsing(b, []string{"k"}, "full").OrderBy(sluice.Col("k")), `
+---+----+----+
|  k|   x|   y|
+---+----+----+
|  1|  a1|NULL|
|  2|  a2|  b2|
|  3|NULL|  b3|
+---+----+----+
`)
	wantShow(t, a.JoinUsing(b, []string{"k"}, "anti"), `
+---+---+
|  k|  x|
+---+---+
|  1| a1|
+---+---+
`)
}

func TestReaderModes(t *testing.T) {
	s := newSession(t)
	path := writeFile(t, "bad.csv", "name,age\nada,36\ngrace,x\nalan,41\n")
	schemaDF := s.Read().Option("header", "true").CSV(writeFile(t, "good.csv", "name,age\nada,36\n"))
	schema := schemaDF.Schema()

	_, err := s.Read().Option("header", "true").Schema(schema).CSV(path).Collect(context.Background())
	if err == nil || !strings.Contains(err.Error(), "bad.csv") || !strings.Contains(err.Error(), "line 3") || !strings.Contains(err.Error(), "age") {
		t.Fatalf("FAILFAST error = %v; want file, line 3 and column age", err)
	}
	n, err := s.Read().Option("header", "true").Option("mode", "DROPMALFORMED").Schema(schema).CSV(path).Count(context.Background())
	if err != nil || n != 2 {
		t.Fatalf("DROPMALFORMED count = %d, %v; want 2", n, err)
	}
	wantShow(t, s.Read().Option("header", "true").Option("mode", "PERMISSIVE").Schema(schema).CSV(path), `
+-----+----+---------------+
| name| age|_corrupt_record|
+-----+----+---------------+
|  ada|  36|           NULL|
|grace|NULL|        grace,x|
| alan|  41|           NULL|
+-----+----+---------------+
`)
	if err := s.Read().Option("mode", "SOMETIMES").CSV(path).Err(); err == nil || !strings.Contains(err.Error(), "SOMETIMES") {
		t.Fatalf("bad mode error = %v", err)
	}
}

func TestWriteReadRoundTrip(t *testing.T) {
	s := newSession(t)
	people := s.Read().Option("header", "true").CSV(writeFile(t, "p.csv", peopleCSV))
	want := show(t, people.OrderBy(sluice.Col("name")), 100)
	for _, format := range []string{"parquet", "csv", "json"} {
		dir := filepath.Join(t.TempDir(), "out")
		if err := people.Write().Save(format, dir); err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		r := s.Read()
		if format == "csv" {
			r = r.Option("header", "true")
		}
		got := show(t, r.Load(format, dir).OrderBy(sluice.Col("name")), 100)
		if got != want {
			t.Fatalf("%s round trip:\n%s\nwant:\n%s", format, got, want)
		}
	}
}
