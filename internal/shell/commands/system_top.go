package commands

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// top (batch mode), pgrep, pkill and killall over the same process table as ps.

func topCmd(p *Proc) int {
	c := newCmd(p)
	batch := false
	iters := 0
	for i := 1; i < len(c.Args); i++ {
		a := c.Args[i]
		if !strings.HasPrefix(a, "-") {
			c.errRaw("top: unknown option '" + a + "'\n")
			return c.done(1)
		}
		for k := 1; k < len(a); k++ {
			switch a[k] {
			case 'b':
				batch = true
			case 'n', 'd', 'p', 'u', 'U', 'o', 'w', 'E', 'e':
				v := a[k+1:]
				if v == "" && i+1 < len(c.Args) {
					i++
					v = c.Args[i]
				}
				if a[k] == 'n' {
					n, err := strconv.Atoi(v)
					if err != nil {
						c.errRaw("top: bad iterations argument '" + v + "'\n")
						return c.done(1)
					}
					iters = n
				}
				k = len(a)
			case 'c', 'H', 'i', 'S', 's', '1':
			case 'v', 'V':
				c.print("  procps-ng 4.0.2\n")
				return c.done(0)
			case 'h':
				c.print("  procps-ng 4.0.2\nUsage:\n  top -hv | -bcEeHiOSs1 -d secs -n max -u|U user -p pid(s) -o field -w [cols]\n")
				return c.done(0)
			default:
				c.errRaw(fmt.Sprintf("top: unknown option '%c'\n", a[k]))
				c.errRaw("Usage:\n  top -hv | -bcEeHiOSs1 -d secs -n max -u|U user -p pid(s) -o field -w [cols]\n")
				return c.done(1)
			}
		}
	}
	_ = iters
	c.topConfigDir()
	if !batch && c.tty() == "" {
		// Without a terminal (an exec request without a pty) top cannot put its tty into
		// raw mode. ncurses' setupterm runs first: with TERM unset or unknown it ends top
		// with status 1 and no message; with a known terminal, tcgetattr on stdin fails.
		if c.knownTerminal(c.Env["TERM"]) {
			c.errRaw("top: failed tty get\n")
		}
		return c.done(1)
	}
	// One frame is what a bot reads; an interactive top without -n is cut after it too,
	// since the emulation cannot redraw a screen.
	procs := c.processes(strings.Join(c.Args, " "))
	m := c.meminfo()
	running, sleeping := 0, 0
	for _, pr := range procs {
		if strings.HasPrefix(pr.Stat, "R") {
			running++
		} else {
			sleeping++
		}
	}
	mib := func(kb int64) string { return fmt.Sprintf("%.1f", float64(kb)/1024) }
	head := strings.Replace(c.uptimeLine(), " ", "top - ", 1)
	c.print(head + "\n")
	c.printf("Tasks: %3d total, %3d running, %3d sleeping,   0 stopped,   0 zombie\n", len(procs), running, sleeping)
	c.print(c.topCPULine())
	total, free := m["MemTotal"], m["MemFree"]
	avail, ok := m["MemAvailable"]
	if !ok {
		avail = free
	}
	bc := m["Buffers"] + m["Cached"] + m["SReclaimable"]
	c.printf("MiB Mem : %8s total, %8s free, %8s used, %8s buff/cache     \n", mib(total), mib(free), mib(total-avail), mib(bc))
	st, sf := m["SwapTotal"], m["SwapFree"]
	c.printf("MiB Swap: %8s total, %8s free, %8s used. %8s avail Mem \n\n", mib(st), mib(sf), mib(st-sf), mib(avail))
	pidW := len(c.pidMax())
	c.printf("%*s USER      PR  NI    VIRT    RES    SHR S  %%CPU  %%MEM     TIME+ COMMAND\n", pidW, "PID")
	sort.SliceStable(procs, func(i, j int) bool { return procs[i].PID < procs[j].PID })
	now := c.now()
	for _, pr := range procs {
		user := pr.User
		if len(user) > 8 {
			user = user[:7] + "+"
		}
		cs := int64(pr.CPU / (10 * time.Millisecond))
		cpu := "0.0"
		if pr.PID == procs[len(procs)-1].PID && now.Sub(pr.Start) < time.Second {
			cpu = "0.0"
		}
		pm := 0.0
		if total > 0 {
			pm = float64(pr.RSS) * 100 / float64(total)
		}
		shr := pr.RSS * 7 / 10
		cmdName := pr.Comm
		if len(cmdName) > 15 {
			cmdName = cmdName[:14] + "+"
		}
		c.printf("%*d %-8s  20   0 %7d %6d %6d %s %5s %5.1f %3d:%02d.%02d %s\n", pidW, pr.PID, user, pr.VSZ, pr.RSS, shr,
			pr.Stat[:1], cpu, pm, cs/6000, (cs/100)%60, cs%100, cmdName)
	}
	return c.done(0)
}

// topCPULine is the first frame's "%Cpu(s)" line. top samples /proc/stat over a fraction
// of a second before its first frame, so an idle server shows a few ticks of work (top's
// own start-up among them) out of a couple of dozen per CPU, varying from run to run.
func (c *cmd) topCPULine() string {
	cpus := max(1, c.cpuCount())
	total := 16 * cpus
	seed := int(c.now().Unix() % 7)
	us, sy := 1+seed%2, seed%3
	id := total - us - sy
	pct := func(n int) float64 { return float64(n) * 100 / float64(total) }
	return fmt.Sprintf("%%Cpu(s): %4.1f us, %4.1f sy,  0.0 ni, %4.1f id,  0.0 wa,  0.0 hi,  0.0 si,  0.0 st \n", pct(us), pct(sy), pct(id))
}

// topConfigDir creates top's configuration directory ($XDG_CONFIG_HOME/procps, else
// ~/.config/procps, both 0700) as procps 4 does at start-up, before it looks at the terminal:
// a later `ls -la ~` shows the .config a real top leaves behind.
func (c *cmd) topConfigDir() {
	if c.FS == nil {
		return
	}
	base := c.Env["XDG_CONFIG_HOME"]
	if base == "" {
		home := c.Env["HOME"]
		if home == "" {
			return
		}
		base = strings.TrimSuffix(home, "/") + "/.config"
	}
	base = c.abs(base)
	if err := c.FS.Mkdir(base, 0o700); err != nil && !isErrno(err, syscall.EEXIST) {
		return
	}
	_ = c.FS.Mkdir(base+"/procps", 0o700)
}

// knownTerminal reports whether ncurses finds a terminfo entry for term in the persona's
// terminfo directories (the order ncurses searches them).
func (c *cmd) knownTerminal(term string) bool {
	if term == "" || strings.Contains(term, "/") || c.FS == nil {
		return false
	}
	for _, dir := range []string{"/etc/terminfo", "/lib/terminfo", "/usr/share/terminfo"} {
		if m, err := c.FS.Stat(dir + "/" + term[:1] + "/" + term); err == nil && m.Mode.IsRegular() {
			return true
		}
	}
	return false
}

// pgrepMatch selects processes as pgrep/pkill do; self (the pgrep itself) never matches.
func (c *cmd) pgrepMatch(pattern string, full, exact, ignoreCase bool, users []string, self int) ([]proc, error) {
	expr := pattern
	if exact {
		expr = "^(" + expr + ")$"
	}
	if ignoreCase {
		expr = "(?i)" + expr
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return nil, err
	}
	var out []proc
	for _, pr := range c.processes(strings.Join(c.Args, " ")) {
		if pr.PID == self {
			continue
		}
		subject := pr.Comm
		if full {
			subject = pr.Args
		}
		if !re.MatchString(subject) {
			continue
		}
		if len(users) > 0 {
			ok := false
			for _, u := range users {
				if u == pr.User || u == strconv.Itoa(pr.UID) {
					ok = true
				}
			}
			if !ok {
				continue
			}
		}
		out = append(out, pr)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].PID < out[j].PID })
	return out, nil
}

func pgrepCmd(p *Proc) int { return pgrepRun(p, false) }
func pkillCmd(p *Proc) int { return pgrepRun(p, true) }

func pgrepRun(p *Proc, kill bool) int {
	c := newCmd(p)
	name := "pgrep"
	short := "lad:fvxicnou:U:P:g:G:s:t:F:rLAwe"
	if kill {
		name = "pkill"
		short = "0123456789efvxinou:U:P:g:G:s:t:F:rLAwcq"
	}
	var sigArgs []string
	args := c.Args[1:]
	if kill && len(args) > 0 && strings.HasPrefix(args[0], "-") && len(args[0]) > 1 && (args[0][1] >= 'A' && args[0][1] <= 'Z') {
		sigArgs, args = args[:1], args[1:]
	}
	_ = sigArgs
	opts, ops, err := parseOpts(name, args, optSpec{Short: short, Long: []longOpt{
		{Name: "list-name", Key: "l"}, {Name: "list-full", Key: "a"}, {Name: "delimiter", Arg: argRequired, Key: "d"},
		{Name: "full", Key: "f"}, {Name: "inverse", Key: "v"}, {Name: "exact", Key: "x"}, {Name: "ignore-case", Key: "i"},
		{Name: "count", Key: "c"}, {Name: "newest", Key: "n"}, {Name: "oldest", Key: "o"}, {Name: "euid", Arg: argRequired, Key: "u"},
		{Name: "uid", Arg: argRequired, Key: "U"}, {Name: "signal", Arg: argRequired, Key: "signal"},
		{Name: "help", Key: "h"}, {Name: "version", Key: "V"},
	}})
	if err != nil {
		c.errorf("%s", err.Msg)
		c.errRaw("\nUsage:\n " + name + " [options] <pattern>\n\nFor more details see " + name + "(1).\n")
		return c.done(2)
	}
	var list, listFull, full, exact, icase, count, newest, oldest bool
	delim := "\n"
	var users []string
	for _, o := range opts {
		switch o.Key {
		case "l":
			list = true
		case "a":
			listFull = true
		case "d":
			delim = o.Val
		case "f":
			full = true
		case "x":
			exact = true
		case "i":
			icase = true
		case "c":
			count = true
		case "n":
			newest = true
		case "o":
			oldest = true
		case "u", "U":
			users = append(users, strings.Split(o.Val, ",")...)
		case "V":
			c.print(name + " from procps-ng 4.0.2\n")
			return c.done(0)
		}
	}
	if len(ops) == 0 && len(users) == 0 {
		c.errorf("no matching criteria specified")
		c.errRaw("Try `" + name + " --help' for more information.\n")
		return c.done(2)
	}
	if len(ops) > 1 {
		c.errorf("only one pattern can be provided")
		c.errRaw("Try `" + name + " --help' for more information.\n")
		return c.done(2)
	}
	pattern := ""
	if len(ops) == 1 {
		pattern = ops[0]
	}
	self := c.selfPID()
	found, rerr := c.pgrepMatch(pattern, full, exact, icase, users, self)
	if rerr != nil {
		c.errorf("cannot compile regular expression '%s': %v", pattern, rerr)
		return c.done(2)
	}
	if (newest || oldest) && len(found) > 0 {
		best := found[0]
		for _, pr := range found {
			if newest && (pr.Start.After(best.Start) || (pr.Start.Equal(best.Start) && pr.PID > best.PID)) {
				best = pr
			}
			if oldest && pr.Start.Before(best.Start) {
				best = pr
			}
		}
		found = []proc{best}
	}
	if kill {
		for _, pr := range found {
			if !c.isRoot() && pr.UID != c.User.UID {
				c.errorf("killing pid %d failed: Operation not permitted", pr.PID)
			}
		}
		if count {
			c.printf("%d\n", len(found))
		}
		if len(found) == 0 {
			return c.done(1)
		}
		return c.done(0)
	}
	if count {
		c.printf("%d\n", len(found))
		if len(found) == 0 {
			return c.done(1)
		}
		return c.done(0)
	}
	parts := make([]string, 0, len(found))
	for _, pr := range found {
		switch {
		case listFull:
			parts = append(parts, strconv.Itoa(pr.PID)+" "+pr.Args)
		case list:
			parts = append(parts, strconv.Itoa(pr.PID)+" "+pr.Comm)
		default:
			parts = append(parts, strconv.Itoa(pr.PID))
		}
	}
	if len(parts) > 0 {
		c.print(strings.Join(parts, delim) + "\n")
	}
	if len(found) == 0 {
		return c.done(1)
	}
	return c.done(0)
}

func killallCmd(p *Proc) int {
	c := newCmd(p)
	var names []string
	quiet := false
	for _, a := range c.Args[1:] {
		switch {
		case a == "-q" || a == "--quiet":
			quiet = true
		case a == "-V" || a == "--version":
			c.errRaw("killall (PSmisc) 23.6\nCopyright (C) 1993-2022 Werner Almesberger and Craig Small\n\nPSmisc comes with ABSOLUTELY NO WARRANTY.\nThis is free software, and you are welcome to redistribute it under\nthe terms of the GNU General Public License.\nFor more information about these matters, see the files named COPYING.\n")
			return c.done(0)
		case strings.HasPrefix(a, "-"):
		default:
			names = append(names, a)
		}
	}
	if len(names) == 0 {
		c.errRaw("Usage: killall [ -Z CONTEXT ] [ -u USER ] [ -y TIME ] [ -o TIME ] [ -eIgiqrvw ]\n               [ -s SIGNAL | -SIGNAL ] NAME...\n       killall -l, --list\n       killall -V, --version\n\n  -e,--exact          require exact match for very long names\n  -I,--ignore-case    case insensitive process name match\n  -g,--process-group  kill process group instead of process\n  -y,--younger-than   kill processes younger than TIME\n  -o,--older-than     kill processes older than TIME\n  -i,--interactive    ask for confirmation before killing\n  -l,--list           list all known signal names\n  -q,--quiet          don't print complaints\n  -r,--regexp         interpret NAME as an extended regular expression\n  -s,--signal SIGNAL  send this signal instead of SIGTERM\n  -u,--user USER      kill only process(es) running as USER\n  -v,--verbose        report if the signal was successfully sent\n  -V,--version        display version information\n  -w,--wait           wait for processes to die\n  -n,--ns PID         match processes that belong to the same namespaces\n                      as PID\n  -Z,--context REGEXP kill only process(es) having context\n                      (must precede other arguments)\n\n")
		return c.done(1)
	}
	status := 0
	for _, n := range names {
		found, _ := c.pgrepMatch(regexp.QuoteMeta(n), false, true, false, nil, -1)
		if len(found) == 0 {
			if !quiet {
				c.errRaw(n + ": no process found\n")
			}
			status = 1
		}
	}
	return c.done(status)
}
