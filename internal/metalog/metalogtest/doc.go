// Package metalogtest holds what the tests of package metalog and of the
// typed logs built on it (offsetlog, commitlog) share: a Storage that fails
// on demand, checks that an error is corruption or I/O failure, the Spark
// checkpoint fixtures, and checks any metalog.Typed log must pass. Each
// package's tests still state their own cases; this package only runs them.
//
//	func TestIOErrorIsNotCorruption(t *testing.T) {
//		metalogtest.IOErrors(t, offsetlog.New, offsetlog.Entry{})
//	}
//
// The fixtures are found from the working directory of the test (the
// package directory), in testdata/spark-checkpoints of the nearest
// directory above it that has one; a test that needs them fails, saying so,
// when there is none.
//
// Helpers report failures on the *testing.T they are given; the ones that
// start goroutines wait for all of them before returning.
package metalogtest
