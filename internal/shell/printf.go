package shell

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// printfBuiltin is bash's printf: the format is reused while arguments remain.
func printfBuiltin(r *runner, args []string) int {
	args = args[1:]
	varName := ""
	for len(args) > 0 {
		if args[0] == "--" {
			args = args[1:]
			break
		}
		if args[0] == "-v" && len(args) > 1 {
			varName = args[1]
			args = args[2:]
			continue
		}
		if strings.HasPrefix(args[0], "-v") && len(args[0]) > 2 {
			varName = args[0][2:]
			args = args[1:]
			continue
		}
		if strings.HasPrefix(args[0], "-") && len(args[0]) > 1 {
			r.errf("printf: %s: invalid option\n", optHead(args[0]))
			r.usage("printf: usage: printf [-v var] format [arguments]\n")
			return 2
		}
		break
	}
	if len(args) == 0 {
		r.usage("printf: usage: printf [-v var] format [arguments]\n")
		return 2
	}
	if varName != "" && !validName(strings.SplitN(varName, "[", 2)[0]) {
		r.errf("printf: `%s': not a valid identifier\n", varName)
		return 2
	}
	p := &printfState{r: r}
	format, rest := args[0], args[1:]
	var out strings.Builder
	for {
		used, stop := p.format(&out, format, rest)
		if p.fatal || stop {
			break
		}
		rest = rest[used:]
		if len(rest) == 0 || used == 0 {
			break
		}
		if out.Len() > int(r.sh.lim.MaxVar) {
			break
		}
	}
	if varName != "" {
		if err := r.setVar(varName, out.String()); err != nil {
			r.assignFail(varName, err)
			return 1
		}
	} else if !p.fatal || out.Len() > 0 {
		if !r.out(out.String()) {
			return 1
		}
	}
	if p.fatal || p.failed {
		return 1
	}
	return 0
}

// usage prints a builtin's usage line without the error prefix, as bash's builtin_usage.
func (r *runner) usage(s string) {
	if !r.startup {
		r.stderr().Write([]byte(s))
	}
}

type printfState struct {
	r      *runner
	failed bool // an argument was not a valid number
	fatal  bool // an invalid format character
}

// format runs the format once; it returns how many arguments were used and whether \c
// stopped the output.
func (p *printfState) format(out *strings.Builder, f string, args []string) (int, bool) {
	used := 0
	next := func() (string, bool) {
		if used < len(args) {
			used++
			return args[used-1], true
		}
		return "", false
	}
	for i := 0; i < len(f); i++ {
		c := f[i]
		if c == '\\' {
			n, s, _ := escapeAt(f, i, false)
			out.WriteString(s)
			i += n - 1
			continue
		}
		if c != '%' {
			out.WriteByte(c)
			continue
		}
		if i+1 < len(f) && f[i+1] == '%' {
			out.WriteByte('%')
			i++
			continue
		}
		// %[flags][width][.precision][length]conv
		j := i + 1
		flags := ""
		for j < len(f) && strings.IndexByte("-+ #0'", f[j]) >= 0 {
			flags += string(f[j])
			j++
		}
		width, prec := -1, -1
		if j < len(f) && f[j] == '*' {
			a, _ := next()
			n, _ := p.intArg(a)
			width = int(n)
			if width < 0 {
				flags += "-"
				width = -width
			}
			j++
		} else {
			st := j
			for j < len(f) && f[j] >= '0' && f[j] <= '9' {
				j++
			}
			if j > st {
				width, _ = strconv.Atoi(f[st:j])
			}
		}
		if j < len(f) && f[j] == '.' {
			j++
			if j < len(f) && f[j] == '*' {
				a, _ := next()
				n, _ := p.intArg(a)
				prec = int(n)
				j++
			} else {
				st := j
				for j < len(f) && f[j] >= '0' && f[j] <= '9' {
					j++
				}
				prec, _ = strconv.Atoi(f[st:j])
			}
		}
		if limit := int(p.r.sh.lim.MaxVar); width > limit || prec > limit {
			// bash would try to allocate it; the emulation runs out of memory as it would
			p.r.memFail(int64(max(width, prec)))
			p.fatal = true
			return used, true
		}
		for j < len(f) && strings.IndexByte("hlLjzt", f[j]) >= 0 {
			j++
		}
		if j >= len(f) {
			p.r.errf("printf: `%s': missing format character\n", f[i:])
			p.fatal = true
			return used, true
		}
		conv := f[j]
		if conv == '(' {
			end := strings.Index(f[j:], ")T")
			if end < 0 {
				p.r.errf("printf: `(': invalid format character\n")
				p.fatal = true
				return used, true
			}
			tf := f[j+1 : j+end]
			a, ok := next()
			t := p.r.sh.now()
			if ok && a != "" && a != "-1" {
				if n, err := strconv.ParseInt(a, 10, 64); err == nil {
					if n == -2 {
						t = p.r.sh.start
					} else {
						t = time.Unix(n, 0)
					}
				}
			}
			out.WriteString(pad(strftime(tf, t.UTC()), width, prec, flags, true))
			i = j + end + 1
			continue
		}
		i = j
		spec := "%" + strings.ReplaceAll(flags, "'", "")
		if width >= 0 {
			spec += itoa(width)
		}
		if prec >= 0 {
			spec += "." + itoa(prec)
		}
		switch conv {
		case 's':
			a, _ := next()
			out.WriteString(pad(a, width, prec, flags, true))
		case 'b':
			a, _ := next()
			s, stop := echoEscapes(a, true)
			out.WriteString(pad(s, width, prec, flags, true))
			if stop {
				return used, true
			}
		case 'q', 'Q':
			a, _ := next()
			out.WriteString(pad(printfQuote(a), width, -1, flags, true))
		case 'c':
			a, _ := next()
			s := ""
			if a != "" {
				_, size := utf8.DecodeRuneInString(a)
				s = a[:size]
			}
			out.WriteString(pad(s, width, -1, flags, true))
		case 'd', 'i':
			a, _ := next()
			n, _ := p.intArg(a)
			out.WriteString(fmt.Sprintf(spec+"d", n))
		case 'u', 'o', 'x', 'X':
			a, _ := next()
			n, _ := p.intArg(a)
			verb := string(conv)
			if conv == 'u' {
				verb = "d"
			}
			s := fmt.Sprintf(spec+verb, uint64(n))
			if conv == 'o' && strings.Contains(flags, "#") {
				// C's %#o prints one leading 0; Go's prints 0 too, but not for 0 itself
				s = strings.Replace(s, "00", "0", 1)
			}
			out.WriteString(s)
		case 'f', 'F', 'e', 'E', 'g', 'G', 'a', 'A':
			a, _ := next()
			x := p.floatArg(a)
			verb := string(conv)
			if conv == 'F' {
				verb = "f"
			}
			if conv == 'a' {
				verb = "x"
			} else if conv == 'A' {
				verb = "X"
			}
			s := fmt.Sprintf(spec+verb, x)
			if math.IsInf(x, 0) || math.IsNaN(x) {
				s = strings.ToLower(s)
				if conv >= 'A' && conv <= 'Z' {
					s = strings.ToUpper(s)
				}
			}
			out.WriteString(s)
		default:
			p.r.errf("printf: `%c': invalid format character\n", conv)
			p.fatal = true
			return used, true
		}
		if out.Len() > int(p.r.sh.lim.MaxVar) {
			return used, true
		}
	}
	return used, false
}

// pad applies width, precision and the - flag to a string conversion.
func pad(s string, width, prec int, flags string, str bool) string {
	if prec >= 0 && str && prec < len(s) {
		s = s[:prec]
	}
	n := utf8.RuneCountInString(s)
	if width > n {
		sp := strings.Repeat(" ", width-n)
		if strings.Contains(flags, "-") {
			return s + sp
		}
		return sp + s
	}
	return s
}

// intArg converts a printf argument as bash does: 0x hex, 0 octal, 'c character codes; a
// trailing garbage is an error that still prints the leading number.
func (p *printfState) intArg(a string) (int64, bool) {
	s := strings.TrimLeft(a, " \t\n")
	if s == "" {
		return 0, true
	}
	if s[0] == '\'' || s[0] == '"' {
		if len(s) == 1 {
			return 0, true
		}
		r, _ := utf8.DecodeRuneInString(s[1:])
		return int64(r), true
	}
	neg := false
	t := s
	if t[0] == '-' || t[0] == '+' {
		neg = t[0] == '-'
		t = t[1:]
	}
	base := 10
	switch {
	case strings.HasPrefix(t, "0x") || strings.HasPrefix(t, "0X"):
		base, t = 16, t[2:]
	case strings.HasPrefix(t, "0") && len(t) > 1:
		base, t = 8, t[1:]
	}
	end := 0
	for end < len(t) && digitVal(t[end]) < base {
		end++
	}
	var n uint64
	overflow := false
	for _, c := range []byte(t[:end]) {
		nn := n*uint64(base) + uint64(digitVal(c))
		if nn/uint64(base) != n || nn > math.MaxInt64 {
			overflow = true
		}
		n = nn
	}
	v := int64(n)
	if overflow {
		v = math.MaxInt64
		if neg {
			v = math.MinInt64
		}
		p.r.errf("printf: warning: %s: Numerical result out of range\n", a)
	} else if neg {
		v = -v
	}
	if end < len(t) || end == 0 && base == 10 {
		p.r.errf("printf: %s: invalid number\n", a)
		p.failed = true
		return v, false
	}
	return v, true
}

func digitVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return 99
}

func (p *printfState) floatArg(a string) float64 {
	s := strings.TrimSpace(a)
	if s == "" {
		return 0
	}
	if s[0] == '\'' || s[0] == '"' {
		if len(s) == 1 {
			return 0
		}
		r, _ := utf8.DecodeRuneInString(s[1:])
		return float64(r)
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil {
		if n, ok := p.intArgQuiet(s); ok {
			return float64(n)
		}
		p.r.errf("printf: %s: invalid number\n", a)
		p.failed = true
		return 0
	}
	return x
}

func (p *printfState) intArgQuiet(s string) (int64, bool) {
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		n, err := strconv.ParseInt(s[2:], 16, 64)
		return n, err == nil
	}
	return 0, false
}

// printfQuote is printf %q: backslashes, or $'...' for control characters.
func printfQuote(s string) string {
	if s == "" {
		return "''"
	}
	if hasControl(s) {
		return ansiCQuote(s)
	}
	var b strings.Builder
	for i, c := range []byte(s) {
		switch {
		case c == '~' && i == 0:
			b.WriteString(`\~`)
		case strings.IndexByte(" \t!\"#$&'()*,;<=>?[\\]^`{|}", c) >= 0:
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// escapeAt decodes the backslash escape at s[i] for printf formats (echo=false) or echo
// -e and %b (echo=true). It returns the bytes consumed, the text, and whether it was \c.
func escapeAt(s string, i int, echo bool) (int, string, bool) {
	if i+1 >= len(s) {
		return 1, `\`, false
	}
	c := s[i+1]
	switch c {
	case 'a':
		return 2, "\a", false
	case 'b':
		return 2, "\b", false
	case 'e', 'E':
		return 2, "\x1b", false
	case 'f':
		return 2, "\f", false
	case 'n':
		return 2, "\n", false
	case 'r':
		return 2, "\r", false
	case 't':
		return 2, "\t", false
	case 'v':
		return 2, "\v", false
	case '\\':
		return 2, `\`, false
	case '"':
		if !echo {
			return 2, `"`, false
		}
	case '\'':
		if !echo {
			return 2, `'`, false
		}
	case '?':
		if !echo {
			return 2, "?", false
		}
	case 'c':
		if echo {
			return 2, "", true
		}
	case 'x':
		j := i + 2
		for j < len(s) && j < i+4 && digitVal(s[j]) < 16 {
			j++
		}
		if j == i+2 {
			return 2, `\x`, false
		}
		n, _ := strconv.ParseUint(s[i+2:j], 16, 8)
		return j - i, string([]byte{byte(n)}), false
	case 'u', 'U':
		max := 4
		if c == 'U' {
			max = 8
		}
		j := i + 2
		for j < len(s) && j < i+2+max && digitVal(s[j]) < 16 {
			j++
		}
		if j == i+2 {
			return 2, `\` + string(c), false
		}
		n, _ := strconv.ParseUint(s[i+2:j], 16, 32)
		return j - i, string(rune(n)), false
	case '0', '1', '2', '3', '4', '5', '6', '7':
		start := i + 1
		max := 3
		if echo {
			// echo and %b: \0nnn (up to three digits after the 0); \1.. are not escapes
			if c != '0' {
				return 2, `\` + string(c), false
			}
			start = i + 2
		}
		j := start
		for j < len(s) && j < start+max && s[j] >= '0' && s[j] <= '7' {
			j++
		}
		n, _ := strconv.ParseUint("0"+s[start:j], 8, 16)
		return j - i, string([]byte{byte(n)}), false
	}
	return 2, `\` + string(c), false
}

// echoEscapes decodes echo -e escapes; stop reports \c.
func echoEscapes(s string, _ bool) (string, bool) {
	if !strings.Contains(s, `\`) {
		return s, false
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b.WriteByte(s[i])
			continue
		}
		n, t, stop := escapeAt(s, i, true)
		if stop {
			return b.String(), true
		}
		b.WriteString(t)
		i += n - 1
	}
	return b.String(), false
}

// strftime implements the common conversions of C's strftime for printf %(...)T and \D{}.
func strftime(f string, t time.Time) string {
	var b strings.Builder
	for i := 0; i < len(f); i++ {
		if f[i] != '%' || i+1 >= len(f) {
			b.WriteByte(f[i])
			continue
		}
		i++
		switch f[i] {
		case 'Y':
			b.WriteString(itoa(t.Year()))
		case 'y':
			b.WriteString(fmt.Sprintf("%02d", t.Year()%100))
		case 'm':
			b.WriteString(fmt.Sprintf("%02d", int(t.Month())))
		case 'd':
			b.WriteString(fmt.Sprintf("%02d", t.Day()))
		case 'e':
			b.WriteString(fmt.Sprintf("%2d", t.Day()))
		case 'H':
			b.WriteString(fmt.Sprintf("%02d", t.Hour()))
		case 'I':
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			b.WriteString(fmt.Sprintf("%02d", h))
		case 'M':
			b.WriteString(fmt.Sprintf("%02d", t.Minute()))
		case 'S':
			b.WriteString(fmt.Sprintf("%02d", t.Second()))
		case 'p':
			if t.Hour() < 12 {
				b.WriteString("AM")
			} else {
				b.WriteString("PM")
			}
		case 'a':
			b.WriteString(t.Format("Mon"))
		case 'A':
			b.WriteString(t.Format("Monday"))
		case 'b', 'h':
			b.WriteString(t.Format("Jan"))
		case 'B':
			b.WriteString(t.Format("January"))
		case 'j':
			b.WriteString(fmt.Sprintf("%03d", t.YearDay()))
		case 's':
			b.WriteString(strconv.FormatInt(t.Unix(), 10))
		case 'Z':
			b.WriteString(t.Format("MST"))
		case 'z':
			b.WriteString(t.Format("-0700"))
		case 'F':
			b.WriteString(t.Format("2006-01-02"))
		case 'T':
			b.WriteString(t.Format("15:04:05"))
		case 'R':
			b.WriteString(t.Format("15:04"))
		case 'D':
			b.WriteString(t.Format("01/02/06"))
		case 'c':
			b.WriteString(t.Format("Mon Jan  2 15:04:05 2006"))
		case 'u':
			wd := int(t.Weekday())
			if wd == 0 {
				wd = 7
			}
			b.WriteString(itoa(wd))
		case 'w':
			b.WriteString(itoa(int(t.Weekday())))
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case '%':
			b.WriteByte('%')
		default:
			b.WriteByte('%')
			b.WriteByte(f[i])
		}
	}
	return b.String()
}
