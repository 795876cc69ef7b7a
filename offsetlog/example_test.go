package offsetlog_test

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/sluicestream/sluice/checkpoint"
	"github.com/sluicestream/sluice/offsetlog"
)

func ExampleLog() {
	ctx := context.Background()
	st := checkpoint.NewMem()
	l := offsetlog.New(st)
	err := l.Add(ctx, 0, offsetlog.Entry{
		Metadata: offsetlog.Metadata{
			BatchTimestampMs: 1719290931555,
			Conf:             offsetlog.Conf{{Key: "spark.sql.shuffle.partitions", Value: "5"}},
		},
		Offsets: []json.RawMessage{json.RawMessage(`{"logOffset":0}`), nil},
	})
	if err != nil {
		panic(err)
	}
	data, _ := st.Read(ctx, "offsets/0")
	fmt.Printf("%s\n", data)
	id, e, _ := l.Latest(ctx)
	fmt.Println(id, e.Metadata.BatchTimestampMs, string(e.Offsets[0]), e.Offsets[1] == nil)
	// Output:
	// v1
	// {"batchWatermarkMs":0,"batchTimestampMs":1719290931555,"conf":{"spark.sql.shuffle.partitions":"5"}}
	// {"logOffset":0}
	// -
	// 0 1719290931555 {"logOffset":0} true
}
