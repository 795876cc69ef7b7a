package testutil

import (
	"os/exec"
	"syscall"
)

// DieWithParent makes the kernel kill cmd when the test binary dies, so a
// test killed by -timeout leaves no server running.
func DieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
