package commands

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// w, who and last: the session's own login is the only utmp entry (sshd writes one for pty
// sessions only), shown with the attacker's source address, as the real box would show it.

// uptimeLine renders procps 4.0.2's uptime line (" 05:45:00 up 11 min,  1 user,  load
// average: 0.00, 0.00, 0.00"), which w prints as its first header line.
func (c *cmd) uptimeLine() string {
	now := c.now().In(c.location())
	up := int64(now.Sub(c.bootTime()) / time.Second)
	if up < 0 {
		up = 0
	}
	var b strings.Builder
	fmt.Fprintf(&b, " %02d:%02d:%02d up ", now.Hour(), now.Minute(), now.Second())
	days, hours, mins := up/86400, (up/3600)%24, (up/60)%60
	if days > 0 {
		unit := "day"
		if days > 1 {
			unit = "days"
		}
		fmt.Fprintf(&b, "%d %s, ", days, unit)
	}
	if hours > 0 {
		fmt.Fprintf(&b, "%2d:%02d, ", hours, mins)
	} else {
		fmt.Fprintf(&b, "%d min, ", mins)
	}
	users := c.loggedIn()
	unit := "user"
	if users > 1 {
		unit = "users"
	}
	la := c.loadAvg()
	fmt.Fprintf(&b, "%2d %s,  load average: %s, %s, %s", users, unit, la[0], la[1], la[2])
	return b.String()
}

// ival7 is w's compact seven-character interval.
func ival7(d time.Duration) string {
	if d < 0 {
		return "   ?   "
	}
	t := int64(d / time.Second)
	cs := int64(d%time.Second) / int64(10*time.Millisecond)
	switch {
	case t >= 48*3600:
		return fmt.Sprintf(" %2ddays", t/86400)
	case t >= 3600:
		return fmt.Sprintf(" %2d:%02dm", t/3600, (t/60)%60)
	case t > 60:
		return fmt.Sprintf(" %2d:%02d ", t/60, t%60)
	}
	return fmt.Sprintf(" %2d.%02ds", t, cs)
}

// loginTime7 is w's seven-character login time.
func loginTime7(login, now time.Time) string {
	if now.Sub(login) > 12*time.Hour && login.YearDay() != now.YearDay() {
		if now.Sub(login) > 6*24*time.Hour {
			return fmt.Sprintf(" %02d%3s%02d", login.Day(), login.Format("Jan"), login.Year()%100)
		}
		return fmt.Sprintf(" %3s%02d  ", login.Format("Mon"), login.Hour())
	}
	return fmt.Sprintf(" %02d:%02d  ", login.Hour(), login.Minute())
}

func wCmd(p *Proc) int {
	c := newCmd(p)
	opts, ops, err := parseOpts(c.name, c.Args[1:], optSpec{Short: "husfoVi", Long: []longOpt{
		{Name: "no-header", Key: "h"}, {Name: "no-current", Key: "u"}, {Name: "short", Key: "s"},
		{Name: "from", Key: "f"}, {Name: "old-style", Key: "o"}, {Name: "ip-addr", Key: "i"},
		{Name: "help", Key: "help"}, {Name: "version", Key: "V"},
	}})
	if err != nil {
		c.errorf("%s", err.Msg)
		c.errRaw(wUsage)
		return c.done(1)
	}
	header, long, from := true, true, true
	for _, o := range opts {
		switch o.Key {
		case "h":
			header = false
		case "s":
			long = false
		case "f":
			from = !from
		case "i":
			from = true
		case "help":
			c.print(wUsage)
			return c.done(0)
		case "V":
			c.print("w from procps-ng 4.0.2\n")
			return c.done(0)
		}
	}
	if header {
		c.print(c.uptimeLine() + "\n")
		h := "USER     TTY      "
		if from {
			h += "FROM             "
		}
		if long {
			h += "LOGIN@   IDLE   JCPU   PCPU WHAT\n"
		} else {
			h += " IDLE WHAT\n"
		}
		c.print(h)
	}
	if c.tty() == "" || (len(ops) > 0 && ops[0] != c.userName()) {
		return c.done(0)
	}
	now := c.now().In(c.location())
	self := strings.Join(c.Args, " ")
	var jcpu, pcpu time.Duration
	for _, pr := range c.processes(self) {
		if pr.TTY == c.tty() {
			jcpu += pr.CPU
		}
	}
	maxcmd := 512
	if c.StdoutTTY && c.Columns > 0 {
		maxcmd = c.Columns
	}
	if maxcmd > 512 {
		maxcmd = 512
	}
	maxcmd -= 21 + 8
	if from {
		maxcmd -= 16
	}
	if long {
		maxcmd -= 20
	}
	if maxcmd < 7 {
		maxcmd = 7
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%-9.8s%-9.8s", c.userName(), c.tty())
	if from {
		h := c.srcIP()
		if len(h) > 16 {
			h = h[:16]
		}
		fmt.Fprintf(&b, "%-16s", h)
	}
	if long {
		b.WriteString(loginTime7(c.loginTime().In(c.location()), now))
		b.WriteString(ival7(0))
		b.WriteString(ival7(jcpu))
		b.WriteString(ival7(pcpu))
	} else {
		b.WriteString(ival7(0))
	}
	b.WriteString(" ")
	if len(self) > maxcmd {
		self = self[:maxcmd]
	}
	b.WriteString(self + "\n")
	c.print(b.String())
	return c.done(0)
}

const wUsage = `
Usage:
 w [options] [user]

Options:
 -h, --no-header     do not print header
 -u, --no-current    ignore current process username
 -s, --short         short format
 -f, --from          show remote hostname field
 -o, --old-style     old style output
 -i, --ip-addr       display IP address instead of hostname (if possible)

     --help     display this help and exit
 -V, --version  output version information and exit

For more details see w(1).
`

// whoTime formats a utmp time as coreutils' who does: ISO-like in a "hard" locale
// (anything but C/POSIX, C.UTF-8 included), "Nov 26 05:44" in the C locale.
func (c *cmd) whoTime(t time.Time) (string, int) {
	if c.hardLocale("LC_TIME") {
		return t.Format("2006-01-02 15:04"), 16
	}
	return t.Format("Jan _2 15:04"), 12
}

// hardLocale reports whether the locale category in effect is other than C/POSIX.
func (c *cmd) hardLocale(category string) bool {
	for _, k := range []string{"LC_ALL", category, "LANG"} {
		if v := c.Env[k]; v != "" {
			return v != "C" && v != "POSIX"
		}
	}
	return false
}

func whoCmd(p *Proc) int {
	c := newCmd(p)
	opts, ops, ok, st := c.parse(optSpec{Short: "abdlmpqrstuwHT", Long: stdLong(
		longOpt{Name: "all", Key: "a"}, longOpt{Name: "boot", Key: "b"}, longOpt{Name: "count", Key: "q"},
		longOpt{Name: "dead", Key: "d"}, longOpt{Name: "heading", Key: "H"}, longOpt{Name: "login", Key: "l"},
		longOpt{Name: "lookup", Key: "lookup"}, longOpt{Name: "mesg", Key: "T"}, longOpt{Name: "message", Key: "T"},
		longOpt{Name: "process", Key: "p"}, longOpt{Name: "runlevel", Key: "r"}, longOpt{Name: "short", Key: "s"},
		longOpt{Name: "time", Key: "t"}, longOpt{Name: "users", Key: "u"}, longOpt{Name: "writable", Key: "T"},
	)}, 1)
	if !ok {
		return st
	}
	var boot, heading, users, mesg, runlvl, count, onlyMe bool
	assumptions := true
	for _, o := range opts {
		switch o.Key {
		case "help", "version":
			return c.sysHelp(o.Key, "who")
		case "a":
			boot, users, mesg, runlvl = true, true, true, true
			assumptions = false
		case "b":
			boot, assumptions = true, false
		case "H":
			heading = true
		case "T":
			mesg = true
		case "u":
			users, assumptions = true, false
		case "r":
			runlvl, assumptions = true, false
		case "q":
			count = true
		case "m":
			onlyMe = true
		case "s":
		case "d", "l", "p", "t":
			assumptions = false
		}
	}
	switch len(ops) {
	case 0, 1:
	case 2:
		onlyMe = true
	default:
		return c.usage(1, "extra operand %s", c.quoteLoc(ops[2]))
	}
	if assumptions {
		users = true
	}
	loggedIn := c.tty() != ""
	if count {
		if loggedIn && !onlyMe {
			c.print(c.userName() + "\n# users=1\n")
		} else if loggedIn {
			c.print(c.userName() + "\n# users=1\n")
		} else {
			c.print("\n# users=0\n")
		}
		return c.done(0)
	}
	loc := c.location()
	_, tw := c.whoTime(time.Time{})
	line := func(user, state, ln, tm, idle, pid, comment string) {
		s := fmt.Sprintf("%-8s", user)
		if mesg {
			s += " " + state
		}
		s += fmt.Sprintf(" %-12s %-*s", ln, tw, tm)
		if users && !assumptions {
			s += fmt.Sprintf(" %-6s", idle)
		}
		if !assumptions {
			s += fmt.Sprintf(" %10s", pid)
		}
		s += fmt.Sprintf(" %-8s", comment)
		c.print(strings.TrimRight(s, " ") + "\n")
	}
	if heading {
		line("NAME", "S", "LINE", "TIME", "IDLE", "PID", "COMMENT")
	}
	bt, _ := c.whoTime(c.bootTime().In(loc))
	if boot && !onlyMe {
		line("", " ", "system boot", bt, "", "", "")
	}
	if runlvl && !onlyMe {
		line("", " ", "run-level 5", bt, "", "", "")
	}
	if users && loggedIn {
		lt, _ := c.whoTime(c.loginTime().In(loc))
		line(c.userName(), "+", c.tty(), lt, ".", strconv.Itoa(c.shellPID()-7), "("+c.srcIP()+")")
	}
	return c.done(0)
}

func lastCmd(p *Proc) int {
	c := newCmd(p)
	opts, _, err := parseOpts(c.name, c.Args[1:], optSpec{Short: "0123456789adf:FhiRn:s:t:wxTV", Long: []longOpt{
		{Name: "limit", Arg: argRequired, Key: "n"}, {Name: "help", Key: "h"}, {Name: "version", Key: "V"},
		{Name: "hostlast", Key: "a"}, {Name: "dns", Key: "d"}, {Name: "file", Arg: argRequired, Key: "f"},
		{Name: "fulltimes", Key: "F"}, {Name: "ip", Key: "i"}, {Name: "nohostname", Key: "R"},
		{Name: "since", Arg: argRequired, Key: "s"}, {Name: "until", Arg: argRequired, Key: "t"},
		{Name: "fullnames", Key: "w"}, {Name: "system", Key: "x"}, {Name: "time-format", Arg: argRequired, Key: "T"},
	}})
	if err != nil {
		c.errorf("%s", err.Msg)
		c.errRaw("Try 'last --help' for more information.\n")
		return c.done(1)
	}
	for _, o := range opts {
		if o.Key == "V" {
			c.print("last from util-linux 2.38.1\n")
			return c.done(0)
		}
	}
	loc := c.location()
	ctime := func(t time.Time) string { return t.In(loc).Format("Mon Jan _2 15:04") }
	if c.tty() != "" {
		c.printf("%-8.8s %-12.12s %-16.16s %-16.16s %-7.7s %s\n", c.userName(), c.tty(), c.srcIP(),
			ctime(c.loginTime()), "  still", "logged in")
	}
	c.printf("%-8.8s %-12.12s %-16.16s %-16.16s %-7.7s %s\n", "reboot", "system boot", c.kernel().Release,
		ctime(c.bootTime()), "  still", "running")
	c.printf("\nwtmp begins %s\n", c.bootTime().In(loc).Format("Mon Jan _2 15:04:05 2006"))
	return c.done(0)
}
