package commands

import (
	"crypto/sha256"
	"strconv"
	"strings"
)

// sync and nice (coreutils 9.1), swapon and blkid (util-linux 2.38.1).

func syncCmd(p *Proc) int {
	c := newCmd(p)
	opts, ops, ok, st := c.parse(optSpec{Short: "df", Long: append([]longOpt{{Name: "data", Key: "d"},
		{Name: "file-system", Key: "f"}}, helpLong...)}, 1)
	if !ok {
		return st
	}
	for _, o := range opts {
		switch o.Key {
		case "help":
			c.print("Usage: sync [OPTION] [FILE]...\nSynchronize cached writes to persistent storage\n\nIf one or more files are specified, sync only them,\nor their containing file systems.\n\n  -d, --data             sync only file data, no unneeded metadata\n  -f, --file-system      sync the file systems that contain the files\n      --help        display this help and exit\n      --version     output version information and exit\n\nGNU coreutils online help: <https://www.gnu.org/software/coreutils/>\nReport any translation bugs to <https://translationproject.org/team/>\nFull documentation <https://www.gnu.org/software/coreutils/sync>\nor available locally via: info '(coreutils) sync invocation'\n")
			return c.done(0)
		case "version":
			c.print("sync (GNU coreutils) 9.1\nCopyright (C) 2022 Free Software Foundation, Inc.\nLicense GPLv3+: GNU GPL version 3 or later <https://gnu.org/licenses/gpl.html>.\nThis is free software: you are free to change and redistribute it.\nThere is NO WARRANTY, to the extent permitted by law.\n\nWritten by Jim Meyering and Giuseppe Scrivano.\n")
			return c.done(0)
		}
	}
	status := 0
	for _, op := range ops {
		if _, err := c.FS.Stat(c.abs(op)); err != nil {
			c.errorf("error opening %s: %s", c.quoteAF(op), errText(err))
			status = 1
		}
	}
	return c.done(status)
}

// nice runs a command at another niceness; the session's processes all run at 0.
func niceCmd(p *Proc) int {
	c := newCmd(p)
	args := c.Args[1:]
	adj, haveAdj := "", false
	// coreutils accepts the old "-N" form before getopt sees the rest
	if len(args) > 0 && len(args[0]) > 1 && args[0][0] == '-' && (args[0][1] >= '0' && args[0][1] <= '9' ||
		len(args[0]) > 2 && args[0][1] == '-' && args[0][2] >= '0' && args[0][2] <= '9') {
		adj, haveAdj, args = args[0][1:], true, args[1:]
	}
	opts, ops, err := parseOpts(c.name, args, optSpec{Short: "+n:", Long: append([]longOpt{
		{Name: "adjustment", Arg: argRequired, Key: "n"}}, helpLong...)})
	if err != nil {
		c.errorf("%s", err.Msg)
		return c.tryHelp(125)
	}
	for _, o := range opts {
		switch o.Key {
		case "help":
			c.print(niceHelp)
			return c.done(0)
		case "version":
			c.print(niceVersion)
			return c.done(0)
		case "n":
			adj, haveAdj = o.Val, true
		}
	}
	n := 10
	if haveAdj {
		v, err := strconv.Atoi(strings.TrimPrefix(adj, "+"))
		if err != nil {
			c.errorf("invalid adjustment %s", c.quoteLoc(adj))
			return c.done(125)
		}
		n = v
	}
	if len(ops) == 0 {
		if haveAdj {
			c.errorf("a command must be given with an adjustment")
			return c.tryHelp(125)
		}
		c.print("0\n")
		return c.done(0)
	}
	if n < 0 && !c.isRoot() {
		c.errorf("cannot set niceness: Permission denied")
	}
	if _, ok := c.lookPath(ops[0]); !ok {
		c.errorf("%s: No such file or directory", c.quoteLoc(ops[0]))
		return c.done(127)
	}
	c.flush()
	return c.Sub(c.ctx(), sysQuoteWords(ops), nil, c.Stdin, c.Stdout, c.Stderr)
}

// swapon lists the persona's swap areas (/proc/swaps); enabling more is refused the way a
// missing device is.
func swaponCmd(p *Proc) int {
	c := newCmd(p)
	opts, ops, ok, st := c.parse(optSpec{Short: "adefhLno:p:sUvV", Long: []longOpt{
		{Name: "all", Key: "a"}, {Name: "discard", Arg: argOptional, Key: "d"}, {Name: "ifexists", Key: "e"},
		{Name: "fixpgsz", Key: "f"}, {Name: "help", Key: "h"}, {Name: "options", Arg: argRequired, Key: "o"},
		{Name: "priority", Arg: argRequired, Key: "p"}, {Name: "summary", Key: "s"}, {Name: "show", Arg: argOptional, Key: "show"},
		{Name: "output-all", Key: "output-all"}, {Name: "noheadings", Key: "noheadings"}, {Name: "raw", Key: "raw"},
		{Name: "bytes", Key: "bytes"}, {Name: "verbose", Key: "v"}, {Name: "version", Key: "V"},
	}}, 1)
	if !ok {
		return st
	}
	for _, o := range opts {
		if o.Key == "V" {
			c.print("swapon from util-linux 2.38.1\n")
			return c.done(0)
		}
	}
	status := 0
	for _, op := range ops {
		abs := c.abs(op)
		if _, err := c.FS.Stat(abs); err != nil {
			c.errorf("cannot open %s: %s", abs, errText(err))
			status = 1
			continue
		}
		if !c.isRoot() {
			c.errorf("%s: swapon failed: Operation not permitted", abs)
		} else {
			c.errorf("%s: read swap header failed", abs)
		}
		status = 255
	}
	if len(ops) > 0 {
		return c.done(status)
	}
	s, _ := c.readText("/proc/swaps")
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) <= 1 {
		return c.done(0)
	}
	for _, o := range opts {
		if o.Key == "s" {
			c.print(s)
			return c.done(0)
		}
	}
	t := &scolsTable{cols: []scolsColumn{{name: "NAME"}, {name: "TYPE"}, {name: "SIZE", right: true},
		{name: "USED", right: true}, {name: "PRIO", right: true}}}
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		if len(f) < 5 {
			continue
		}
		size, _ := strconv.ParseUint(f[2], 10, 64)
		used, _ := strconv.ParseUint(f[3], 10, 64)
		t.rows = append(t.rows, scolsRow{cells: []string{f[0], f[1], utilLinuxSize(size * 1024), utilLinuxSize(used * 1024), f[4]}})
	}
	c.print(t.String())
	return c.done(0)
}

// blkid prints the persona's filesystems' tags (root only: a user cannot probe devices
// and finds no readable cache).
func blkidCmd(p *Proc) int {
	c := newCmd(p)
	opts, ops, ok, st := c.parse(optSpec{Short: "c:dghilL:n:ko:O:ps:S:t:u:U:vV", Long: []longOpt{
		{Name: "cache-file", Arg: argRequired, Key: "c"}, {Name: "no-encoding", Key: "d"}, {Name: "garbage-collect", Key: "g"},
		{Name: "output", Arg: argRequired, Key: "o"}, {Name: "list-filesystems", Key: "k"}, {Name: "match-tag", Arg: argRequired, Key: "s"},
		{Name: "match-token", Arg: argRequired, Key: "t"}, {Name: "list-one", Key: "l"}, {Name: "label", Arg: argRequired, Key: "L"},
		{Name: "uuid", Arg: argRequired, Key: "U"}, {Name: "probe", Key: "p"}, {Name: "info", Key: "i"},
		{Name: "size", Arg: argRequired, Key: "S"}, {Name: "offset", Arg: argRequired, Key: "O"},
		{Name: "usages", Arg: argRequired, Key: "u"}, {Name: "match-types", Arg: argRequired, Key: "n"},
		{Name: "version", Key: "V"}, {Name: "help", Key: "h"},
	}}, 1)
	if !ok {
		return st
	}
	format, tagOnly := "full", ""
	for _, o := range opts {
		switch o.Key {
		case "V", "v":
			c.print("blkid from util-linux 2.38.1  (libblkid 2.38.1, 01-Aug-2022)\n")
			return c.done(0)
		case "o":
			format = o.Val
		case "s":
			tagOnly = o.Val
		}
	}
	if !c.isRoot() {
		return c.done(2)
	}
	fsi := c.blockFSInfo()
	want := map[string]bool{}
	for _, op := range ops {
		want[strings.TrimPrefix(op, "/dev/")] = true
	}
	found := false
	for _, d := range c.blockDevs() {
		if d.parent == "" || len(want) > 0 && !want[d.name] {
			continue
		}
		f := fsi[d.name]
		var tags [][2]string
		if f != nil && f.fstype != "" {
			if f.fstype == "vfat" {
				tags = append(tags, [2]string{"SEC_TYPE", "msdos"})
			}
			if f.uuid != "" {
				tags = append(tags, [2]string{"UUID", f.uuid})
			}
			bs := "4096"
			if f.fstype == "vfat" {
				bs = "512"
			}
			tags = append(tags, [2]string{"BLOCK_SIZE", bs}, [2]string{"TYPE", f.fstype})
		}
		sum := sha256.Sum256([]byte(c.persona().Hostname + "\x00partuuid\x00" + d.name))
		tags = append(tags, [2]string{"PARTUUID", uuidString(sum[:16])})
		found = true
		switch format {
		case "value":
			for _, t := range tags {
				if tagOnly == "" || t[0] == tagOnly {
					c.print(t[1] + "\n")
				}
			}
		default:
			line := "/dev/" + d.name + ":"
			for _, t := range tags {
				if tagOnly == "" || t[0] == tagOnly {
					line += " " + t[0] + "=\"" + t[1] + "\""
				}
			}
			c.print(line + "\n")
		}
	}
	if !found {
		return c.done(2)
	}
	return c.done(0)
}

const niceHelp = `Usage: nice [OPTION] [COMMAND [ARG]...]
Run COMMAND with an adjusted niceness, which affects process scheduling.
With no COMMAND, print the current niceness.  Niceness values range from
-20 (most favorable to the process) to 19 (least favorable to the process).

Mandatory arguments to long options are mandatory for short options too.
  -n, --adjustment=N   add integer N to the niceness (default 10)
      --help        display this help and exit
      --version     output version information and exit

NOTE: your shell may have its own version of nice, which usually supersedes
the version described here.  Please refer to your shell's documentation
for details about the options it supports.

GNU coreutils online help: <https://www.gnu.org/software/coreutils/>
Report any translation bugs to <https://translationproject.org/team/>
Full documentation <https://www.gnu.org/software/coreutils/nice>
or available locally via: info '(coreutils) nice invocation'
`

const niceVersion = `nice (GNU coreutils) 9.1
Copyright (C) 2022 Free Software Foundation, Inc.
License GPLv3+: GNU GPL version 3 or later <https://gnu.org/licenses/gpl.html>.
This is free software: you are free to change and redistribute it.
There is NO WARRANTY, to the extent permitted by law.

Written by David MacKenzie.
`
