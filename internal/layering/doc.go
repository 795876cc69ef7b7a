// Package layering holds the test that enforces DESIGN.md §1: a package
// imports only packages on lower lines of the layer table. It has no code of
// its own.
package layering
