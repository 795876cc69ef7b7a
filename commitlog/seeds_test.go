package commitlog_test

import (
	"testing"

	"github.com/sluicestream/sluice/internal/metalog/metalogtest"
)

// TestFuzzSeeds checks that the seed corpus of FuzzParseCommitEntry holds
// every Spark commits fixture (see metalogtest.CheckFuzzSeeds to refresh it).
func TestFuzzSeeds(t *testing.T) {
	metalogtest.CheckFuzzSeeds(t, "FuzzParseCommitEntry", commitFixtures(t))
}
