package sluice_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/sluicestream/sluice"
)

// Example is the README's example: word count over the bundled text.
func Example() {
	s := sluice.NewSession()
	lines := s.Read().Text("examples/wordcount/input.txt")
	counts := lines.
		Select(sluice.Explode(sluice.Split(sluice.Col("value"), " ")).As("word")).
		GroupBy("word").Agg(sluice.CountStar().As("count")).
		OrderBy(sluice.Col("count").Desc(), sluice.Col("word"))
	if err := counts.Show(os.Stdout, 3); err != nil {
		panic(err)
	}
	// Output:
	// +----+-----+
	// |word|count|
	// +----+-----+
	// | the|   20|
	// |  to|   20|
	// |  of|   17|
	// +----+-----+
	// only showing top 3 rows
}

func ExampleDataFrameReader_CSV() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "people.csv")
	os.WriteFile(path, []byte("name,age\nada,36\ngrace,45\nalan,41\n"), 0o644)

	s := sluice.NewSession()
	people := s.Read().Option("header", "true").CSV(path)
	older := people.Filter(sluice.Col("age").Gt(40)).OrderBy(sluice.Col("name"))
	n, err := older.Count(context.Background())
	fmt.Println(n, err)
	older.Show(os.Stdout, 10)
	// Output:
	// 2 <nil>
	// +-----+---+
	// | name|age|
	// +-----+---+
	// | alan| 41|
	// |grace| 45|
	// +-----+---+
}

func ExampleDataFrame_Join() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	orders := filepath.Join(dir, "orders.json")
	users := filepath.Join(dir, "users.json")
	os.WriteFile(orders, []byte(`{"user":1,"amount":10}
{"user":1,"amount":5}
{"user":2,"amount":7}
{"user":3,"amount":1}
`), 0o644)
	os.WriteFile(users, []byte(`{"id":1,"name":"ada"}
{"id":2,"name":"grace"}
`), 0o644)

	s := sluice.NewSession()
	o := s.Read().JSON(orders)
	u := s.Read().JSON(users)
	totals := o.Join(u, sluice.Col("user").Eq(sluice.Col("id")), "left").
		GroupBy("user", "name").Agg(sluice.Sum(sluice.Col("amount")).As("total")).
		OrderBy(sluice.Col("user"))
	totals.Show(os.Stdout, 10)
	// Output:
	// +----+-----+-----+
	// |user| name|total|
	// +----+-----+-----+
	// |   1|  ada|   15|
	// |   2|grace|    7|
	// |   3| NULL|    1|
	// +----+-----+-----+
}

func ExampleDataFrame_Explain() {
	s := sluice.NewSession()
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "t.csv")
	os.WriteFile(path, []byte("a,b,c\n1,2,3\n"), 0o644)
	df := s.Read().Option("header", "true").CSV(path).
		Select(sluice.Col("a"), sluice.Col("b").Add(1).As("b1")).
		Filter(sluice.Col("a").Gt(sluice.Lit(1).Add(1)))
	text, err := df.Explain()
	fmt.Println(err)
	fmt.Print(strings.ReplaceAll(text, dir, "DIR"))
	// Output:
	// <nil>
	// == Logical Plan ==
	// Filter (a > (1 + 1))
	//   Project [a, (b + 1) AS b1]
	//     Scan DIR/t.csv [a, b, c]
	// == Optimized Logical Plan ==
	// Project [a, (b + 1) AS b1]
	//   Scan DIR/t.csv [a, b] filters=[(a > 2)]
	// == Physical Plan ==
	// Project [a, (b + 1) AS b1]
	//   Scan DIR/t.csv [a, b] filters=[(a > 2)]
}
