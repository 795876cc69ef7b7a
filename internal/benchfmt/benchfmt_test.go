package benchfmt

import "testing"

func TestNum(t *testing.T) {
	for v, want := range map[float64]string{
		25_470_000:    "25.47 M",
		909_000:       "909.0 K",
		12.5:          "12.5",
		2_500_000_000: "2.50 G",
		0.02063:       "0.02063",
	} {
		if got := Num(v); got != want {
			t.Errorf("Num(%v) = %q, want %q", v, got, want)
		}
	}
}

func TestMachine(t *testing.T) {
	if CPUModel() == "" || MemTotal() == "" {
		t.Fatal("empty machine description")
	}
}
