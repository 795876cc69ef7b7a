package sluice

import (
	"context"
	"fmt"

	"github.com/sluicestream/sluice/internal/fileformat"
)

// DataFrameWriter writes a DataFrame's result to files, as Spark's df.write.
type DataFrameWriter struct {
	df *DataFrame
}

// Write starts writing the DataFrame's result.
func (df *DataFrame) Write() *DataFrameWriter { return &DataFrameWriter{df: df} }

// Parquet writes the result as Parquet into directory dir.
func (w *DataFrameWriter) Parquet(dir string) error { return w.Save("parquet", dir) }

// CSV writes the result as CSV with a header into directory dir.
func (w *DataFrameWriter) CSV(dir string) error { return w.Save("csv", dir) }

// JSON writes the result as JSON lines into directory dir.
func (w *DataFrameWriter) JSON(dir string) error { return w.Save("json", dir) }

// Save runs the query and writes its result in format (parquet, csv, json)
// into directory dir, as part files that appear whole or not at all.
func (w *DataFrameWriter) Save(format, dir string) error {
	ctx := context.Background()
	r, err := w.df.Reader(ctx)
	if err != nil {
		return err
	}
	if err := fileformat.WriteDir(ctx, dir, format, r, fileformat.WriteOptions{}); err != nil {
		return fmt.Errorf("write %s to %s: %w", format, dir, err)
	}
	return nil
}
