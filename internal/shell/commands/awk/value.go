package awk

import (
	"math"
	"strconv"
	"strings"
)

// Values follow mawk's cells: a value is uninitialised, a number, a string, or a string that
// looks like a number ("strnum", from input: fields, getline, split, ARGV, ENVIRON, -v).
// Input strings are checked lazily (mawk's C_MBSTRN), which gives the same answers as
// checking them at once.

type kind uint8

const (
	kNoInit kind = iota
	kNum
	kStr
	kStrNum // a string known to look numeric; n holds its value
	kMaybe  // an input string not yet checked
)

type cell struct {
	k kind
	n float64
	s string
}

func num(f float64) cell  { return cell{k: kNum, n: f} }
func str(s string) cell   { return cell{k: kStr, s: s} }
func maybe(s string) cell { return cell{k: kMaybe, s: s} }
func boolNum(b bool) cell { return cell{k: kNum, n: b2f(b)} }
func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
func isBlank(c byte) bool  { return c == ' ' || c == '\t' || c == '\n' }
func isCSpace(c byte) bool { return c == ' ' || (c >= '\t' && c <= '\r') }

// maxInt is mawk's Max_Int: integers print as integers only within ±maxInt.
const maxInt = 2147483647

// dToI is mawk's d_to_I: clamps to ±maxInt, NaN goes to -maxInt.
func dToI(d float64) int {
	if d >= maxInt {
		return maxInt
	}
	if d > -maxInt {
		return int(d)
	}
	return -maxInt
}

// dToU is mawk's d_to_U: clamps to [0, 2^32-1], NaN goes to 0.
func dToU(d float64) uint32 {
	if d >= 4294967295 {
		return 4294967295
	}
	if d > 0 {
		return uint32(d)
	}
	return 0
}

// strtod parses the longest prefix of s that C's strtod accepts and returns its value and
// length (0 when nothing was accepted).
func strtod(s string) (float64, int) {
	i := 0
	for i < len(s) && isCSpace(s[i]) {
		i++
	}
	start := i
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	sign := func(f float64) float64 {
		if neg {
			return -f
		}
		return f
	}
	rest := s[i:]
	if len(rest) >= 3 {
		switch strings.ToLower(rest[:3]) {
		case "inf":
			n := 3
			if len(rest) >= 8 && strings.EqualFold(rest[:8], "infinity") {
				n = 8
			}
			return sign(math.Inf(1)), i + n
		case "nan":
			n := 3
			if n < len(rest) && rest[n] == '(' {
				j := n + 1
				for j < len(rest) && (isAlnum(rest[j]) || rest[j] == '_') {
					j++
				}
				if j < len(rest) && rest[j] == ')' {
					n = j + 1
				}
			}
			nan := math.Float64frombits(0x7ff8000000000000)
			if neg {
				nan = math.Float64frombits(0xfff8000000000000)
			}
			return nan, i + n
		}
	}
	if len(rest) >= 2 && rest[0] == '0' && (rest[1] == 'x' || rest[1] == 'X') {
		j := 2
		digits := 0
		for j < len(rest) && hexVal(rest[j]) >= 0 {
			j++
			digits++
		}
		if j < len(rest) && rest[j] == '.' {
			j++
			for j < len(rest) && hexVal(rest[j]) >= 0 {
				j++
				digits++
			}
		}
		if digits > 0 {
			mant := rest[:j]
			exp := "p0"
			if j < len(rest) && (rest[j] == 'p' || rest[j] == 'P') {
				k := j + 1
				if k < len(rest) && (rest[k] == '+' || rest[k] == '-') {
					k++
				}
				if k < len(rest) && rest[k] >= '0' && rest[k] <= '9' {
					for k < len(rest) && rest[k] >= '0' && rest[k] <= '9' {
						k++
					}
					exp = rest[j:k]
					j = k
				}
			}
			if strings.HasSuffix(mant, ".") {
				mant += "0"
			}
			f, _ := strconv.ParseFloat(mant+exp, 64)
			return sign(f), i + j
		}
		// "0x" without hex digits: just the 0.
		return sign(0), i + 1
	}
	j := 0
	digits := 0
	for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
		j++
		digits++
	}
	if j < len(rest) && rest[j] == '.' {
		j++
		for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
			j++
			digits++
		}
	}
	if digits == 0 {
		return 0, 0
	}
	if j < len(rest) && (rest[j] == 'e' || rest[j] == 'E') {
		k := j + 1
		if k < len(rest) && (rest[k] == '+' || rest[k] == '-') {
			k++
		}
		if k < len(rest) && rest[k] >= '0' && rest[k] <= '9' {
			for k < len(rest) && rest[k] >= '0' && rest[k] <= '9' {
				k++
			}
			j = k
		}
	}
	f, _ := strconv.ParseFloat(rest[:j], 64)
	_ = start
	return sign(f), i + j
}

func isAlnum(c byte) bool {
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

// strToNum is the numeric value of a string (strtod of its prefix).
func strToNum(s string) float64 {
	f, _ := strtod(s)
	return f
}

// looksNumeric is mawk's check_strnum: blanks around a number that strtod takes whole and
// that ends in a digit or '.'; overflow makes it a plain string.
func looksNumeric(s string) (float64, bool) {
	i, j := 0, len(s)
	for i < j && isBlank(s[i]) {
		i++
	}
	if i == j {
		return 0, false
	}
	for j > i && isBlank(s[j-1]) {
		j--
	}
	last := s[j-1]
	if !(last >= '0' && last <= '9') && last != '.' {
		return 0, false
	}
	switch c := s[i]; {
	case c >= '0' && c <= '9', c == '+', c == '-', c == '.':
	default:
		return 0, false
	}
	f, n := strtod(s[i:])
	if math.IsInf(f, 0) {
		return 0, false
	}
	if n >= j-i {
		return f, true
	}
	return 0, false
}

// resolve turns a kMaybe cell into kStr or kStrNum.
func resolve(c cell) cell {
	if c.k != kMaybe {
		return c
	}
	if f, ok := looksNumeric(c.s); ok {
		return cell{k: kStrNum, n: f, s: c.s}
	}
	return cell{k: kStr, s: c.s}
}

// toNum converts a value to a number.
func toNum(c cell) float64 {
	switch c.k {
	case kNum, kStrNum:
		return c.n
	case kStr, kMaybe:
		return strToNum(c.s)
	}
	return 0
}

// truth is awk's boolean value of c.
func truth(c cell) bool {
	switch c.k {
	case kNum, kStrNum:
		return c.n != 0
	case kStr:
		return c.s != ""
	case kMaybe:
		return truth(resolve(c))
	}
	return false
}

// numToStr converts a number as mawk does: integers within ±maxInt with "%d", others with
// the format (CONVFMT or OFMT).
func numToStr(f float64, format string) string {
	if i := dToI(f); float64(i) == f {
		return strconv.Itoa(i)
	}
	if format == "%.6g" {
		return fmtG(fmtSpec{prec: 6, hasPrec: true}, 'g', f)
	}
	return formatOne(format, f)
}

// compare is mawk's compare(): numbers numerically, strings byte-wise, and the mixed cases
// by its table.
func (in *interp) compare(a, b cell) int {
	a, b = resolve(a), resolve(b)
	numeric := false
	switch {
	case a.k == kNoInit && b.k == kNoInit:
		return 0
	case a.k == kStr || b.k == kStr:
		numeric = false
	default:
		numeric = true
	}
	if numeric {
		x, y := toNum(a), toNum(b)
		switch {
		case x > y:
			return 1
		case x < y:
			return -1
		}
		return 0
	}
	return strings.Compare(in.toStr(a), in.toStr(b))
}

// defaultNaN is what x86 produces for an invalid operation: a NaN with the sign bit set,
// which glibc prints as "-nan".
var defaultNaN = math.Float64frombits(0xfff8000000000000)

// fixNaN gives results of invalid operations the NaN the C library would produce.
func fixNaN(r float64, args ...float64) float64 {
	if !math.IsNaN(r) {
		return r
	}
	for _, a := range args {
		if math.IsNaN(a) {
			return a
		}
	}
	return defaultNaN
}
