package expr

// The loops below compare a slice of numbers with a constant and pack the
// answers straight into a bitmap, eight rows a byte. One function per
// operator, not one taking the operator as a func: a func parameter is an
// indirect call per row, and generic methods on empty op types share one GC
// shape, which makes them indirect calls too. Bit i of out is for v[i]; out
// is zeroed and has room for len(v) bits.

// pack8 packs eight comparison results into a byte, the first in bit 0.
func pack8(b0, b1, b2, b3, b4, b5, b6, b7 bool) byte {
	return b2u(b0) | b2u(b1)<<1 | b2u(b2)<<2 | b2u(b3)<<3 |
		b2u(b4)<<4 | b2u(b5)<<5 | b2u(b6)<<6 | b2u(b7)<<7
}

func packEq[T numberT](v []T, c T, out []byte) {
	full := len(v) &^ 7
	for i := 0; i < full; i += 8 {
		w := (*[8]T)(v[i:])
		out[i>>3] = pack8(w[0] == c, w[1] == c, w[2] == c, w[3] == c, w[4] == c, w[5] == c, w[6] == c, w[7] == c)
	}
	for i := full; i < len(v); i++ {
		out[i>>3] |= b2u(v[i] == c) << (i & 7)
	}
}

func packLt[T numberT](v []T, c T, out []byte) {
	full := len(v) &^ 7
	for i := 0; i < full; i += 8 {
		w := (*[8]T)(v[i:])
		out[i>>3] = pack8(w[0] < c, w[1] < c, w[2] < c, w[3] < c, w[4] < c, w[5] < c, w[6] < c, w[7] < c)
	}
	for i := full; i < len(v); i++ {
		out[i>>3] |= b2u(v[i] < c) << (i & 7)
	}
}

func packLtEq[T numberT](v []T, c T, out []byte) {
	full := len(v) &^ 7
	for i := 0; i < full; i += 8 {
		w := (*[8]T)(v[i:])
		out[i>>3] = pack8(w[0] <= c, w[1] <= c, w[2] <= c, w[3] <= c, w[4] <= c, w[5] <= c, w[6] <= c, w[7] <= c)
	}
	for i := full; i < len(v); i++ {
		out[i>>3] |= b2u(v[i] <= c) << (i & 7)
	}
}

func packGt[T numberT](v []T, c T, out []byte) {
	full := len(v) &^ 7
	for i := 0; i < full; i += 8 {
		w := (*[8]T)(v[i:])
		out[i>>3] = pack8(w[0] > c, w[1] > c, w[2] > c, w[3] > c, w[4] > c, w[5] > c, w[6] > c, w[7] > c)
	}
	for i := full; i < len(v); i++ {
		out[i>>3] |= b2u(v[i] > c) << (i & 7)
	}
}

func packGtEq[T numberT](v []T, c T, out []byte) {
	full := len(v) &^ 7
	for i := 0; i < full; i += 8 {
		w := (*[8]T)(v[i:])
		out[i>>3] = pack8(w[0] >= c, w[1] >= c, w[2] >= c, w[3] >= c, w[4] >= c, w[5] >= c, w[6] >= c, w[7] >= c)
	}
	for i := full; i < len(v); i++ {
		out[i>>3] |= b2u(v[i] >= c) << (i & 7)
	}
}
