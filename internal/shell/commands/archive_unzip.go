package commands

import (
	"archive/zip"
	"bytes"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"path"
	"strings"
	"time"
)

// unzip, as Info-ZIP's UnZip 6.00 (Debian) runs it: extracting into the session's vfs
// (the overlay's quotas bound what a zip bomb can write), -l/-v/-t/-p/-Z listings and its
// messages for missing and damaged archives. Decompression reads at most unzipMaxFile
// bytes of any member, so a member that inflates beyond it stops there.

const unzipUsage = `UnZip 6.00 of 20 April 2009, by Debian. Original by Info-ZIP.

Usage: unzip [-Z] [-opts[modifiers]] file[.zip] [list] [-x xlist] [-d exdir]
  Default action is to extract files in list, except those in xlist, to exdir;
  file[.zip] may be a wildcard.  -Z => ZipInfo mode ("unzip -Z" for usage).

  -p  extract files to pipe, no messages     -l  list files (short format)
  -f  freshen existing files, create none    -t  test compressed archive data
  -u  update files, create if necessary      -z  display archive comment only
  -v  list verbosely/show version info       -T  timestamp archive to latest
  -x  exclude files that follow (in xlist)   -d  extract files into exdir
modifiers:
  -n  never overwrite existing files         -q  quiet mode (-qq => quieter)
  -o  overwrite files WITHOUT prompting      -a  auto-convert any text files
  -j  junk paths (do not make directories)   -aa treat ALL files as text
  -U  use escapes for all non-ASCII Unicode  -UU ignore any Unicode fields
  -C  match filenames case-insensitively     -L  make (some) names lowercase
  -X  restore UID/GID info                   -V  retain VMS version numbers
  -K  keep setuid/setgid/tacky permissions   -M  pipe through "more" pager
See "unzip -hh" or unzip.txt for more help.  Examples:
  unzip data1 -x joe   => extract all files except joe from zipfile data1.zip
  unzip -p foo | more  => send contents of foo.zip via pipe into program more
  unzip -fo foo ReadMe => quietly replace existing ReadMe if archive file newer
`

// unzipMaxFile caps the bytes unzip inflates for one member (the overlay's per-file quota).
const unzipMaxFile = truncateMaxFile

// unzipOpts are the parsed switches.
type unzipOpts struct {
	list, verbose, test, pipe, zipinfo bool
	overwrite, never, junk             bool
	quiet                              int
	exdir                              string
}

func unzipCmd(p *Proc) int {
	c := newCmd(p)
	args := c.Args[1:]
	if len(args) == 0 {
		c.print(unzipUsage)
		return c.done(0)
	}
	var o unzipOpts
	if path.Base(c.name) == "zipinfo" {
		// zipinfo is UnZip's -Z mode under its own name
		o.zipinfo = true
	}
	var operands, exclude []string
	inExclude := false
	for i := 0; i < len(args); i++ {
		a := args[i]
		if inExclude && !strings.HasPrefix(a, "-") {
			exclude = append(exclude, a)
			continue
		}
		if len(a) > 1 && a[0] == '-' {
			inExclude = false
			for k := 1; k < len(a); k++ {
				switch a[k] {
				case 'l':
					o.list = true
				case 'v':
					o.verbose = true
				case 't':
					o.test = true
				case 'p':
					o.pipe = true
				case 'Z':
					o.zipinfo = true
				case 'o':
					o.overwrite = true
				case 'n':
					o.never = true
				case 'j':
					o.junk = true
				case 'q':
					o.quiet++
				case 'x':
					inExclude = true
				case 'd':
					if k+1 < len(a) {
						o.exdir = a[k+1:]
					} else if i+1 < len(args) {
						i++
						o.exdir = args[i]
					}
					k = len(a)
				case 'h':
					c.print(unzipUsage)
					return c.done(0)
				case 'a', 'b', 'B', 'C', 'D', 'f', 'u', 'L', 'M', 'U', 'V', 'X', 'K', 'T', 'z', 'W', 's', 'c':
				default:
					c.print(unzipUsage)
					return c.done(10)
				}
			}
			continue
		}
		operands = append(operands, a)
	}
	if len(operands) == 0 {
		c.print(unzipUsage)
		return c.done(10)
	}
	name, members := operands[0], operands[1:]
	// like UnZip: the name as given, then with .zip and .ZIP appended
	var data []byte
	found := ""
	for _, cand := range []string{name, name + ".zip", name + ".ZIP"} {
		m, err := c.FS.Stat(c.abs(cand))
		if err != nil || m.Mode.IsDir() {
			continue
		}
		b, err := c.FS.ReadFile(c.abs(cand))
		if err != nil {
			continue
		}
		data, found = b, cand
		break
	}
	// zipinfo mode (zipinfo, unzip -Z) reports on stdout under zipinfo's name
	prog, report, indent := "unzip", c.errRaw, "        "
	if o.zipinfo {
		prog, report, indent = "zipinfo", c.print, "          "
	}
	if found == "" {
		report(fmt.Sprintf("%s:  cannot find or open %s, %s.zip or %s.ZIP.\n", prog, name, name, name))
		return c.done(9)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		if !o.pipe {
			c.print("Archive:  " + found + "\n")
		}
		if o.zipinfo {
			c.print("[" + found + "]\n")
		}
		report("  End-of-central-directory signature not found.  Either this file is not\n" +
			"  a zipfile, or it constitutes one disk of a multi-part archive.  In the\n" +
			"  latter case the central directory and zipfile comment will be found on\n" +
			"  the last disk(s) of this archive.\n")
		report(fmt.Sprintf("%s:  cannot find zipfile directory in one of %s or\n%s%s.zip, and cannot find %s.ZIP, period.\n", prog, found, indent, found, found))
		return c.done(9)
	}
	loc := c.location()
	selected := func(f *zip.File) bool {
		for _, x := range exclude {
			if ok, _ := path.Match(x, f.Name); ok {
				return false
			}
		}
		if len(members) == 0 {
			return true
		}
		for _, m := range members {
			if ok, _ := path.Match(m, f.Name); ok || m == f.Name {
				return true
			}
		}
		return false
	}
	// members named on the command line that match nothing
	status := 0
	var unmatched []string
	for _, m := range members {
		hit := false
		for _, f := range zr.File {
			if ok, _ := path.Match(m, f.Name); ok || m == f.Name {
				hit = true
			}
		}
		if !hit {
			unmatched = append(unmatched, m)
		}
	}
	switch {
	case o.zipinfo:
		c.unzipInfo(found, len(data), zr, loc)
	case o.list || o.verbose:
		c.unzipList(found, zr, o.verbose, selected, loc)
	case o.pipe:
		for _, f := range zr.File {
			if selected(f) && !strings.HasSuffix(f.Name, "/") {
				if b, err := unzipRead(f); err == nil {
					c.write(b)
				}
			}
		}
	case o.test:
		if o.quiet == 0 {
			c.print("Archive:  " + found + "\n")
		}
		bad := 0
		for _, f := range zr.File {
			if !selected(f) {
				continue
			}
			res := "OK"
			if _, err := unzipRead(f); err != nil {
				res, bad = "bad CRC", bad+1
			}
			if o.quiet == 0 {
				c.printf("    testing: %-22s   %s\n", f.Name, res)
			}
		}
		if bad == 0 {
			if o.quiet < 2 {
				c.print("No errors detected in compressed data of " + found + ".\n")
			}
		} else {
			c.printf("At least one error was detected in %s.\n", found)
			status = 2
		}
	default:
		status = c.unzipExtract(found, zr, o, selected, loc)
	}
	if len(unmatched) > 0 {
		c.errRaw("caution: filename not matched:  " + strings.Join(unmatched, " ") + "\n")
		if status == 0 {
			status = 11
		}
	}
	return c.done(status)
}

// unzipRead inflates one member, at most unzipMaxFile bytes, and checks its CRC when whole.
func unzipRead(f *zip.File) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, unzipMaxFile))
	if err != nil {
		return b, err
	}
	if int64(len(b)) < unzipMaxFile && crc32.ChecksumIEEE(b) != f.CRC32 {
		return b, zip.ErrChecksum
	}
	return b, nil
}

// dosTime is the member's modification time as UnZip reads it: the DOS fields in local time.
func dosTime(f *zip.File, loc *time.Location) time.Time {
	m := f.Modified
	return time.Date(m.Year(), m.Month(), m.Day(), m.Hour(), m.Minute(), m.Second(), 0, loc)
}

func (c *cmd) unzipList(name string, zr *zip.Reader, verbose bool, selected func(*zip.File) bool, loc *time.Location) {
	c.print("Archive:  " + name + "\n")
	if zr.Comment != "" {
		c.print(zr.Comment + "\n")
	}
	var total, ctotal uint64
	n := 0
	if verbose {
		c.print(" Length   Method    Size  Cmpr    Date    Time   CRC-32   Name\n--------  ------  ------- ---- ---------- ----- --------  ----\n")
	} else {
		c.print("  Length      Date    Time    Name\n---------  ---------- -----   ----\n")
	}
	for _, f := range zr.File {
		if !selected(f) {
			continue
		}
		n++
		total += f.UncompressedSize64
		ctotal += f.CompressedSize64
		t := dosTime(f, loc).Format("2006-01-02 15:04")
		if verbose {
			method := "Stored"
			if f.Method == zip.Deflate {
				method = "Defl:N"
			}
			c.printf("%8d  %-6s %8d %s %s %08x  %s\n", f.UncompressedSize64, method, f.CompressedSize64,
				unzipRatio(f.UncompressedSize64, f.CompressedSize64), t, f.CRC32, f.Name)
		} else {
			c.printf("%9d  %s   %s\n", f.UncompressedSize64, t, f.Name)
		}
	}
	files := fmt.Sprintf("%d files", n)
	if n == 1 {
		files = "1 file"
	}
	if verbose {
		c.printf("--------          -------  ---                            -------\n%8d         %8d %s                            %s\n",
			total, ctotal, unzipRatio(total, ctotal), files)
		return
	}
	c.printf("---------                     -------\n%9d                     %s\n", total, files)
}

// unzipRatio is the compression factor UnZip shows: its per-mil ratio() rounded to a
// percent, signed (a member that grew shows a negative factor), right-aligned in 4.
func unzipRatio(size, csize uint64) string {
	pm, sgn := uint64(0), " "
	switch {
	case size == 0:
	case size >= csize:
		pm = (1000*(size-csize) + size/2) / size
	default:
		pm, sgn = (1000*(csize-size)+size/2)/size, "-"
	}
	return fmt.Sprintf("%4s", sgn+fmt.Sprint((pm+5)/10)+"%")
}

func (c *cmd) unzipInfo(name string, size int, zr *zip.Reader, loc *time.Location) {
	c.print("Archive:  " + name + "\n")
	c.printf("Zip file size: %d bytes, number of entries: %d\n", size, len(zr.File))
	var total, ctotal uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
		ctotal += f.CompressedSize64
		mode := "?rw-------"
		if f.CreatorVersion>>8 == 3 && f.Mode().Perm() != 0 {
			mode = f.Mode().String()
			if strings.HasPrefix(mode, "-") && strings.HasSuffix(f.Name, "/") {
				mode = "d" + mode[1:]
			}
		}
		method := "stor"
		if f.Method == zip.Deflate {
			method = "defN"
		}
		// zipinfo's second flag: '-' neither, 'l' a data descriptor, 'x' an extra
		// field, 'X' both
		flag := map[[2]bool]string{{false, false}: "-", {true, false}: "l", {false, true}: "x", {true, true}: "X"}[[2]bool{f.Flags&0x8 != 0, len(f.Extra) > 0}]
		c.printf("%s  %d.%d unx %8d b%s %s %s %s\n", mode, f.CreatorVersion&0xff/10, f.CreatorVersion&0xff%10,
			f.UncompressedSize64, flag, method, dosTime(f, loc).Format("06-Jan-02 15:04"), f.Name)
	}
	pct := 0.0
	if total > 0 {
		pct = (float64(total) - float64(ctotal)) / float64(total) * 100
	}
	c.printf("%d files, %d bytes uncompressed, %d bytes compressed:  %.1f%%\n", len(zr.File), total, ctotal, pct)
}

// unzipExtract writes the selected members under the extraction directory.
func (c *cmd) unzipExtract(name string, zr *zip.Reader, o unzipOpts, selected func(*zip.File) bool, loc *time.Location) int {
	if o.quiet == 0 {
		c.print("Archive:  " + name + "\n")
	}
	base := c.Dir
	if o.exdir != "" {
		base = c.abs(o.exdir)
		if err := c.FS.MkdirAll(base, 0o777&^c.umask()); err != nil {
			c.flush()
			c.errRaw("checkdir:  cannot create extraction directory: " + o.exdir + "\n           " + errText(err) + "\n")
			return 3
		}
	}
	status := 0
	all, none := o.overwrite, o.never
	in := newLineReader(c.Ctx, c.Stdin)
	// directories get their times last, after their files are written (as UnZip does)
	type dirTime struct {
		path string
		t    time.Time
	}
	var dirTimes []dirTime
	defer func() {
		for i := len(dirTimes) - 1; i >= 0; i-- {
			_ = c.FS.Chtimes(dirTimes[i].path, dirTimes[i].t, dirTimes[i].t)
		}
	}()
	shown := func(n string) string {
		if o.exdir != "" {
			return strings.TrimSuffix(o.exdir, "/") + "/" + n
		}
		return n
	}
	for _, f := range zr.File {
		if !selected(f) || c.failed() {
			continue
		}
		rel := path.Clean("/" + f.Name)[1:]
		if rel == "" {
			continue
		}
		if o.junk {
			if strings.HasSuffix(f.Name, "/") {
				continue
			}
			rel = path.Base(rel)
		}
		dst := path.Join(base, rel)
		mode := fs.FileMode(0o666) &^ c.umask()
		if f.CreatorVersion>>8 == 3 {
			mode = f.Mode().Perm()
			if mode == 0 {
				mode = 0o600
			}
		}
		mtime := dosTime(f, loc)
		if strings.HasSuffix(f.Name, "/") {
			if _, err := c.FS.Stat(dst); err == nil {
				continue
			}
			if o.quiet == 0 {
				c.printf("   creating: %s\n", shown(rel)+"/")
			}
			if err := c.FS.MkdirAll(dst, mode|0o700); err == nil {
				_ = c.FS.Chmod(dst, mode)
				dirTimes = append(dirTimes, dirTime{dst, mtime})
			}
			continue
		}
		if _, err := c.FS.Stat(dst); err == nil {
			if none {
				continue
			}
			if !all {
				c.flush()
				c.errRaw(fmt.Sprintf("replace %s? [y]es, [n]o, [A]ll, [N]one, [r]ename: ", shown(rel)))
				line, _, ok := in.next()
				ans := strings.TrimSpace(string(line))
				if !ok {
					c.errRaw(" NULL\n(EOF or read error, treating as \"[N]one\" ...)\n")
					none, status = true, 1
					continue
				}
				switch {
				case ans == "A":
					all = true
				case ans == "N":
					none = true
					continue
				case strings.HasPrefix(ans, "y"):
				default:
					continue
				}
			}
		}
		b, err := unzipRead(f)
		if err != nil && err != zip.ErrChecksum {
			c.errRaw(fmt.Sprintf("  error:  invalid compressed data to inflate %s\n", shown(rel)))
			status = 2
			continue
		}
		verb := " extracting"
		if f.Method == zip.Deflate {
			verb = "  inflating"
		}
		if o.quiet == 0 {
			c.printf("%s: %-22s  \n", verb, shown(rel))
		}
		if dir := path.Dir(dst); dir != base {
			_ = c.FS.MkdirAll(dir, 0o777&^c.umask())
		}
		if err := c.FS.WriteFile(dst, b, mode); err != nil {
			c.flush()
			c.errRaw(fmt.Sprintf("error:  cannot create %s\n        %s\n", shown(rel), errText(err)))
			status = 1
			continue
		}
		_ = c.FS.Chmod(dst, mode)
		_ = c.FS.Chtimes(dst, mtime, mtime)
		if err == zip.ErrChecksum {
			c.errRaw(fmt.Sprintf(" bad CRC %08x  (should be %08x)\n", crc32.ChecksumIEEE(b), f.CRC32))
			status = 2
		}
	}
	return status
}
