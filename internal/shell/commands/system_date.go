package commands

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// date: coreutils 9.1's output formats (default, +FORMAT with glibc strftime's flags and
// widths, -R, -I, --rfc-3339, -u) and the parts of its -d grammar that scripts use.

func dateCmd(p *Proc) int {
	c := newCmd(p)
	opts, ops, ok, st := c.parse(optSpec{Short: "d:f:I::r:Rs:u", Long: stdLong(
		longOpt{Name: "date", Arg: argRequired, Key: "d"}, longOpt{Name: "debug", Key: "debug"},
		longOpt{Name: "file", Arg: argRequired, Key: "f"}, longOpt{Name: "iso-8601", Arg: argOptional, Key: "I"},
		longOpt{Name: "reference", Arg: argRequired, Key: "r"}, longOpt{Name: "resolution", Key: "resolution"},
		longOpt{Name: "rfc-email", Key: "R"}, longOpt{Name: "rfc-822", Key: "R"}, longOpt{Name: "rfc-2822", Key: "R"},
		longOpt{Name: "rfc-3339", Arg: argRequired, Key: "rfc3339"}, longOpt{Name: "set", Arg: argRequired, Key: "s"},
		longOpt{Name: "utc", Key: "u"}, longOpt{Name: "universal", Key: "u"},
	)}, 1)
	if !ok {
		return st
	}
	loc := c.location()
	now := c.now()
	t := now
	format := ""
	formats := 0
	var dateStr, setStr, refFile string
	haveDate, haveSet := false, false
	for _, o := range opts {
		switch o.Key {
		case "help", "version":
			return c.sysHelp(o.Key, "date")
		case "d":
			dateStr, haveDate = o.Val, true
		case "s":
			setStr, haveSet = o.Val, true
		case "r":
			refFile = o.Val
		case "u":
			loc = time.UTC
		case "R":
			format = "%a, %d %b %Y %H:%M:%S %z"
			formats++
		case "I":
			spec := "date"
			if o.HasVal {
				spec = o.Val
			}
			f, ok := isoFormat(spec)
			if !ok {
				c.errorf("invalid argument %s for %s", c.quoteLoc(spec), c.quoteLoc("--iso-8601"))
				c.errRaw("Valid arguments are:\n  - 'hours'\n  - 'minutes'\n  - 'date'\n  - 'seconds'\n  - 'ns'\n")
				return c.tryHelp(1)
			}
			format = f
			formats++
		case "rfc3339":
			switch o.Val {
			case "date":
				format = "%Y-%m-%d"
			case "seconds":
				format = "%Y-%m-%d %H:%M:%S%:z"
			case "ns":
				format = "%Y-%m-%d %H:%M:%S.%N%:z"
			default:
				c.errorf("invalid argument %s for %s", c.quoteLoc(o.Val), c.quoteLoc("--rfc-3339"))
				c.errRaw("Valid arguments are:\n  - 'date'\n  - 'seconds'\n  - 'ns'\n")
				return c.tryHelp(1)
			}
			formats++
		}
	}
	if formats > 1 {
		c.errorf("multiple output formats specified")
		return c.done(1)
	}
	for _, op := range ops {
		if strings.HasPrefix(op, "+") {
			if format != "" {
				c.errorf("multiple output formats specified")
				return c.done(1)
			}
			format = op[1:]
			continue
		}
		if haveDate || haveSet || len(ops) > 1 {
			return c.usage(1, "extra operand %s", c.quoteLoc(op))
		}
		// MMDDhhmm[[CC]YY][.ss] sets the clock.
		setStr, haveSet = op, true
	}
	if refFile != "" {
		m, err := c.FS.Stat(c.abs(refFile))
		if err != nil {
			c.errorf("%s: %s", refFile, errText(err))
			return c.done(1)
		}
		t = m.MTime
	}
	if haveDate {
		v, ok := parseDateString(dateStr, now, loc)
		if !ok {
			c.errorf("invalid date %s", c.quoteLoc(dateStr))
			return c.done(1)
		}
		t = v
	}
	status := 0
	if haveSet {
		v, ok := parseDateString(setStr, now, loc)
		if !ok {
			v, ok = parseTouchDate(setStr, now, loc)
		}
		if !ok {
			c.errorf("invalid date %s", c.quoteLoc(setStr))
			return c.done(1)
		}
		t = v
		if !c.isRoot() {
			c.errorf("cannot set date: Operation not permitted")
			status = 1
		}
		// Root's clock change is accepted and not applied: the persona's clock is shared.
	}
	tl := c.timeLocale()
	if format == "" {
		format = tl.dateFmt
	}
	c.print(dateStrftime(format, t.In(loc), tl) + "\n")
	return c.done(status)
}

func isoFormat(spec string) (string, bool) {
	for _, k := range []struct{ name, f string }{
		{"date", "%Y-%m-%d"}, {"hours", "%Y-%m-%dT%H%:z"}, {"minutes", "%Y-%m-%dT%H:%M%:z"},
		{"seconds", "%Y-%m-%dT%H:%M:%S%:z"}, {"ns", "%Y-%m-%dT%H:%M:%S,%N%:z"},
	} {
		if spec != "" && strings.HasPrefix(k.name, spec) {
			return k.f, true
		}
	}
	return "", false
}

// parseTouchDate reads the MMDDhhmm[[CC]YY][.ss] form of "date MMDDhhmm".
func parseTouchDate(s string, now time.Time, loc *time.Location) (time.Time, bool) {
	sec := 0
	if i := strings.IndexByte(s, '.'); i >= 0 {
		v, err := strconv.Atoi(s[i+1:])
		if err != nil || len(s[i+1:]) != 2 {
			return time.Time{}, false
		}
		sec, s = v, s[:i]
	}
	for _, ch := range s {
		if ch < '0' || ch > '9' {
			return time.Time{}, false
		}
	}
	year := now.In(loc).Year()
	switch len(s) {
	case 8:
	case 10:
		y, _ := strconv.Atoi(s[8:])
		year = 1900 + y
		if y < 69 {
			year = 2000 + y
		}
	case 12:
		year, _ = strconv.Atoi(s[8:])
	default:
		return time.Time{}, false
	}
	mo, _ := strconv.Atoi(s[0:2])
	d, _ := strconv.Atoi(s[2:4])
	h, _ := strconv.Atoi(s[4:6])
	mi, _ := strconv.Atoi(s[6:8])
	if mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 {
		return time.Time{}, false
	}
	return time.Date(year, time.Month(mo), d, h, mi, sec, 0, loc), true
}

var (
	reRelative = regexp.MustCompile(`^([+-]?\d+)\s*(sec|second|min|minute|hour|day|week|fortnight|month|year)s?(\s+ago)?$`)
	reISODate  = regexp.MustCompile(`^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(Z|UTC|[+-]\d{2}:?\d{2})?$`)
)

// parseDateString understands the -d forms scripts use: now, today, yesterday, tomorrow,
// @EPOCH, ISO dates and times, "N units [ago]" and "next/last unit", alone or after a date.
func parseDateString(s string, now time.Time, loc *time.Location) (time.Time, bool) {
	s = strings.TrimSpace(strings.ToLower(s))
	base := now.In(loc)
	if s == "" || s == "now" || s == "today" {
		if s == "" {
			y, m, d := base.Date()
			return time.Date(y, m, d, 0, 0, 0, 0, loc), true
		}
		return base, true
	}
	if strings.HasPrefix(s, "@") {
		f, err := strconv.ParseFloat(s[1:], 64)
		if err != nil {
			return time.Time{}, false
		}
		sec := int64(f)
		return time.Unix(sec, int64((f-float64(sec))*1e9)).In(loc), true
	}
	switch s {
	case "yesterday":
		return base.AddDate(0, 0, -1), true
	case "tomorrow":
		return base.AddDate(0, 0, 1), true
	}
	if m := reISODate.FindStringSubmatch(s); m != nil {
		y, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		d, _ := strconv.Atoi(m[3])
		h, mi, sec := 0, 0, 0
		if m[4] != "" {
			h, _ = strconv.Atoi(m[4])
			mi, _ = strconv.Atoi(m[5])
			if m[6] != "" {
				sec, _ = strconv.Atoi(m[6])
			}
		}
		if mo < 1 || mo > 12 || d < 1 || d > 31 || h > 24 || mi > 59 || sec > 60 {
			return time.Time{}, false
		}
		l := loc
		if z := m[8]; z != "" {
			if z == "z" || z == "utc" {
				l = time.UTC
			} else {
				zz := strings.ReplaceAll(z[1:], ":", "")
				hh, _ := strconv.Atoi(zz[:2])
				mm, _ := strconv.Atoi(zz[2:])
				off := hh*3600 + mm*60
				if z[0] == '-' {
					off = -off
				}
				l = time.FixedZone("", off)
			}
		}
		return time.Date(y, time.Month(mo), d, h, mi, sec, 0, l).In(loc), true
	}
	if m := reRelative.FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[1])
		if m[3] != "" {
			n = -n
		}
		return addUnit(base, m[2], n), true
	}
	if f := strings.Fields(s); len(f) == 2 && (f[0] == "next" || f[0] == "last") {
		n := 1
		if f[0] == "last" {
			n = -1
		}
		unit := strings.TrimSuffix(f[1], "s")
		switch unit {
		case "sec", "second", "min", "minute", "hour", "day", "week", "fortnight", "month", "year":
			return addUnit(base, unit, n), true
		}
	}
	return time.Time{}, false
}

func addUnit(t time.Time, unit string, n int) time.Time {
	switch unit {
	case "sec", "second":
		return t.Add(time.Duration(n) * time.Second)
	case "min", "minute":
		return t.Add(time.Duration(n) * time.Minute)
	case "hour":
		return t.Add(time.Duration(n) * time.Hour)
	case "day":
		return t.AddDate(0, 0, n)
	case "week":
		return t.AddDate(0, 0, 7*n)
	case "fortnight":
		return t.AddDate(0, 0, 14*n)
	case "month":
		return t.AddDate(0, n, 0)
	case "year":
		return t.AddDate(n, 0, 0)
	}
	return t
}

// timeLocale is what glibc's LC_TIME category gives strftime and date: the formats of
// %c, %x, %X, %r and date's default output, and the AM/PM strings.
type timeLocale struct {
	dateFmt, dtFmt, dFmt, tFmt, ampmFmt, am, pm string
}

// cTimeLocale is the C/POSIX (and C.UTF-8) LC_TIME.
func cTimeLocale() timeLocale {
	return timeLocale{dateFmt: "%a %b %e %H:%M:%S %Z %Y", dtFmt: "%a %b %e %H:%M:%S %Y", dFmt: "%m/%d/%y",
		tFmt: "%H:%M:%S", ampmFmt: "%I:%M:%S %p", am: "AM", pm: "PM"}
}

// knownTimeLocale returns glibc 2.36's LC_TIME for a locale name without its codeset.
func knownTimeLocale(lang string) (timeLocale, bool) {
	switch lang {
	case "C", "POSIX":
		return cTimeLocale(), true
	case "en_US":
		return timeLocale{dateFmt: "%a %b %e %r %Z %Y", dtFmt: "%a %d %b %Y %r %Z", dFmt: "%m/%d/%Y",
			tFmt: "%r", ampmFmt: "%I:%M:%S %p", am: "AM", pm: "PM"}, true
	case "en_GB":
		return timeLocale{dateFmt: "%a %e %b %H:%M:%S %Z %Y", dtFmt: "%a %d %b %Y %T %Z", dFmt: "%d/%m/%y",
			tFmt: "%T", ampmFmt: "%l:%M:%S %P %Z", am: "am", pm: "pm"}, true
	}
	return timeLocale{}, false
}

// timeLocale is the LC_TIME in effect (LC_ALL, then LC_TIME, then LANG), as setlocale(3)
// finds it on the persona: a locale that locale-gen did not build there is the C locale.
func (c *cmd) timeLocale() timeLocale {
	name := ""
	for _, k := range []string{"LC_ALL", "LC_TIME", "LANG"} {
		if v := c.Env[k]; v != "" {
			name = v
			break
		}
	}
	lang, codeset, _ := strings.Cut(name, ".")
	lang, _, _ = strings.Cut(lang, "@")
	if lang == "" || lang == "C" || lang == "POSIX" {
		return cTimeLocale()
	}
	tl, ok := knownTimeLocale(lang)
	if !ok || !c.localeAvailable(lang, codeset) {
		return cTimeLocale()
	}
	return tl
}

// localeAvailable reports whether the persona has a compiled locale lang.codeset: listed
// in /etc/locale.gen (which locale-gen compiles) or present under /usr/lib/locale.
func (c *cmd) localeAvailable(lang, codeset string) bool {
	norm := func(cs string) string { return strings.ReplaceAll(strings.ToLower(cs), "-", "") }
	want := norm(codeset)
	gen, _ := c.readText("/etc/locale.gen")
	for _, line := range strings.Split(gen, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		l, cs, _ := strings.Cut(f[0], ".")
		if l == lang && norm(cs) == want {
			return true
		}
	}
	if c.FS != nil {
		if m, err := c.FS.Stat("/usr/lib/locale/" + lang + "." + want); err == nil && m.Mode.IsDir() {
			return true
		}
	}
	return false
}

// dateStrftime formats t as glibc's strftime does in the locale l, with GNU date's extensions
// (%N, %:z, %::z, %:::z) and the flag characters - _ 0 ^ # plus field widths.
func dateStrftime(f string, t time.Time, l timeLocale) string {
	var b strings.Builder
	for i := 0; i < len(f); i++ {
		ch := f[i]
		if ch != '%' || i+1 >= len(f) {
			b.WriteByte(ch)
			continue
		}
		start := i
		i++
		pad := byte(0)
		upper, swapCase := false, false
		for i < len(f) && strings.IndexByte("-_0^#", f[i]) >= 0 {
			switch f[i] {
			case '^':
				upper = true
			case '#':
				swapCase = true
			default:
				pad = f[i]
			}
			i++
		}
		width := -1
		for i < len(f) && f[i] >= '0' && f[i] <= '9' {
			if width < 0 {
				width = 0
			}
			width = width*10 + int(f[i]-'0')
			i++
		}
		if i < len(f) && (f[i] == 'E' || f[i] == 'O') && i+1 < len(f) {
			// alternative representations: the same as the plain ones in C and English locales
			i++
		}
		colons := 0
		for i < len(f) && f[i] == ':' {
			colons++
			i++
		}
		if i >= len(f) {
			b.WriteString(f[start:])
			break
		}
		conv := f[i]
		if colons > 0 && conv != 'z' {
			b.WriteString(f[start : i+1])
			continue
		}
		s, numeric, defPad, defWidth := strftimeField(conv, colons, t, l)
		if s == "\x00" {
			b.WriteString(f[start : i+1])
			continue
		}
		if swapCase {
			switch conv {
			case 'Z':
				s = strings.ToLower(s)
			default:
				if strings.ToUpper(s) == s {
					s = strings.ToLower(s)
				} else {
					s = strings.ToUpper(s)
				}
			}
		}
		if upper {
			s = strings.ToUpper(s)
		}
		if numeric {
			neg := strings.HasPrefix(s, "-") || (strings.HasPrefix(s, "+") && conv == 'z')
			sign := ""
			if neg {
				sign, s = s[:1], s[1:]
			}
			digits := strings.TrimLeft(s, " 0")
			if digits == "" || digits[0] < '0' || digits[0] > '9' {
				if strings.Trim(s, " 0") == "" {
					digits = "0"
				} else {
					digits = strings.TrimLeft(s, " ")
				}
			}
			p := defPad
			if pad != 0 {
				p = pad
			}
			w := defWidth
			if width >= 0 {
				w = width
			}
			w -= len(sign)
			switch p {
			case '-':
				s = sign + digits
			case '_':
				s = strings.Repeat(" ", max(0, w-len(digits))) + sign + digits
			default:
				s = sign + strings.Repeat("0", max(0, w-len(digits))) + digits
			}
		} else if width > len(s) {
			p := byte(' ')
			if pad == '0' {
				p = '0'
			}
			if pad != '-' {
				s = strings.Repeat(string(p), width-len(s)) + s
			}
		}
		b.WriteString(s)
	}
	return b.String()
}

// strftimeField renders one conversion. numeric fields report their default padding
// character ('0' or '_') and width so flags can re-pad them. "\x00" marks an unknown one.
func strftimeField(conv byte, colons int, t time.Time, l timeLocale) (s string, numeric bool, pad byte, width int) {
	num := func(v, w int, p byte) (string, bool, byte, int) {
		return strconv.Itoa(v), true, p, w
	}
	isoY, isoW := t.ISOWeek()
	switch conv {
	case 'a':
		return t.Format("Mon"), false, 0, 0
	case 'A':
		return t.Format("Monday"), false, 0, 0
	case 'b', 'h':
		return t.Format("Jan"), false, 0, 0
	case 'B':
		return t.Format("January"), false, 0, 0
	case 'c':
		return dateStrftime(l.dtFmt, t, l), false, 0, 0
	case 'C':
		return num(t.Year()/100, 2, '0')
	case 'd':
		return num(t.Day(), 2, '0')
	case 'D':
		return dateStrftime("%m/%d/%y", t, l), false, 0, 0
	case 'e':
		return num(t.Day(), 2, '_')
	case 'F':
		return dateStrftime("%Y-%m-%d", t, l), false, 0, 0
	case 'g':
		return num(isoY%100, 2, '0')
	case 'G':
		return num(isoY, 1, '0')
	case 'H':
		return num(t.Hour(), 2, '0')
	case 'I':
		h := t.Hour() % 12
		if h == 0 {
			h = 12
		}
		return num(h, 2, '0')
	case 'j':
		return num(t.YearDay(), 3, '0')
	case 'k':
		return num(t.Hour(), 2, '_')
	case 'l':
		h := t.Hour() % 12
		if h == 0 {
			h = 12
		}
		return num(h, 2, '_')
	case 'm':
		return num(int(t.Month()), 2, '0')
	case 'M':
		return num(t.Minute(), 2, '0')
	case 'n':
		return "\n", false, 0, 0
	case 'N':
		return fmt.Sprintf("%09d", t.Nanosecond()), true, '0', 9
	case 'p':
		if t.Hour() < 12 {
			return l.am, false, 0, 0
		}
		return l.pm, false, 0, 0
	case 'P':
		if t.Hour() < 12 {
			return strings.ToLower(l.am), false, 0, 0
		}
		return strings.ToLower(l.pm), false, 0, 0
	case 'r':
		return dateStrftime(l.ampmFmt, t, l), false, 0, 0
	case 'R':
		return dateStrftime("%H:%M", t, l), false, 0, 0
	case 's':
		return strconv.FormatInt(t.Unix(), 10), true, '0', 1
	case 'S':
		return num(t.Second(), 2, '0')
	case 't':
		return "\t", false, 0, 0
	case 'T':
		return dateStrftime("%H:%M:%S", t, l), false, 0, 0
	case 'u':
		wd := int(t.Weekday())
		if wd == 0 {
			wd = 7
		}
		return num(wd, 1, '0')
	case 'U':
		return num((t.YearDay()+6-int(t.Weekday()))/7, 2, '0')
	case 'V':
		return num(isoW, 2, '0')
	case 'w':
		return num(int(t.Weekday()), 1, '0')
	case 'W':
		return num((t.YearDay()+6-(int(t.Weekday())+6)%7)/7, 2, '0')
	case 'x':
		return dateStrftime(l.dFmt, t, l), false, 0, 0
	case 'X':
		return dateStrftime(l.tFmt, t, l), false, 0, 0
	case 'y':
		return num(t.Year()%100, 2, '0')
	case 'Y':
		return num(t.Year(), 1, '0')
	case 'z':
		_, off := t.Zone()
		sign := "+"
		if off < 0 {
			sign, off = "-", -off
		}
		h, m, sec := off/3600, (off/60)%60, off%60
		switch colons {
		case 0:
			return fmt.Sprintf("%s%02d%02d", sign, h, m), false, 0, 0
		case 1:
			return fmt.Sprintf("%s%02d:%02d", sign, h, m), false, 0, 0
		case 2:
			return fmt.Sprintf("%s%02d:%02d:%02d", sign, h, m, sec), false, 0, 0
		default:
			switch {
			case sec != 0:
				return fmt.Sprintf("%s%02d:%02d:%02d", sign, h, m, sec), false, 0, 0
			case m != 0:
				return fmt.Sprintf("%s%02d:%02d", sign, h, m), false, 0, 0
			}
			return fmt.Sprintf("%s%02d", sign, h), false, 0, 0
		}
	case 'Z':
		name, _ := t.Zone()
		return name, false, 0, 0
	case '%':
		return "%", false, 0, 0
	}
	return "\x00", false, 0, 0
}
