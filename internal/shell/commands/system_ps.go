package commands

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// ps: procps 4.0.2's column table and its show_one_proc layout algorithm (columns borrow
// and return space so a wide value shifts the rest of the line exactly as the real one
// does), over the persona's processes plus the session's own sshd, shell and ps.

// psColumn is one format specifier of ps's format table.
type psColumn struct {
	head  string
	width int
	just  byte // 'L'eft, 'R'ight, 'U'ser (left for names), 'N' unlimited (last column text)
	pidW  bool // width follows /proc/sys/kernel/pid_max
	val   func(x *psCtx, pr *proc) string
}

// psCtx holds what the formatters need beyond the process itself.
type psCtx struct {
	now      time.Time
	boot     time.Time
	memTotal int64
	c        *cmd
	forest   map[int]string // pid -> tree prefix for --forest
	maxRight int            // room the current column may use (set by the layout)
}

func psSpecs() map[string]psColumn {
	cpuSecs := func(pr *proc) int64 { return int64(pr.CPU / time.Second) }
	pcpu := func(x *psCtx, pr *proc) int64 {
		el := int64(x.now.Sub(pr.Start) / time.Second)
		if el <= 0 {
			return 0
		}
		return int64(pr.CPU/time.Millisecond) / el
	}
	args := func(x *psCtx, pr *proc) string { return x.forest[pr.PID] + pr.Args }
	comm := func(x *psCtx, pr *proc) string { return x.forest[pr.PID] + pr.Comm }
	user := func(x *psCtx, pr *proc) string { return pr.User }
	tty := func(x *psCtx, pr *proc) string { return pr.TTY }
	timeF := func(x *psCtx, pr *proc) string {
		t := cpuSecs(pr)
		if t >= 86400 {
			return fmt.Sprintf("%d-%02d:%02d:%02d", t/86400, (t/3600)%24, (t/60)%60, t%60)
		}
		return fmt.Sprintf("%02d:%02d:%02d", t/3600, (t/60)%60, t%60)
	}
	stime := func(x *psCtx, pr *proc) string {
		loc := x.c.location()
		now, st := x.now.In(loc), pr.Start.In(loc)
		switch {
		case now.Year() != st.Year():
			return st.Format("2006")
		case now.YearDay() != st.YearDay():
			return st.Format("Jan02")
		}
		return st.Format("15:04")
	}
	etime := func(x *psCtx, pr *proc) string {
		t := int64(x.now.Sub(pr.Start) / time.Second)
		if t < 0 {
			t = 0
		}
		s := ""
		if d := t / 86400; d > 0 {
			s = fmt.Sprintf("%d-", d)
		}
		if t >= 3600 {
			s += fmt.Sprintf("%02d:", (t/3600)%24)
		}
		return s + fmt.Sprintf("%02d:%02d", (t/60)%60, t%60)
	}
	return map[string]psColumn{
		"pid":      {"PID", 5, 'R', true, func(x *psCtx, pr *proc) string { return strconv.Itoa(pr.PID) }},
		"ppid":     {"PPID", 5, 'R', true, func(x *psCtx, pr *proc) string { return strconv.Itoa(pr.PPID) }},
		"pgid":     {"PGID", 5, 'R', true, func(x *psCtx, pr *proc) string { return strconv.Itoa(pr.PID) }},
		"sid":      {"SID", 5, 'R', true, func(x *psCtx, pr *proc) string { return strconv.Itoa(pr.PID) }},
		"user":     {"USER", 8, 'U', false, user},
		"uname":    {"USER", 8, 'U', false, user},
		"euser":    {"EUSER", 8, 'U', false, user},
		"ruser":    {"RUSER", 8, 'U', false, user},
		"uid_hack": {"UID", 8, 'U', false, user},
		"uid":      {"UID", 5, 'R', false, func(x *psCtx, pr *proc) string { return strconv.Itoa(pr.UID) }},
		"euid":     {"EUID", 5, 'R', false, func(x *psCtx, pr *proc) string { return strconv.Itoa(pr.UID) }},
		"%cpu": {"%CPU", 4, 'R', false, func(x *psCtx, pr *proc) string {
			v := pcpu(x, pr)
			if v > 999 {
				return strconv.FormatInt(v/10, 10)
			}
			return fmt.Sprintf("%d.%d", v/10, v%10)
		}},
		"%mem": {"%MEM", 4, 'R', false, func(x *psCtx, pr *proc) string {
			v := int64(0)
			if x.memTotal > 0 {
				v = pr.RSS * 1000 / x.memTotal
			}
			if v > 999 {
				v = 999
			}
			return fmt.Sprintf("%2d.%d", v/10, v%10)
		}},
		"c": {"C", 2, 'R', false, func(x *psCtx, pr *proc) string {
			v := pcpu(x, pr) / 10
			if v > 99 {
				v = 99
			}
			return strconv.FormatInt(v, 10)
		}},
		"vsz":        {"VSZ", 6, 'R', false, func(x *psCtx, pr *proc) string { return strconv.FormatInt(pr.VSZ, 10) }},
		"rss":        {"RSS", 5, 'R', false, func(x *psCtx, pr *proc) string { return strconv.FormatInt(pr.RSS, 10) }},
		"rsz":        {"RSZ", 5, 'R', false, func(x *psCtx, pr *proc) string { return strconv.FormatInt(pr.RSS, 10) }},
		"tname":      {"TTY", 8, 'L', false, tty},
		"tty":        {"TT", 8, 'L', false, tty},
		"tt":         {"TT", 8, 'L', false, tty},
		"stat":       {"STAT", 4, 'L', false, func(x *psCtx, pr *proc) string { return pr.Stat }},
		"state":      {"S", 1, 'L', false, func(x *psCtx, pr *proc) string { return pr.Stat[:1] }},
		"s":          {"S", 1, 'L', false, func(x *psCtx, pr *proc) string { return pr.Stat[:1] }},
		"start_time": {"START", 5, 'R', false, stime},
		"stime":      {"STIME", 5, 'R', false, stime},
		"start": {"STARTED", 8, 'R', false, func(x *psCtx, pr *proc) string {
			loc := x.c.location()
			st := pr.Start.In(loc)
			if x.now.Sub(pr.Start) < 24*time.Hour {
				return st.Format("15:04:05")
			}
			return st.Format("Jan _2")
		}},
		"lstart":  {"STARTED", 24, 'R', false, func(x *psCtx, pr *proc) string { return pr.Start.In(x.c.location()).Format("Mon Jan _2 15:04:05 2006") }},
		"bsdtime": {"TIME", 6, 'R', false, func(x *psCtx, pr *proc) string { t := cpuSecs(pr); return fmt.Sprintf("%3d:%02d", t/60, t%60) }},
		"time":    {"TIME", 8, 'R', false, timeF},
		"cputime": {"TIME", 8, 'R', false, timeF},
		"etime":   {"ELAPSED", 11, 'R', false, etime},
		"etimes":  {"ELAPSED", 7, 'R', false, func(x *psCtx, pr *proc) string { return strconv.FormatInt(int64(x.now.Sub(pr.Start)/time.Second), 10) }},
		"nlwp":    {"NLWP", 4, 'R', false, func(x *psCtx, pr *proc) string { return "1" }},
		"ni":      {"NI", 3, 'R', false, func(x *psCtx, pr *proc) string { return "0" }},
		"nice":    {"NI", 3, 'R', false, func(x *psCtx, pr *proc) string { return "0" }},
		"pri":     {"PRI", 3, 'R', false, func(x *psCtx, pr *proc) string { return "19" }},
		"psr":     {"PSR", 3, 'R', false, func(x *psCtx, pr *proc) string { return strconv.Itoa(pr.PID % max(1, x.c.cpuCount())) }},
		"wchan":   {"WCHAN", 6, 'L', false, func(x *psCtx, pr *proc) string { return "-" }},
		"f":       {"F", 1, 'R', false, func(x *psCtx, pr *proc) string { return "4" }},
		"args":    {"COMMAND", 27, 'N', false, args},
		"command": {"COMMAND", 27, 'N', false, args},
		"cmd":     {"CMD", 27, 'N', false, args},
		"comm":    {"COMMAND", 15, 'N', false, comm},
		"ucmd":    {"CMD", 15, 'N', false, comm},
		"ucomm":   {"COMMAND", 15, 'N', false, comm},
		"fname": {"COMMAND", 8, 'L', false, func(x *psCtx, pr *proc) string {
			s := pr.Comm
			if len(s) > 8 {
				s = s[:8]
			}
			return s
		}},
	}
}

// psAlias maps format names that are the same field under another spelling.
func psAlias(name string) string {
	switch name {
	case "pcpu":
		return "%cpu"
	case "pmem":
		return "%mem"
	case "vsize":
		return "vsz"
	case "rssize":
		return "rss"
	case "group", "egroup":
		return "user"
	case "lwp", "spid", "tid", "tgid":
		return "pid"
	case "session", "sess":
		return "sid"
	case "pgrp":
		return "pgid"
	case "cp":
		return "c"
	case "thcount":
		return "nlwp"
	case "flags", "flag":
		return "f"
	case "longtname", "tty8":
		return "tname"
	case "bsdstart":
		return "start_time"
	}
	return name
}

const psUsage = `
Usage:
 ps [options]

 Try 'ps --help <simple|list|output|threads|misc|all>'
  or 'ps --help <s|l|o|t|m|a>'
 for additional help text.

For more details see ps(1).
`

// psField is a resolved output column, with an optional user-given header.
type psField struct {
	psColumn
	name string
}

func psCmd(p *Proc) int {
	c := newCmd(p)
	psErr := func(msg string) int {
		c.errRaw("error: " + msg + "\n" + psUsage)
		return c.done(1)
	}
	var (
		all, bsdA, bsdX, full, userFmt, bsdMode, forest, noHeader, wide bool
		pids                                                            []int
		users                                                           []string
		format                                                          []string
		sortKey                                                         string
		commands                                                        []string
		ttys                                                            []string
	)
	args := c.Args[1:]
	next := func(i *int, rest string) (string, bool) {
		if rest != "" {
			return rest, true
		}
		if *i+1 < len(args) {
			*i++
			return args[*i], true
		}
		return "", false
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case strings.HasPrefix(a, "--"):
			name, val, hasVal := strings.Cut(a[2:], "=")
			switch name {
			case "forest":
				forest = true
			case "no-headers", "no-heading":
				noHeader = true
			case "help":
				c.print(psUsage)
				return c.done(0)
			case "version":
				c.print("ps from procps-ng 4.0.2\n")
				return c.done(0)
			case "sort", "format", "pid", "user", "User", "ppid", "tty", "cols", "columns", "width", "rows", "lines":
				if !hasVal {
					if i+1 >= len(args) {
						return psErr("list of process IDs must follow --" + name)
					}
					i++
					val = args[i]
				}
				switch name {
				case "sort":
					sortKey = val
				case "format":
					format = append(format, strings.Split(val, ",")...)
				case "pid":
					for _, s := range strings.FieldsFunc(val, func(r rune) bool { return r == ',' || r == ' ' }) {
						n, err := strconv.Atoi(s)
						if err != nil || n <= 0 {
							return psErr("process ID list syntax error")
						}
						pids = append(pids, n)
					}
				case "user", "User":
					users = append(users, strings.Split(val, ",")...)
				}
			case "deselect", "cumulative", "headers", "info", "context":
			default:
				return psErr("unknown gnu long option")
			}
		case strings.HasPrefix(a, "-") && len(a) > 1:
			for k := 1; k < len(a); k++ {
				ch := a[k]
				rest := a[k+1:]
				switch ch {
				case 'e', 'A':
					all = true
				case 'a', 'd', 'N', 'T', 'r', 'H', 'j', 'l', 'y', 'c', 'M', 'Z', 'L', 'm':
					if ch == 'a' || ch == 'd' {
						all = all || ch == 'd'
					}
				case 'f':
					full = true
				case 'F':
					full = true
				case 'w':
					wide = true
				case 'p', 'q':
					v, ok := next(&i, rest)
					if !ok {
						return psErr("list of process IDs must follow -" + string(ch))
					}
					for _, s := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' }) {
						n, err := strconv.Atoi(s)
						if err != nil || n <= 0 {
							return psErr("process ID list syntax error")
						}
						pids = append(pids, n)
					}
					k = len(a)
				case 'u', 'U', 'g', 'G':
					v, ok := next(&i, rest)
					if !ok {
						return psErr("list of users must follow -" + string(ch))
					}
					users = append(users, strings.Split(v, ",")...)
					k = len(a)
				case 'o':
					v, ok := next(&i, rest)
					if !ok {
						return psErr("format specification must follow -o")
					}
					format = append(format, strings.Split(v, ",")...)
					k = len(a)
				case 'C':
					v, ok := next(&i, rest)
					if !ok {
						return psErr("list of command names must follow -C")
					}
					commands = append(commands, strings.Split(v, ",")...)
					k = len(a)
				case 't':
					v, ok := next(&i, rest)
					if !ok {
						return psErr("list of ttys must follow -t")
					}
					ttys = append(ttys, strings.Split(v, ",")...)
					k = len(a)
				case 's':
					v, ok := next(&i, rest)
					if !ok {
						return psErr("list of session IDs must follow -s")
					}
					_ = v
					k = len(a)
				default:
					return psErr("unsupported SysV option")
				}
			}
		default:
			// BSD syntax: letters without a dash.
			if _, err := strconv.Atoi(a); err == nil {
				n, _ := strconv.Atoi(a)
				pids = append(pids, n)
				continue
			}
			bsdMode = true
			for k := 0; k < len(a); k++ {
				switch a[k] {
				case 'a':
					bsdA = true
				case 'x':
					bsdX = true
				case 'u':
					userFmt = true
				case 'f':
					forest = true
				case 'w':
					wide = true
				case 'e', 'c', 'h', 'n', 'r', 'S', 'T', 'v', 'l', 'j', 's', 'm', 'H', 'X':
					if a[k] == 'h' {
						noHeader = true
					}
				case 'U':
					if k+1 < len(a) {
						users = append(users, strings.Split(a[k+1:], ",")...)
					} else if i+1 < len(args) {
						i++
						users = append(users, strings.Split(args[i], ",")...)
					}
					k = len(a)
				case 'p':
					v := a[k+1:]
					if v == "" && i+1 < len(args) {
						i++
						v = args[i]
					}
					for _, s := range strings.Split(v, ",") {
						if n, err := strconv.Atoi(s); err == nil {
							pids = append(pids, n)
						}
					}
					k = len(a)
				case 'o':
					v := a[k+1:]
					if v == "" && i+1 < len(args) {
						i++
						v = args[i]
					}
					format = append(format, strings.Split(v, ",")...)
					k = len(a)
				default:
					return psErr("unsupported option (BSD syntax)")
				}
			}
		}
	}
	_ = wide
	_ = sortKey
	for _, u := range users {
		if _, ok := c.lookupPasswd(u); !ok {
			if _, err := strconv.Atoi(u); err != nil {
				return psErr("user name does not exist")
			}
		}
	}

	self := "ps"
	if len(c.Args) > 1 {
		self = "ps " + strings.Join(c.Args[1:], " ")
	}
	procs := c.processes(self)
	sort.SliceStable(procs, func(i, j int) bool { return procs[i].PID < procs[j].PID })
	myTTY := c.tty()
	if myTTY == "" {
		myTTY = "?"
	}
	var sel []proc
	for _, pr := range procs {
		keep := false
		switch {
		case len(pids) > 0 || len(users) > 0 || len(commands) > 0 || len(ttys) > 0:
			for _, n := range pids {
				if pr.PID == n {
					keep = true
				}
			}
			for _, u := range users {
				if pr.User == u || strconv.Itoa(pr.UID) == u {
					keep = true
				}
			}
			for _, cm := range commands {
				if pr.Comm == cm {
					keep = true
				}
			}
			for _, t := range ttys {
				if pr.TTY == strings.TrimPrefix(t, "/dev/") {
					keep = true
				}
			}
			if all || (bsdA && bsdX) {
				keep = true
			}
		case all || (bsdA && bsdX):
			keep = true
		case bsdA:
			keep = pr.TTY != "?"
		case bsdX:
			keep = pr.UID == c.User.UID
		case bsdMode:
			keep = pr.UID == c.User.UID && pr.TTY != "?" && pr.TTY == myTTY
		default:
			keep = pr.UID == c.User.UID && pr.TTY == myTTY
		}
		if keep {
			sel = append(sel, pr)
		}
	}

	var fmtNames []string
	switch {
	case len(format) > 0:
		fmtNames = format
	case userFmt:
		fmtNames = []string{"user", "pid", "%cpu", "%mem", "vsz", "rss", "tname", "stat", "start_time", "bsdtime", "args"}
	case bsdMode:
		fmtNames = []string{"pid", "tname", "stat", "bsdtime", "args"}
	case full:
		fmtNames = []string{"uid_hack", "pid", "ppid", "c", "stime", "tname", "time", "cmd"}
	default:
		fmtNames = []string{"pid", "tname", "time", "ucmd"}
	}
	specs := psSpecs()
	var fields []psField
	for _, f := range fmtNames {
		name, head, hasHead := strings.Cut(f, "=")
		name = strings.ToLower(strings.TrimSpace(name))
		if name == "" {
			continue
		}
		name = psAlias(name)
		col, ok := specs[name]
		if !ok {
			c.errRaw("error: unknown user-defined format specifier \"" + name + "\"\n" + psUsage)
			return c.done(1)
		}
		if hasHead {
			col.head = head
		}
		if col.pidW {
			col.width = len(c.pidMax())
		}
		if len(col.head) > col.width && col.just != 'N' {
			col.width = len(col.head)
		}
		fields = append(fields, psField{col, name})
	}
	x := &psCtx{now: c.now(), boot: c.bootTime(), memTotal: c.meminfo()["MemTotal"], c: c, forest: map[int]string{}}
	if forest {
		sel = psForest(sel, x.forest)
	}
	activeCols := 1 << 20
	if c.StdoutTTY && c.Columns > 0 && !wide {
		activeCols = c.Columns
		total := 0
		for i, f := range fields {
			if i == len(fields)-1 && f.just == 'N' {
				total += 3
			} else {
				total += f.width
			}
			if i > 0 {
				total++
			}
		}
		for activeCols < total {
			activeCols += c.Columns
		}
	}
	if !noHeader {
		c.print(psLine(x, fields, nil, activeCols))
	}
	for i := range sel {
		c.print(psLine(x, fields, &sel[i], activeCols))
	}
	if len(sel) == 0 {
		return c.done(1)
	}
	return c.done(0)
}

// psLine lays out one row (a header when pr is nil) as procps' show_one_proc does.
func psLine(x *psCtx, fields []psField, pr *proc, activeCols int) string {
	var b strings.Builder
	correct, actual, dospace := 0, 0, 0
	for i, f := range fields {
		last := i == len(fields)-1
		maxRight := f.width
		if last {
			tmp := correct - actual
			if tmp < 1 {
				tmp = dospace
				maxRight = activeCols - actual - tmp
			} else {
				maxRight = activeCols - max(correct, actual)
			}
		}
		if maxRight < 0 {
			maxRight = 0
		}
		var text string
		if pr == nil {
			text = f.head
		} else {
			text = f.val(x, pr)
			switch f.just {
			case 'U':
				if len(text) > maxRight && maxRight >= 1 {
					text = text[:maxRight-1] + "+"
				}
			case 'N':
				text = psEscape(text)
				if len(text) > maxRight {
					text = text[:maxRight]
				}
			}
		}
		if pr == nil && last && len(text) > maxRight {
			text = text[:maxRight]
		}
		amount := len(text)
		leftpad := 0
		if f.just == 'R' {
			leftpad = max(0, f.width-amount)
		}
		space := correct - actual + leftpad
		if space < 1 {
			space = dospace
		}
		if space > 144 {
			space = 144
		}
		b.WriteString(strings.Repeat(" ", space))
		b.WriteString(text)
		if last {
			break
		}
		actual += space + amount
		correct += f.width + 1
		dospace = 1
	}
	b.WriteByte('\n')
	return b.String()
}

// psEscape replaces unprintable bytes as ps's escape_str does in the C locale.
func psEscape(s string) string {
	out := []byte(s)
	for i, ch := range out {
		if ch < 0x20 || ch >= 0x7f {
			out[i] = '?'
		}
	}
	return string(out)
}

// psForest orders processes as a tree (children after their parent, by pid) and records
// each one's " \_ " prefix, as ps --forest prints it.
func psForest(sel []proc, prefix map[int]string) []proc {
	byPID := map[int]bool{}
	for _, p := range sel {
		byPID[p.PID] = true
	}
	kids := map[int][]proc{}
	var roots []proc
	for _, p := range sel {
		if p.PPID != p.PID && byPID[p.PPID] {
			kids[p.PPID] = append(kids[p.PPID], p)
		} else {
			roots = append(roots, p)
		}
	}
	var out []proc
	var walk func(p proc, lead string, isRoot bool, lastKid bool)
	walk = func(p proc, lead string, isRoot bool, lastKid bool) {
		if isRoot {
			prefix[p.PID] = ""
		} else {
			prefix[p.PID] = lead + " \\_ "
		}
		out = append(out, p)
		ks := kids[p.PID]
		for i, k := range ks {
			next := lead
			if !isRoot {
				if lastKid {
					next += "    "
				} else {
					next += " |  "
				}
			}
			walk(k, next, false, i == len(ks)-1)
		}
	}
	for _, r := range roots {
		walk(r, "", true, true)
	}
	return out
}
