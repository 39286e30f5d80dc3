package commands

import (
	"path"
	"strings"
)

// whereis as util-linux 2.38.1 searches: binaries only by exact name in its fixed list of
// directories (then $PATH), manual and info pages by name plus one suffix, each directory
// once however many links reach it.

const whereisHelp = `
Usage:
 whereis [options] [-BMS <dir>... -f] <name>

Locate the binary, source, and manual-page files for a command.

Options:
 -b         search only for binaries
 -B <dirs>  define binaries lookup path
 -m         search only for manuals and infos
 -M <dirs>  define man and info lookup path
 -s         search only for sources
 -S <dirs>  define sources lookup path
 -f         terminate <dirs> argument list
 -u         search for unusual entries
 -l         output effective lookup paths

 -h, --help     display this help
 -V, --version  display version

For more details see whereis(1).
`

var whereisBinDirs = []string{"/usr/bin", "/usr/sbin", "/bin", "/sbin", "/usr/lib/x86_64-linux-gnu",
	"/lib/x86_64-linux-gnu", "/usr/local/lib/x86_64-linux-gnu", "/usr/lib", "/usr/lib32", "/usr/lib64",
	"/etc", "/usr/etc", "/lib", "/lib32", "/lib64", "/usr/games", "/usr/games/bin", "/usr/games/lib",
	"/usr/emacs/etc", "/usr/TeX/bin", "/usr/tex/bin", "/usr/interviews/bin/LINUX", "/usr/X11R6/bin",
	"/usr/X386/bin", "/usr/bin/X11", "/usr/X11/bin", "/usr/X11R5/bin", "/usr/local/bin", "/usr/local/sbin",
	"/usr/local/etc", "/usr/local/lib", "/usr/local/games", "/usr/local/games/bin", "/usr/local/emacs/etc",
	"/usr/local/TeX/bin", "/usr/local/tex/bin", "/usr/local/bin/X11", "/usr/contrib", "/usr/hosts",
	"/usr/include", "/usr/g++-include", "/usr/ucb", "/usr/old", "/usr/new", "/usr/local", "/usr/libexec",
	"/usr/share"}

// whereisDir is one searched directory and what it holds.
type whereisDir struct {
	kind byte // 'b', 'm' or 's'
	dir  string
}

// whereisDirs builds the search list: existing directories, each real directory once.
func (c *cmd) whereisDirs(bins, mans, srcs []string, fixed bool) []whereisDir {
	var out []whereisDir
	seen := map[string]bool{}
	add := func(kind byte, d string) {
		m, err := c.FS.Stat(d)
		if err != nil || !m.Mode.IsDir() {
			return
		}
		real, err := c.FS.Realpath(d)
		if err != nil {
			real = d
		}
		if seen[real] {
			return
		}
		seen[real] = true
		out = append(out, whereisDir{kind, d})
	}
	subdirs := func(d string) []string {
		ents, err := c.FS.ReadDir(d)
		if err != nil {
			return nil
		}
		var out []string
		for _, e := range ents {
			if e.Mode.IsDir() {
				out = append(out, d+"/"+e.Name)
			}
		}
		return out
	}
	if bins == nil {
		bins = whereisBinDirs
		if !fixed {
			bins = append(append([]string(nil), bins...), strings.Split(c.Env["PATH"], ":")...)
		}
	}
	for _, d := range bins {
		add('b', d)
	}
	if mans == nil {
		for _, d := range []string{"/usr/man", "/usr/share/man", "/usr/X386/man", "/usr/X11/man", "/usr/TeX/man"} {
			for _, s := range subdirs(d) {
				add('m', s)
			}
		}
		add('m', "/usr/interviews/man/mann")
		add('m', "/usr/share/info")
	} else {
		for _, d := range mans {
			add('m', d)
		}
	}
	if srcs == nil {
		for _, s := range subdirs("/usr/src") {
			add('s', s)
		}
	} else {
		for _, d := range srcs {
			add('s', d)
		}
	}
	return out
}

// whereisMatch is util-linux's filename_equal: binaries match exactly, manual pages and
// sources may carry one more suffix (after a compression suffix is removed).
func whereisMatch(pattern, name string, kind byte) bool {
	if kind == 's' && strings.HasPrefix(name, "s.") && whereisMatch(pattern, name[2:], kind) {
		return true
	}
	if kind == 'm' {
		for _, z := range []string{".Z", ".gz", ".xz", ".bz2", ".zst"} {
			if strings.HasSuffix(name, z) && len(name) > len(z) {
				name = name[:len(name)-len(z)]
				break
			}
		}
	}
	if name == pattern {
		return true
	}
	if kind == 'b' || !strings.HasPrefix(name, pattern+".") {
		return false
	}
	rest := name[len(pattern)+1:]
	if i := strings.IndexByte(rest, '.'); i >= 0 {
		return rest[i+1:] == "C"
	}
	return true
}

func whereisCmd(p *Proc) int {
	c := newCmd(p)
	args := c.Args[1:]
	want := map[byte]bool{}
	var bins, mans, srcs []string
	var names []string
	fixedOnly, list := false, false
	var cur *[]string
	for _, a := range args {
		if len(a) > 1 && a[0] == '-' {
			cur = nil
			for k := 1; k < len(a); k++ {
				switch a[k] {
				case 'b':
					want['b'] = true
				case 'm':
					want['m'] = true
				case 's':
					want['s'] = true
				case 'u':
				case 'l':
					list = true
				case 'g':
				case 'B':
					bins, cur = []string{}, &bins
				case 'M':
					mans, cur = []string{}, &mans
				case 'S':
					srcs, cur = []string{}, &srcs
				case 'f':
					cur = nil
				case 'h':
					c.print(whereisHelp)
					return c.done(0)
				case 'V':
					c.print("whereis from util-linux 2.38.1\n")
					return c.done(0)
				case '-':
					switch a {
					case "--help":
						c.print(whereisHelp)
						return c.done(0)
					case "--version":
						c.print("whereis from util-linux 2.38.1\n")
						return c.done(0)
					}
					c.errorf("unrecognized option '%s'", a)
					return c.tryHelp(1)
				default:
					c.errorf("bad usage")
					return c.tryHelp(1)
				}
			}
			continue
		}
		if cur != nil {
			*cur = append(*cur, a)
			continue
		}
		names = append(names, a)
	}
	if len(want) == 0 {
		want = map[byte]bool{'b': true, 'm': true, 's': true}
	}
	fixedOnly = bins != nil
	dirs := c.whereisDirs(bins, mans, srcs, fixedOnly)
	if list {
		for _, d := range dirs {
			c.print(map[byte]string{'b': "bin", 'm': "man", 's': "src"}[d.kind] + ": " + d.dir + "\n")
		}
		return c.done(0)
	}
	if len(names) == 0 {
		c.errorf("not enough arguments")
		return c.tryHelp(1)
	}
	for _, n := range names {
		pattern := path.Base(n)
		pattern = strings.TrimSuffix(pattern, ".c")
		line := pattern + ":"
		for _, kind := range []byte{'b', 'm', 's'} {
			if !want[kind] {
				continue
			}
			for _, d := range dirs {
				if d.kind != kind {
					continue
				}
				ents, err := c.FS.ReadDir(d.dir)
				if err != nil {
					continue
				}
				for _, e := range ents {
					if whereisMatch(pattern, e.Name, kind) {
						line += " " + d.dir + "/" + e.Name
					}
				}
			}
		}
		c.print(line + "\n")
	}
	return c.done(0)
}
