package commands

import (
	"fmt"
	"strconv"
	"strings"
)

// The dump family: xxd (from vim 9.0, "2022-01-14") and od (coreutils 9.1).

func registerDump(r *Registry) {
	r.Register("xxd", xxdMain)
	r.Register("od", odMain)
}

const xxdUsage = `Usage:
       %s [options] [infile [outfile]]
    or
       %s -r [-s [-]offset] [-c cols] [-ps] [infile [outfile]]
Options:
    -a          toggle autoskip: A single '*' replaces nul-lines. Default off.
    -b          binary digit dump (incompatible with -ps,-i,-r). Default hex.
    -C          capitalize variable names in C include file style (-i).
    -c cols     format <cols> octets per line. Default 16 (-i: 12, -ps: 30).
    -E          show characters in EBCDIC. Default ASCII.
    -e          little-endian dump (incompatible with -ps,-i,-r).
    -g bytes    number of octets per group in normal output. Default 2 (-e: 4).
    -h          print this summary.
    -i          output in C include file style.
    -l len      stop after <len> octets.
    -n name     set the variable name used in C include output (-i).
    -o off      add <off> to the displayed file position.
    -ps         output in postscript plain hexdump style.
    -r          reverse operation: convert (or patch) hexdump into binary.
    -r -s off   revert with <off> added to file positions found in hexdump.
    -d          show offset in decimal instead of hex.
    -s [+][-]seek  start at <seek> bytes abs. (or +: rel.) infile offset.
    -u          use upper case hex letters.
    -v          show version: "xxd 2022-01-14 by Juergen Weigert et al.".
`

// xxdNumber parses a number as strtol(s, NULL, 0) does: leading junk gives 0.
func xxdNumber(s string) int64 {
	s = strings.TrimLeft(s, " \t")
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	base := 10
	switch {
	case strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X"):
		base, s = 16, s[2:]
	case strings.HasPrefix(s, "0") && len(s) > 1:
		base, s = 8, s[1:]
	}
	end := 0
	for end < len(s) {
		ch := s[end]
		var d int
		switch {
		case isDigit(ch):
			d = int(ch - '0')
		case (ch|0x20) >= 'a' && (ch|0x20) <= 'z':
			d = int(ch|0x20) - 'a' + 10
		default:
			d = 99
		}
		if d >= base {
			break
		}
		end++
	}
	v, _ := strconv.ParseInt(s[:end], base, 64)
	if neg {
		v = -v
	}
	return v
}

func xxdMain(p *Proc) int {
	c := newCmd(p)
	prog := c.base()
	usage := func() int {
		c.errRaw(fmt.Sprintf(xxdUsage, prog, prog))
		return c.done(1)
	}
	cols, colsSet := 16, false
	group, groupSet := 2, false
	var length int64 = -1
	var seek int64
	seekSet, seekNeg := false, false
	var displayOff int64
	plain, revert, upper, bits, include, decimal, little, autoskip, capital := false, false, false, false, false, false, false, false, false
	varName := ""
	args := c.Args[1:]
	// xxd matches options on their first two characters, as its hand-written parser does;
	// value takes an option's number attached ("-c8") or from the next argument ("-c 8",
	// "-cols 8").
	value := func(i *int, a, rest string) (string, bool) {
		if len(a) > 2 && !strings.HasPrefix(a[2:], rest) {
			return a[2:], true
		}
		if *i+1 >= len(args) {
			return "", false
		}
		*i++
		return args[*i], true
	}
	i := 0
	for ; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			i++
			break
		}
		if len(a) < 2 || a[0] != '-' {
			break
		}
		var v string
		var ok bool
		switch a[:2] {
		case "-a":
			autoskip = !autoskip
		case "-b":
			bits = true
		case "-e":
			little = true
		case "-u":
			upper = true
		case "-p":
			plain = true
		case "-i":
			include = true
		case "-C":
			capital = true
		case "-d":
			decimal = true
		case "-r":
			revert = true
		case "-E":
		case "-v":
			c.errRaw("xxd 2022-01-14 by Juergen Weigert et al.\n")
			return c.done(0)
		case "-c":
			if strings.HasPrefix(a[2:], "apitalize") {
				capital = true
				continue
			}
			if v, ok = value(&i, a, "ols"); !ok {
				return usage()
			}
			cols, colsSet = int(xxdNumber(v)), true
		case "-g":
			if v, ok = value(&i, a, "roup"); !ok {
				return usage()
			}
			group, groupSet = int(xxdNumber(v)), true
		case "-l":
			if v, ok = value(&i, a, "en"); !ok {
				return usage()
			}
			length = xxdNumber(v)
		case "-o":
			if v, ok = value(&i, a, "ffset"); !ok {
				return usage()
			}
			displayOff = xxdNumber(v)
		case "-n":
			if v, ok = value(&i, a, "ame"); !ok {
				return usage()
			}
			varName = v
		case "-s":
			if v, ok = value(&i, a, "eek"); !ok {
				return usage()
			}
			seekSet = true
			v = strings.TrimPrefix(v, "+")
			seekNeg = strings.HasPrefix(v, "-")
			seek = xxdNumber(v)
		default:
			return usage()
		}
	}
	operands := args[i:]
	if len(operands) > 2 {
		return usage()
	}
	_ = capital
	in := "-"
	if len(operands) > 0 {
		in = operands[0]
	}
	var data []byte
	var err error
	if in == "-" {
		data, err = readCapped(c.Stdin)
	} else {
		data, err = c.FS.ReadFile(c.abs(in))
	}
	if err != nil {
		c.errorf("%s: %s", in, errText(err))
		return c.done(2)
	}
	// The output goes to outfile when one is named (created in the vfs).
	var sb strings.Builder
	w := func(s string) {
		if len(operands) == 2 {
			sb.WriteString(s)
		} else {
			c.print(s)
		}
	}
	finish := func(status int) int {
		if len(operands) == 2 && operands[1] != "-" {
			if err := c.FS.WriteFile(c.abs(operands[1]), []byte(sb.String()), 0o666&^c.umask()); err != nil {
				c.errorf("%s: %s", operands[1], errText(err))
				return c.done(3)
			}
		} else if len(operands) == 2 {
			c.print(sb.String())
		}
		return c.done(status)
	}
	if revert {
		w(string(xxdRevert(data, plain, seek)))
		return finish(0)
	}
	if seekSet {
		if seekNeg {
			if in == "-" {
				c.errorf("sorry, cannot seek.")
				return c.done(4)
			}
			seek = int64(len(data)) + seek
			if seek < 0 {
				seek = 0
			}
		}
		if seek > int64(len(data)) {
			seek = int64(len(data))
		}
		data = data[seek:]
	}
	if length >= 0 && length < int64(len(data)) {
		data = data[:length]
	}
	hexd := "0123456789abcdef"
	if upper {
		hexd = "0123456789ABCDEF"
	}
	switch {
	case plain:
		if !colsSet {
			cols = 30
		}
		if cols <= 0 {
			cols = 30
		}
		var b strings.Builder
		for k, ch := range data {
			b.WriteByte(hexd[ch>>4])
			b.WriteByte(hexd[ch&15])
			if (k+1)%cols == 0 {
				b.WriteByte('\n')
			}
		}
		if len(data)%cols != 0 {
			b.WriteByte('\n')
		}
		w(b.String())
		return finish(0)
	case include:
		if !colsSet {
			cols = 12
		}
		var b strings.Builder
		name := varName
		if name == "" && in != "-" {
			name = xxdCName(in, capital)
		}
		if name != "" {
			fmt.Fprintf(&b, "unsigned char %s[] = {\n", name)
		}
		for k, ch := range data {
			if k%cols == 0 {
				b.WriteString("  ")
			}
			if upper {
				fmt.Fprintf(&b, "0X%02X", ch)
			} else {
				fmt.Fprintf(&b, "0x%02x", ch)
			}
			switch {
			case k == len(data)-1:
				b.WriteByte('\n')
			case (k+1)%cols == 0:
				b.WriteString(",\n")
			default:
				b.WriteString(", ")
			}
		}
		if name != "" {
			fmt.Fprintf(&b, "};\nunsigned int %s_len = %d;\n", name, len(data))
		}
		w(b.String())
		return finish(0)
	}
	if bits {
		if !colsSet {
			cols = 6
		}
		if !groupSet {
			group = 1
		}
	} else if little && !groupSet {
		group = 4
	}
	if cols <= 0 {
		cols = 16
	}
	if cols > 256 {
		c.errorf("invalid number of columns (max. 256).")
		return c.done(1)
	}
	if group < 1 || group > cols {
		group = cols
	}
	digits := 2
	if bits {
		digits = 8
	}
	grplen := group*digits + 1
	base := seek + displayOff
	var b strings.Builder
	prevZero, starred := false, false
	for off := 0; off < len(data); off += cols {
		end := off + cols
		if end > len(data) {
			end = len(data)
		}
		chunk := data[off:end]
		addr := fmt.Sprintf("%08x:", base+int64(off))
		if decimal {
			addr = fmt.Sprintf("%08d:", base+int64(off))
		}
		alen := len(addr)
		asc := alen + 3 + (grplen*cols-1)/group
		line := []byte(addr + strings.Repeat(" ", asc-alen+len(chunk)))
		for p, ch := range chunk {
			x := p
			if little {
				x = p ^ (group - 1)
			}
			pos := alen + 1 + (grplen*x)/group
			if bits {
				for k := 7; k >= 0; k-- {
					line[pos+7-k] = '0' + (ch>>uint(k))&1
				}
			} else {
				line[pos] = hexd[ch>>4]
				line[pos+1] = hexd[ch&15]
			}
			if ch >= 0x20 && ch < 0x7f {
				line[asc+p] = ch
			} else {
				line[asc+p] = '.'
			}
		}
		zero := true
		for _, ch := range chunk {
			if ch != 0 {
				zero = false
			}
		}
		// Autoskip prints one '*' for a run of all-zero lines, keeping the last one.
		if autoskip && zero && len(chunk) == cols && end < len(data) {
			if prevZero {
				if !starred {
					b.WriteString("*\n")
					starred = true
				}
				continue
			}
			prevZero = true
		} else {
			prevZero, starred = false, false
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	w(b.String())
	return finish(0)
}

// xxdCName turns a file name into the C identifier xxd -i declares.
func xxdCName(name string, capital bool) string {
	var b strings.Builder
	for k := 0; k < len(name); k++ {
		ch := name[k]
		switch {
		case isAlnum(ch) || ch == '_':
			if k == 0 && isDigit(ch) {
				b.WriteString("__")
			}
			if capital && isAlpha(ch) {
				ch &^= 0x20
			}
			b.WriteByte(ch)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}

// xxdMaxRevert bounds the output offset xxd -r will fill up to.
const xxdMaxRevert = 16 << 20

// xxdRevert turns a hex dump back into bytes: plain dumps are a stream of hex digit pairs;
// normal dumps are "address: hex ..." lines whose ASCII column is ignored.
func xxdRevert(data []byte, plain bool, seek int64) []byte {
	var out []byte
	if plain {
		hi := -1
		for _, ch := range data {
			if !isHex(ch) {
				continue
			}
			if hi < 0 {
				hi = hexVal(ch)
				continue
			}
			out = append(out, byte(hi<<4|hexVal(ch)))
			hi = -1
		}
		return out
	}
	for _, line := range strings.Split(string(data), "\n") {
		colon := strings.IndexByte(line, ':')
		if colon < 0 {
			continue
		}
		addr, err := strconv.ParseInt(strings.TrimSpace(line[:colon]), 16, 64)
		if err != nil {
			continue
		}
		addr += seek
		// A far address would make a huge sparse file on a real box; here it would
		// allocate it, so such lines (and negative ones) are dropped.
		if addr < 0 || addr > xxdMaxRevert {
			continue
		}
		rest := line[colon+1:]
		var bytesOut []byte
		hi := -1
		spaces := 0
		for k := 0; k < len(rest); k++ {
			ch := rest[k]
			if ch == ' ' {
				spaces++
				if spaces >= 2 && hi < 0 && len(bytesOut) > 0 {
					break
				}
				continue
			}
			spaces = 0
			if !isHex(ch) {
				break
			}
			if hi < 0 {
				hi = hexVal(ch)
				continue
			}
			bytesOut = append(bytesOut, byte(hi<<4|hexVal(ch)))
			hi = -1
		}
		for int64(len(out)) < addr {
			out = append(out, 0)
		}
		if int64(len(out)) > addr {
			n := copy(out[addr:], bytesOut)
			out = append(out, bytesOut[n:]...)
		} else {
			out = append(out, bytesOut...)
		}
	}
	return out
}

// odType is one output format of od: a letter (a c d o u x) and a size in bytes.
type odType struct {
	kind byte
	size int
	z    bool // the z suffix: the line's bytes follow as text between > and <
}

// odWidth is the natural field width of one value of t, its separating space included.
func (t odType) width() int {
	switch t.kind {
	case 'a', 'c':
		return 4
	case 'x':
		return 2*t.size + 1
	case 'o':
		return map[int]int{1: 4, 2: 7, 4: 12, 8: 23}[t.size]
	case 'u':
		return map[int]int{1: 4, 2: 6, 4: 11, 8: 21}[t.size]
	}
	return map[int]int{1: 5, 2: 7, 4: 12, 8: 21}[t.size]
}

var odNames = [...]string{"nul", "soh", "stx", "etx", "eot", "enq", "ack", "bel", "bs", "ht", "nl", "vt", "ff", "cr", "so", "si",
	"dle", "dc1", "dc2", "dc3", "dc4", "nak", "syn", "etb", "can", "em", "sub", "esc", "fs", "gs", "rs", "us", "sp"}

// format renders the value of t at b (little-endian, as on x86).
func (t odType) format(b []byte) string {
	switch t.kind {
	case 'c':
		ch := b[0]
		switch ch {
		case 0:
			return `\0`
		case '\a':
			return `\a`
		case '\b':
			return `\b`
		case '\f':
			return `\f`
		case '\n':
			return `\n`
		case '\r':
			return `\r`
		case '\t':
			return `\t`
		case '\v':
			return `\v`
		}
		if ch >= 0x20 && ch < 0x7f {
			return string(ch)
		}
		return fmt.Sprintf("%03o", ch)
	case 'a':
		ch := b[0] & 0x7f
		if ch <= 0x20 {
			return odNames[ch]
		}
		if ch == 0x7f {
			return "del"
		}
		return string(ch)
	}
	var v uint64
	for k := t.size - 1; k >= 0; k-- {
		v = v<<8 | uint64(b[k])
	}
	switch t.kind {
	case 'x':
		return fmt.Sprintf("%0*x", 2*t.size, v)
	case 'o':
		return fmt.Sprintf("%0*o", t.width()-1, v)
	case 'u':
		return strconv.FormatUint(v, 10)
	}
	shift := uint(64 - 8*t.size)
	return strconv.FormatInt(int64(v<<shift)>>shift, 10)
}

// odParseType parses a -t argument into its types.
func odParseType(s string) ([]odType, string) {
	var out []odType
	for i := 0; i < len(s); {
		k := s[i]
		i++
		switch k {
		case 'a', 'c':
			t := odType{kind: k, size: 1}
			if i < len(s) && s[i] == 'z' {
				t.z, i = true, i+1
			}
			out = append(out, t)
			continue
		case 'd', 'o', 'u', 'x':
		default:
			return nil, fmt.Sprintf("invalid character '%c' in type string %s", k, "")
		}
		size := 4
		if i < len(s) {
			switch s[i] {
			case 'C':
				size, i = 1, i+1
			case 'S':
				size, i = 2, i+1
			case 'I':
				size, i = 4, i+1
			case 'L':
				size, i = 8, i+1
			default:
				j := i
				for j < len(s) && isDigit(s[j]) {
					j++
				}
				if j > i {
					n, _ := strconv.Atoi(s[i:j])
					if n != 1 && n != 2 && n != 4 && n != 8 {
						return nil, fmt.Sprintf("invalid type string %s;\nthis system doesn't provide a %d-byte integral type", "", n)
					}
					size, i = n, j
				}
			}
		}
		t := odType{kind: k, size: size}
		if i < len(s) && s[i] == 'z' {
			t.z, i = true, i+1
		}
		out = append(out, t)
	}
	return out, ""
}

func odMain(p *Proc) int {
	c := newCmd(p)
	opts, ops, ok, st := c.parse(optSpec{Short: "A:j:N:t:vw::abcdfhilosxDeFHLOSX", Long: withHelp(
		longOpt{"address-radix", argRequired, "A"}, longOpt{"skip-bytes", argRequired, "j"},
		longOpt{"read-bytes", argRequired, "N"}, longOpt{"format", argRequired, "t"},
		longOpt{"output-duplicates", argNone, "v"}, longOpt{"width", argOptional, "w"})}, 1)
	if !ok {
		return st
	}
	radix := byte('o')
	var types []odType
	var skip, limit int64 = 0, -1
	dup := false
	width := 16
	for _, o := range opts {
		switch o.Key {
		case "help":
			c.print("Usage: od [OPTION]... [FILE]...\n")
			return c.done(0)
		case "version":
			c.print("od (GNU coreutils) 9.1\n")
			return c.done(0)
		case "A":
			if len(o.Val) != 1 || strings.IndexByte("doxn", o.Val[0]) < 0 {
				c.errorf("invalid output address radix '%s'; it must be one character from [doxn]", o.Val)
				return c.done(1)
			}
			radix = o.Val[0]
		case "j", "N":
			n, err := strconv.ParseInt(o.Val, 0, 64)
			if err != nil || n < 0 {
				what := "skip argument"
				if o.Key == "N" {
					what = "count argument"
				}
				c.errorf("invalid %s: %s", what, c.quoteLoc(o.Val))
				return c.done(1)
			}
			if o.Key == "j" {
				skip = n
			} else {
				limit = n
			}
		case "t":
			ts, msg := odParseType(o.Val)
			if msg != "" {
				c.errorf("%s", strings.ReplaceAll(msg, "string ", "string "+c.quoteLoc(o.Val)))
				return c.done(1)
			}
			types = append(types, ts...)
		case "v":
			dup = true
		case "w":
			width = 32
			if o.HasVal {
				n, err := strconv.Atoi(o.Val)
				if err != nil || n <= 0 {
					c.errorf("invalid -w argument %s", c.quoteLoc(o.Val))
					return c.done(1)
				}
				width = n
			}
		case "a":
			types = append(types, odType{kind: 'a', size: 1})
		case "b":
			types = append(types, odType{kind: 'o', size: 1})
		case "c":
			types = append(types, odType{kind: 'c', size: 1})
		case "d":
			types = append(types, odType{kind: 'u', size: 2})
		case "o":
			types = append(types, odType{kind: 'o', size: 2})
		case "s":
			types = append(types, odType{kind: 'd', size: 2})
		case "x", "h":
			types = append(types, odType{kind: 'x', size: 2})
		case "i":
			types = append(types, odType{kind: 'd', size: 4})
		case "l":
			types = append(types, odType{kind: 'd', size: 8})
		case "D":
			types = append(types, odType{kind: 'u', size: 4})
		case "O":
			types = append(types, odType{kind: 'o', size: 4})
		case "X", "H":
			types = append(types, odType{kind: 'x', size: 4})
		}
	}
	if len(types) == 0 {
		types = []odType{{kind: 'o', size: 2}}
	}
	var data []byte
	status := 0
	gotInput := false
	if len(ops) == 0 {
		ops = []string{"-"}
	}
	for _, name := range ops {
		var b []byte
		var err error
		if name == "-" {
			b, err = readCapped(c.Stdin)
		} else {
			b, err = c.FS.ReadFile(c.abs(name))
		}
		if err != nil {
			c.errorf("%s: %s", name, errText(err))
			status = 1
			continue
		}
		data = append(data, b...)
		gotInput = true
	}
	if skip > int64(len(data)) {
		c.errorf("cannot skip past end of combined input")
		return c.done(1)
	}
	data = data[skip:]
	if limit >= 0 && limit < int64(len(data)) {
		data = data[:limit]
	}
	// Every type's block (the lcm of the sizes: the largest) gets the widest type's width;
	// narrower types spread the difference over their fields, as od does.
	block := 1
	for _, t := range types {
		if t.size > block {
			block = t.size
		}
	}
	blockWidth := 0
	for _, t := range types {
		if w := t.width() * (block / t.size); w > blockWidth {
			blockWidth = w
		}
	}
	if !gotInput {
		return c.done(status)
	}
	addr := func(n int64) string {
		switch radix {
		case 'd':
			return fmt.Sprintf("%07d", n)
		case 'x':
			return fmt.Sprintf("%06x", n)
		case 'n':
			return ""
		}
		return fmt.Sprintf("%07o", n)
	}
	var prev []byte
	starred := false
	for off := 0; off < len(data); off += width {
		end := off + width
		if end > len(data) {
			end = len(data)
		}
		chunk := data[off:end]
		if !dup && prev != nil && len(chunk) == width && string(chunk) == string(prev) {
			if !starred {
				c.print("*\n")
				starred = true
			}
			continue
		}
		starred = false
		prev = chunk
		for ti, t := range types {
			if ti == 0 {
				c.print(addr(skip + int64(off)))
			} else {
				c.print(strings.Repeat(" ", len(addr(0))))
			}
			// A short last group is zero-padded, as od reads it.
			padded := append([]byte(nil), chunk...)
			for len(padded)%t.size != 0 {
				padded = append(padded, 0)
			}
			n := block / t.size
			pad := blockWidth - t.width()*n
			printed := 0
			for bk := 0; bk < len(padded); bk += block {
				padRemaining := pad
				for f := 0; f < n && bk+f*t.size+t.size <= len(padded); f++ {
					nextPad := pad * (n - f - 1) / n
					k := bk + f*t.size
					v := t.format(padded[k : k+t.size])
					field := strings.Repeat(" ", padRemaining-nextPad+t.width()-len(v)) + v
					c.print(field)
					printed += len(field)
					padRemaining = nextPad
				}
			}
			if t.z {
				// the text column starts after a full line's fields, also on a short line
				full := (width + block - 1) / block * blockWidth
				text := make([]byte, len(chunk))
				for k, ch := range chunk {
					if ch < 0x20 || ch > 0x7e {
						ch = '.'
					}
					text[k] = ch
				}
				c.print(strings.Repeat(" ", max(full-printed, 0)) + "  >" + string(text) + "<")
			}
			c.print("\n")
		}
	}
	if radix != 'n' {
		c.print(addr(skip+int64(len(data))) + "\n")
	}
	return c.done(status)
}
