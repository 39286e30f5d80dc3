package commands

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// sprintfC formats one value with one C printf directive (spec is "%[flags][width][.prec]conv"),
// as glibc's printf does: used by awk's printf, seq -f and find -printf. v is a float64,
// int64 or string; it is converted as C's varargs would be.
func sprintfC(spec string, v any) string {
	if len(spec) < 2 {
		return spec
	}
	conv := spec[len(spec)-1]
	body := spec[1 : len(spec)-1]
	// Strip C length modifiers (l, ll, h, q, L, j, z, t).
	body = strings.TrimRight(body, "lhqLjzt")
	toF := func() float64 {
		switch x := v.(type) {
		case float64:
			return x
		case int64:
			return float64(x)
		case int:
			return float64(x)
		case string:
			f, _ := strconv.ParseFloat(strings.TrimSpace(x), 64)
			return f
		}
		return 0
	}
	toI := func() int64 {
		switch x := v.(type) {
		case int64:
			return x
		case int:
			return int64(x)
		}
		f := toF()
		if math.IsNaN(f) {
			return math.MinInt64
		}
		if f >= 9.2233720368547758e18 {
			return math.MaxInt64
		}
		if f <= -9.2233720368547758e18 {
			return math.MinInt64
		}
		return int64(f)
	}
	switch conv {
	case 'd', 'i':
		return fmt.Sprintf("%"+body+"d", toI())
	case 'u':
		n := toI()
		if n < 0 {
			return fmt.Sprintf("%"+body+"d", uint64(n))
		}
		return fmt.Sprintf("%"+body+"d", n)
	case 'x', 'X', 'o':
		n := toI()
		s := fmt.Sprintf("%"+body+string(conv), uint64(n))
		return s
	case 'c':
		switch x := v.(type) {
		case string:
			if x == "" {
				return fmt.Sprintf("%"+body+"s", "")
			}
			return fmt.Sprintf("%"+body+"s", x[:1])
		}
		n := toI()
		return fmt.Sprintf("%"+body+"s", string([]byte{byte(n)}))
	case 's':
		var s string
		switch x := v.(type) {
		case string:
			s = x
		case float64:
			s = strconv.FormatFloat(x, 'g', -1, 64)
		case int64:
			s = strconv.FormatInt(x, 10)
		}
		return fmt.Sprintf("%"+body+"s", s)
	case 'e', 'E', 'f', 'F':
		f := toF()
		if conv == 'F' {
			conv = 'f'
		}
		return cInfNaN(fmt.Sprintf("%"+body+string(conv), f), conv)
	case 'g', 'G':
		return formatG(body, conv, toF())
	case 'a', 'A':
		return fmt.Sprintf("%"+body+"x", toF())
	}
	return spec
}

// cInfNaN renders Go's +Inf/NaN the C way.
func cInfNaN(s string, conv byte) string {
	upper := conv >= 'A' && conv <= 'Z'
	r := strings.NewReplacer("+Inf", "inf", "-Inf", "-inf", "Inf", "inf", "NaN", "nan")
	s = r.Replace(s)
	if upper {
		s = strings.ToUpper(s)
	}
	return s
}

// formatG implements C's %g: precision P (default 6, 0 means 1); style e when the exponent
// is < -4 or >= P; trailing zeros removed unless '#'.
func formatG(body string, conv byte, f float64) string {
	flags := ""
	i := 0
	for i < len(body) && strings.IndexByte("-+ #0", body[i]) >= 0 {
		i++
	}
	flags = body[:i]
	rest := body[i:]
	width := ""
	prec := 6
	if j := strings.IndexByte(rest, '.'); j >= 0 {
		width = rest[:j]
		p, err := strconv.Atoi(rest[j+1:])
		if err != nil {
			p = 0
		}
		prec = p
	} else {
		width = rest
	}
	if prec == 0 {
		prec = 1
	}
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return cInfNaN(fmt.Sprintf("%"+flags+width+"g", f), conv)
	}
	alt := strings.Contains(flags, "#")
	var s string
	if f == 0 {
		s = "0"
		if alt {
			s = "0." + strings.Repeat("0", prec-1)
		}
		if math.Signbit(f) {
			s = "-" + s
		}
	} else {
		// Exponent after rounding to prec significant digits.
		es := strconv.FormatFloat(f, 'e', prec-1, 64)
		k := strings.LastIndexByte(es, 'e')
		x, _ := strconv.Atoi(es[k+1:])
		if x < -4 || x >= prec {
			mant := es[:k]
			if !alt && strings.Contains(mant, ".") {
				mant = strings.TrimRight(strings.TrimRight(mant, "0"), ".")
			}
			exp := x
			sign := "+"
			if exp < 0 {
				sign, exp = "-", -exp
			}
			e := "e"
			if conv == 'G' {
				e = "E"
			}
			s = fmt.Sprintf("%s%s%s%02d", mant, e, sign, exp)
		} else {
			s = strconv.FormatFloat(f, 'f', prec-1-x, 64)
			if !alt && strings.Contains(s, ".") {
				s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
			}
		}
	}
	if strings.Contains(flags, "+") && !strings.HasPrefix(s, "-") {
		s = "+" + s
	} else if strings.Contains(flags, " ") && !strings.HasPrefix(s, "-") {
		s = " " + s
	}
	w, _ := strconv.Atoi(width)
	if len(s) < w {
		switch {
		case strings.Contains(flags, "-"):
			s += strings.Repeat(" ", w-len(s))
		case strings.Contains(flags, "0"):
			sign := ""
			if s[0] == '-' || s[0] == '+' || s[0] == ' ' {
				sign, s = s[:1], s[1:]
			}
			s = sign + strings.Repeat("0", w-len(s)-len(sign)) + s
		default:
			s = strings.Repeat(" ", w-len(s)) + s
		}
	}
	return s
}

// formatNumberG formats like C "%.6g" (awk's default OFMT/CONVFMT).
func formatNumberG(f float64) string { return formatG(".6", 'g', f) }
