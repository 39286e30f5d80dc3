package commands

import (
	"fmt"
	"path"
	"strings"
)

// lastb and mountpoint (util-linux 2.38.1).

// lastb reads btmp, which only root may: the persona's is empty (the sensor does not
// record the guesses that came before the login).
func lastbCmd(p *Proc) int {
	c := newCmd(p)
	if _, _, ok, st := c.parse(optSpec{Short: "0123456789adf:FhiRn:s:t:wxTV", Long: []longOpt{
		{Name: "limit", Arg: argRequired, Key: "n"}, {Name: "help", Key: "h"}, {Name: "version", Key: "V"},
		{Name: "hostlast", Key: "a"}, {Name: "dns", Key: "d"}, {Name: "file", Arg: argRequired, Key: "f"},
		{Name: "fulltimes", Key: "F"}, {Name: "ip", Key: "i"}, {Name: "nohostname", Key: "R"},
		{Name: "since", Arg: argRequired, Key: "s"}, {Name: "until", Arg: argRequired, Key: "t"},
		{Name: "fullnames", Key: "w"}, {Name: "system", Key: "x"}, {Name: "time-format", Arg: argRequired, Key: "T"},
	}}, 1); !ok {
		return st
	}
	if !c.isRoot() {
		c.errorf("cannot open /var/log/btmp: Permission denied")
		return c.done(1)
	}
	c.printf("\nbtmp begins %s\n", c.bootTime().In(c.location()).Format("Mon Jan _2 15:04:05 2006"))
	return c.done(0)
}

func mountpointCmd(p *Proc) int {
	c := newCmd(p)
	opts, ops, ok, st := c.parse(optSpec{Short: "qdxhV", Long: []longOpt{
		{Name: "quiet", Key: "q"}, {Name: "fs-devno", Key: "d"}, {Name: "devno", Key: "x"},
		{Name: "help", Key: "h"}, {Name: "version", Key: "V"}, {Name: "nofollow", Key: "nofollow"},
	}}, 1)
	if !ok {
		return st
	}
	quiet, devno := false, false
	for _, o := range opts {
		switch o.Key {
		case "V":
			c.print("mountpoint from util-linux 2.38.1\n")
			return c.done(0)
		case "q":
			quiet = true
		case "d":
			devno = true
		}
	}
	if len(ops) != 1 {
		c.errorf("bad usage")
		return c.tryHelp(1)
	}
	abs := c.abs(ops[0])
	if _, err := c.FS.Stat(abs); err != nil {
		if !quiet {
			c.errorf("%s: %s", ops[0], errText(err))
		}
		return c.done(1)
	}
	real, err := c.FS.Realpath(abs)
	if err != nil {
		real = abs
	}
	var m *mountEntry
	for _, e := range c.mountTable() {
		if e.target == path.Clean(real) {
			e := e
			m = &e
		}
	}
	if m == nil {
		if !quiet {
			c.print(ops[0] + " is not a mountpoint\n")
		}
		return c.done(32)
	}
	if devno {
		dev := strings.TrimPrefix(m.source, "/dev/")
		for _, d := range c.blockDevs() {
			if d.name == dev {
				c.printf("%d:%d\n", d.major, d.minor)
				return c.done(0)
			}
		}
		// virtual filesystems have anonymous device numbers
		for i, e := range c.mountTable() {
			if e.target == m.target {
				c.printf("0:%d\n", 20+i)
			}
		}
		return c.done(0)
	}
	if !quiet {
		c.print(fmt.Sprintf("%s is a mountpoint\n", ops[0]))
	}
	return c.done(0)
}
