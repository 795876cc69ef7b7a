package plan

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"

	"github.com/sluicestream/sluice/expr"
)

// TestScripts runs the plan scripts in testdata/ (go test -rewrite regenerates
// their expected output). Commands:
//
//	plan name=q      build a plan from the pipeline below; print EXPLAIN or
//	                 the error
//	optimize name=q  print EXPLAIN of Optimize(q), checking its schema is q's
//	schema name=q    print q's output schema, one column per line
//
// A pipeline has one operator per line, each applied to the plan so far:
//
//	scan words                      use q (a plan built before)
//	filter n > 1                    project word, n * 2 AS m
//	explode split(text, " ") AS w   aggregate word | count(*) AS c, sum(n)
//	sort n DESC, word               limit 10
//	union q1 q2                     join left q2 id = user_id, a = b extra x > y
func TestScripts(t *testing.T) {
	datadriven.Walk(t, "testdata", func(t *testing.T, path string) {
		plans := map[string]Node{}
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			var name string
			d.ScanArgs(t, "name", &name)
			switch d.Cmd {
			case "plan":
				n, err := buildPipeline(d.Input, plans)
				if err != nil {
					return "error: " + err.Error() + "\n"
				}
				plans[name] = n
				return Explain(n)
			case "optimize":
				n, ok := plans[name]
				if !ok {
					return fmt.Sprintf("error: no plan named %q\n", name)
				}
				opt, err := Optimize(n)
				if err != nil {
					return "error: " + err.Error() + "\n"
				}
				if !opt.Schema().Equal(n.Schema()) {
					t.Errorf("%s: optimize changed the schema from %v to %v", d.Pos, n.Schema(), opt.Schema())
				}
				return Explain(opt)
			case "schema":
				n, ok := plans[name]
				if !ok {
					return fmt.Sprintf("error: no plan named %q\n", name)
				}
				return formatSchema(n)
			}
			t.Fatalf("%s: unknown command %q", d.Pos, d.Cmd)
			return ""
		})
	})
}

func formatSchema(n Node) string {
	var b strings.Builder
	s := n.Schema()
	for i := 0; i < s.NumFields(); i++ {
		f := s.Field(i)
		null := ""
		if !f.Nullable {
			null = " NOT NULL"
		}
		fmt.Fprintf(&b, "%s: %s%s\n", f.Name, f.Type, null)
	}
	return b.String()
}

// buildPipeline builds the plan the lines of src describe.
func buildPipeline(src string, plans map[string]Node) (Node, error) {
	var n Node
	for i, line := range strings.Split(strings.TrimSpace(src), "\n") {
		op, rest, _ := strings.Cut(strings.TrimSpace(line), " ")
		if n == nil && op != "scan" && op != "use" {
			return nil, fmt.Errorf("line %d: a pipeline starts with scan or use", i+1)
		}
		var err error
		n, err = applyOp(n, op, strings.TrimSpace(rest), plans)
		if err != nil {
			return nil, err
		}
	}
	return n, nil
}

func applyOp(n Node, op, rest string, plans map[string]Node) (Node, error) {
	p := newParser(rest)
	var out Node
	var err error
	switch op {
	case "scan":
		t, ok := tables[rest]
		if !ok {
			return nil, fmt.Errorf("no test table %q", rest)
		}
		return NewScan(t), nil
	case "use":
		m, ok := plans[rest]
		if !ok {
			return nil, fmt.Errorf("no plan %q", rest)
		}
		return m, nil
	case "filter":
		out, err = lazy(p, func() (Node, error) { return NewFilter(n, p.expr()) })
	case "project":
		out, err = lazy(p, func() (Node, error) { return NewProject(n, p.items("")) })
	case "explode":
		out, err = lazy(p, func() (Node, error) {
			l := p.expr()
			p.expect("AS")
			return NewExplode(n, l, p.ident())
		})
	case "aggregate":
		out, err = lazy(p, func() (Node, error) {
			g := p.items("|")
			p.expect("|")
			return NewAggregate(n, g, p.items(""))
		})
	case "sort":
		out, err = lazy(p, func() (Node, error) { return NewSort(n, sortKeys(p)) })
	case "limit":
		v, perr := strconv.ParseInt(rest, 10, 64)
		if perr != nil {
			return nil, perr
		}
		return NewLimit(n, v)
	case "union":
		ins := []Node{n}
		for _, name := range strings.Fields(rest) {
			m, ok := plans[name]
			if !ok {
				return nil, fmt.Errorf("no plan %q", name)
			}
			ins = append(ins, m)
		}
		return NewUnion(ins...)
	case "join":
		out, err = lazy(p, func() (Node, error) { return parseJoin(n, p, plans) })
	default:
		return nil, fmt.Errorf("unknown operator %q", op)
	}
	if err == nil && !p.done() {
		p.fail("unexpected text")
	}
	if p.err != nil {
		return nil, p.err
	}
	return out, err
}

// lazy runs build and reports a parse error in preference to the error
// building a half-parsed node gives.
func lazy(p *parser, build func() (Node, error)) (Node, error) {
	n, err := build()
	if p.err != nil {
		return nil, p.err
	}
	return n, err
}

func sortKeys(p *parser) []SortKey {
	var keys []SortKey
	for !p.done() {
		k := SortKey{Expr: p.expr()}
		k.Desc = p.accept("DESC")
		keys = append(keys, k)
		if !p.accept(",") {
			break
		}
	}
	return keys
}

var joinTypes = map[string]JoinType{
	"inner": InnerJoin, "left": LeftJoin, "right": RightJoin,
	"full": FullJoin, "semi": SemiJoin, "anti": AntiJoin,
}

// parseJoin reads "<type> <plan> l1 = r1, l2 = r2 [extra <cond>]".
func parseJoin(left Node, p *parser, plans map[string]Node) (Node, error) {
	t, ok := joinTypes[p.ident()]
	if !ok {
		return nil, fmt.Errorf("unknown join type")
	}
	name := p.ident()
	right, ok := plans[name]
	if !ok {
		return nil, fmt.Errorf("no plan %q", name)
	}
	var lk, rk []expr.Expr
	for !p.done() && !p.is("extra") {
		lk = append(lk, p.add())
		p.expect("=")
		rk = append(rk, p.add())
		if !p.accept(",") {
			break
		}
	}
	var extra expr.Expr
	if p.accept("extra") {
		extra = p.expr()
	}
	return NewJoin(left, right, t, lk, rk, extra)
}
