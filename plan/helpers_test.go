package plan

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"text/scanner"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sluicestream/sluice/batch"
	"github.com/sluicestream/sluice/expr"
)

// memTable is a Table with a schema and no rows; plans are only built and
// rewritten here, never run.
type memTable struct {
	name   string
	schema *arrow.Schema
}

var _ Table = (*memTable)(nil)

func (t *memTable) Name() string          { return t.name }
func (t *memTable) Schema() *arrow.Schema { return t.schema }

func (t *memTable) Scan(_ context.Context, _ memory.Allocator, columns []string, _ []expr.Expr) (batch.Reader, error) {
	s := t.schema
	if columns != nil {
		fields := make([]arrow.Field, len(columns))
		for i, c := range columns {
			idx := s.FieldIndices(c)
			if len(idx) == 0 {
				return nil, fmt.Errorf("%s: no column %q", t.name, c)
			}
			fields[i] = s.Field(idx[0])
		}
		s = arrow.NewSchema(fields, nil)
	}
	return batch.NewSliceReader(s), nil
}

var (
	utf8   = arrow.BinaryTypes.String
	i64    = arrow.PrimitiveTypes.Int64
	f64    = arrow.PrimitiveTypes.Float64
	strs   = arrow.ListOf(arrow.BinaryTypes.String)
	tables = map[string]*memTable{}
)

func table(name string, fields ...arrow.Field) *memTable {
	t := &memTable{name: name, schema: arrow.NewSchema(fields, nil)}
	tables[name] = t
	return t
}

func field(name string, t arrow.DataType, nullable bool) arrow.Field {
	return arrow.Field{Name: name, Type: t, Nullable: nullable}
}

// The test tables. words and lines have the same column types under other
// names, for unions; scores differs from words in one type.
var (
	words = table("words",
		field("word", utf8, false), field("n", i64, true), field("tags", strs, true))
	lines = table("lines",
		field("text", utf8, false), field("count", i64, true), field("labels", strs, true))
	scores = table("scores",
		field("word", utf8, false), field("n", f64, true), field("tags", strs, true))
	users = table("users",
		field("id", i64, false), field("name", utf8, true), field("age", i64, true))
	orders = table("orders",
		field("id", i64, false), field("user_id", i64, true), field("amount", i64, true), field("note", utf8, true))
)

// parser reads the small expression language of the test scripts:
//
//	n > 1 AND word = "a"   (n + 1) * 2 AS m   count(*)   sum(n) AS total
//	split(text, " ")       NULL   true   1.5  col("odd name")  isnotnull(x)
//
// Binary operators by precedence, loosest first: OR; AND; = != < <= > >=;
// + -; * /. NOT is a prefix; "AS name" may follow an item.
type parser struct {
	s   scanner.Scanner
	tok rune
	err error
}

func newParser(src string) *parser {
	p := &parser{}
	p.s.Init(strings.NewReader(src))
	p.s.Mode = scanner.ScanIdents | scanner.ScanInts | scanner.ScanFloats | scanner.ScanStrings
	p.s.Error = func(_ *scanner.Scanner, msg string) { p.fail("%s", msg) }
	p.next()
	return p
}

func (p *parser) next() { p.tok = p.s.Scan() }

func (p *parser) text() string { return p.s.TokenText() }

func (p *parser) fail(format string, args ...any) {
	if p.err == nil {
		p.err = fmt.Errorf("parse at %q: %s", p.text(), fmt.Sprintf(format, args...))
	}
}

// is reports whether the current token is word (a keyword, any case, or
// punctuation).
func (p *parser) is(word string) bool {
	if p.tok == scanner.EOF {
		return false
	}
	return strings.EqualFold(p.text(), word)
}

// accept consumes word if it is next.
func (p *parser) accept(word string) bool {
	if p.is(word) {
		p.next()
		return true
	}
	return false
}

func (p *parser) expect(word string) {
	if !p.accept(word) {
		p.fail("want %q", word)
	}
}

// accept2 consumes a two-character operator such as "<=".
func (p *parser) accept2(a, b rune) bool {
	if p.tok == a && p.s.Peek() == b {
		p.next()
		p.next()
		return true
	}
	return false
}

func (p *parser) done() bool { return p.tok == scanner.EOF || p.err != nil }

func (p *parser) ident() string {
	if p.tok != scanner.Ident {
		p.fail("want a name")
		return ""
	}
	s := p.text()
	p.next()
	return s
}

// item is an expression with an optional "AS name".
func (p *parser) item() expr.Expr {
	e := p.expr()
	if p.accept("AS") {
		return expr.As(e, p.ident())
	}
	return e
}

// items is a comma-separated list of items, possibly empty, up to stop (or
// the end).
func (p *parser) items(stop string) []expr.Expr {
	var out []expr.Expr
	for !p.done() && !p.is(stop) {
		out = append(out, p.item())
		if !p.accept(",") {
			break
		}
	}
	return out
}

func (p *parser) expr() expr.Expr { return p.or() }

func (p *parser) or() expr.Expr {
	e := p.and()
	for !p.done() && p.accept("OR") {
		e = expr.Or(e, p.and())
	}
	return e
}

func (p *parser) and() expr.Expr {
	e := p.not()
	for !p.done() && p.accept("AND") {
		e = expr.And(e, p.not())
	}
	return e
}

func (p *parser) not() expr.Expr {
	if p.accept("NOT") {
		return expr.Not(p.not())
	}
	return p.cmp()
}

func (p *parser) cmp() expr.Expr {
	l := p.add()
	switch {
	case p.done():
		return l
	case p.accept2('!', '='):
		return expr.NotEq(l, p.add())
	case p.accept2('<', '='):
		return expr.LtEq(l, p.add())
	case p.accept2('>', '='):
		return expr.GtEq(l, p.add())
	case p.accept("="):
		return expr.Eq(l, p.add())
	case p.accept("<"):
		return expr.Lt(l, p.add())
	case p.accept(">"):
		return expr.Gt(l, p.add())
	}
	return l
}

func (p *parser) add() expr.Expr {
	e := p.mul()
	for !p.done() {
		switch {
		case p.accept("+"):
			e = expr.Add(e, p.mul())
		case p.accept("-"):
			e = expr.Sub(e, p.mul())
		default:
			return e
		}
	}
	return e
}

func (p *parser) mul() expr.Expr {
	e := p.primary()
	for !p.done() {
		switch {
		case p.accept("*"):
			e = expr.Mul(e, p.primary())
		case p.accept("/"):
			e = expr.Div(e, p.primary())
		default:
			return e
		}
	}
	return e
}

func (p *parser) primary() expr.Expr {
	switch p.tok {
	case scanner.Int:
		v, err := strconv.ParseInt(p.text(), 10, 64)
		if err != nil {
			p.fail("%v", err)
		}
		p.next()
		return expr.Lit(v)
	case scanner.Float:
		v, err := strconv.ParseFloat(p.text(), 64)
		if err != nil {
			p.fail("%v", err)
		}
		p.next()
		return expr.Lit(v)
	case scanner.String:
		v, err := strconv.Unquote(p.text())
		if err != nil {
			p.fail("%v", err)
		}
		p.next()
		return expr.Lit(v)
	case '(':
		p.next()
		e := p.expr()
		p.expect(")")
		return e
	case scanner.Ident:
		name := p.ident()
		switch strings.ToUpper(name) {
		case "NULL":
			return expr.Lit(nil)
		case "TRUE":
			return expr.Lit(true)
		case "FALSE":
			return expr.Lit(false)
		}
		if p.accept("(") {
			return p.call(name)
		}
		return expr.Col(name)
	}
	p.fail("want an expression")
	p.next()
	return expr.Lit(nil)
}

// call parses the arguments of function name, after its "(".
func (p *parser) call(name string) expr.Expr {
	if name == "count" && p.accept("*") {
		p.expect(")")
		return expr.CountStar()
	}
	if name == "col" { // a column whose name is not an identifier
		v, _ := strconv.Unquote(p.text())
		p.next()
		p.expect(")")
		return expr.Col(v)
	}
	args := p.items(")")
	p.expect(")")
	arg := func(i int) expr.Expr {
		if i >= len(args) {
			p.fail("%s: want %d arguments", name, i+1)
			return expr.Lit(nil)
		}
		return args[i]
	}
	switch name {
	case "count":
		return expr.Count(arg(0))
	case "sum":
		return expr.Sum(arg(0))
	case "min":
		return expr.Min(arg(0))
	case "max":
		return expr.Max(arg(0))
	case "avg":
		return expr.Avg(arg(0))
	case "lower":
		return expr.Lower(arg(0))
	case "upper":
		return expr.Upper(arg(0))
	case "length":
		return expr.Length(arg(0))
	case "explode":
		return expr.Explode(arg(0))
	case "isnotnull":
		return expr.IsNotNull(arg(0))
	case "split":
		sep, ok := arg(1).(*expr.Literal)
		if !ok {
			p.fail("split: separator must be a string literal")
			return expr.Lit(nil)
		}
		return expr.Split(arg(0), sep.Value.String())
	}
	p.fail("unknown function %s", name)
	return expr.Lit(nil)
}

// parseExpr parses one whole item.
func parseExpr(src string) (expr.Expr, error) {
	p := newParser(src)
	e := p.item()
	if p.err == nil && p.tok != scanner.EOF {
		p.fail("unexpected text after the expression")
	}
	return e, p.err
}

// mustExpr parses src or panics: for expressions written in Go tests.
func mustExpr(src string) expr.Expr {
	e, err := parseExpr(src)
	if err != nil {
		panic(err)
	}
	return e
}

func mustExprs(srcs ...string) []expr.Expr {
	out := make([]expr.Expr, len(srcs))
	for i, s := range srcs {
		out[i] = mustExpr(s)
	}
	return out
}
