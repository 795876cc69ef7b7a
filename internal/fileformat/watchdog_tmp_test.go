package fileformat

import (
	"os"
	"runtime"
	"time"
)

func init() {
	go func() {
		last := fuzzTick.Load()
		for range time.Tick(5 * time.Second) {
			cur := fuzzTick.Load()
			if cur == last && fuzzBusy.Load() {
				buf := make([]byte, 1<<20)
				n := runtime.Stack(buf, true)
				os.WriteFile("/tmp/fileformat_hang.txt", buf[:n], 0o644)
				os.WriteFile("/tmp/fileformat_hang_input.bin", fuzzInput.Load().([]byte), 0o644)
				panic("hang")
			}
			last = cur
		}
	}()
}
