package commands

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"path"
	"strings"
	"syscall"
	"time"
)

// The archive family: gzip 1.12 with its gunzip and zcat wrappers. Compression is real
// (compress/flate), so captured archives unpack anywhere; the deflate stream itself differs
// from gzip's, the header (name, mtime, XFL, OS) is gzip's.

func registerArchive(r *Registry) {
	r.Register("gzip", gzipMain)
	r.Register("gunzip", gzipMain)
	r.Register("zcat", gzipMain)
	r.Register("tar", tarMain)
}

const gzipVersion = `gzip 1.12
Copyright (C) 2018 Free Software Foundation, Inc.
Copyright (C) 1993 Jean-loup Gailly.
This is free software.  You may redistribute copies of it under the terms of
the GNU General Public License <https://www.gnu.org/licenses/gpl.html>.
There is NO WARRANTY, to the extent permitted by law.

Written by Jean-loup Gailly.
`

// gzipRun holds one gzip invocation's settings and its exit status (0, 1 error, 2 warning).
type gzipRun struct {
	*cmd
	decompress, stdout, keep, force, test, quiet, noName bool
	verbose, list                                        bool
	listed                                               int
	totalIn, totalOut, lastHdr                           int64
	level                                                int
	status                                               int
}

func (g *gzipRun) fail(format string, a ...any) {
	g.errRaw("gzip: " + sprintf(format, a...) + "\n")
	g.status = 1
}

func (g *gzipRun) warn(format string, a ...any) {
	if !g.quiet {
		g.errRaw("gzip: " + sprintf(format, a...) + "\n")
	}
	if g.status == 0 {
		g.status = 2
	}
}

func sprintf(format string, a ...any) string { return fmt.Sprintf(format, a...) }

func gzipMain(p *Proc) int {
	c := newCmd(p)
	g := &gzipRun{cmd: c, level: 6}
	switch c.base() {
	case "gunzip":
		g.decompress = true
	case "zcat":
		g.decompress, g.stdout = true, true
	}
	opts, ops, err := parseOpts(c.name, c.Args[1:], optSpec{Short: "cdfhklLnNqrS:tvV123456789", Long: []longOpt{
		{"stdout", argNone, "c"}, {"to-stdout", argNone, "c"}, {"decompress", argNone, "d"}, {"uncompress", argNone, "d"},
		{"force", argNone, "f"}, {"help", argNone, "h"}, {"keep", argNone, "k"}, {"list", argNone, "l"},
		{"license", argNone, "L"}, {"no-name", argNone, "n"}, {"name", argNone, "N"}, {"quiet", argNone, "q"},
		{"recursive", argNone, "r"}, {"suffix", argRequired, "S"}, {"test", argNone, "t"}, {"verbose", argNone, "v"},
		{"version", argNone, "V"}, {"fast", argNone, "1"}, {"best", argNone, "9"},
	}})
	if err != nil {
		c.errRaw("gzip: " + err.Msg + "\nTry `gzip --help' for more information.\n")
		return c.done(1)
	}
	for _, o := range opts {
		switch o.Key {
		case "c":
			g.stdout = true
		case "d":
			g.decompress = true
		case "f":
			g.force = true
		case "k":
			g.keep = true
		case "n":
			g.noName = true
		case "q":
			g.quiet = true
		case "v":
			g.verbose = true
		case "l":
			g.list, g.decompress = true, true
		case "t":
			g.test, g.decompress = true, true
		case "h":
			c.print("Usage: gzip [OPTION]... [FILE]...\nCompress or uncompress FILEs (by default, compress FILES in-place).\n")
			return c.done(0)
		case "V", "L":
			c.print(gzipVersion)
			return c.done(0)
		default:
			if len(o.Key) == 1 && o.Key[0] >= '1' && o.Key[0] <= '9' {
				g.level = int(o.Key[0] - '0')
			}
		}
	}
	if len(ops) == 0 {
		ops = []string{"-"}
	}
	for _, name := range ops {
		if c.failed() {
			break
		}
		if name == "-" {
			g.stdin()
			continue
		}
		if g.decompress {
			g.decompressFile(name)
		} else {
			g.compressFile(name)
		}
	}
	if g.list && g.listed > 1 {
		c.printf("%19d %19d %s (totals)\n", g.totalIn, g.totalOut, gzipRatio(g.totalOut-(g.totalIn-g.lastHdr), g.totalOut))
	}
	return c.done(g.status)
}

// gzipRatio renders gzip's display_ratio: num/den as a percentage, "%5.1f%%".
func gzipRatio(num, den int64) string {
	if den == 0 {
		return fmt.Sprintf("%5.1f%%", 0.0)
	}
	return fmt.Sprintf("%5.1f%%", 100*float64(num)/float64(den))
}

// gzipHeaderLen is the size of a gzip member's header and trailer: what -v and -l leave
// out of the ratio.
func gzipHeaderLen(data []byte) int64 {
	n := int64(18)
	if len(data) > 10 && data[3]&8 != 0 {
		if i := bytes.IndexByte(data[10:], 0); i >= 0 {
			n += int64(i + 1)
		}
	}
	return n
}

// stdin filters standard input to standard output.
func (g *gzipRun) stdin() {
	if !g.decompress && g.StdoutTTY && !g.force && !g.test {
		g.errRaw("gzip: compressed data not written to a terminal. Use -f to force compression.\nFor help, type: gzip -h\n")
		g.status = 1
		return
	}
	data, err := readCapped(g.Stdin)
	if err != nil {
		g.fail("stdin: %s", errText(err))
		return
	}
	if g.decompress {
		out, msg := gunzipBytes(data, g.force && g.stdout)
		if !g.test {
			g.write(out)
		}
		if msg != "" {
			g.errRaw("\ngzip: stdin: " + msg + "\n")
			g.status = 1
		}
		return
	}
	g.write(gzipBytes(data, "", time.Time{}, g.level))
}

// gzipBytes compresses data into one gzip member with gzip 1.12's header fields.
func gzipBytes(data []byte, name string, mtime time.Time, level int) []byte {
	var b bytes.Buffer
	flags := byte(0)
	if name != "" {
		flags = 8
	}
	var mt uint32
	if !mtime.IsZero() && mtime.Unix() > 0 {
		mt = uint32(mtime.Unix())
	}
	xfl := byte(0)
	switch level {
	case 9:
		xfl = 2
	case 1:
		xfl = 4
	}
	b.Write([]byte{0x1f, 0x8b, 8, flags})
	binary.Write(&b, binary.LittleEndian, mt)
	b.Write([]byte{xfl, 3})
	if name != "" {
		b.WriteString(name)
		b.WriteByte(0)
	}
	w, _ := flate.NewWriter(&b, level)
	w.Write(data)
	w.Close()
	binary.Write(&b, binary.LittleEndian, crc32.ChecksumIEEE(data))
	binary.Write(&b, binary.LittleEndian, uint32(len(data)))
	return b.Bytes()
}

// gunzipBytes decompresses every member of data. msg is gzip's complaint ("" when whole);
// out holds what was decoded before a failure, as gzip writes it out before stopping.
// passThrough (zcat -f) copies data that is not gzip as is.
func gunzipBytes(data []byte, passThrough bool) ([]byte, string) {
	if len(data) < 2 || data[0] != 0x1f || data[1] != 0x8b {
		if passThrough {
			return data, ""
		}
		if len(data) == 0 {
			return nil, "unexpected end of file"
		}
		return nil, "not in gzip format"
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return nil, "unexpected end of file"
		}
		return nil, "not in gzip format"
	}
	var out bytes.Buffer
	_, err = io.Copy(&out, io.LimitReader(zr, gunzipMax))
	switch {
	case err == nil:
		return out.Bytes(), ""
	case errors.Is(err, io.ErrUnexpectedEOF):
		return out.Bytes(), "unexpected end of file"
	case errors.Is(err, gzip.ErrChecksum):
		return out.Bytes(), "invalid compressed data--crc error"
	case errors.Is(err, gzip.ErrHeader):
		// Trailing garbage after a complete member: gzip warns and keeps the data.
		return out.Bytes(), ""
	}
	return out.Bytes(), "invalid compressed data--format violated"
}

// gunzipMax bounds what one decompression may produce: a small "gzip bomb" must not take
// the sensor's memory (the session's disk quota would refuse such a file anyway).
const gunzipMax = 64 << 20

// gzipSuffixes maps the suffixes gzip -d strips to what replaces them.
var gzipSuffixes = [][2]string{{".gz", ""}, {"-gz", ""}, {".z", ""}, {"-z", ""}, {"_z", ""}, {".Z", ""}, {".tgz", ".tar"}, {".taz", ".tar"}}

func gzipStrip(name string) (string, bool) {
	for _, s := range gzipSuffixes {
		if strings.HasSuffix(name, s[0]) && len(name) > len(s[0]) {
			return name[:len(name)-len(s[0])] + s[1], true
		}
	}
	return "", false
}

// open checks an input operand as gzip's open_input_file does and returns its content.
func (g *gzipRun) open(name, shown string) ([]byte, bool) {
	abs := g.abs(name)
	m, err := g.FS.Lstat(abs)
	if err != nil {
		g.fail("%s: %s", shown, errText(err))
		return nil, false
	}
	if m.Mode&fs.ModeSymlink != 0 && !g.force && !g.stdout {
		g.fail("%s: %s", name, errText(syscall.ELOOP))
		return nil, false
	}
	if m.Mode&fs.ModeSymlink != 0 {
		if m, err = g.FS.Stat(abs); err != nil {
			g.fail("%s: %s", name, errText(err))
			return nil, false
		}
	}
	if m.Mode.IsDir() {
		g.warn("%s is a directory -- ignored", name)
		return nil, false
	}
	if !m.Mode.IsRegular() && !g.stdout {
		g.warn("%s is not a directory or a regular file - ignored", name)
		return nil, false
	}
	data, err := g.FS.ReadFile(abs)
	if err != nil {
		g.fail("%s: %s", name, errText(err))
		return nil, false
	}
	return data, true
}

// finish writes the output file beside the input with the input's mode, owner and times,
// then removes the input, as gzip does without -k.
func (g *gzipRun) finish(in, out string, data []byte) {
	inAbs, outAbs := g.abs(in), g.abs(out)
	if _, err := g.FS.Lstat(outAbs); err == nil && !g.force {
		g.warn("%s already exists;\tnot overwritten", out)
		return
	}
	m, err := g.FS.Stat(inAbs)
	if err != nil {
		g.fail("%s: %s", in, errText(err))
		return
	}
	if g.force {
		g.FS.Remove(outAbs)
	}
	if err := g.FS.WriteFile(outAbs, data, m.Mode.Perm()); err != nil {
		g.fail("%s: %s", out, errText(err))
		return
	}
	g.FS.Chmod(outAbs, m.Mode&(fs.ModePerm|fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky))
	g.FS.Chown(outAbs, m.UID, m.GID)
	g.FS.Chtimes(outAbs, m.ATime, m.MTime)
	if !g.keep {
		if err := g.FS.Remove(inAbs); err != nil {
			g.fail("%s: %s", in, errText(err))
		}
	}
}

func (g *gzipRun) compressFile(name string) {
	if _, ok := gzipStrip(name); ok && strings.HasSuffix(name, ".gz") && !g.stdout && !g.force {
		g.errRaw("gzip: " + name + " already has .gz suffix -- unchanged\n")
		return
	}
	data, ok := g.open(name, name)
	if !ok {
		return
	}
	m, _ := g.FS.Stat(g.abs(name))
	stored := ""
	var mt time.Time
	if !g.noName {
		stored, mt = path.Base(name), m.MTime
	}
	out := gzipBytes(data, stored, mt, g.level)
	if g.verbose {
		dest := name + ".gz"
		if g.stdout {
			dest = "stdout"
		}
		g.errRaw(fmt.Sprintf("%s:\t%s -- replaced with %s\n", name, gzipRatio(int64(len(data))-(int64(len(out))-gzipHeaderLen(out)), int64(len(data))), dest))
	}
	if g.stdout {
		g.write(out)
		return
	}
	g.finish(name, name+".gz", out)
}

func (g *gzipRun) decompressFile(name string) {
	shown := name
	target, known := gzipStrip(name)
	if _, err := g.FS.Lstat(g.abs(name)); err != nil && !known {
		// gzip -d looks for NAME.gz when NAME itself is missing.
		name, shown = name+".gz", name+".gz"
		target, known = gzipStrip(name)
	}
	if !known && !g.stdout && !g.test {
		if m, err := g.FS.Lstat(g.abs(name)); err == nil {
			if m.Mode.IsDir() {
				g.warn("%s is a directory -- ignored", name)
				return
			}
			g.warn("%s: unknown suffix -- ignored", name)
			return
		}
	}
	data, ok := g.open(name, shown)
	if !ok {
		return
	}
	out, msg := gunzipBytes(data, g.force && g.stdout)
	if g.list && msg == "" {
		if g.listed == 0 {
			g.print("         compressed        uncompressed  ratio uncompressed_name\n")
		}
		g.listed++
		g.totalIn += int64(len(data))
		g.totalOut += int64(len(out))
		// gzip's totals subtract only the last member's header, and so does this.
		g.lastHdr = gzipHeaderLen(data)
		g.printf("%19d %19d %s %s\n", len(data), len(out), gzipRatio(int64(len(out))-(int64(len(data))-gzipHeaderLen(data)), int64(len(out))), target)
		return
	}
	if g.verbose && msg == "" && !g.test {
		dest := target
		if g.stdout {
			dest = "stdout"
		}
		defer g.errRaw(fmt.Sprintf("%s:\t%s -- replaced with %s\n", name, gzipRatio(int64(len(out))-(int64(len(data))-gzipHeaderLen(data)), int64(len(out))), dest))
	}
	if g.test {
		if msg != "" {
			g.errRaw("\ngzip: " + name + ": " + msg + "\n")
			g.status = 1
		}
		return
	}
	if g.stdout {
		g.write(out)
		if msg != "" {
			g.errRaw("\ngzip: " + name + ": " + msg + "\n")
			g.status = 1
		}
		return
	}
	if msg != "" {
		g.errRaw("\ngzip: " + name + ": " + msg + "\n")
		g.status = 1
		return
	}
	g.finish(name, target, out)
}
