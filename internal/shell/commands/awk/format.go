package awk

import (
	"math"
	"strconv"
	"strings"
)

// printf as mawk does it: %c and %s are formatted by mawk itself (so "%05s" pads with
// blanks), the numeric conversions by glibc's printf with an int (d, i), an unsigned int
// (o, x, X, u) or a double (e, f, g, E, G). The commands package's sprintfC formats Go values
// with 64-bit integers and Go's flag rules; mawk clamps to 32 bits and follows C's, so the
// conversions are written out here.

type fmtSpec struct {
	minus, plus, space, zero, hash bool
	width, prec                    int
	hasPrec                        bool
}

func pad(s string, sp fmtSpec, zeroOK bool, signLen int) string {
	if len(s) >= sp.width {
		return s
	}
	n := sp.width - len(s)
	switch {
	case sp.minus:
		return s + strings.Repeat(" ", n)
	case sp.zero && zeroOK:
		return s[:signLen] + strings.Repeat("0", n) + s[signLen:]
	}
	return strings.Repeat(" ", n) + s
}

// fmtInt formats v for d/i (signed) or o/x/X/u (unsigned, v already reduced).
func fmtInt(sp fmtSpec, conv byte, v int64) string {
	neg := v < 0
	u := uint64(v)
	if neg {
		u = uint64(-v)
	}
	var digits string
	switch conv {
	case 'o':
		digits = strconv.FormatUint(u, 8)
	case 'x':
		digits = strconv.FormatUint(u, 16)
	case 'X':
		digits = strings.ToUpper(strconv.FormatUint(u, 16))
	default:
		digits = strconv.FormatUint(u, 10)
	}
	if sp.hasPrec {
		if sp.prec == 0 && u == 0 {
			digits = ""
		}
		if len(digits) < sp.prec {
			digits = strings.Repeat("0", sp.prec-len(digits)) + digits
		}
	}
	prefix := ""
	switch conv {
	case 'd', 'i':
		switch {
		case neg:
			prefix = "-"
		case sp.plus:
			prefix = "+"
		case sp.space:
			prefix = " "
		}
	case 'o':
		if sp.hash && !strings.HasPrefix(digits, "0") {
			digits = "0" + digits
		}
	case 'x':
		if sp.hash && u != 0 {
			prefix = "0x"
		}
	case 'X':
		if sp.hash && u != 0 {
			prefix = "0X"
		}
	}
	return pad(prefix+digits, sp, !sp.hasPrec, len(prefix))
}

func signPrefix(sp fmtSpec, neg bool) string {
	switch {
	case neg:
		return "-"
	case sp.plus:
		return "+"
	case sp.space:
		return " "
	}
	return ""
}

// fmtFloat formats f for e, E, f, F, g, G as glibc does.
func fmtFloat(sp fmtSpec, conv byte, f float64) string {
	neg := math.Signbit(f)
	if math.IsInf(f, 0) || math.IsNaN(f) {
		s := "inf"
		if math.IsNaN(f) {
			s = "nan"
		}
		if conv >= 'A' && conv <= 'Z' {
			s = strings.ToUpper(s)
		}
		pre := signPrefix(sp, neg)
		return pad(pre+s, sp, false, len(pre))
	}
	if conv == 'g' || conv == 'G' {
		return fmtG(sp, conv, f)
	}
	prec := 6
	if sp.hasPrec {
		prec = sp.prec
	}
	a := math.Abs(f)
	var body string
	switch conv {
	case 'f', 'F':
		body = strconv.FormatFloat(a, 'f', prec, 64)
		if sp.hash && prec == 0 {
			body += "."
		}
	default:
		body = strconv.FormatFloat(a, 'e', prec, 64)
		if sp.hash && prec == 0 {
			k := strings.IndexByte(body, 'e')
			body = body[:k] + "." + body[k:]
		}
		if conv == 'E' {
			body = strings.ToUpper(body)
		}
	}
	pre := signPrefix(sp, neg)
	return pad(pre+body, sp, true, len(pre))
}

// fmtG is C's %g: precision P (default 6, 0 means 1), e-style when the exponent is < -4
// or >= P, trailing zeros removed unless '#'.
func fmtG(sp fmtSpec, conv byte, f float64) string {
	neg := math.Signbit(f)
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return fmtFloat(sp, conv, f)
	}
	p := 6
	if sp.hasPrec {
		p = sp.prec
	}
	if p == 0 {
		p = 1
	}
	a := math.Abs(f)
	var body string
	x := 0
	if a != 0 {
		es := strconv.FormatFloat(a, 'e', p-1, 64)
		k := strings.LastIndexByte(es, 'e')
		x, _ = strconv.Atoi(es[k+1:])
	}
	if x < -4 || x >= p {
		body = strconv.FormatFloat(a, 'e', p-1, 64)
		if !sp.hash {
			k := strings.IndexByte(body, 'e')
			m := body[:k]
			if strings.Contains(m, ".") {
				m = strings.TrimRight(strings.TrimRight(m, "0"), ".")
			}
			body = m + body[k:]
		} else if p-1 == 0 {
			k := strings.IndexByte(body, 'e')
			body = body[:k] + "." + body[k:]
		}
		if conv == 'G' {
			body = strings.ToUpper(body)
		}
	} else {
		body = strconv.FormatFloat(a, 'f', p-1-x, 64)
		if !sp.hash {
			if strings.Contains(body, ".") {
				body = strings.TrimRight(strings.TrimRight(body, "0"), ".")
			}
		} else if !strings.Contains(body, ".") {
			body += "."
		}
	}
	pre := signPrefix(sp, neg)
	return pad(pre+body, sp, true, len(pre))
}

// formatOne applies a one-conversion format (OFMT, CONVFMT) to a number, as sprintf(fmt, d)
// does in mawk.
func formatOne(format string, f float64) string {
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			b.WriteByte(format[i])
			continue
		}
		if i+1 < len(format) && format[i+1] == '%' {
			b.WriteByte('%')
			i++
			continue
		}
		sp, conv, _, n := parseSpec(format[i:])
		i += n - 1
		switch conv {
		case 'd', 'i':
			b.WriteString(fmtInt(sp, conv, int64(dToI(f))))
		case 'o', 'x', 'X', 'u':
			b.WriteString(fmtInt(sp, conv, int64(dToU(f))))
		case 'e', 'E', 'f', 'F', 'g', 'G':
			b.WriteString(fmtFloat(sp, conv, f))
		case 's':
			b.WriteString(fmtG(fmtSpec{prec: 6, hasPrec: true}, 'g', f))
		case 'c':
			b.WriteByte(byte(dToI(f)))
		}
	}
	return b.String()
}

// parseSpec reads "%[flags][width][.prec][lh]conv" (no '*') and returns the spec, the
// conversion, the length modifier and the length read.
func parseSpec(s string) (fmtSpec, byte, byte, int) {
	var sp fmtSpec
	i := 1
	for ; i < len(s); i++ {
		switch s[i] {
		case '-':
			sp.minus = true
		case '+':
			sp.plus = true
		case ' ':
			sp.space = true
		case '#':
			sp.hash = true
		case '0':
			sp.zero = true
		case '\'':
		default:
			goto width
		}
	}
width:
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		sp.width = sp.width*10 + int(s[i]-'0')
		i++
	}
	if i < len(s) && s[i] == '.' {
		sp.hasPrec = true
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			sp.prec = sp.prec*10 + int(s[i]-'0')
			i++
		}
	}
	var mod byte
	if i < len(s) && (s[i] == 'l' || s[i] == 'h') {
		mod = s[i]
		i++
	}
	if i < len(s) {
		return sp, s[i], mod, i + 1
	}
	return sp, 0, mod, i
}

// printfError is a run-time error raised while formatting; out holds what was produced
// before it (printf writes that part, as mawk does).
type printfError struct {
	msg   string
	limit bool // "program limit exceeded" rather than "run time error"
}

const sprintfLimit = 8192

// maxPad bounds a width or precision: wider output is refused as mawk refuses memory.
const maxPad = 1 << 20

// sprintf formats args by format as printf/sprintf do; who is "printf" or "sprintf".
func (in *interp) sprintf(who, format string, args []cell) (string, *printfError) {
	if i := strings.IndexByte(format, 0); i >= 0 {
		format = format[:i]
	}
	var b strings.Builder
	conv := 0
	badConv := func() *printfError {
		return &printfError{msg: "improper conversion(number " + strconv.Itoa(conv) + ") in " + who + "(\"" + format + "\")"}
	}
	q := 0
	for {
		for q < len(format) && format[q] != '%' {
			b.WriteByte(format[q])
			q++
		}
		if q >= len(format) {
			return b.String(), nil
		}
		conv++
		q++
		if q < len(format) && format[q] == '%' {
			b.WriteByte('%')
			q++
			continue
		}
		var sp fmtSpec
		var sFlags struct{ space, minus bool }
	flags:
		for ; q < len(format); q++ {
			switch format[q] {
			case '-':
				sp.minus = true
				sFlags.minus = true
			case '+':
				sp.plus = true
			case ' ':
				sp.space = true
				sFlags.space = true
			case '#':
				sp.hash = true
			case '0':
				sp.zero = true
			case '\'':
			default:
				break flags
			}
		}
		var ast []int
		hasWidth, sHasPrec := false, false
		sWidthDigits, sPrecDigits := 0, 0
		if q < len(format) && format[q] == '*' {
			if len(args) == 0 {
				return b.String(), &printfError{msg: "not enough arguments passed to " + who + "(\"" + format + "\")"}
			}
			w := dToI(toNum(args[0]))
			args = args[1:]
			ast = append(ast, w)
			sp.width = w
			hasWidth = true
			q++
		} else {
			for q < len(format) && format[q] >= '0' && format[q] <= '9' {
				sp.width = sp.width*10 + int(format[q]-'0')
				sWidthDigits++
				q++
			}
			hasWidth = sWidthDigits > 0
		}
		if q < len(format) && format[q] == '.' {
			q++
			sp.hasPrec = true
			if q < len(format) && format[q] == '*' {
				if len(args) == 0 {
					return b.String(), &printfError{msg: "not enough arguments passed to " + who + "(\"" + format + "\")"}
				}
				p := dToI(toNum(args[0]))
				args = args[1:]
				ast = append(ast, p)
				sp.prec = p
				sHasPrec = true
				q++
			} else {
				for q < len(format) && format[q] >= '0' && format[q] <= '9' {
					sp.prec = sp.prec*10 + int(format[q]-'0')
					sPrecDigits++
					q++
				}
				sHasPrec = sPrecDigits > 0
			}
		}
		if len(args) == 0 {
			return b.String(), &printfError{msg: "not enough arguments passed to " + who + "(\"" + format + "\")"}
		}
		var mod byte
		if q < len(format) && (format[q] == 'l' || format[q] == 'h') {
			mod = format[q]
			q++
		}
		var c byte
		if q < len(format) {
			c = format[q]
			q++
		}
		if sp.width < 0 {
			sp.minus = true
			sp.width = -sp.width
		}
		if sp.prec < 0 {
			sp.hasPrec = false
		}
		if sp.width > maxPad || sp.prec > maxPad {
			return b.String(), &printfError{msg: "out of memory"}
		}
		arg := args[0]
		args = args[1:]
		switch c {
		case 's', 'c':
			if mod != 0 {
				return b.String(), badConv()
			}
			var s string
			if c == 's' {
				s = in.toStr(arg)
			} else {
				s = string([]byte{in.charOf(arg)})
			}
			// mawk's own %s: blanks only, and "% s" of "" gives one blank.
			if sFlags.space && s == "" {
				b.WriteByte(' ')
			}
			if sHasPrec && sp.prec < len(s) && sp.prec >= 0 {
				s = s[:sp.prec]
			}
			w := len(s)
			if hasWidth {
				w = sp.width
			}
			if len(s) < w && !sp.minus {
				b.WriteString(strings.Repeat(" ", w-len(s)))
			}
			b.WriteString(s)
			if len(s) < w && sp.minus {
				b.WriteString(strings.Repeat(" ", w-len(s)))
			}
		case 'd', 'i':
			v := int64(dToI(toNum(arg)))
			switch mod {
			case 'h':
				v = int64(int16(v))
			case 'l':
				v = int64(uint32(int32(v)))
			}
			b.WriteString(fmtInt(sp, c, v))
		case 'o', 'x', 'X', 'u':
			v := int64(dToU(toNum(arg)))
			if mod == 'h' {
				v = int64(uint16(v))
			}
			b.WriteString(fmtInt(sp, c, v))
		case 'e', 'g', 'f', 'E', 'G':
			if mod != 0 {
				return b.String(), badConv()
			}
			b.WriteString(fmtFloat(sp, c, toNum(arg)))
		default:
			return b.String(), badConv()
		}
		if who == "sprintf" && b.Len() >= sprintfLimit-1 {
			return "", &printfError{msg: "sprintf buffer size=8192", limit: true}
		}
	}
}

// charOf is the byte %c prints for a value: a number's low byte, a string's first byte
// (NUL for "").
func (in *interp) charOf(c cell) byte {
	c = resolve(c)
	switch c.k {
	case kNum, kStrNum:
		return byte(dToI(c.n))
	case kStr:
		if c.s == "" {
			return 0
		}
		return c.s[0]
	}
	return 0
}
