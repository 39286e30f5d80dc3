package shell

import (
	"math"
	"strconv"
	"strings"
)

// The ulimit builtin as bash 5.2 runs it on Debian 12: limits are per-process state, so a
// subshell changes its own copy and a child bash inherits the parent's. The defaults are a
// systemd-booted server's (sshd's unit leaves nofile at 1024:524288) and the kernel's,
// which derives max user processes and pending signals from the memory size.

// rlimInfinity is RLIM_INFINITY.
const rlimInfinity = math.MaxUint64

// ulimitDef is one row of bash's limits table, in its order (which `ulimit -a` follows).
type ulimitDef struct {
	opt    byte
	desc   string
	units  string
	factor uint64 // bytes per displayed unit
}

var ulimitDefs = [...]ulimitDef{
	{'R', "real-time non-blocking time", "microseconds", 1},
	{'c', "core file size", "blocks", 512},
	{'d', "data seg size", "kbytes", 1024},
	{'e', "scheduling priority", "", 1},
	{'f', "file size", "blocks", 512},
	{'i', "pending signals", "", 1},
	{'l', "max locked memory", "kbytes", 1024},
	{'m', "max memory size", "kbytes", 1024},
	{'n', "open files", "", 1},
	{'p', "pipe size", "512 bytes", 512},
	{'q', "POSIX message queues", "bytes", 1},
	{'r', "real-time priority", "", 1},
	{'s', "stack size", "kbytes", 1024},
	{'t', "cpu time", "seconds", 1},
	{'u', "max user processes", "", 1},
	{'v', "virtual memory", "kbytes", 1024},
	{'x', "file locks", "", 1},
}

// nrOpen is fs.nr_open: no process may hold a nofile limit above it, even root.
const nrOpen = 1048576

// ulimits is a shell's resource limits; the zero value means the persona's defaults.
// It is a value type so that copying a runner copies the limits.
type ulimits struct {
	changed    [len(ulimitDefs)]bool
	soft, hard [len(ulimitDefs)]uint64
}

// ulimitDefaults returns the soft and hard limits of limit i on a fresh login.
func (r *runner) ulimitDefaults(i int) (uint64, uint64) {
	switch ulimitDefs[i].opt {
	case 'c':
		return 0, rlimInfinity
	case 'e', 'r':
		return 0, 0
	case 'i', 'u':
		// The kernel sets both to max_threads/2, max_threads being the memory at boot
		// (a little below MemTotal, before the init sections are freed) over 8 stacks of
		// 16 KiB. getconf CHILD_MAX and sysctl kernel.threads-max use the same formula.
		mem := int64(2014420)
		if p := r.sh.cfg.Persona; p != nil && p.Hardware.MemTotalKB > 0 {
			mem = p.Hardware.MemTotalKB
		}
		n := uint64(max((mem-14308)/128, 128) / 2)
		return n, n
	case 'l':
		return 8192 * 1024, 8192 * 1024
	case 'n':
		return 1024, 524288
	case 'p':
		return 8 * 512, 8 * 512
	case 'q':
		return 819200, 819200
	case 's':
		return 8192 * 1024, rlimInfinity
	}
	return rlimInfinity, rlimInfinity
}

// ulimitGet returns the current soft and hard limit i.
func (r *runner) ulimitGet(i int) (uint64, uint64) {
	if r.ulim.changed[i] {
		return r.ulim.soft[i], r.ulim.hard[i]
	}
	return r.ulimitDefaults(i)
}

const ulimitUsage = "ulimit: usage: ulimit [-SHabcdefiklmnpqrstuvxPRT] [limit]\n"

const (
	limitSoft = 1
	limitHard = 2
)

func ulimitBuiltin(r *runner, args []string) int {
	type ucmd struct {
		idx    int
		arg    string
		hasArg bool
	}
	var cmds []ucmd
	mode, all := 0, false
	find := func(c byte) int {
		for i, d := range ulimitDefs {
			if d.opt == c {
				return i
			}
		}
		return -1
	}
	// bash's internal getopt: every limit letter takes an optional argument, attached or
	// in the next word when that word does not start with '-'.
	i := 1
	for ; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			i++
			break
		}
		if a == "--help" {
			r.out(ulimitHelp)
			return 2
		}
		if len(a) < 2 || a[0] != '-' {
			break
		}
		for k := 1; k < len(a); k++ {
			c := a[k]
			switch c {
			case 'a':
				all = true
				continue
			case 'S':
				mode |= limitSoft
				continue
			case 'H':
				mode |= limitHard
				continue
			}
			idx := find(c)
			if idx < 0 {
				r.errf("ulimit: -%c: invalid option\n", c)
				r.usage(ulimitUsage)
				return 2
			}
			uc := ucmd{idx: idx}
			if k+1 < len(a) {
				uc.arg, uc.hasArg = a[k+1:], true
			} else if i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
				i++
				uc.arg, uc.hasArg = args[i], true
			}
			cmds = append(cmds, uc)
			break
		}
	}
	rest := args[i:]
	if all {
		m := mode
		if m == 0 {
			m = limitSoft
		}
		var b strings.Builder
		for j := range ulimitDefs {
			soft, hard := r.ulimitGet(j)
			v := hard
			if m&limitSoft != 0 {
				v = soft
			}
			b.WriteString(ulimitLine(j, v, true))
		}
		r.out(b.String())
		return 0
	}
	if len(cmds) == 0 {
		uc := ucmd{idx: find('f')}
		if len(rest) > 0 {
			uc.arg, uc.hasArg = rest[0], true
			rest = rest[1:]
		}
		cmds = append(cmds, uc)
	}
	// POSIX: an operand after the last option is that option's argument.
	if len(rest) > 0 && !cmds[len(cmds)-1].hasArg {
		cmds[len(cmds)-1].arg, cmds[len(cmds)-1].hasArg = rest[0], true
	}
	for _, uc := range cmds {
		if r.ulimitOne(uc.idx, uc.arg, uc.hasArg, mode, len(cmds) > 1) != 0 {
			return 1
		}
	}
	return 0
}

// ulimitOne prints or sets one limit, as bash's ulimit_internal does.
func (r *runner) ulimitOne(idx int, arg string, setting bool, mode int, multiple bool) int {
	if mode == 0 {
		mode = limitSoft
		if setting {
			mode = limitSoft | limitHard
		}
	}
	soft, hard := r.ulimitGet(idx)
	if !setting {
		v := hard
		if mode&limitSoft != 0 {
			v = soft
		}
		r.out(ulimitLine(idx, v, multiple))
		return 0
	}
	d := ulimitDefs[idx]
	var lim uint64
	switch {
	case arg == "hard":
		lim = hard
	case arg == "soft":
		lim = soft
	case arg == "unlimited":
		lim = rlimInfinity
	case arg != "" && strings.Trim(arg, "0123456789") == "":
		// bash computes in intmax_t: a value whose byte count overflows is out of range.
		n, err := strconv.ParseInt(arg, 10, 64)
		if err != nil || n > math.MaxInt64/int64(d.factor) {
			r.errf("ulimit: %s: limit out of range\n", arg)
			return 1
		}
		lim = uint64(n) * d.factor
	default:
		r.errf("ulimit: %s: invalid number\n", arg)
		return 1
	}
	if d.opt == 'p' {
		r.errf("ulimit: %s: cannot modify limit: Invalid argument\n", d.desc)
		return 1
	}
	newSoft, newHard := soft, hard
	if mode&limitHard != 0 {
		newHard = lim
	}
	if mode&limitSoft != 0 {
		newSoft = lim
	}
	// setrlimit(2): soft above hard is EINVAL; raising the hard limit needs
	// CAP_SYS_RESOURCE, and nofile never goes above fs.nr_open.
	errno := ""
	switch {
	case newSoft > newHard:
		errno = "Invalid argument"
	case newHard > hard && r.sh.cfg.User.UID != 0:
		errno = "Operation not permitted"
	case d.opt == 'n' && newHard > nrOpen:
		errno = "Operation not permitted"
	}
	if errno != "" {
		r.errf("ulimit: %s: cannot modify limit: %s\n", d.desc, errno)
		return 1
	}
	r.ulim.changed[idx] = true
	r.ulim.soft[idx], r.ulim.hard[idx] = newSoft, newHard
	return 0
}

// ulimitLine formats one limit as bash's printone does: "%-20s %20s" of the description
// and "(units, -x) " when labelled, then the value in display units.
func ulimitLine(idx int, v uint64, label bool) string {
	d := ulimitDefs[idx]
	var b strings.Builder
	if label {
		unit := "(-" + string(d.opt) + ") "
		if d.units != "" {
			unit = "(" + d.units + ", -" + string(d.opt) + ") "
		}
		b.WriteString(d.desc)
		for n := len(d.desc); n < 20; n++ {
			b.WriteByte(' ')
		}
		b.WriteByte(' ')
		for n := len(unit); n < 20; n++ {
			b.WriteByte(' ')
		}
		b.WriteString(unit)
	}
	if v == rlimInfinity {
		b.WriteString("unlimited\n")
	} else {
		b.WriteString(strconv.FormatUint(v/d.factor, 10) + "\n")
	}
	return b.String()
}

// ulimitHelp is `help ulimit` (and `ulimit --help`).
const ulimitHelp = `ulimit: ulimit [-SHabcdefiklmnpqrstuvxPRT] [limit]
    Modify shell resource limits.
    
    Provides control over the resources available to the shell and processes
    it creates, on systems that allow such control.
    
    Options:
      -S	use the ` + "`" + `soft' resource limit
      -H	use the ` + "`" + `hard' resource limit
      -a	all current limits are reported
      -b	the socket buffer size
      -c	the maximum size of core files created
      -d	the maximum size of a process's data segment
      -e	the maximum scheduling priority (` + "`" + `nice')
      -f	the maximum size of files written by the shell and its children
      -i	the maximum number of pending signals
      -k	the maximum number of kqueues allocated for this process
      -l	the maximum size a process may lock into memory
      -m	the maximum resident set size
      -n	the maximum number of open file descriptors
      -p	the pipe buffer size
      -q	the maximum number of bytes in POSIX message queues
      -r	the maximum real-time scheduling priority
      -s	the maximum stack size
      -t	the maximum amount of cpu time in seconds
      -u	the maximum number of user processes
      -v	the size of virtual memory
      -x	the maximum number of file locks
      -P	the maximum number of pseudoterminals
      -R	the maximum time a real-time process can run before blocking
      -T	the maximum number of threads
    
    Not all options are available on all platforms.
    
    If LIMIT is given, it is the new value of the specified resource; the
    special LIMIT values ` + "`" + `soft', ` + "`" + `hard', and ` + "`" + `unlimited' stand for the
    current soft limit, the current hard limit, and no limit, respectively.
    Otherwise, the current value of the specified resource is printed.  If
    no option is given, then -f is assumed.
    
    Values are in 1024-byte increments, except for -t, which is in seconds,
    -p, which is in increments of 512 bytes, and -u, which is an unscaled
    number of processes.
    
    Exit Status:
    Returns success unless an invalid option is supplied or an error occurs.
`
