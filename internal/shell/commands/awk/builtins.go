package awk

import (
	"math"
	"strings"
	"time"
)

// Built-in functions, each as mawk's bi_funct.c computes it (substr truncates its
// arguments, index("x", "") is 1, rand() is glibc's random() / INT_MAX).

func (in *interp) callBuiltin(c *callExpr) cell {
	args := c.args
	arg := func(i int) cell { return in.eval(args[i]) }
	switch c.name {
	case "length":
		if len(args) == 0 {
			return num(float64(len(in.toStr(in.f0))))
		}
		return num(float64(len(in.toStr(arg(0)))))
	case "index":
		s := in.toStr(arg(0))
		t := in.toStr(arg(1))
		if t == "" {
			return num(1)
		}
		return num(float64(strings.Index(s, t) + 1))
	case "substr":
		return in.substr(args)
	case "sprintf":
		vals := make([]cell, len(args))
		for i := range args {
			vals[i] = arg(i)
		}
		s, err := in.sprintf("sprintf", in.toStr(vals[0]), vals[1:])
		if err != nil {
			panic(&rtError{msg: err.msg, limit: err.limit})
		}
		return str(s)
	case "sin":
		x := toNum(arg(0))
		return num(fixNaN(math.Sin(x), x))
	case "cos":
		x := toNum(arg(0))
		return num(fixNaN(math.Cos(x), x))
	case "atan2":
		y := toNum(arg(0))
		x := toNum(arg(1))
		return num(fixNaN(math.Atan2(y, x), y, x))
	case "exp":
		x := toNum(arg(0))
		return num(fixNaN(math.Exp(x), x))
	case "log":
		x := toNum(arg(0))
		if x < 0 {
			return num(defaultNaN)
		}
		return num(fixNaN(math.Log(x), x))
	case "int":
		x := toNum(arg(0))
		if x >= 0 {
			return num(math.Floor(x))
		}
		return num(math.Ceil(x))
	case "sqrt":
		x := toNum(arg(0))
		if x < 0 {
			return num(defaultNaN)
		}
		return num(math.Sqrt(x))
	case "rand":
		return num(float64(in.rnd.next()) / 2147483647)
	case "srand":
		prev := in.seed
		if len(args) == 0 {
			in.seedWith(num(float64(in.env.now().Unix())))
		} else {
			in.seedWith(arg(0))
		}
		return prev
	case "close":
		name := in.toStr(arg(0))
		return num(float64(in.closeStream(name)))
	case "system":
		cmd := in.toStr(arg(0))
		in.flushAll()
		st := in.runCmd(cmd, in.env.Stdin, in.env.Stdout, in.env.Stderr)
		return num(float64(st))
	case "toupper":
		return str(mapBytes(in.toStr(arg(0)), 'a', 'z', -32))
	case "tolower":
		return str(mapBytes(in.toStr(arg(0)), 'A', 'Z', 32))
	case "fflush":
		if len(args) == 0 {
			in.flushStdout()
			return num(0)
		}
		name := in.toStr(arg(0))
		if name == "" {
			in.flushAll()
			return num(0)
		}
		found := false
		for _, o := range in.streams {
			if o.name == name {
				found = true
				o.flush()
			}
		}
		if !found {
			return num(-1)
		}
		return num(0)
	case "systime":
		return num(float64(in.env.now().Unix()))
	case "mktime":
		return num(in.mktime(in.toStr(arg(0))))
	case "strftime":
		format := "%c"
		var t time.Time
		if len(args) > 0 {
			if f := in.toStr(arg(0)); f != "" {
				format = f
			}
		}
		if len(args) > 1 {
			t = time.Unix(int64(dToI(toNum(arg(1)))), 0)
		} else {
			t = in.env.now()
		}
		loc := in.env.Location
		if loc == nil {
			loc = time.UTC
		}
		if len(args) > 2 && dToI(toNum(arg(2))) != 0 {
			loc = time.UTC
		}
		fmtTime := strftime
		if in.env.Strftime != nil {
			fmtTime = in.env.Strftime
		}
		out := fmtTime(format, t.In(loc))
		if len(out) >= 128 {
			out = ""
		}
		return str(out)
	}
	in.rtErrorf("function %s never defined", c.name)
	return cell{}
}

func mapBytes(s string, lo, hi byte, delta int) string {
	b := []byte(s)
	for i, c := range b {
		if c == 0 {
			// mawk's loop stops at a NUL; the rest of its buffer is zeros
			for j := i; j < len(b); j++ {
				b[j] = 0
			}
			break
		}
		if c >= lo && c <= hi {
			b[i] = byte(int(c) + delta)
		}
	}
	return string(b)
}

func (in *interp) substr(args []expr) cell {
	s := in.toStr(in.eval(args[0]))
	length := len(s)
	if length == 0 {
		for _, a := range args[1:] {
			in.eval(a)
		}
		return str("")
	}
	// mawk does this in C int arithmetic, wrap-around included.
	var n int32
	start := toNum(in.eval(args[1]))
	if len(args) == 2 {
		n = int32(length)
	} else {
		n = int32(dToI(toNum(in.eval(args[2]))))
	}
	i := int32(dToI(start)) - 1
	l := int32(length)
	if i > l {
		n = 0
	}
	if i < 0 {
		n -= i + 1
		i = 0
	}
	if n > l-i {
		n = l - i
	}
	if n <= 0 {
		return str("")
	}
	return str(s[i : i+n])
}

func (in *interp) split(n *splitExpr) cell {
	s := in.toStr(in.eval(n.s))
	kind, re := in.fsKind, in.fsRe
	if n.sep != nil {
		if r, ok := n.sep.(*regexLit); ok {
			kind, re = fsRegex, r.re
		} else {
			kind, re = in.sepFor(in.toStr(in.eval(n.sep)))
		}
	}
	in.spend(len(s))
	parts := in.splitWith(s, kind, re)
	in.loadSplit(in.arrayOf(n.arr), parts)
	return num(float64(len(parts)))
}

// replacement pieces: literal text and the matched text (&).
type replPiece struct {
	lit     string
	matched bool
}

// compileRepl is mawk's REPL_compile: \& is &, \\ is \, & is the match.
func compileRepl(s string) []replPiece {
	if i := strings.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	var out []replPiece
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' && i+1 < len(s) && (s[i+1] == '&' || s[i+1] == '\\') {
			b.WriteByte(s[i+1])
			i++
			continue
		}
		if c == '&' {
			if b.Len() > 0 {
				out = append(out, replPiece{lit: b.String()})
				b.Reset()
			}
			out = append(out, replPiece{matched: true})
			continue
		}
		b.WriteByte(c)
	}
	if b.Len() > 0 || len(out) == 0 {
		out = append(out, replPiece{lit: b.String()})
	}
	return out
}

func expandRepl(pieces []replPiece, m string) string {
	if len(pieces) == 1 && !pieces[0].matched {
		return pieces[0].lit
	}
	var b strings.Builder
	for _, p := range pieces {
		if p.matched {
			b.WriteString(m)
		} else {
			b.WriteString(p.lit)
		}
	}
	return b.String()
}

func (in *interp) sub(n *subExpr) cell {
	re := in.regexOf(n.re)
	repl := compileRepl(in.toStr(in.eval(n.repl)))
	var target lref
	if n.target == nil {
		target = lref{in: in, field: 0, kind: 2}
	} else {
		target = in.ref(n.target)
	}
	s := in.toStr(target.get())
	if !n.global {
		st, end, ok := re.Match(s, false, in)
		if !ok {
			return num(0)
		}
		r := s[:st] + expandRepl(repl, s[st:end]) + s[end:]
		in.checkStr(len(r))
		target.set(str(r))
		return num(1)
	}
	var b strings.Builder
	count := 0
	skip0 := -1
	for j := 0; j <= len(s); j++ {
		in.tick()
		st, end, ok := re.Match(s[j:], j != 0, in)
		if !ok {
			b.WriteString(s[j:])
			break
		}
		where := j + st
		howmuch := end - st
		b.WriteString(s[j:where])
		if howmuch != 0 || j != skip0 {
			count++
			b.WriteString(expandRepl(repl, s[where:where+howmuch]))
			if b.Len() > memCap {
				in.outOfMemory()
			}
		}
		if howmuch != 0 {
			j = where + howmuch - 1
		} else {
			j = where
			if j < len(s) {
				b.WriteByte(s[j])
			}
		}
		if howmuch != 0 {
			skip0 = j + 1
		} else {
			skip0 = -1
		}
	}
	if count > 0 {
		target.set(str(b.String()))
	}
	return num(float64(count))
}

// seedWith is srand(v): glibc's srandom with mawk's conversion of the seed.
func (in *interp) seedWith(v cell) {
	in.seed = v
	in.rnd.seed(uint32(int32(dToI(toNum(v)))))
}

// glibcRandom is glibc's random() (TYPE_3: x**31 + x**3 + 1).
type glibcRandom struct {
	r    [31]int32
	f, b int
}

func (g *glibcRandom) seed(s uint32) {
	if s == 0 {
		s = 1
	}
	g.r[0] = int32(s)
	for i := 1; i < 31; i++ {
		word := int64(g.r[i-1])
		hi := word / 127773
		lo := word % 127773
		word = 16807*lo - 2836*hi
		if word < 0 {
			word += 2147483647
		}
		g.r[i] = int32(word)
	}
	g.f, g.b = 3, 0
	for i := 0; i < 310; i++ {
		g.next()
	}
}

func (g *glibcRandom) next() int32 {
	g.r[g.f] = int32(uint32(g.r[g.f]) + uint32(g.r[g.b]))
	res := int32(uint32(g.r[g.f]) >> 1 & 0x7fffffff)
	g.f++
	if g.f >= 31 {
		g.f = 0
	}
	g.b++
	if g.b >= 31 {
		g.b = 0
	}
	return res
}

// mktime parses "YYYY MM DD HH MM SS [DST]" in local time.
func (in *interp) mktime(spec string) float64 {
	var f [7]int
	nf := 0
	rest := spec
	for nf < 7 {
		rest = strings.TrimLeft(rest, " \t\n\v\f\r")
		if rest == "" {
			break
		}
		j := 0
		if rest[0] == '-' || rest[0] == '+' {
			j = 1
		}
		k := j
		for k < len(rest) && isDigit(rest[k]) {
			k++
		}
		if k == j {
			break
		}
		v := 0
		for _, c := range rest[j:k] {
			v = v*10 + int(c-'0')
		}
		if rest[0] == '-' {
			v = -v
		}
		f[nf] = v
		nf++
		rest = rest[k:]
	}
	if nf < 6 {
		return -1
	}
	loc := in.env.Location
	if loc == nil {
		loc = time.UTC
	}
	t := time.Date(f[0], time.Month(f[1]), f[2], f[3], f[4], f[5], 0, loc)
	return float64(t.Unix())
}

var wdayNames = []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
var monNames = []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}

// strftime formats t as C's strftime in the C locale.
func strftime(f string, t time.Time) string {
	var b strings.Builder
	pad := func(v, w int, c byte) {
		s := itoa(v)
		for len(s) < w {
			s = string(c) + s
		}
		b.WriteString(s)
	}
	for i := 0; i < len(f); i++ {
		if f[i] != '%' || i+1 >= len(f) {
			b.WriteByte(f[i])
			continue
		}
		i++
		switch f[i] {
		case 'a':
			b.WriteString(wdayNames[t.Weekday()][:3])
		case 'A':
			b.WriteString(wdayNames[t.Weekday()])
		case 'b', 'h':
			b.WriteString(monNames[t.Month()-1][:3])
		case 'B':
			b.WriteString(monNames[t.Month()-1])
		case 'c':
			b.WriteString(strftime("%a %b %e %H:%M:%S %Y", t))
		case 'C':
			pad(t.Year()/100, 2, '0')
		case 'd':
			pad(t.Day(), 2, '0')
		case 'D':
			b.WriteString(strftime("%m/%d/%y", t))
		case 'e':
			pad(t.Day(), 2, ' ')
		case 'F':
			b.WriteString(strftime("%Y-%m-%d", t))
		case 'H':
			pad(t.Hour(), 2, '0')
		case 'I':
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			pad(h, 2, '0')
		case 'j':
			pad(t.YearDay(), 3, '0')
		case 'k':
			pad(t.Hour(), 2, ' ')
		case 'l':
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			pad(h, 2, ' ')
		case 'm':
			pad(int(t.Month()), 2, '0')
		case 'M':
			pad(t.Minute(), 2, '0')
		case 'n':
			b.WriteByte('\n')
		case 'p':
			if t.Hour() < 12 {
				b.WriteString("AM")
			} else {
				b.WriteString("PM")
			}
		case 'r':
			b.WriteString(strftime("%I:%M:%S %p", t))
		case 'R':
			b.WriteString(strftime("%H:%M", t))
		case 's':
			b.WriteString(itoa64(t.Unix()))
		case 'S':
			pad(t.Second(), 2, '0')
		case 't':
			b.WriteByte('\t')
		case 'T':
			b.WriteString(strftime("%H:%M:%S", t))
		case 'u':
			w := int(t.Weekday())
			if w == 0 {
				w = 7
			}
			pad(w, 1, '0')
		case 'w':
			pad(int(t.Weekday()), 1, '0')
		case 'x':
			b.WriteString(strftime("%m/%d/%y", t))
		case 'X':
			b.WriteString(strftime("%H:%M:%S", t))
		case 'y':
			pad(t.Year()%100, 2, '0')
		case 'Y':
			pad(t.Year(), 1, '0')
		case 'z':
			_, off := t.Zone()
			sign := byte('+')
			if off < 0 {
				sign, off = '-', -off
			}
			b.WriteByte(sign)
			pad(off/3600*100+off%3600/60, 4, '0')
		case 'Z':
			name, _ := t.Zone()
			b.WriteString(name)
		case '%':
			b.WriteByte('%')
		default:
			b.WriteByte('%')
			b.WriteByte(f[i])
		}
	}
	return b.String()
}

func itoa(v int) string     { return itoa64(int64(v)) }
func itoa64(v int64) string { return formatInt64(v) }

func formatInt64(v int64) string {
	if v == 0 {
		return "0"
	}
	neg := v < 0
	var buf [24]byte
	i := len(buf)
	u := uint64(v)
	if neg {
		u = uint64(-v)
	}
	for u > 0 {
		i--
		buf[i] = byte('0' + u%10)
		u /= 10
	}
	if neg {
		i--
		buf[i] = '-'
	}
	return string(buf[i:])
}
