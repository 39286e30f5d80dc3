package commands

import (
	"bytes"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// head, tail and wc: the coreutils programs that count lines and bytes.

// parseCount parses a coreutils count with its multiplier suffixes (b, K, KB, KiB, M, ...).
func parseCount(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i == 0 {
		return 0, false
	}
	n, err := strconv.ParseInt(s[:i], 10, 64)
	if err != nil {
		return 0, false
	}
	suf := s[i:]
	mult := int64(1)
	if suf != "" {
		table := map[string]int64{"b": 512, "K": 1024, "KiB": 1024, "kB": 1000, "KB": 1000, "M": 1 << 20, "MiB": 1 << 20, "MB": 1e6,
			"G": 1 << 30, "GiB": 1 << 30, "GB": 1e9, "T": 1 << 40, "TB": 1e12, "k": 1024}
		m, ok := table[suf]
		if !ok {
			return 0, false
		}
		mult = m
	}
	return n * mult, true
}

// obsoleteCount rewrites head/tail's "-5", "-5c", "+5" forms into -n/-c options.
func obsoleteCount(args []string, allowPlus bool) []string {
	if len(args) < 2 {
		return args
	}
	a := args[1]
	if len(a) < 2 || (a[0] != '-' && !(allowPlus && a[0] == '+')) || !isDigit(a[1]) {
		return args
	}
	j := 1
	for j < len(a) && isDigit(a[j]) {
		j++
	}
	num := a[1:j]
	rest := a[j:]
	key := "-n"
	if strings.HasPrefix(rest, "c") {
		key, rest = "-c", rest[1:]
	} else if strings.HasPrefix(rest, "l") {
		rest = rest[1:]
	} else if strings.HasPrefix(rest, "b") || strings.HasPrefix(rest, "k") || strings.HasPrefix(rest, "m") {
		key = "-c"
		switch rest[0] {
		case 'b':
			n, _ := strconv.ParseInt(num, 10, 64)
			num = strconv.FormatInt(n*512, 10)
		case 'k':
			n, _ := strconv.ParseInt(num, 10, 64)
			num = strconv.FormatInt(n*1024, 10)
		case 'm':
			n, _ := strconv.ParseInt(num, 10, 64)
			num = strconv.FormatInt(n*1048576, 10)
		}
		rest = rest[1:]
	}
	if a[0] == '+' {
		num = "+" + num
	}
	out := []string{args[0], key, num}
	for _, r := range rest {
		out = append(out, "-"+string(r))
	}
	return append(out, args[2:]...)
}

func headMain(p *Proc) int {
	c := newCmd(p)
	saved := c.Args
	c.Args = obsoleteCount(p.Args, false)
	opts, files, ok, st := c.parse(optSpec{Short: "c:n:qvz", Long: withHelp(
		longOpt{"bytes", argRequired, "c"}, longOpt{"lines", argRequired, "n"},
		longOpt{"quiet", argNone, "q"}, longOpt{"silent", argNone, "q"}, longOpt{"verbose", argNone, "v"},
		longOpt{"zero-terminated", argNone, "z"})}, 1)
	c.Args = saved
	if !ok {
		return st
	}
	if h, st := c.helpVersion(opts, fileutilsHelp, "head"); h {
		return st
	}
	n := int64(10)
	bytesMode, allBut := false, false
	headers := 0 // 0 auto, 1 never, 2 always
	delim := byte('\n')
	for _, o := range opts {
		switch o.Key {
		case "n", "c":
			v := o.Val
			neg := strings.HasPrefix(v, "-")
			v = strings.TrimPrefix(v, "-")
			cnt, ok := parseCount(v)
			if !ok {
				kind := "lines"
				if o.Key == "c" {
					kind = "bytes"
				}
				c.errorf("invalid number of %s: %s", kind, c.quoteLoc(o.Val))
				return c.done(1)
			}
			n, bytesMode, allBut = cnt, o.Key == "c", neg
		case "q":
			headers = 1
		case "v":
			headers = 2
		case "z":
			delim = 0
		}
	}
	if len(files) == 0 {
		files = []string{"-"}
	}
	show := headers == 2 || (headers == 0 && len(files) > 1)
	status := 0
	first := true
	for _, f := range files {
		if c.failed() {
			break
		}
		r, err := c.openReader(f)
		if err == nil && f != "-" {
			if m, serr := c.FS.Stat(c.abs(f)); serr == nil && m.Mode.IsDir() {
				if show {
					c.headerFor(f, &first)
				}
				c.errorf("error reading %s: Is a directory", c.quoteAF(f))
				status = 1
				continue
			}
		}
		if err != nil {
			c.errorf("cannot open %s for reading: %s", c.quoteAF(f), errText(err))
			status = 1
			continue
		}
		if show {
			c.headerFor(f, &first)
		}
		switch {
		case bytesMode && !allBut:
			c.copyStream(io.LimitReader(r, n))
		case bytesMode && allBut:
			data, err := readCapped(r)
			if err != nil {
				c.errorf("%s: %s", c.quoteF(f), errText(err))
				status = 1
				continue
			}
			if int64(len(data)) > n {
				c.write(data[:int64(len(data))-n])
			}
		case !allBut:
			br := newDelimReader(r, delim)
			for i := int64(0); i < n && !c.failed(); i++ {
				line, ok := br.next()
				if !ok {
					break
				}
				c.write(line)
			}
		default:
			// All but the last n lines: keep a window of n lines.
			br := newDelimReader(r, delim)
			var window [][]byte
			for !c.failed() {
				line, ok := br.next()
				if !ok {
					break
				}
				window = append(window, append([]byte(nil), line...))
				if int64(len(window)) > n {
					c.write(window[0])
					window = window[1:]
				}
			}
		}
	}
	return c.done(status)
}

// headerFor prints "==> name <==" with the blank line before every header but the first.
func (c *cmd) headerFor(name string, first *bool) {
	if !*first {
		c.print("\n")
	}
	*first = false
	shown := name
	if name == "-" {
		shown = "standard input"
	}
	c.print("==> " + shown + " <==\n")
}

// delimReader yields records including their delimiter.
type delimReader struct {
	r   io.Reader
	buf []byte
	eof bool
	d   byte
}

func newDelimReader(r io.Reader, d byte) *delimReader { return &delimReader{r: r, d: d} }

func (dr *delimReader) next() ([]byte, bool) {
	for {
		if i := bytes.IndexByte(dr.buf, dr.d); i >= 0 {
			line := dr.buf[:i+1]
			dr.buf = dr.buf[i+1:]
			return line, true
		}
		if dr.eof {
			if len(dr.buf) > 0 {
				line := dr.buf
				dr.buf = nil
				return line, true
			}
			return nil, false
		}
		if len(dr.buf) > maxBuffered {
			line := dr.buf
			dr.buf = nil
			return line, true
		}
		tmp := make([]byte, 32*1024)
		n, err := dr.r.Read(tmp)
		dr.buf = append(dr.buf, tmp[:n]...)
		if err != nil {
			dr.eof = true
		}
	}
}

func tailMain(p *Proc) int {
	c := newCmd(p)
	saved := c.Args
	c.Args = obsoleteCount(p.Args, true)
	opts, files, ok, st := c.parse(optSpec{Short: "c:n:fFqvzs:", Long: withHelp(
		longOpt{"bytes", argRequired, "c"}, longOpt{"lines", argRequired, "n"},
		longOpt{"follow", argOptional, "f"}, longOpt{"quiet", argNone, "q"}, longOpt{"silent", argNone, "q"},
		longOpt{"verbose", argNone, "v"}, longOpt{"zero-terminated", argNone, "z"},
		longOpt{"sleep-interval", argRequired, "s"}, longOpt{"pid", argRequired, "pid"},
		longOpt{"retry", argNone, "retry"}, longOpt{"max-unchanged-stats", argRequired, "mus"})}, 1)
	c.Args = saved
	if !ok {
		return st
	}
	if h, st := c.helpVersion(opts, fileutilsHelp, "tail"); h {
		return st
	}
	n := int64(10)
	bytesMode, fromStart := false, false
	headers := 0
	delim := byte('\n')
	for _, o := range opts {
		switch o.Key {
		case "n", "c":
			v := o.Val
			plus := strings.HasPrefix(v, "+")
			v = strings.TrimPrefix(strings.TrimPrefix(v, "+"), "-")
			cnt, ok := parseCount(v)
			if !ok {
				kind := "lines"
				if o.Key == "c" {
					kind = "bytes"
				}
				c.errorf("invalid number of %s: %s", kind, c.quoteLoc(o.Val))
				return c.done(1)
			}
			n, bytesMode, fromStart = cnt, o.Key == "c", plus
		case "q":
			headers = 1
		case "v":
			headers = 2
		case "z":
			delim = 0
		}
	}
	if len(files) == 0 {
		files = []string{"-"}
	}
	show := headers == 2 || (headers == 0 && len(files) > 1)
	status := 0
	first := true
	for _, f := range files {
		if c.failed() {
			break
		}
		if f != "-" {
			if m, serr := c.FS.Stat(c.abs(f)); serr == nil && m.Mode.IsDir() {
				if show {
					c.headerFor(f, &first)
				}
				c.errorf("error reading %s: Is a directory", c.quoteAF(f))
				status = 1
				continue
			}
		}
		r, err := c.openReader(f)
		if err != nil {
			c.errorf("cannot open %s for reading: %s", c.quoteAF(f), errText(err))
			status = 1
			continue
		}
		if show {
			c.headerFor(f, &first)
		}
		switch {
		case bytesMode && fromStart:
			skip := n - 1
			if skip > 0 {
				_, _ = io.CopyN(io.Discard, r, skip)
			}
			c.copyStream(r)
		case fromStart:
			br := newDelimReader(r, delim)
			for i := int64(1); !c.failed(); i++ {
				line, ok := br.next()
				if !ok {
					break
				}
				if i >= n {
					c.write(line)
				}
			}
		case bytesMode:
			// Keep only the last n bytes while streaming.
			var ring []byte
			buf := make([]byte, 32*1024)
			for {
				k, err := r.Read(buf)
				ring = append(ring, buf[:k]...)
				if int64(len(ring)) > n+64*1024 {
					ring = append([]byte(nil), ring[int64(len(ring))-n:]...)
				}
				if err != nil || c.failed() {
					break
				}
			}
			if int64(len(ring)) > n {
				ring = ring[int64(len(ring))-n:]
			}
			c.write(ring)
		default:
			br := newDelimReader(r, delim)
			var window [][]byte
			for !c.failed() {
				line, ok := br.next()
				if !ok {
					break
				}
				if n == 0 {
					continue
				}
				window = append(window, append([]byte(nil), line...))
				if int64(len(window)) > n {
					window = window[1:]
				}
			}
			for _, l := range window {
				c.write(l)
			}
		}
	}
	return c.done(status)
}

// ---- wc ----

type wcCounts struct {
	lines, words, chars, bytes, maxLen int64
}

func wcMain(p *Proc) int {
	c := newCmd(p)
	opts, files, ok, st := c.parse(optSpec{Short: "clLmw", Long: withHelp(
		longOpt{"bytes", argNone, "c"}, longOpt{"chars", argNone, "m"}, longOpt{"lines", argNone, "l"},
		longOpt{"words", argNone, "w"}, longOpt{"max-line-length", argNone, "L"},
		longOpt{"files0-from", argRequired, "files0"}, longOpt{"total", argRequired, "total"})}, 1)
	if !ok {
		return st
	}
	if h, st := c.helpVersion(opts, fileutilsHelp, "wc"); h {
		return st
	}
	var pl, pw, pc, pb, pL bool
	totalMode := "auto"
	for _, o := range opts {
		switch o.Key {
		case "l":
			pl = true
		case "w":
			pw = true
		case "m":
			pc = true
		case "c":
			pb = true
		case "L":
			pL = true
		case "total":
			switch o.Val {
			case "auto", "always", "only", "never":
				totalMode = o.Val
			default:
				c.errorf("invalid argument %s for %s", c.quoteLoc(o.Val), c.quoteLoc("--total"))
				c.errRaw("Valid arguments are:\n  - 'auto'\n  - 'always'\n  - 'only'\n  - 'never'\n")
				return c.tryHelp(1)
			}
		}
	}
	if !pl && !pw && !pc && !pb && !pL {
		pl, pw, pb = true, true, true
	}
	utf := c.utf8Locale()
	noFiles := len(files) == 0
	if noFiles {
		files = []string{"-"}
	}
	ncounters := boolInt(pl) + boolInt(pw) + boolInt(pc) + boolInt(pb) + boolInt(pL)
	// Column width as coreutils computes it: from the total size of regular files, at least
	// 7 when any input is not a regular file; 1 for a single counter of a single input.
	width := 1
	if !(len(files) == 1 && ncounters == 1) {
		minW := 1
		var regTotal int64
		firstFailed := false
		for i, f := range files {
			if f == "-" {
				minW = 7
				continue
			}
			m, err := c.FS.Stat(c.abs(f))
			if err != nil {
				if i == 0 {
					firstFailed = true
				}
				continue
			}
			if m.Mode.IsRegular() {
				regTotal += m.Size
			} else {
				minW = 7
			}
		}
		if !firstFailed {
			for ; regTotal >= 10; regTotal /= 10 {
				width++
			}
			width = max(width, minW)
		}
	}
	out := func(k wcCounts, name string) {
		var parts []string
		add := func(on bool, v int64) {
			if on {
				parts = append(parts, padLeft(strconv.FormatInt(v, 10), width))
			}
		}
		add(pl, k.lines)
		add(pw, k.words)
		add(pc, k.chars)
		add(pb, k.bytes)
		add(pL, k.maxLen)
		s := strings.Join(parts, " ")
		if name != "" {
			s += " " + name
		}
		c.print(s + "\n")
	}
	status := 0
	var tot wcCounts
	for _, f := range files {
		if c.failed() {
			break
		}
		var k wcCounts
		isDir := false
		if f != "-" {
			if m, err := c.FS.Stat(c.abs(f)); err == nil && m.Mode.IsDir() {
				isDir = true
			}
		}
		if isDir {
			c.errorf("%s: Is a directory", c.quoteF(f))
			status = 1
		} else {
			r, err := c.openReader(f)
			if err != nil {
				c.errorf("%s: %s", c.quoteF(f), errText(err))
				status = 1
				continue
			}
			k = wcCount(c, r, utf)
		}
		tot.lines += k.lines
		tot.words += k.words
		tot.chars += k.chars
		tot.bytes += k.bytes
		tot.maxLen = max(tot.maxLen, k.maxLen)
		if totalMode != "only" {
			name := f
			if noFiles {
				name = ""
			}
			out(k, name)
		}
	}
	if (totalMode == "auto" && len(files) > 1) || totalMode == "always" {
		out(tot, "total")
	} else if totalMode == "only" {
		width = 1
		out(tot, "")
	}
	return c.done(status)
}

func wcCount(c *cmd, r io.Reader, utf bool) wcCounts {
	var k wcCounts
	buf := make([]byte, 64*1024)
	inWord := false
	var lineLen int64
	var pend []byte
	for !c.failed() {
		n, err := r.Read(buf)
		data := buf[:n]
		if len(pend) > 0 {
			data = append(pend, data...)
			pend = nil
		}
		k.bytes += int64(n)
		for i := 0; i < len(data); {
			ch := data[i]
			size := 1
			var rch rune = rune(ch)
			if utf && ch >= 0x80 {
				if !utf8.FullRune(data[i:]) && err == nil {
					pend = append([]byte(nil), data[i:]...)
					break
				}
				rch, size = utf8.DecodeRune(data[i:])
				if rch == utf8.RuneError && size == 1 {
					// An invalid byte is neither a character nor a word boundary.
					i++
					continue
				}
			}
			k.chars++
			switch {
			case ch == '\n':
				k.lines++
				k.maxLen = max(k.maxLen, lineLen)
				lineLen = 0
				inWord = false
			case ch == '\t':
				lineLen += 8 - lineLen%8
				inWord = false
			case ch == ' ' || ch == '\r' || ch == '\f' || ch == '\v':
				if ch == ' ' {
					lineLen++
				}
				inWord = false
			default:
				if utf && rch >= 0x80 {
					if unicode.IsSpace(rch) {
						inWord = false
						lineLen++
						break
					}
					lineLen++
				} else if ch >= 0x20 && ch < 0x7f {
					lineLen++
				}
				if !inWord {
					k.words++
					inWord = true
				}
			}
			i += size
		}
		if err != nil {
			break
		}
	}
	if !utf {
		k.chars = k.bytes
	}
	k.maxLen = max(k.maxLen, lineLen)
	return k
}
