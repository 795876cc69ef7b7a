// Package benchfmt is what the benchmark reports share: the machine they
// ran on and how their figures print. internal/benchmd (the go test -bench
// sections of BENCHMARKS.md) and the bench module's sluicebench (the
// side-by-side sections) both use it, so the two parts of one file agree.
package benchfmt

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// CPUModel is the CPU's model name from /proc/cpuinfo, "unknown" if it
// cannot be read.
func CPUModel() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	for _, l := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(l, "model name") {
			if i := strings.Index(l, ":"); i >= 0 {
				return strings.TrimSpace(l[i+1:])
			}
		}
	}
	return "unknown"
}

// MemTotal is the machine's memory from /proc/meminfo, e.g. "23.5 GiB";
// "unknown" if it cannot be read.
func MemTotal() string {
	data, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return "unknown"
	}
	for _, l := range strings.Split(string(data), "\n") {
		f := strings.Fields(l)
		if len(f) >= 2 && f[0] == "MemTotal:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return fmt.Sprintf("%.1f GiB", kb/(1<<20))
		}
	}
	return "unknown"
}

// Num prints a figure with an SI suffix and three or four significant
// digits: 25.47 M, 909.0 K, 12.5.
func Num(v float64) string {
	switch {
	case v >= 1e9:
		return fmt.Sprintf("%.2f G", v/1e9)
	case v >= 1e6:
		return fmt.Sprintf("%.2f M", v/1e6)
	case v >= 1e4:
		return fmt.Sprintf("%.1f K", v/1e3)
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}
