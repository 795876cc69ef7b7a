package metalog

import (
	"fmt"
	"strconv"

	"github.com/sluicestream/sluice/batch"
)

// Gap is a run of missing ids, From through To inclusive.
type Gap struct{ From, To batch.ID }

func (g Gap) String() string {
	if g.From == g.To {
		return strconv.FormatInt(int64(g.From), 10)
	}
	return fmt.Sprintf("%d..%d", g.From, g.To)
}

// Gaps returns the runs of ids missing between the lowest and the highest of
// ids (ascending, as List returns them), ascending. Ids below the lowest are
// purged, not missing. See the package doc for when a gap is legitimate.
func Gaps(ids []batch.ID) []Gap {
	var gaps []Gap
	for i := 1; i < len(ids); i++ {
		if ids[i] > ids[i-1]+1 {
			gaps = append(gaps, Gap{ids[i-1] + 1, ids[i] - 1})
		}
	}
	return gaps
}

// CheckDense returns a *checkpoint.CorruptionError naming the first missing
// entry of directory dir if ids (ascending) has a gap, and nil otherwise.
// Call it where ids are expected dense: a log Sluice wrote.
func CheckDense(dir string, ids []batch.ID) error {
	gaps := Gaps(ids)
	if len(gaps) == 0 {
		return nil
	}
	g := gaps[0]
	return corrupt(dir+"/"+strconv.FormatInt(int64(g.From), 10), -1, fmt.Sprintf(
		"missing: the log has batches %d and %d but not %v (ids must be dense; "+
			"only a Spark checkpoint written with asyncProgressTrackingEnabled has gaps)",
		g.From-1, g.To+1, g), nil)
}
