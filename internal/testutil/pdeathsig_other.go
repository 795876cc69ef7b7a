//go:build !linux

package testutil

import "os/exec"

// DieWithParent is a no-op where the kernel cannot kill a child with its
// parent; test cleanup still stops the server.
func DieWithParent(*exec.Cmd) {}
