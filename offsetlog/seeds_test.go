package offsetlog_test

import (
	"testing"

	"github.com/sluicestream/sluice/internal/metalog/metalogtest"
)

// TestFuzzSeeds checks that the seed corpus of FuzzParseOffsetEntry holds
// every Spark offsets fixture (see metalogtest.CheckFuzzSeeds to refresh it).
func TestFuzzSeeds(t *testing.T) {
	metalogtest.CheckFuzzSeeds(t, "FuzzParseOffsetEntry", offsetFixtures(t))
}
