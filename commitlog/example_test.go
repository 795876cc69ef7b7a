package commitlog_test

import (
	"context"
	"fmt"

	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/commitlog"
)

func ExampleLog() {
	ctx := context.Background()
	st := checkpoint.NewMem()
	l := commitlog.New(st)
	if err := l.Add(ctx, 0, commitlog.Entry{NextBatchWatermarkMs: 1717622949519}); err != nil {
		panic(err)
	}
	data, _ := st.Read(ctx, "commits/0")
	fmt.Printf("%s\n", data)
	err := l.Add(ctx, 0, commitlog.Entry{})
	fmt.Println(err)
	// Output:
	// v1
	// {"nextBatchWatermarkMs":1717622949519}
	// commits/0: batch 0 already logged
}
