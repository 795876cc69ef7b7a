package engine

import (
	"encoding/json"

	"github.com/sluicestream/sluice/batch"
)

// Progress describes one completed batch, with the field names of Spark's
// StreamingQueryProgress, so that dashboards and scripts written for Spark
// read it. JSON renders it as Spark's progress.json does.
type Progress struct {
	ID                     string                  `json:"id"`
	RunID                  string                  `json:"runId"`
	Name                   string                  `json:"name"`
	Timestamp              string                  `json:"timestamp"` // batch start, ISO 8601 UTC
	BatchID                batch.ID                `json:"batchId"`
	BatchDuration          int64                   `json:"batchDuration"`
	NumInputRows           int64                   `json:"numInputRows"`
	InputRowsPerSecond     float64                 `json:"inputRowsPerSecond"`
	ProcessedRowsPerSecond float64                 `json:"processedRowsPerSecond"`
	DurationMs             map[string]int64        `json:"durationMs"`
	EventTime              map[string]string       `json:"eventTime,omitempty"`
	StateOperators         []StateOperatorProgress `json:"stateOperators"`
	Sources                []SourceProgress        `json:"sources"`
	Sink                   SinkProgress            `json:"sink"`
}

// StateOperatorProgress is Spark's StateOperatorProgress, summed over the
// operator's partitions.
type StateOperatorProgress struct {
	OperatorName              string           `json:"operatorName"`
	NumRowsTotal              int64            `json:"numRowsTotal"`
	NumRowsUpdated            int64            `json:"numRowsUpdated"`
	AllUpdatesTimeMs          int64            `json:"allUpdatesTimeMs"`
	NumRowsRemoved            int64            `json:"numRowsRemoved"`
	AllRemovalsTimeMs         int64            `json:"allRemovalsTimeMs"`
	CommitTimeMs              int64            `json:"commitTimeMs"`
	MemoryUsedBytes           int64            `json:"memoryUsedBytes"`
	NumRowsDroppedByWatermark int64            `json:"numRowsDroppedByWatermark"`
	NumShufflePartitions      int64            `json:"numShufflePartitions"`
	NumStateStoreInstances    int64            `json:"numStateStoreInstances"`
	CustomMetrics             map[string]int64 `json:"customMetrics"`
}

// SourceProgress is Spark's SourceProgress; offsets are the sources' JSON.
type SourceProgress struct {
	Description            string          `json:"description"`
	StartOffset            json.RawMessage `json:"startOffset"`
	EndOffset              json.RawMessage `json:"endOffset"`
	LatestOffset           json.RawMessage `json:"latestOffset"`
	NumInputRows           int64           `json:"numInputRows"`
	InputRowsPerSecond     float64         `json:"inputRowsPerSecond"`
	ProcessedRowsPerSecond float64         `json:"processedRowsPerSecond"`
}

// SinkProgress is Spark's SinkProgress.
type SinkProgress struct {
	Description   string `json:"description"`
	NumOutputRows int64  `json:"numOutputRows"`
}

// JSON renders p as Spark's StreamingQueryProgress.json does (indented).
func (p *Progress) JSON() string {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return "{}" // unreachable: every field marshals
	}
	return string(b)
}

// Status is Spark's StreamingQueryStatus.
type Status struct {
	Message         string `json:"message"`
	IsDataAvailable bool   `json:"isDataAvailable"`
	IsTriggerActive bool   `json:"isTriggerActive"`
}
