// Package sluice is a micro-batch structured-streaming engine: a query written
// once with the DataFrame API runs as a batch query over data at rest, or as a
// streaming query over new data in micro-batches.
//
//	s := sluice.NewSession()
//	lines, err := s.Read().Text("examples/wordcount/input.txt")
//	counts := lines.
//		Select(sluice.Explode(sluice.Split(sluice.Col("value"), " ")).As("word")).
//		GroupBy("word").Agg(sluice.CountStar().As("count")).
//		OrderBy(sluice.Col("count").Desc())
//	err = counts.Show(os.Stdout, 10)
//
// Data moves as Apache Arrow record batches. A DataFrame is immutable and
// describes a query; nothing is read until an action (Collect, Count, Show, a
// writer) runs it.
package sluice
