package commands

import (
	"bytes"
	"encoding/base64"
	"sort"
	"strconv"
	"strings"
)

// The text tools: GNU grep 3.8, sed 4.9, coreutils 9.1's text utilities and mawk 1.3.4 (as
// awk), over the vfs and streamed where the real programs stream.

func registerTextutils(r *Registry) {
	r.Register("grep", grepMain)
	r.Register("egrep", grepMain)
	r.Register("fgrep", grepMain)
	r.Register("cut", cutMain)
	r.Register("tr", trMain)
	r.Register("sort", sortMain)
	r.Register("uniq", uniqMain)
	r.Register("sed", sedMain)
	r.Register("awk", awkMain)
	r.Register("mawk", awkMain)
	for _, n := range []string{"md5sum", "sha1sum", "sha224sum", "sha256sum", "sha384sum", "sha512sum"} {
		r.Register(n, sumMain)
	}
	r.Register("base64", base64Main)
	r.Register("rev", revMain)
	r.Register("tac", tacMain)
	r.Register("nl", nlMain)
	r.Register("paste", pasteMain)
	r.Register("comm", commMain)
	r.Register("xargs", xargsMain)
	r.Register("strings", stringsMain)
	r.Register("fold", foldMain)
}

// ---- cut ----

type cutRange struct{ lo, hi int } // 1-based, hi 0 = to end

func parseRanges(s string) ([]cutRange, string) {
	var out []cutRange
	for _, part := range strings.Split(s, ",") {
		if part == "" {
			return nil, "fields and positions are numbered from 1"
		}
		lo, hi := 1, 0
		if i := strings.IndexByte(part, '-'); i >= 0 {
			a, b := part[:i], part[i+1:]
			if a == "" && b == "" {
				return nil, "invalid range with no endpoint: -"
			}
			if a != "" {
				v, err := strconv.Atoi(a)
				if err != nil {
					return nil, "invalid field range"
				}
				if v == 0 {
					return nil, "fields and positions are numbered from 1"
				}
				lo = v
			}
			if b != "" {
				v, err := strconv.Atoi(b)
				if err != nil {
					return nil, "invalid field range"
				}
				if v == 0 {
					return nil, "fields and positions are numbered from 1"
				}
				hi = v
				if hi < lo {
					return nil, "invalid decreasing range"
				}
			}
		} else {
			v, err := strconv.Atoi(part)
			if err != nil {
				return nil, "invalid field value " + "'" + part + "'"
			}
			if v == 0 {
				return nil, "fields and positions are numbered from 1"
			}
			lo, hi = v, v
		}
		out = append(out, cutRange{lo, hi})
	}
	return out, ""
}

func inRanges(rs []cutRange, n int) bool {
	for _, r := range rs {
		if n >= r.lo && (r.hi == 0 || n <= r.hi) {
			return true
		}
	}
	return false
}

func cutMain(p *Proc) int {
	c := newCmd(p)
	opts, files, ok, st := c.parse(optSpec{Short: "b:c:d:f:nsz", Long: withHelp(
		longOpt{"bytes", argRequired, "b"}, longOpt{"characters", argRequired, "c"},
		longOpt{"delimiter", argRequired, "d"}, longOpt{"fields", argRequired, "f"},
		longOpt{"only-delimited", argNone, "s"}, longOpt{"output-delimiter", argRequired, "od"},
		longOpt{"complement", argNone, "complement"}, longOpt{"zero-terminated", argNone, "z"})}, 1)
	if !ok {
		return st
	}
	if h, st := c.helpVersion(opts, textutilsHelp, "cut"); h {
		return st
	}
	mode := byte(0)
	spec := ""
	delim := "\t"
	delimSet := false
	outDelim, outSet := "", false
	onlyDelim, complement := false, false
	for _, o := range opts {
		switch o.Key {
		case "b", "c", "f":
			if mode != 0 {
				c.errorf("only one type of list may be specified")
				return c.tryHelp(1)
			}
			mode, spec = o.Key[0], o.Val
		case "d":
			if len(o.Val) > 1 {
				c.errorf("the delimiter must be a single character")
				return c.tryHelp(1)
			}
			delim, delimSet = o.Val, true
			if delim == "" {
				delim = "\n"
			}
		case "od":
			outDelim, outSet = o.Val, true
		case "s":
			onlyDelim = true
		case "complement":
			complement = true
		}
	}
	if mode == 0 {
		c.errorf("you must specify a list of bytes, characters, or fields")
		return c.tryHelp(1)
	}
	if delimSet && mode != 'f' {
		c.errorf("an input delimiter may be specified only when operating on fields")
		return c.tryHelp(1)
	}
	if onlyDelim && mode != 'f' {
		c.errorf("suppressing non-delimited lines makes sense\n\tonly when operating on fields")
		return c.tryHelp(1)
	}
	rs, msg := parseRanges(spec)
	if msg == "fields and positions are numbered from 1" {
		if mode == 'f' {
			msg = "fields are numbered from 1"
		} else {
			msg = "byte/character positions are numbered from 1"
		}
	}
	if msg != "" {
		c.errorf("%s", msg)
		return c.tryHelp(1)
	}
	sel := func(n int) bool { return inRanges(rs, n) != complement }
	if !outSet {
		outDelim = delim
		if mode != 'f' {
			outDelim = ""
		}
	}
	if len(files) == 0 {
		files = []string{"-"}
	}
	status := 0
	var out []byte
	for _, f := range files {
		lr, err := c.openLines(f)
		if err != nil {
			c.errorf("%s: %s", c.quoteF(f), errText(err))
			status = 1
			continue
		}
		for !c.failed() {
			line, _, ok := lr.next()
			if !ok {
				break
			}
			out = out[:0]
			if mode == 'f' {
				if !strings.Contains(string(line), delim) {
					if !onlyDelim {
						out = append(out, line...)
						out = append(out, '\n')
						c.write(out)
					}
					continue
				}
				fields := bytes.Split(line, []byte(delim))
				first := true
				for i, fl := range fields {
					if sel(i + 1) {
						if !first {
							out = append(out, outDelim...)
						}
						first = false
						out = append(out, fl...)
					}
				}
			} else {
				// Bytes and characters (coreutils treats -c as bytes).
				prevSel := false
				for i := range line {
					if sel(i + 1) {
						if outSet && !prevSel && len(out) > 0 {
							out = append(out, outDelim...)
						}
						out = append(out, line[i])
						prevSel = true
					} else {
						prevSel = false
					}
				}
			}
			out = append(out, '\n')
			c.write(out)
		}
	}
	return c.done(status)
}

// ---- tr ----

// expandTrSet expands a tr SET (escapes, ranges, [:class:], [c*n]) into bytes.
func expandTrSet(s string) ([]byte, string) {
	var out []byte
	unesc := func(i int) (byte, int) {
		if s[i] != '\\' || i+1 >= len(s) {
			return s[i], 1
		}
		switch e := s[i+1]; e {
		case 'n':
			return '\n', 2
		case 't':
			return '\t', 2
		case 'r':
			return '\r', 2
		case 'a':
			return 7, 2
		case 'b':
			return 8, 2
		case 'f':
			return 12, 2
		case 'v':
			return 11, 2
		case '\\':
			return '\\', 2
		default:
			if e >= '0' && e <= '7' {
				v, n := 0, 1
				for n <= 3 && i+n < len(s) && s[i+n] >= '0' && s[i+n] <= '7' {
					v = v*8 + int(s[i+n]-'0')
					n++
				}
				return byte(v), n
			}
			return e, 2
		}
	}
	for i := 0; i < len(s); {
		if strings.HasPrefix(s[i:], "[:") {
			end := strings.Index(s[i+2:], ":]")
			if end >= 0 {
				name := s[i+2 : i+2+end]
				found := false
				for ch := 0; ch < 256; ch++ {
					if classMatch(name, byte(ch)) {
						out = append(out, byte(ch))
						found = true
					}
				}
				if !found && name != "" {
					return nil, "invalid character class " + "'" + name + "'"
				}
				i += 2 + end + 2
				continue
			}
		}
		if s[i] == '[' && i+2 < len(s) && strings.Contains(s[i+1:], "*") {
			if j := strings.IndexByte(s[i+1:], ']'); j > 0 && s[i+2] == '*' {
				ch := s[i+1]
				n, _ := strconv.Atoi(s[i+3 : i+1+j])
				if n == 0 {
					n = 1
				}
				for k := 0; k < n; k++ {
					out = append(out, ch)
				}
				i += j + 2
				continue
			}
		}
		ch, n := unesc(i)
		i += n
		if i+1 < len(s) && s[i] == '-' {
			hi, m := unesc(i + 1)
			if hi < ch {
				return nil, "range-endpoints of '" + string(ch) + "-" + string(hi) + "' are in reverse collating sequence order"
			}
			for x := int(ch); x <= int(hi); x++ {
				out = append(out, byte(x))
			}
			i += 1 + m
			continue
		}
		out = append(out, ch)
	}
	return out, ""
}

func trMain(p *Proc) int {
	c := newCmd(p)
	opts, ops, ok, st := c.parse(optSpec{Short: "cCdst", Long: withHelp(
		longOpt{"complement", argNone, "c"}, longOpt{"delete", argNone, "d"},
		longOpt{"squeeze-repeats", argNone, "s"}, longOpt{"truncate-set1", argNone, "t"})}, 1)
	if !ok {
		return st
	}
	if h, st := c.helpVersion(opts, textutilsHelp, "tr"); h {
		return st
	}
	comp := hasOpt(opts, "c") || hasOpt(opts, "C")
	del, squeeze, trunc := hasOpt(opts, "d"), hasOpt(opts, "s"), hasOpt(opts, "t")
	need := 2
	if del && !squeeze {
		need = 1
	}
	if squeeze && !del && len(ops) == 1 {
		need = 1
	}
	if len(ops) < need {
		if len(ops) == 0 {
			return c.usage(1, "missing operand")
		}
		if del && squeeze {
			return c.usage(1, "missing operand after %s\nTwo strings must be given when both deleting and squeezing repeats.", c.quoteAF(ops[0]))
		}
		return c.usage(1, "missing operand after %s\nTwo strings must be given when translating.", c.quoteAF(ops[0]))
	}
	if len(ops) > need && !(squeeze && len(ops) == 2) {
		if del && !squeeze {
			return c.usage(1, "extra operand %s\nOnly one string may be given when deleting without squeezing repeats.", c.quoteAF(ops[need]))
		}
		return c.usage(1, "extra operand %s", c.quoteAF(ops[need]))
	}
	set1, msg := expandTrSet(ops[0])
	if msg != "" {
		c.errorf("%s", msg)
		return c.done(1)
	}
	var in1 [256]bool
	for _, b := range set1 {
		in1[b] = true
	}
	if comp {
		var cs []byte
		for ch := 0; ch < 256; ch++ {
			if !in1[ch] {
				cs = append(cs, byte(ch))
			}
		}
		set1 = cs
		in1 = [256]bool{}
		for _, b := range set1 {
			in1[b] = true
		}
	}
	var set2 []byte
	if len(ops) > 1 {
		set2, msg = expandTrSet(ops[1])
		if msg != "" {
			c.errorf("%s", msg)
			return c.done(1)
		}
	}
	var xlat [256]byte
	for i := range xlat {
		xlat[i] = byte(i)
	}
	translating := !del && len(set2) > 0
	if translating {
		if trunc && len(set1) > len(set2) {
			set1 = set1[:len(set2)]
		}
		if len(set2) == 0 {
			c.errorf("when not truncating set1, string2 must be non-empty")
			return c.done(1)
		}
		for i, b := range set1 {
			j := i
			if j >= len(set2) {
				j = len(set2) - 1
			}
			xlat[b] = set2[j]
		}
	}
	var sq [256]bool
	sqSet := set1
	if len(ops) > 1 && (translating || del) {
		sqSet = set2
	}
	for _, b := range sqSet {
		sq[b] = true
	}
	buf := make([]byte, 32*1024)
	out := make([]byte, 0, 32*1024)
	last := -1
	in := c.Stdin
	for in != nil && !c.failed() {
		n, err := in.Read(buf)
		out = out[:0]
		for _, b := range buf[:n] {
			if del && in1[b] {
				continue
			}
			if translating {
				b = xlat[b]
			}
			if squeeze && sq[b] && int(b) == last {
				continue
			}
			last = int(b)
			out = append(out, b)
		}
		c.write(out)
		if err != nil {
			break
		}
	}
	return c.done(0)
}

// ---- uniq ----

func uniqMain(p *Proc) int {
	c := newCmd(p)
	opts, ops, ok, st := c.parse(optSpec{Short: "cdDf:is:uw:z", Long: withHelp(
		longOpt{"count", argNone, "c"}, longOpt{"repeated", argNone, "d"}, longOpt{"unique", argNone, "u"},
		longOpt{"ignore-case", argNone, "i"}, longOpt{"skip-fields", argRequired, "f"},
		longOpt{"skip-chars", argRequired, "s"}, longOpt{"check-chars", argRequired, "w"})}, 1)
	if !ok {
		return st
	}
	if h, st := c.helpVersion(opts, textutilsHelp, "uniq"); h {
		return st
	}
	count, dup, uniq, icase := hasOpt(opts, "c"), hasOpt(opts, "d"), hasOpt(opts, "u"), hasOpt(opts, "i")
	skipF, skipC, check := 0, 0, -1
	for _, o := range opts {
		switch o.Key {
		case "f":
			skipF, _ = strconv.Atoi(o.Val)
		case "s":
			skipC, _ = strconv.Atoi(o.Val)
		case "w":
			check, _ = strconv.Atoi(o.Val)
		}
	}
	in := "-"
	if len(ops) > 0 {
		in = ops[0]
	}
	if len(ops) > 2 {
		return c.usage(1, "extra operand %s", c.quoteAF(ops[2]))
	}
	lr, err := c.openLines(in)
	if err != nil {
		c.errorf("%s: %s", c.quoteF(in), errText(err))
		return c.done(1)
	}
	key := func(l []byte) string {
		s := string(l)
		for i := 0; i < skipF; i++ {
			s = strings.TrimLeft(s, " \t")
			j := strings.IndexAny(s, " \t")
			if j < 0 {
				s = ""
				break
			}
			s = s[j:]
		}
		if skipC < len(s) {
			s = s[skipC:]
		} else {
			s = ""
		}
		if check >= 0 && check < len(s) {
			s = s[:check]
		}
		if icase {
			s = strings.ToLower(s)
		}
		return s
	}
	var w strings.Builder
	emit := func(line string, n int) {
		if (dup && n < 2) || (uniq && n > 1) {
			return
		}
		if count {
			w.WriteString(padLeft(strconv.Itoa(n), 7) + " ")
		}
		w.WriteString(line + "\n")
		c.print(w.String())
		w.Reset()
	}
	var prev string
	var prevKey string
	n := 0
	for !c.failed() {
		line, _, ok := lr.next()
		if !ok {
			break
		}
		k := key(line)
		if n > 0 && k == prevKey {
			n++
			continue
		}
		if n > 0 {
			emit(prev, n)
		}
		prev, prevKey, n = string(line), k, 1
	}
	if n > 0 {
		emit(prev, n)
	}
	return c.done(0)
}

// ---- base64 ----

func base64Main(p *Proc) int {
	c := newCmd(p)
	opts, files, ok, st := c.parse(optSpec{Short: "diw:", Long: withHelp(
		longOpt{"decode", argNone, "d"}, longOpt{"ignore-garbage", argNone, "i"}, longOpt{"wrap", argRequired, "w"})}, 1)
	if !ok {
		return st
	}
	if h, st := c.helpVersion(opts, textutilsHelp, "base64"); h {
		return st
	}
	decode, garbage := hasOpt(opts, "d"), hasOpt(opts, "i")
	wrap := 76
	for _, o := range opts {
		if o.Key == "w" {
			v, err := strconv.Atoi(o.Val)
			if err != nil || v < 0 {
				c.errorf("invalid wrap size: %s", c.quoteLoc(o.Val))
				return c.done(1)
			}
			wrap = v
		}
	}
	if len(files) > 1 {
		return c.usage(1, "extra operand %s", c.quoteAF(files[1]))
	}
	f := "-"
	if len(files) == 1 {
		f = files[0]
	}
	data, err := c.readAll(f)
	if err != nil {
		c.errorf("%s: %s", c.quoteF(f), errText(err))
		return c.done(1)
	}
	if decode {
		var clean []byte
		for _, b := range data {
			switch {
			case b == '\n':
			case (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '+' || b == '/' || b == '=':
				clean = append(clean, b)
			default:
				if !garbage {
					// Decode what precedes the bad byte, then fail as coreutils does.
					out, _ := base64.StdEncoding.DecodeString(trimToQuad(clean))
					c.write(out)
					c.errorf("invalid input")
					return c.done(1)
				}
			}
		}
		out, derr := base64.StdEncoding.DecodeString(string(clean))
		if derr != nil {
			out, _ = base64.RawStdEncoding.DecodeString(strings.TrimRight(trimToQuad(clean), "="))
			if len(clean)%4 != 0 {
				// Partial trailing group: decode what is complete.
				n := len(clean) / 4 * 4
				full, _ := base64.StdEncoding.DecodeString(string(clean[:n]))
				out = full
				rest, _ := base64.RawStdEncoding.DecodeString(strings.TrimRight(string(clean[n:]), "="))
				out = append(out, rest...)
			}
			c.write(out)
			c.errorf("invalid input")
			return c.done(1)
		}
		c.write(out)
		return c.done(0)
	}
	enc := base64.StdEncoding.EncodeToString(data)
	if wrap == 0 {
		c.print(enc)
		return c.done(0)
	}
	for len(enc) > wrap {
		c.print(enc[:wrap] + "\n")
		enc = enc[wrap:]
	}
	if len(enc) > 0 {
		c.print(enc + "\n")
	}
	return c.done(0)
}

func trimToQuad(b []byte) string { return string(b[:len(b)/4*4]) }

// ---- rev / tac / nl / fold ----

func revMain(p *Proc) int {
	c := newCmd(p)
	files := p.Args[1:]
	if len(files) == 0 {
		files = []string{"-"}
	}
	status := 0
	for _, f := range files {
		lr, err := c.openLines(f)
		if err != nil {
			c.errRaw("rev: cannot open " + f + ": " + errText(err) + "\n")
			status = 1
			continue
		}
		for !c.failed() {
			line, nl, ok := lr.next()
			if !ok {
				break
			}
			r := []rune(string(line))
			for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
				r[i], r[j] = r[j], r[i]
			}
			s := string(r)
			if nl {
				s += "\n"
			}
			c.print(s)
		}
	}
	return c.done(status)
}

func tacMain(p *Proc) int {
	c := newCmd(p)
	opts, files, ok, st := c.parse(optSpec{Short: "brs:", Long: withHelp(longOpt{"separator", argRequired, "s"})}, 1)
	if !ok {
		return st
	}
	if h, st := c.helpVersion(opts, textutilsHelp, "tac"); h {
		return st
	}
	if len(files) == 0 {
		files = []string{"-"}
	}
	status := 0
	for _, f := range files {
		data, err := c.readAll(f)
		if err != nil {
			c.errorf("failed to open %s for reading: %s", c.quoteAF(f), errText(err))
			status = 1
			continue
		}
		if len(data) == 0 {
			continue
		}
		recs := bytes.SplitAfter(data, []byte("\n"))
		if len(recs[len(recs)-1]) == 0 {
			recs = recs[:len(recs)-1]
		}
		for i := len(recs) - 1; i >= 0; i-- {
			c.write(recs[i])
		}
	}
	return c.done(status)
}

func nlMain(p *Proc) int {
	c := newCmd(p)
	opts, files, ok, st := c.parse(optSpec{Short: "b:d:f:h:i:l:n:ps:v:w:", Long: withHelp(
		longOpt{"body-numbering", argRequired, "b"}, longOpt{"number-separator", argRequired, "s"},
		longOpt{"number-width", argRequired, "w"}, longOpt{"number-format", argRequired, "n"},
		longOpt{"starting-line-number", argRequired, "v"}, longOpt{"line-increment", argRequired, "i"})}, 1)
	if !ok {
		return st
	}
	if h, st := c.helpVersion(opts, textutilsHelp, "nl"); h {
		return st
	}
	style, sep, width, format := "t", "\t", 6, "rn"
	start, incr := 1, 1
	for _, o := range opts {
		switch o.Key {
		case "b":
			style = o.Val
		case "s":
			sep = o.Val
		case "w":
			width, _ = strconv.Atoi(o.Val)
		case "n":
			format = o.Val
		case "v":
			start, _ = strconv.Atoi(o.Val)
		case "i":
			incr, _ = strconv.Atoi(o.Val)
		}
	}
	if len(files) == 0 {
		files = []string{"-"}
	}
	n := start
	status := 0
	for _, f := range files {
		lr, err := c.openLines(f)
		if err != nil {
			c.errorf("%s: %s", c.quoteF(f), errText(err))
			status = 1
			continue
		}
		for !c.failed() {
			line, _, ok := lr.next()
			if !ok {
				break
			}
			number := style == "a" || (style == "t" && len(line) > 0)
			if strings.HasPrefix(style, "p") {
				re, err := compileRegex(style[1:], reBRE, false)
				number = err == nil && re.Match(line)
			}
			if number {
				num := strconv.Itoa(n)
				switch format {
				case "ln":
					num = padRight(num, width)
				case "rz":
					num = strings.Repeat("0", max(0, width-len(num))) + num
				default:
					num = padLeft(num, width)
				}
				c.print(num + sep + string(line) + "\n")
				n += incr
			} else {
				c.print(strings.Repeat(" ", width+len(sep)) + string(line) + "\n")
			}
		}
	}
	return c.done(status)
}

func foldMain(p *Proc) int {
	c := newCmd(p)
	saved := c.Args
	if len(p.Args) > 1 && len(p.Args[1]) > 1 && p.Args[1][0] == '-' && isDigit(p.Args[1][1]) {
		c.Args = append([]string{p.Args[0], "-w", p.Args[1][1:]}, p.Args[2:]...)
	}
	opts, files, ok, st := c.parse(optSpec{Short: "bsw:", Long: withHelp(
		longOpt{"bytes", argNone, "b"}, longOpt{"spaces", argNone, "s"}, longOpt{"width", argRequired, "w"})}, 1)
	c.Args = saved
	if !ok {
		return st
	}
	if h, st := c.helpVersion(opts, textutilsHelp, "fold"); h {
		return st
	}
	width := 80
	spaces := hasOpt(opts, "s")
	for _, o := range opts {
		if o.Key == "w" {
			v, err := strconv.Atoi(o.Val)
			if err != nil || v < 1 {
				c.errorf("invalid number of columns: %s", c.quoteLoc(o.Val))
				return c.done(1)
			}
			width = v
		}
	}
	if len(files) == 0 {
		files = []string{"-"}
	}
	status := 0
	for _, f := range files {
		lr, err := c.openLines(f)
		if err != nil {
			c.errorf("%s: %s", c.quoteF(f), errText(err))
			status = 1
			continue
		}
		for !c.failed() {
			line, nl, ok := lr.next()
			if !ok {
				break
			}
			s := string(line)
			for len(s) > width {
				cut := width
				if spaces {
					if i := strings.LastIndexByte(s[:width], ' '); i >= 0 {
						cut = i + 1
					}
				}
				c.print(s[:cut] + "\n")
				s = s[cut:]
			}
			c.print(s)
			if nl {
				c.print("\n")
			}
		}
	}
	return c.done(status)
}

// ---- paste / comm ----

func pasteMain(p *Proc) int {
	c := newCmd(p)
	opts, files, ok, st := c.parse(optSpec{Short: "d:sz", Long: withHelp(
		longOpt{"delimiters", argRequired, "d"}, longOpt{"serial", argNone, "s"})}, 1)
	if !ok {
		return st
	}
	if h, st := c.helpVersion(opts, textutilsHelp, "paste"); h {
		return st
	}
	delims := []byte("\t")
	for _, o := range opts {
		if o.Key == "d" {
			d, _ := expandTrSet(o.Val)
			delims = d
		}
	}
	if len(files) == 0 {
		files = []string{"-"}
	}
	var readers []*lineReader
	for _, f := range files {
		lr, err := c.openLines(f)
		if err != nil {
			c.errorf("%s: %s", c.quoteF(f), errText(err))
			return c.done(1)
		}
		readers = append(readers, lr)
	}
	delim := func(i int) string {
		if len(delims) == 0 {
			return ""
		}
		return string(delims[i%len(delims)])
	}
	if hasOpt(opts, "s") {
		for _, lr := range readers {
			i := 0
			var b strings.Builder
			for {
				line, _, ok := lr.next()
				if !ok {
					break
				}
				if i > 0 {
					b.WriteString(delim(i - 1))
				}
				b.Write(line)
				i++
			}
			c.print(b.String() + "\n")
		}
		return c.done(0)
	}
	for !c.failed() {
		var b strings.Builder
		any := false
		for i, lr := range readers {
			line, _, ok := lr.next()
			if ok {
				any = true
			}
			if i > 0 {
				b.WriteString(delim(i - 1))
			}
			b.Write(line)
		}
		if !any {
			break
		}
		c.print(b.String() + "\n")
	}
	return c.done(0)
}

func commMain(p *Proc) int {
	c := newCmd(p)
	opts, files, ok, st := c.parse(optSpec{Short: "123z", Long: withHelp(
		longOpt{"output-delimiter", argRequired, "od"}, longOpt{"check-order", argNone, "co"},
		longOpt{"nocheck-order", argNone, "nco"}, longOpt{"total", argNone, "total"})}, 1)
	if !ok {
		return st
	}
	if h, st := c.helpVersion(opts, textutilsHelp, "comm"); h {
		return st
	}
	if len(files) < 2 {
		if len(files) == 0 {
			return c.usage(1, "missing operand")
		}
		return c.usage(1, "missing operand after %s", c.quoteAF(files[0]))
	}
	if len(files) > 2 {
		return c.usage(1, "extra operand %s", c.quoteAF(files[2]))
	}
	s1, s2, s3 := !hasOpt(opts, "1"), !hasOpt(opts, "2"), !hasOpt(opts, "3")
	od := "\t"
	for _, o := range opts {
		if o.Key == "od" {
			od = o.Val
		}
	}
	var lines [2][]string
	for i, f := range files {
		data, err := c.readAll(f)
		if err != nil {
			c.errorf("%s: %s", c.quoteF(f), errText(err))
			return c.done(1)
		}
		s := strings.TrimSuffix(string(data), "\n")
		if s != "" || len(data) > 0 {
			lines[i] = strings.Split(s, "\n")
		}
	}
	col := func(n int, s string) {
		pre := ""
		if n >= 2 && s1 {
			pre += od
		}
		if n == 3 && s2 {
			pre += od
		}
		c.print(pre + s + "\n")
	}
	i, j := 0, 0
	a, b := lines[0], lines[1]
	for i < len(a) || j < len(b) {
		switch {
		case j >= len(b) || (i < len(a) && a[i] < b[j]):
			if s1 {
				col(1, a[i])
			}
			i++
		case i >= len(a) || b[j] < a[i]:
			if s2 {
				col(2, b[j])
			}
			j++
		default:
			if s3 {
				col(3, a[i])
			}
			i++
			j++
		}
	}
	return c.done(0)
}

// ---- strings ----

func stringsMain(p *Proc) int {
	c := newCmd(p)
	saved := c.Args
	if len(p.Args) > 1 && len(p.Args[1]) > 1 && p.Args[1][0] == '-' && isDigit(p.Args[1][1]) {
		c.Args = append([]string{p.Args[0], "-n", p.Args[1][1:]}, p.Args[2:]...)
	}
	opts, files, ok, st := c.parse(optSpec{Short: "afn:t:e:", Long: withHelp(
		longOpt{"all", argNone, "a"}, longOpt{"print-file-name", argNone, "f"},
		longOpt{"bytes", argRequired, "n"}, longOpt{"radix", argRequired, "t"})}, 1)
	c.Args = saved
	if !ok {
		return st
	}
	if h, st := c.helpVersion(opts, textutilsHelp, "strings"); h {
		return st
	}
	minLen := 4
	radix := ""
	for _, o := range opts {
		switch o.Key {
		case "n":
			minLen, _ = strconv.Atoi(o.Val)
		case "t":
			radix = o.Val
		}
	}
	if len(files) == 0 {
		files = []string{"-"}
	}
	status := 0
	for _, f := range files {
		data, err := c.readAll(f)
		if err != nil {
			c.errRaw("strings: '" + f + "': No such file\n")
			status = 1
			continue
		}
		start := -1
		flush := func(end int) {
			if start >= 0 && end-start >= minLen {
				pre := ""
				switch radix {
				case "d":
					pre = padLeft(strconv.Itoa(start), 7) + " "
				case "x":
					pre = padLeft(strconv.FormatInt(int64(start), 16), 7) + " "
				case "o":
					pre = padLeft(strconv.FormatInt(int64(start), 8), 7) + " "
				}
				if hasOpt(opts, "f") {
					pre = f + ": " + pre
				}
				c.print(pre + string(data[start:end]) + "\n")
			}
			start = -1
		}
		for i, b := range data {
			if (b >= 32 && b < 127) || b == '\t' {
				if start < 0 {
					start = i
				}
			} else {
				flush(i)
			}
		}
		flush(len(data))
	}
	return c.done(status)
}

// ---- xargs ----

func xargsMain(p *Proc) int {
	c := newCmd(p)
	opts, ops, ok, st := c.parse(optSpec{Short: "+0d:E:I:i::L:l::n:P:prs:tx", Long: withHelp(
		longOpt{"null", argNone, "0"}, longOpt{"delimiter", argRequired, "d"},
		longOpt{"replace", argOptional, "i"}, longOpt{"max-args", argRequired, "n"},
		longOpt{"max-lines", argRequired, "L"}, longOpt{"no-run-if-empty", argNone, "r"},
		longOpt{"verbose", argNone, "t"}, longOpt{"max-procs", argRequired, "P"},
		longOpt{"arg-file", argRequired, "a"})}, 1)
	if !ok {
		return st
	}
	if h, st := c.helpVersion(opts, textutilsHelp, "xargs"); h {
		return st
	}
	maxArgs := 0
	replace := ""
	noEmpty, verbose, nul := false, false, false
	delim := ""
	for _, o := range opts {
		switch o.Key {
		case "n", "L", "l":
			maxArgs, _ = strconv.Atoi(o.Val)
			if o.Key == "l" && !o.HasVal {
				maxArgs = 1
			}
		case "I":
			replace, maxArgs = o.Val, 1
		case "i":
			replace, maxArgs = "{}", 1
			if o.HasVal {
				replace = o.Val
			}
		case "r":
			noEmpty = true
		case "t":
			verbose = true
		case "0":
			nul = true
		case "d":
			d, _ := expandTrSet(o.Val)
			if len(d) > 0 {
				delim = string(d[:1])
			}
		}
	}
	if len(ops) == 0 {
		ops = []string{"echo"}
	}
	data, err := readCapped(c.Stdin)
	if err != nil {
		c.errorf("%s", errText(err))
		return c.done(1)
	}
	var items []string
	switch {
	case nul:
		for _, s := range strings.Split(string(data), "\x00") {
			if s != "" {
				items = append(items, s)
			}
		}
	case delim != "":
		items = strings.Split(strings.TrimSuffix(string(data), delim), delim)
	case replace != "":
		for _, l := range strings.Split(string(data), "\n") {
			l = strings.TrimLeft(l, " \t")
			if l != "" {
				items = append(items, l)
			}
		}
	default:
		items = xargsSplit(string(data))
	}
	if len(items) == 0 && noEmpty {
		return c.done(0)
	}
	var batches [][]string
	if maxArgs > 0 {
		for i := 0; i < len(items); i += maxArgs {
			batches = append(batches, items[i:min(i+maxArgs, len(items))])
		}
	} else {
		batches = [][]string{items}
	}
	if len(batches) == 0 {
		batches = [][]string{nil}
	}
	status := 0
	for _, b := range batches {
		if c.failed() {
			break
		}
		var words []string
		if replace != "" {
			arg := strings.Join(b, " ")
			for _, o := range ops {
				words = append(words, strings.ReplaceAll(o, replace, arg))
			}
		} else {
			words = append(append(words, ops...), b...)
		}
		if verbose {
			c.errRaw(strings.Join(words, " ") + "\n")
		}
		quoted := make([]string, len(words))
		for i, w := range words {
			quoted[i] = shSingleQuote(w)
		}
		c.flush()
		if c.Sub == nil {
			return c.done(127)
		}
		rc := c.Sub(c.Ctx, strings.Join(quoted, " "), nil, strings.NewReader(""), c.Stdout, c.Stderr)
		switch {
		case rc == 127:
			return c.done(127)
		case rc == 255:
			c.errorf("%s: exited with status 255; aborting", ops[0])
			return c.done(124)
		case rc != 0:
			status = 123
		}
	}
	return c.done(status)
}

// xargsSplit splits input into arguments as xargs does by default: blanks and newlines
// separate, quotes and backslashes protect.
func xargsSplit(s string) []string {
	var out []string
	var cur strings.Builder
	has := false
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch == ' ' || ch == '\t' || ch == '\n':
			if has {
				out = append(out, cur.String())
				cur.Reset()
				has = false
			}
		case ch == '\'' || ch == '"':
			j := strings.IndexByte(s[i+1:], ch)
			if j < 0 {
				cur.WriteString(s[i+1:])
				i = len(s)
			} else {
				cur.WriteString(s[i+1 : i+1+j])
				i += j + 1
			}
			has = true
		case ch == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
			has = true
		default:
			cur.WriteByte(ch)
			has = true
		}
	}
	if has {
		out = append(out, cur.String())
	}
	return out
}

// ---- sort ----

type sortKey struct {
	f1, c1, f2, c2           int
	numeric, rev, human, gen bool
	fold, version, month     bool
	blanks                   bool
}

func sortMain(p *Proc) int {
	c := newCmd(p)
	opts, files, ok, st := c.parse(optSpec{Short: "bcCdfghik:mMno:rRsS:t:T:uVz", Long: withHelp(
		longOpt{"ignore-leading-blanks", argNone, "b"}, longOpt{"check", argOptional, "c"},
		longOpt{"dictionary-order", argNone, "d"}, longOpt{"ignore-case", argNone, "f"},
		longOpt{"general-numeric-sort", argNone, "g"}, longOpt{"human-numeric-sort", argNone, "h"},
		longOpt{"key", argRequired, "k"}, longOpt{"numeric-sort", argNone, "n"},
		longOpt{"month-sort", argNone, "M"}, longOpt{"output", argRequired, "o"},
		longOpt{"reverse", argNone, "r"}, longOpt{"random-sort", argNone, "R"},
		longOpt{"stable", argNone, "s"}, longOpt{"field-separator", argRequired, "t"},
		longOpt{"unique", argNone, "u"}, longOpt{"version-sort", argNone, "V"},
		longOpt{"buffer-size", argRequired, "S"}, longOpt{"parallel", argRequired, "parallel"})}, 2)
	if !ok {
		return st
	}
	if h, st := c.helpVersion(opts, textutilsHelp, "sort"); h {
		return st
	}
	var g sortKey
	var keys []sortKey
	sep := ""
	unique, stable, check := false, false, false
	output := ""
	for _, o := range opts {
		switch o.Key {
		case "n":
			g.numeric = true
		case "r":
			g.rev = true
		case "h":
			g.human = true
		case "g":
			g.gen = true
		case "f":
			g.fold = true
		case "V":
			g.version = true
		case "M":
			g.month = true
		case "b":
			g.blanks = true
		case "u":
			unique = true
		case "s":
			stable = true
		case "c", "C":
			check = true
		case "o":
			output = o.Val
		case "t":
			if len(o.Val) != 1 {
				if o.Val == "" {
					c.errorf("empty tab")
				} else {
					c.errorf("multi-character tab %s", c.quoteLoc(o.Val))
				}
				return c.done(2)
			}
			sep = o.Val
		case "k":
			k, okk := parseSortKey(o.Val)
			if !okk {
				c.errorf("invalid number at field start: invalid count at start of %s", c.quoteLoc(o.Val))
				return c.done(2)
			}
			keys = append(keys, k)
		}
	}
	for i := range keys {
		k := &keys[i]
		if !k.numeric && !k.rev && !k.human && !k.gen && !k.fold && !k.version && !k.month && !k.blanks {
			f1, c1, f2, c2 := k.f1, k.c1, k.f2, k.c2
			*k = g
			k.f1, k.c1, k.f2, k.c2 = f1, c1, f2, c2
		}
	}
	if len(files) == 0 {
		files = []string{"-"}
	}
	var lines []string
	total := 0
	for _, f := range files {
		data, err := c.readAll(f)
		if err != nil {
			if err == errMemory {
				c.errorf("memory exhausted")
			} else {
				c.errorf("cannot read: %s: %s", f, errText(err))
			}
			return c.done(2)
		}
		total += len(data)
		if total > maxBuffered {
			c.errorf("memory exhausted")
			return c.done(2)
		}
		if len(data) == 0 {
			continue
		}
		s := strings.TrimSuffix(string(data), "\n")
		lines = append(lines, strings.Split(s, "\n")...)
	}
	cmpLines := func(a, b string) int {
		if len(keys) == 0 {
			r := cmpField(a, b, g)
			if r == 0 && !stable && !unique && (g.numeric || g.human || g.gen || g.fold || g.version || g.month || g.blanks) {
				r = strings.Compare(a, b)
				if g.rev {
					r = -r
				}
			}
			return r
		}
		for _, k := range keys {
			r := cmpField(keyField(a, k, sep), keyField(b, k, sep), k)
			if r != 0 {
				return r
			}
		}
		if stable || unique {
			return 0
		}
		r := strings.Compare(a, b)
		if g.rev {
			r = -r
		}
		return r
	}
	if check {
		for i := 1; i < len(lines); i++ {
			if cmpLines(lines[i-1], lines[i]) > 0 {
				c.errRaw(c.name + ": " + files[0] + ":" + strconv.Itoa(i+1) + ": disorder: " + lines[i] + "\n")
				return c.done(1)
			}
		}
		return c.done(0)
	}
	sort.SliceStable(lines, func(i, j int) bool { return cmpLines(lines[i], lines[j]) < 0 })
	var b strings.Builder
	for i, l := range lines {
		if unique && i > 0 {
			var same bool
			if len(keys) == 0 {
				same = cmpField(lines[i-1], l, g) == 0
			} else {
				same = true
				for _, k := range keys {
					if cmpField(keyField(lines[i-1], k, sep), keyField(l, k, sep), k) != 0 {
						same = false
						break
					}
				}
			}
			if same {
				continue
			}
		}
		b.WriteString(l)
		b.WriteByte('\n')
	}
	if output != "" {
		if err := c.FS.WriteFile(c.abs(output), []byte(b.String()), 0o644&^c.umask()); err != nil {
			c.errorf("open failed: %s: %s", output, errText(err))
			return c.done(2)
		}
		return c.done(0)
	}
	c.print(b.String())
	return c.done(0)
}

func parseSortKey(s string) (sortKey, bool) {
	var k sortKey
	pos1, pos2, _ := strings.Cut(s, ",")
	parse := func(pos string) (int, int, string, bool) {
		i := 0
		for i < len(pos) && isDigit(pos[i]) {
			i++
		}
		if i == 0 {
			return 0, 0, "", false
		}
		f, _ := strconv.Atoi(pos[:i])
		ch := 0
		if i < len(pos) && pos[i] == '.' {
			j := i + 1
			for j < len(pos) && isDigit(pos[j]) {
				j++
			}
			ch, _ = strconv.Atoi(pos[i+1 : j])
			i = j
		}
		return f, ch, pos[i:], true
	}
	f1, c1, flags1, ok := parse(pos1)
	if !ok || f1 == 0 {
		return k, false
	}
	k.f1, k.c1 = f1, c1
	flags := flags1
	if pos2 != "" {
		f2, c2, flags2, ok := parse(pos2)
		if !ok {
			return k, false
		}
		k.f2, k.c2 = f2, c2
		flags += flags2
	}
	for _, fl := range flags {
		switch fl {
		case 'n':
			k.numeric = true
		case 'r':
			k.rev = true
		case 'h':
			k.human = true
		case 'g':
			k.gen = true
		case 'f':
			k.fold = true
		case 'V':
			k.version = true
		case 'M':
			k.month = true
		case 'b':
			k.blanks = true
		default:
			return k, false
		}
	}
	return k, true
}

// keyField extracts a -k field range from a line (fields separated by sep, or by the blank
// runs that start each field when sep is empty).
func keyField(line string, k sortKey, sep string) string {
	var starts []int
	if sep != "" {
		starts = append(starts, 0)
		for i := 0; i < len(line); i++ {
			if line[i] == sep[0] {
				starts = append(starts, i+1)
			}
		}
	} else {
		i := 0
		for i < len(line) {
			starts = append(starts, i)
			for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
				i++
			}
			for i < len(line) && line[i] != ' ' && line[i] != '\t' {
				i++
			}
		}
		if len(starts) == 0 {
			starts = []int{0}
		}
	}
	fieldEnd := func(f int) int {
		if f < len(starts) {
			if sep != "" {
				return starts[f] - 1
			}
			return starts[f]
		}
		return len(line)
	}
	if k.f1-1 >= len(starts) {
		return ""
	}
	begin := starts[k.f1-1]
	if k.blanks || sep == "" && k.c1 > 0 {
		for begin < len(line) && (line[begin] == ' ' || line[begin] == '\t') && (k.blanks || k.c1 > 0) {
			begin++
		}
	}
	if k.c1 > 0 {
		begin += k.c1 - 1
	}
	end := len(line)
	if k.f2 > 0 {
		if k.c2 == 0 {
			end = fieldEnd(k.f2)
		} else {
			if k.f2-1 < len(starts) {
				e := starts[k.f2-1]
				if k.blanks {
					for e < len(line) && (line[e] == ' ' || line[e] == '\t') {
						e++
					}
				}
				end = e + k.c2
			}
		}
	}
	if begin > len(line) {
		begin = len(line)
	}
	if end > len(line) {
		end = len(line)
	}
	if end < begin {
		return ""
	}
	return line[begin:end]
}

func cmpField(a, b string, k sortKey) int {
	r := 0
	switch {
	case k.numeric:
		r = cmpNumeric(a, b)
	case k.human:
		r = cmpFloat(humanValue(a), humanValue(b))
	case k.gen:
		r = cmpFloat(genValue(a), genValue(b))
	case k.version:
		r = versionCompare(a, b)
	case k.month:
		r = monthValue(a) - monthValue(b)
	default:
		if k.blanks {
			a, b = strings.TrimLeft(a, " \t"), strings.TrimLeft(b, " \t")
		}
		if k.fold {
			a, b = strings.ToUpper(a), strings.ToUpper(b)
		}
		r = strings.Compare(a, b)
	}
	if k.rev {
		r = -r
	}
	return r
}

// numPrefix returns the leading number of s as sort -n reads it (blanks, sign, digits,
// one decimal point); no number counts as zero.
func numPrefix(s string) float64 {
	s = strings.TrimLeft(s, " \t")
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	v, err := strconv.ParseFloat(s[:i], 64)
	if err != nil {
		return 0
	}
	return v
}

func cmpNumeric(a, b string) int { return cmpFloat(numPrefix(a), numPrefix(b)) }

func cmpFloat(x, y float64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

func humanValue(s string) float64 {
	v := numPrefix(s)
	t := strings.TrimLeft(s, " \t-0123456789.")
	if t != "" {
		if i := strings.IndexByte("KMGTPEZY", t[0]|0); i >= 0 {
			for j := 0; j <= i; j++ {
				v *= 1024
			}
		} else if t[0] == 'k' {
			v *= 1024
		}
	}
	return v
}

func genValue(s string) float64 {
	s = strings.TrimSpace(s)
	end := len(s)
	for end > 0 {
		if v, err := strconv.ParseFloat(s[:end], 64); err == nil {
			return v
		}
		end--
	}
	return -1e308
}

func monthValue(s string) int {
	s = strings.ToUpper(strings.TrimLeft(s, " \t"))
	for i, m := range []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"} {
		if strings.HasPrefix(s, m) {
			return i + 1
		}
	}
	return 0
}
