package commands

import (
	"strconv"
	"strings"
	"time"
)

// strftime formats t as C's strftime does in the C locale (the subset programs use: ls
// --time-style=+FMT, date +FMT, find -printf, stat).
func strftime(format string, t time.Time) string {
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		ch := format[i]
		if ch != '%' || i+1 >= len(format) {
			b.WriteByte(ch)
			continue
		}
		i++
		// Flags: '-' (no padding), '_' (space padding), '0'.
		pad := byte(0)
		for i < len(format) && (format[i] == '-' || format[i] == '_' || format[i] == '0' || format[i] == '^') {
			pad = format[i]
			i++
		}
		if i >= len(format) {
			break
		}
		num := func(v, w int, def byte) {
			s := strconv.Itoa(v)
			p := def
			if pad != 0 {
				p = pad
			}
			if p == '-' {
				b.WriteString(s)
				return
			}
			fill := "0"
			if p == '_' {
				fill = " "
			}
			for n := len(s); n < w; n++ {
				b.WriteString(fill)
			}
			b.WriteString(s)
		}
		switch format[i] {
		case 'Y':
			num(t.Year(), 1, '0')
		case 'C':
			num(t.Year()/100, 2, '0')
		case 'y':
			num(t.Year()%100, 2, '0')
		case 'm':
			num(int(t.Month()), 2, '0')
		case 'd':
			num(t.Day(), 2, '0')
		case 'e':
			num(t.Day(), 2, '_')
		case 'H':
			num(t.Hour(), 2, '0')
		case 'k':
			num(t.Hour(), 2, '_')
		case 'I':
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			num(h, 2, '0')
		case 'l':
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			num(h, 2, '_')
		case 'M':
			num(t.Minute(), 2, '0')
		case 'S':
			num(t.Second(), 2, '0')
		case 'N':
			b.WriteString(strconv.FormatInt(int64(t.Nanosecond())+1e9, 10)[1:])
		case 'j':
			num(t.YearDay(), 3, '0')
		case 'u':
			wd := int(t.Weekday())
			if wd == 0 {
				wd = 7
			}
			b.WriteString(strconv.Itoa(wd))
		case 'w':
			b.WriteString(strconv.Itoa(int(t.Weekday())))
		case 'a':
			b.WriteString(t.Format("Mon"))
		case 'A':
			b.WriteString(t.Format("Monday"))
		case 'b', 'h':
			b.WriteString(t.Format("Jan"))
		case 'B':
			b.WriteString(t.Format("January"))
		case 'p':
			b.WriteString(t.Format("PM"))
		case 'P':
			b.WriteString(strings.ToLower(t.Format("PM")))
		case 'Z':
			b.WriteString(t.Format("MST"))
		case 'z':
			b.WriteString(t.Format("-0700"))
		case 's':
			b.WriteString(strconv.FormatInt(t.Unix(), 10))
		case 'F':
			b.WriteString(strftime("%Y-%m-%d", t))
		case 'T':
			b.WriteString(strftime("%H:%M:%S", t))
		case 'R':
			b.WriteString(strftime("%H:%M", t))
		case 'D', 'x':
			b.WriteString(strftime("%m/%d/%y", t))
		case 'X':
			b.WriteString(strftime("%H:%M:%S", t))
		case 'r':
			b.WriteString(strftime("%I:%M:%S %p", t))
		case 'c':
			b.WriteString(strftime("%a %b %e %H:%M:%S %Y", t))
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case '%':
			b.WriteByte('%')
		case 'V':
			_, w := t.ISOWeek()
			num(w, 2, '0')
		case 'G':
			y, _ := t.ISOWeek()
			num(y, 1, '0')
		case 'U':
			num((t.YearDay()+6-int(t.Weekday()))/7, 2, '0')
		case 'W':
			wd := (int(t.Weekday()) + 6) % 7
			num((t.YearDay()+6-wd)/7, 2, '0')
		default:
			b.WriteByte('%')
			b.WriteByte(format[i])
		}
	}
	return b.String()
}

// versionCompare orders strings as GNU filevercmp (ls -v, sort -V) does: runs of digits
// compare numerically, other characters with letters before non-letters.
func versionCompare(a, b string) int {
	if a == b {
		return 0
	}
	// filevercmp compares the names without their suffixes first.
	pa, pb := a[:len(a)-len(fileSuffix(a))], b[:len(b)-len(fileSuffix(b))]
	if pa != pb {
		if r := verrevcmp(pa, pb); r != 0 {
			return r
		}
	}
	if r := verrevcmp(a, b); r != 0 {
		return r
	}
	return strings.Compare(a, b)
}

// fileSuffix is the trailing (\.[A-Za-z~][A-Za-z0-9~]*)* of a name, as filevercmp sees it.
func fileSuffix(s string) string {
	start := len(s)
	i := len(s)
	for i > 0 {
		j := i
		for j > 0 && (isAlnum(s[j-1]) || s[j-1] == '~') {
			j--
		}
		if j > 0 && s[j-1] == '.' && j < i && (isAlpha(s[j]) || s[j] == '~') && j-1 > 0 {
			start = j - 1
			i = j - 1
			continue
		}
		break
	}
	return s[start:]
}

func isAlpha(c byte) bool { return (c|0x20) >= 'a' && (c|0x20) <= 'z' }
func isAlnum(c byte) bool { return isAlpha(c) || isDigit(c) }

func verrevcmp(a, b string) int {
	order := func(c byte) int {
		switch {
		case c >= '0' && c <= '9':
			return 0
		case (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'):
			return int(c)
		case c == '~':
			return -1
		}
		return int(c) + 256
	}
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		first := 0
		for (i < len(a) && !isDigit(a[i])) || (j < len(b) && !isDigit(b[j])) {
			var ac, bc int
			if i < len(a) {
				ac = order(a[i])
			}
			if j < len(b) {
				bc = order(b[j])
			}
			if ac != bc {
				return ac - bc
			}
			i++
			j++
		}
		for i < len(a) && a[i] == '0' {
			i++
		}
		for j < len(b) && b[j] == '0' {
			j++
		}
		for i < len(a) && isDigit(a[i]) && j < len(b) && isDigit(b[j]) {
			if first == 0 {
				first = int(a[i]) - int(b[j])
			}
			i++
			j++
		}
		if i < len(a) && isDigit(a[i]) {
			return 1
		}
		if j < len(b) && isDigit(b[j]) {
			return -1
		}
		if first != 0 {
			return first
		}
	}
	return 0
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
