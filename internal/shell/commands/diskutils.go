package commands

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	"io/fs"
	"math"
	"math/bits"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/lure-sensor/lure/internal/vfs"
)

// dd, as coreutils 9.1 runs it: operands, block accounting ("2+1 records in"), the transfer
// line with gnulib's human-readable sizes, and its error texts. Input comes from the vfs
// (/dev/zero and /dev/urandom are endless and generated), stdin or a file; output goes to
// stdout, a device or a vfs file. Everything is bounded: a file holds at most
// ddMaxFile bytes, a stream stops when the session's output budget does.

// ddMaxFile caps what dd stores in one vfs file (the overlay's default per-file quota): a
// disk benchmark writing a gigabyte of zeros reports the real figures and keeps the head.
const ddMaxFile = vfs.DefaultPerFile

const ddTry = "Try 'dd --help' for more information.\n"

// ddSettings are dd's parsed operands.
type ddSettings struct {
	in, out                      string
	ibs, obs                     int64
	count, skip, seek            int64 // -1: not given
	countB, skipB, seekB         bool  // counted in bytes (N ended in 'B', or iflag/oflag)
	conv, iflag, oflag           map[string]bool
	status                       string
	bsGiven                      bool
	ucase, lcase, swab, sync     bool
	notrunc, excl, nocreat       bool
	fullblock, appendOut         bool
	haveIn, haveOut, warnedZeroX bool
}

// ddNumber parses an N or BYTES operand as dd's parse_integer does: a decimal number, an
// optional multiplicative suffix, and "x" products ("2x512").
func (c *cmd) ddNumber(val string) (int64, bool, string) {
	parts := strings.Split(val, "x")
	total := uint64(1)
	for i, p := range parts {
		n, ok, tooBig := ddSuffixed(p)
		if !ok {
			if tooBig {
				return 0, false, "dd: invalid number: " + c.quoteLoc(val) + ": Value too large for defined data type\n"
			}
			return 0, false, "dd: invalid number: " + c.quoteLoc(val) + "\n"
		}
		if n == 0 && i < len(parts)-1 && p == "0" {
			c.errRaw("dd: warning: " + c.quoteLoc("0x") + " is a zero multiplier; use " + c.quoteLoc("00x") + " if that is intended\n")
		}
		hi, lo := bits.Mul64(total, n)
		if hi != 0 || lo > math.MaxInt64 {
			return 0, false, "dd: invalid number: " + c.quoteLoc(val) + ": Value too large for defined data type\n"
		}
		total = lo
	}
	return int64(total), true, ""
}

// ddSuffixed parses one factor: digits and an xstrtoumax suffix (b c w, K/k M G T P E Z Y,
// with "B" for powers of 1000 and "iB" for powers of 1024; a bare "B" counts bytes).
func ddSuffixed(s string) (uint64, bool, bool) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 {
		return 0, false, false
	}
	n, err := strconv.ParseUint(s[:i], 10, 64)
	if err != nil {
		return 0, false, true
	}
	suf := s[i:]
	mult := uint64(1)
	switch {
	case suf == "" || suf == "B":
	case suf == "c":
	case suf == "w":
		mult = 2
	case suf == "b":
		mult = 512
	default:
		idx := strings.IndexByte("KMGTPEZY", suf[0]&^0x20)
		if suf[0] == 'k' {
			idx = 0
		}
		if idx < 0 || (suf[0] != 'k' && suf[0] != 'K' && suf[0] >= 'a') {
			return 0, false, false
		}
		base := uint64(1024)
		switch suf[1:] {
		case "":
		case "B":
			base = 1000
		case "iB":
		default:
			return 0, false, false
		}
		for k := 0; k <= idx; k++ {
			hi, lo := bits.Mul64(mult, base)
			if hi != 0 {
				return 0, false, true
			}
			mult = lo
		}
	}
	hi, lo := bits.Mul64(n, mult)
	if hi != 0 || lo > math.MaxInt64 {
		return 0, false, true
	}
	return lo, true, false
}

func ddCmd(p *Proc) int {
	c := newCmd(p)
	s := ddSettings{ibs: 512, obs: 512, count: -1, skip: -1, seek: -1, status: "default",
		conv: map[string]bool{}, iflag: map[string]bool{}, oflag: map[string]bool{}}
	var operands []string
	opts := true
	for _, a := range c.Args[1:] {
		switch {
		case opts && a == "--":
			opts = false
		case opts && strings.HasPrefix(a, "--"):
			switch {
			case a == "--help" || (len(a) > 2 && strings.HasPrefix("--help", a)):
				c.print(ddHelp)
				return c.done(0)
			case a == "--version" || (len(a) > 2 && strings.HasPrefix("--version", a)):
				c.print("dd (coreutils) 9.1\nCopyright (C) 2022 Free Software Foundation, Inc.\nLicense GPLv3+: GNU GPL version 3 or later <https://gnu.org/licenses/gpl.html>.\nThis is free software: you are free to change and redistribute it.\nThere is NO WARRANTY, to the extent permitted by law.\n\nWritten by Paul Rubin, David MacKenzie, and Stuart Kemp.\n")
				return c.done(0)
			}
			c.errRaw("dd: unrecognized option '" + a + "'\n" + ddTry)
			return c.done(1)
		case opts && strings.HasPrefix(a, "-") && len(a) > 1:
			c.errRaw("dd: invalid option -- '" + a[1:2] + "'\n" + ddTry)
			return c.done(1)
		default:
			operands = append(operands, a)
		}
	}
	for _, a := range operands {
		key, val, ok := strings.Cut(a, "=")
		if !ok {
			c.errRaw("dd: unrecognized operand " + c.quoteLoc(a) + "\n" + ddTry)
			return c.done(1)
		}
		symbols := func(kind string, valid []string, into map[string]bool) bool {
			for _, f := range strings.Split(val, ",") {
				found := false
				for _, v := range valid {
					if f == v {
						found = true
					}
				}
				if !found {
					c.errRaw("dd: invalid " + kind + ": " + c.quoteLoc(f) + "\n" + ddTry)
					return false
				}
				into[f] = true
			}
			return true
		}
		switch key {
		case "if":
			s.in, s.haveIn = val, true
		case "of":
			s.out, s.haveOut = val, true
		case "conv":
			if !symbols("conversion", []string{"ascii", "ebcdic", "ibm", "block", "unblock", "lcase", "ucase", "sparse",
				"swab", "sync", "excl", "nocreat", "notrunc", "noerror", "fdatasync", "fsync"}, s.conv) {
				return c.done(1)
			}
		case "iflag", "oflag":
			valid := []string{"append", "binary", "cio", "direct", "directory", "dsync", "sync", "nocache", "nonblock",
				"noatime", "noctty", "nofollow", "text", "fullblock", "count_bytes", "skip_bytes", "seek_bytes"}
			kind, into := "input flag", s.iflag
			if key == "oflag" {
				kind, into = "output flag", s.oflag
			}
			if !symbols(kind, valid, into) {
				return c.done(1)
			}
		case "status":
			switch val {
			case "none", "noxfer", "progress":
				s.status = val
			default:
				c.errRaw("dd: invalid status level: " + c.quoteLoc(val) + "\n" + ddTry)
				return c.done(1)
			}
		case "bs", "ibs", "obs", "cbs", "count", "skip", "iseek", "seek", "oseek":
			n, ok, msg := c.ddNumber(val)
			block := key == "bs" || key == "ibs" || key == "obs" || key == "cbs"
			if !ok || (block && n == 0) {
				if msg == "" {
					msg = "dd: invalid number: " + c.quoteLoc(val) + "\n"
				}
				c.errRaw(msg)
				return c.done(1)
			}
			inBytes := strings.Contains(val, "B")
			switch key {
			case "bs":
				s.ibs, s.obs, s.bsGiven = n, n, true
			case "ibs":
				s.ibs = n
			case "obs":
				s.obs = n
			case "count":
				s.count, s.countB = n, inBytes
			case "skip", "iseek":
				s.skip, s.skipB = n, inBytes
			case "seek", "oseek":
				s.seek, s.seekB = n, inBytes
			}
		default:
			c.errRaw("dd: unrecognized operand " + c.quoteLoc(a) + "\n" + ddTry)
			return c.done(1)
		}
	}
	if s.bsGiven {
		// bs= overrides ibs= and obs= wherever they appear
		for _, a := range operands {
			if v, ok := strings.CutPrefix(a, "bs="); ok {
				n, _, _ := c.ddNumber(v)
				s.ibs, s.obs = n, n
			}
		}
	}
	s.ucase, s.lcase, s.swab, s.sync = s.conv["ucase"], s.conv["lcase"], s.conv["swab"], s.conv["sync"]
	s.notrunc, s.excl, s.nocreat = s.conv["notrunc"], s.conv["excl"], s.conv["nocreat"]
	s.fullblock, s.appendOut = s.iflag["fullblock"], s.oflag["append"]
	s.countB = s.countB || s.iflag["count_bytes"]
	s.skipB = s.skipB || s.iflag["skip_bytes"]
	s.seekB = s.seekB || s.oflag["seek_bytes"]
	if s.ucase && s.lcase {
		c.errRaw("dd: cannot combine lcase and ucase\n")
		return c.done(1)
	}
	if s.excl && s.nocreat {
		c.errRaw("dd: cannot combine excl and nocreat\n")
		return c.done(1)
	}
	return c.ddRun(&s)
}

// ddSource is dd's input: a file's content, an endless device, or stdin.
type ddSource struct {
	data    []byte // a regular file's content
	pos     int64
	endless byte // 'z' /dev/zero, 'r' /dev/urandom; 0 otherwise
	stream  io.Reader
	isDir   bool
}

// read does one read(2) of up to n bytes, as the source would answer it.
func (src *ddSource) read(c *cmd, n int64, full bool) ([]byte, error) {
	switch {
	case src.isDir:
		return nil, syscall.EISDIR
	case src.endless != 0:
		b := make([]byte, n)
		if src.endless == 'r' {
			_, _ = rand.Read(b)
		}
		return b, nil
	case src.stream != nil:
		b := make([]byte, n)
		var k int
		var err error
		if full {
			k, err = io.ReadFull(src.stream, b)
		} else {
			k, err = src.stream.Read(b)
		}
		if err == io.ErrUnexpectedEOF {
			err = nil
		}
		if err == io.EOF && k > 0 {
			err = nil
		}
		return b[:k], err
	}
	if src.pos >= int64(len(src.data)) {
		return nil, io.EOF
	}
	end := min(src.pos+n, int64(len(src.data)))
	b := src.data[src.pos:end]
	src.pos = end
	return b, nil
}

// ddDevice names the special file a path resolves to ("" for an ordinary one).
func (c *cmd) ddDevice(abs string) string {
	real := abs
	if r, err := c.FS.Realpath(abs); err == nil {
		real = r
	}
	switch real {
	case "/dev/zero", "/dev/urandom", "/dev/random", "/dev/null", "/dev/full", "/dev/stdout", "/dev/stderr", "/dev/stdin",
		"/proc/self/fd/0", "/proc/self/fd/1", "/proc/self/fd/2", "/dev/fd/0", "/dev/fd/1", "/dev/fd/2":
		return real
	}
	if m, err := c.FS.Stat(abs); err == nil && m.Mode&(fs.ModeDevice|fs.ModeCharDevice|fs.ModeNamedPipe) != 0 {
		return "/dev/null" // another device: reads nothing, swallows writes
	}
	return ""
}

func (c *cmd) ddRun(s *ddSettings) int {
	start := c.now()
	// Open the input.
	src := &ddSource{}
	inName := "standard input"
	switch {
	case !s.haveIn:
		src.stream = c.Stdin
		if src.stream == nil {
			src.stream = bytes.NewReader(nil)
		}
	default:
		inName = s.in
		abs := c.abs(s.in)
		m, err := c.FS.Stat(abs)
		if err != nil {
			c.errRaw("dd: failed to open " + c.quoteAF(s.in) + ": " + errText(err) + "\n")
			return c.done(1)
		}
		switch dev := c.ddDevice(abs); {
		case m.Mode.IsDir():
			src.isDir = true
		case dev == "/dev/zero" || dev == "/dev/full":
			src.endless = 'z'
		case dev == "/dev/urandom" || dev == "/dev/random":
			src.endless = 'r'
		case dev == "/dev/stdin" || dev == "/proc/self/fd/0" || dev == "/dev/fd/0":
			src.stream = c.Stdin
		case dev != "":
		default:
			b, err := c.FS.ReadFile(abs)
			if err != nil {
				c.errRaw("dd: failed to open " + c.quoteAF(s.in) + ": " + errText(err) + "\n")
				return c.done(1)
			}
			src.data = b
		}
	}
	// Open the output: created (or truncated at the seek offset) before anything is copied.
	outKind := "stdout"
	outAbs := ""
	var outBase []byte
	seekOff := int64(0)
	if s.seek > 0 {
		seekOff = s.seek
		if !s.seekB {
			seekOff = s.seek * s.obs
		}
	}
	perm := 0o666 &^ c.Umask.Perm()
	if s.haveOut {
		outAbs = c.abs(s.out)
		dev := c.ddDevice(outAbs)
		m, statErr := c.FS.Stat(outAbs)
		switch {
		case dev == "/dev/stdout" || dev == "/proc/self/fd/1" || dev == "/dev/fd/1":
		case dev == "/dev/stderr" || dev == "/proc/self/fd/2" || dev == "/dev/fd/2":
			outKind = "stderr"
		case dev == "/dev/full":
			outKind = "full"
		case dev != "":
			outKind = "null"
		case statErr == nil && m.Mode.IsDir():
			c.errRaw("dd: failed to open " + c.quoteAF(s.out) + ": Is a directory\n")
			return c.done(1)
		case statErr == nil && s.excl:
			c.errRaw("dd: failed to open " + c.quoteAF(s.out) + ": File exists\n")
			return c.done(1)
		case statErr != nil && (s.nocreat || !isErrno(statErr, syscall.ENOENT)):
			c.errRaw("dd: failed to open " + c.quoteAF(s.out) + ": " + errText(statErr) + "\n")
			return c.done(1)
		default:
			outKind = "file"
			if statErr == nil {
				old, err := c.FS.ReadFile(outAbs)
				if err != nil {
					c.errRaw("dd: failed to open " + c.quoteAF(s.out) + ": " + errText(err) + "\n")
					return c.done(1)
				}
				outBase = old
			}
			if !s.notrunc && !s.appendOut {
				// O_TRUNC, or ftruncate to the seek offset when seeking
				if int64(len(outBase)) > seekOff {
					outBase = outBase[:seekOff]
				}
			}
			if int64(len(outBase)) > ddMaxFile {
				outBase = outBase[:ddMaxFile]
			}
			if err := c.FS.WriteFile(outAbs, outBase, perm); err != nil {
				c.errRaw("dd: failed to open " + c.quoteAF(s.out) + ": " + errText(err) + "\n")
				return c.done(1)
			}
		}
	}
	var st ddStats
	status := 0
	// Skip input blocks.
	if s.skip > 0 {
		want := s.skip
		if !s.skipB {
			want = s.skip * s.ibs
		}
		switch {
		case src.endless != 0 || src.isDir:
		case src.stream != nil:
			for want > 0 {
				b, err := src.read(c, min(want, s.ibs), false)
				if len(b) == 0 || err != nil {
					break
				}
				want -= int64(len(b))
			}
			if want > 0 {
				c.errRaw("dd: " + c.quoteF(inName) + ": cannot skip to specified offset\n")
			}
		default:
			if want > int64(len(src.data)) {
				c.errRaw("dd: " + c.quoteF(inName) + ": cannot skip to specified offset\n")
				src.pos = int64(len(src.data))
			} else {
				src.pos = want
			}
		}
	}
	// Copy.
	w := &ddWriter{c: c, s: s, kind: outKind, st: &st, random: src.endless == 'r'}
	if outKind == "file" {
		w.buf = outBase
		w.off = seekOff
		if s.appendOut {
			w.off = int64(len(outBase))
		}
		if w.off > ddMaxFile {
			w.off = ddMaxFile
		}
	}
	remaining := s.count
	if remaining >= 0 && !s.countB {
		remaining = s.count * s.ibs
	}
	blocks := int64(0)
	if src.endless != 0 && (outKind == "null" || (outKind == "file" && s.count >= 0)) && !s.sync {
		// Nothing to look at in the data: account for it without generating it all.
		if s.count < 0 {
			return c.ddUntilInterrupted(s, start)
		}
		st.addIn(remaining, s.ibs)
		w.skipTo(remaining)
		status = w.err
	} else {
		for remaining != 0 && w.err == 0 {
			if c.failed() {
				status = 1
				break
			}
			n := s.ibs
			if remaining > 0 && remaining < n {
				n = remaining
			}
			b, err := src.read(c, n, s.fullblock)
			if err != nil && err != io.EOF {
				c.errRaw("dd: error reading " + c.quoteAF(inName) + ": " + errText(err) + "\n")
				status = 1
				break
			}
			if len(b) == 0 {
				break
			}
			if remaining > 0 {
				remaining -= int64(len(b))
			}
			if int64(len(b)) == s.ibs {
				st.inFull++
			} else {
				st.inPart++
			}
			b = ddConvert(s, b)
			w.write(b)
			blocks++
			if src.endless != 0 && outKind != "stdout" && outKind != "stderr" && w.off >= ddMaxFile && remaining < 0 {
				// an endless copy into a file fills the disk
				c.errRaw("dd: error writing " + c.quoteAF(s.out) + ": No space left on device\n")
				status = 1
				break
			}
		}
		if w.err == 0 {
			w.flushPartial()
		}
		if w.err != 0 {
			status = w.err
		}
	}
	if outKind == "file" {
		data := w.buf
		if int64(len(data)) > ddMaxFile {
			data = data[:ddMaxFile]
		}
		if err := c.FS.WriteFile(outAbs, data, perm); err != nil && status == 0 {
			c.errRaw("dd: error writing " + c.quoteAF(s.out) + ": " + errText(err) + "\n")
			status = 1
		}
	}
	c.flush()
	c.ddSummary(s, &st, start)
	if status == 0 && c.werr != nil {
		return c.done(1)
	}
	return c.done(status)
}

// ddUntilInterrupted is an endless copy into /dev/null: it runs until the session stops it,
// then prints what was copied by then, as dd does on SIGINT.
func (c *cmd) ddUntilInterrupted(s *ddSettings, start time.Time) int {
	t0 := time.Now()
	if c.Ctx != nil {
		<-c.Ctx.Done()
	}
	var st ddStats
	moved := int64(time.Since(t0).Seconds() * 1.5e9)
	st.addIn(moved-moved%s.ibs, s.ibs)
	st.outFull, st.bytes = moved/s.obs, moved-moved%s.ibs
	c.ddSummary(s, &st, start)
	c.done(0)
	return 130
}

// ddConvert applies conv= to one input block.
func ddConvert(s *ddSettings, b []byte) []byte {
	if s.sync && int64(len(b)) < s.ibs {
		nb := make([]byte, s.ibs)
		copy(nb, b)
		if s.conv["block"] || s.conv["unblock"] {
			for i := len(b); i < len(nb); i++ {
				nb[i] = ' '
			}
		}
		b = nb
	}
	if s.swab || s.ucase || s.lcase {
		b = append([]byte(nil), b...)
	}
	if s.swab {
		for i := 0; i+1 < len(b); i += 2 {
			b[i], b[i+1] = b[i+1], b[i]
		}
	}
	switch {
	case s.ucase:
		b = bytes.ToUpper(b)
	case s.lcase:
		b = bytes.ToLower(b)
	}
	return b
}

// ddStats are the record counts and bytes dd reports.
type ddStats struct {
	inFull, inPart, outFull, outPart, bytes int64
}

func (st *ddStats) addIn(n, ibs int64) {
	st.inFull += n / ibs
	if n%ibs != 0 {
		st.inPart++
	}
}

// ddWriter collects output records: with bs= each input block is one write; otherwise
// blocks are regrouped into obs-sized writes.
type ddWriter struct {
	c    *cmd
	s    *ddSettings
	kind string // stdout, stderr, null, full, file
	st   *ddStats
	pend []byte // data not yet written (ibs != obs)
	buf  []byte // a file's content
	off  int64  // where the next write lands in buf
	err  int
	// random: the endless input is /dev/urandom, so what a file keeps of it is random
	random bool
}

func (w *ddWriter) write(b []byte) {
	if w.s.bsGiven {
		w.emit(b)
		return
	}
	w.pend = append(w.pend, b...)
	for int64(len(w.pend)) >= w.s.obs && w.err == 0 {
		w.emit(w.pend[:w.s.obs])
		w.pend = w.pend[w.s.obs:]
	}
}

func (w *ddWriter) flushPartial() {
	if len(w.pend) > 0 {
		w.emit(w.pend)
		w.pend = nil
	}
}

// emit is one write(2) of b.
func (w *ddWriter) emit(b []byte) {
	switch w.kind {
	case "full":
		w.c.errRaw("dd: writing to " + w.c.quoteAF(w.s.out) + ": No space left on device\n")
		w.err = 1
		return
	case "stdout":
		w.c.write(b)
		if !w.c.flush() {
			w.err = 1
			return
		}
	case "stderr":
		w.c.errRaw(string(b))
	case "file":
		w.put(b)
	}
	if int64(len(b)) == w.s.obs {
		w.st.outFull++
	} else {
		w.st.outPart++
	}
	w.st.bytes += int64(len(b))
}

// put lays b into the file image at the write offset, keeping at most ddMaxFile bytes.
func (w *ddWriter) put(b []byte) {
	end := w.off + int64(len(b))
	keep := min(end, ddMaxFile)
	if keep > int64(len(w.buf)) {
		nb := make([]byte, keep)
		copy(nb, w.buf)
		w.buf = nb
	}
	if w.off < keep {
		copy(w.buf[w.off:keep], b)
	}
	w.off = end
}

// skipTo accounts for n bytes of zeros (or random data) from an endless device without
// building them, except for the part a file keeps.
func (w *ddWriter) skipTo(n int64) {
	ob := w.s.obs
	if w.s.bsGiven {
		ob = w.s.ibs
	}
	if w.kind == "full" && n > 0 {
		w.emit(nil)
		return
	}
	w.st.outFull += n / ob
	if n%ob != 0 {
		w.st.outPart++
	}
	w.st.bytes += n
	if w.kind == "file" {
		at := w.off
		if keep := min(at+n, ddMaxFile); keep > at {
			b := make([]byte, keep-at)
			if w.random {
				_, _ = rand.Read(b)
			}
			w.put(b)
		}
		w.off = at + n
	}
}

// ddSummary prints the records and transfer lines (status= permitting).
func (c *cmd) ddSummary(s *ddSettings, st *ddStats, start time.Time) {
	if s.status == "none" {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d+%d records in\n%d+%d records out\n", st.inFull, st.inPart, st.outFull, st.outPart)
	if s.status != "noxfer" {
		// A plausible duration: set-up, a cost per record and a memory-speed copy.
		records := st.inFull + st.inPart + st.outFull + st.outPart
		ns := 95000 + records*350 + st.bytes*2 + int64(start.Nanosecond()/1000%40000)
		if s.conv["fdatasync"] || s.conv["fsync"] {
			ns += st.bytes * 2
		}
		delta := fmt.Sprintf("%s s", cFormatG(float64(ns)/1e9))
		rate := humanRate(st.bytes, ns) + "/s"
		si := ddHuman(uint64(st.bytes), 1000)
		iec := ddHuman(uint64(st.bytes), 1024)
		noPrefix := func(h string) bool { return strings.HasSuffix(h, " B") }
		switch {
		case noPrefix(si):
			unit := "bytes"
			if st.bytes == 1 {
				unit = "byte"
			}
			fmt.Fprintf(&b, "%d %s copied, %s, %s\n", st.bytes, unit, delta, rate)
		case noPrefix(iec):
			fmt.Fprintf(&b, "%d bytes (%s) copied, %s, %s\n", st.bytes, si, delta, rate)
		default:
			fmt.Fprintf(&b, "%d bytes (%s, %s) copied, %s, %s\n", st.bytes, si, iec, delta, rate)
		}
	}
	c.errRaw(b.String())
}

// ddHuman renders n bytes as gnulib's human_readable does with dd's options (autoscale,
// round to nearest, a space before the unit, SI prefixes, "B"), in powers of base.
func ddHuman(n uint64, base uint64) string {
	amt, tenths, rounding, exponent := n, uint64(0), uint64(0), 0
	frac := ""
	if base <= amt {
		for {
			r10 := (amt%base)*10 + tenths
			r2 := (r10%base)*2 + (rounding >> 1)
			amt /= base
			tenths = r10 / base
			if r2 < base {
				rounding = 0
				if r2 != 0 {
					rounding = 1
				}
			} else {
				rounding = 2
				if base < r2 {
					rounding = 3
				}
			}
			exponent++
			if !(base <= amt && exponent < 8) {
				break
			}
		}
		if amt < 10 {
			if 2 < rounding+(tenths&1) {
				tenths++
				rounding = 0
				if tenths == 10 {
					amt++
					tenths = 0
				}
			}
			if amt < 10 {
				frac = "." + strconv.FormatUint(tenths, 10)
				tenths, rounding = 0, 0
			}
		}
	}
	up := uint64(0)
	if 0 < rounding+(amt&1) {
		up = 1
	}
	if 5 < tenths+up {
		amt++
		if amt == base && exponent < 8 {
			exponent++
			frac = ".0"
			amt = 1
		}
	}
	return strconv.FormatUint(amt, 10) + frac + " " + humanPrefix(exponent, base) + "B"
}

func humanPrefix(exponent int, base uint64) string {
	if exponent == 0 {
		return ""
	}
	p := string("KMGTPEZY"[exponent-1])
	if base == 1024 {
		return p + "i"
	}
	if exponent == 1 {
		return "k"
	}
	return p
}

// humanRate renders bytes per delta nanoseconds as gnulib's floating-point path does:
// always scaled at least once, one decimal while it fits in four characters.
func humanRate(n int64, deltaNs int64) string {
	damt := float64(n) * 1e9 / float64(deltaNs)
	e, exponent := 1.0, 0
	for {
		e *= 1000
		exponent++
		if !(e*1000 <= damt && exponent < 8) {
			break
		}
	}
	damt /= e
	s := strconv.FormatFloat(damt, 'f', 1, 64)
	if len(s) > 4 {
		s = strconv.FormatFloat(damt*10/10, 'f', 0, 64)
	}
	return s + " " + humanPrefix(exponent, 1000) + "B"
}

// cFormatG formats v as C's printf("%g").
func cFormatG(v float64) string {
	if v == 0 {
		return "0"
	}
	exp := int(math.Floor(math.Log10(math.Abs(v))))
	// rounding to 6 significant digits may carry into the next power of ten
	if r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'e', 5, 64), 64); math.Abs(r) >= math.Pow(10, float64(exp+1)) {
		exp++
	}
	trim := func(s string) string {
		if strings.Contains(s, ".") {
			s = strings.TrimRight(s, "0")
			s = strings.TrimSuffix(s, ".")
		}
		return s
	}
	if exp < -4 || exp >= 6 {
		m := strconv.FormatFloat(v, 'e', 5, 64)
		mant, ex, _ := strings.Cut(m, "e")
		sign := ex[0]
		digits := strings.TrimLeft(ex[1:], "0")
		for len(digits) < 2 {
			digits = "0" + digits
		}
		return trim(mant) + "e" + string(sign) + digits
	}
	return trim(strconv.FormatFloat(v, 'f', 5-exp, 64))
}

const ddHelp = `Usage: dd [OPERAND]...
  or:  dd OPTION
Copy a file, converting and formatting according to the operands.

  bs=BYTES        read and write up to BYTES bytes at a time (default: 512);
                  overrides ibs and obs
  cbs=BYTES       convert BYTES bytes at a time
  conv=CONVS      convert the file as per the comma separated symbol list
  count=N         copy only N input blocks
  ibs=BYTES       read up to BYTES bytes at a time (default: 512)
  if=FILE         read from FILE instead of stdin
  iflag=FLAGS     read as per the comma separated symbol list
  obs=BYTES       write BYTES bytes at a time (default: 512)
  of=FILE         write to FILE instead of stdout
  oflag=FLAGS     write as per the comma separated symbol list
  seek=N          (or oseek=N) skip N obs-sized output blocks
  skip=N          (or iseek=N) skip N ibs-sized input blocks
  status=LEVEL    The LEVEL of information to print to stderr;
                  'none' suppresses everything but error messages,
                  'noxfer' suppresses the final transfer statistics,
                  'progress' shows periodic transfer statistics

N and BYTES may be followed by the following multiplicative suffixes:
c=1, w=2, b=512, kB=1000, K=1024, MB=1000*1000, M=1024*1024, xM=M,
GB=1000*1000*1000, G=1024*1024*1024, and so on for T, P, E, Z, Y.
Binary prefixes can be used, too: KiB=K, MiB=M, and so on.
If N ends in 'B', it counts bytes not blocks.

Each CONV symbol may be:

  ascii     from EBCDIC to ASCII
  ebcdic    from ASCII to EBCDIC
  ibm       from ASCII to alternate EBCDIC
  block     pad newline-terminated records with spaces to cbs-size
  unblock   replace trailing spaces in cbs-size records with newline
  lcase     change upper case to lower case
  ucase     change lower case to upper case
  sparse    try to seek rather than write all-NUL output blocks
  swab      swap every pair of input bytes
  sync      pad every input block with NULs to ibs-size; when used
            with block or unblock, pad with spaces rather than NULs
  excl      fail if the output file already exists
  nocreat   do not create the output file
  notrunc   do not truncate the output file
  noerror   continue after read errors
  fdatasync  physically write output file data before finishing
  fsync     likewise, but also write metadata

Each FLAG symbol may be:

  append    append mode (makes sense only for output; conv=notrunc suggested)
  direct    use direct I/O for data
  directory  fail unless a directory
  dsync     use synchronized I/O for data
  sync      likewise, but also for metadata
  fullblock  accumulate full blocks of input (iflag only)
  nonblock  use non-blocking I/O
  noatime   do not update access time
  nocache   Request to drop cache.  See also oflag=sync
  noctty    do not assign controlling terminal from file
  nofollow  do not follow symlinks

Sending a USR1 signal to a running 'dd' process makes it
print I/O statistics to standard error and then resume copying.

Options are:

      --help        display this help and exit
      --version     output version information and exit

GNU coreutils online help: <https://www.gnu.org/software/coreutils/>
Report any translation bugs to <https://translationproject.org/team/>
Full documentation <https://www.gnu.org/software/coreutils/dd>
or available locally via: info '(coreutils) dd invocation'
`
