// Package storagetest is the conformance suite every checkpoint.Storage
// passes. An implementation's test calls Run with a function that opens a
// fresh, empty storage:
//
//	func TestConformance(t *testing.T) {
//		storagetest.Run(t, func(t *testing.T) checkpoint.Storage {
//			return checkpoint.NewMem()
//		})
//	}
//
// The suite checks the contract of checkpoint.Storage as written in its doc
// comments: the sentinels ErrNotExist, ErrExist and ErrInvalidPath, that
// Create decides concurrent writers of one name, that readers see files
// whole, bytewise-sorted List with trailing "/" on directories, and that a
// done context stops every operation. It does not test durability across a
// crash; that is each implementation's own test (see the local storage's
// crash tests in package checkpoint).
//
// Subtests run one after another; each opens its own storage, and the ones
// that start goroutines wait for all of them before returning.
package storagetest
