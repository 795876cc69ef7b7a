package plan

import (
	"strings"
)

// Explain renders the plan as an indented tree, one node per line (its
// String), each child two spaces deeper than its parent. Every line, the last
// included, ends with a newline.
//
//	Project [word]
//	  Filter (n > 1)
//	    Scan words [word, n]
func Explain(n Node) string {
	var b strings.Builder
	explain(&b, n, 0)
	return b.String()
}

func explain(b *strings.Builder, n Node, depth int) {
	b.WriteString(strings.Repeat("  ", depth))
	b.WriteString(n.String())
	b.WriteByte('\n')
	for _, c := range n.Children() {
		explain(b, c, depth+1)
	}
}
