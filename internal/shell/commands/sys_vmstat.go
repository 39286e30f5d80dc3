package commands

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// vmstat as procps-ng 4.0.2 prints it: the first line averages since boot from the
// persona's /proc/stat and /proc/meminfo, later lines (delay and count) the deltas of an
// idle server. Delays sleep for real, bounded by the session.

const vmstatUsage = `
Usage:
 vmstat [options] [delay [count]]

Options:
 -a, --active           active/inactive memory
 -f, --forks            number of forks since boot
 -m, --slabs            slabinfo
 -n, --one-header       do not redisplay header
 -s, --stats            event counter statistics
 -d, --disk             disk statistics
 -D, --disk-sum         summarize disk statistics
 -p, --partition <dev>  partition specific statistics
 -S, --unit <char>      define display unit
 -w, --wide             wide output
 -t, --timestamp        show timestamp
 -y, --no-first         skips first line of output

 -h, --help     display this help and exit
 -V, --version  output version information and exit

For more details see vmstat(8).
`

// vmstatTicks is the cpu line of /proc/stat and the counters vmstat reads beside it.
type vmstatTicks struct {
	user, nice, sys, idle, iow, irq, sirq, steal int64
	intr, ctxt, running, blocked, forks          int64
}

func (c *cmd) vmstatRead() vmstatTicks {
	var t vmstatTicks
	s, _ := c.readText("/proc/stat")
	for _, line := range strings.Split(s, "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		n := func(i int) int64 {
			if i >= len(f) {
				return 0
			}
			v, _ := strconv.ParseInt(f[i], 10, 64)
			return v
		}
		switch f[0] {
		case "cpu":
			t.user, t.nice, t.sys, t.idle, t.iow, t.irq, t.sirq, t.steal = n(1), n(2), n(3), n(4), n(5), n(6), n(7), n(8)
		case "intr":
			t.intr = n(1)
		case "ctxt":
			t.ctxt = n(1)
		case "procs_running":
			t.running = n(1)
		case "procs_blocked":
			t.blocked = n(1)
		case "processes":
			t.forks = n(1)
		}
	}
	if t.running == 0 {
		t.running = 1
	}
	return t
}

func vmstatCmd(p *Proc) int {
	c := newCmd(p)
	opts, ops, err := parseOpts(c.name, c.Args[1:], optSpec{Short: "afmnsdDp:S:wthVy", Long: []longOpt{
		{Name: "active", Key: "a"}, {Name: "forks", Key: "f"}, {Name: "slabs", Key: "m"}, {Name: "one-header", Key: "n"},
		{Name: "stats", Key: "s"}, {Name: "disk", Key: "d"}, {Name: "disk-sum", Key: "D"},
		{Name: "partition", Arg: argRequired, Key: "p"}, {Name: "unit", Arg: argRequired, Key: "S"},
		{Name: "wide", Key: "w"}, {Name: "timestamp", Key: "t"}, {Name: "help", Key: "h"}, {Name: "version", Key: "V"},
		{Name: "no-first", Key: "y"},
	}})
	if err != nil {
		c.errorf("%s", err.Msg)
		c.errRaw(vmstatUsage)
		return c.done(1)
	}
	active, wide, stamp, oneHeader, noFirst := false, false, false, false, false
	unit := byte('K')
	for _, o := range opts {
		switch o.Key {
		case "h":
			c.print(vmstatUsage)
			return c.done(0)
		case "V":
			c.print("vmstat from procps-ng 4.0.2\n")
			return c.done(0)
		case "a":
			active = true
		case "w":
			wide = true
		case "t":
			stamp = true
		case "n":
			oneHeader = true
		case "y":
			noFirst = true
		case "S":
			if len(o.Val) != 1 || !strings.ContainsRune("kKmM", rune(o.Val[0])) {
				c.errorf("-S requires k, K, m or M (default is KiB)")
				return c.done(1)
			}
			unit = o.Val[0]
		case "f":
			c.printf("%13d forks\n", c.vmstatRead().forks)
			return c.done(0)
		case "s":
			c.vmstatStats()
			return c.done(0)
		}
	}
	delay, count := 0, 1
	if len(ops) > 0 {
		d, err := strconv.Atoi(ops[0])
		if err != nil {
			c.errorf("failed to parse argument: '%s'", ops[0])
			return c.done(1)
		}
		if d < 1 {
			c.errorf("delay must be positive integer")
			return c.done(1)
		}
		delay, count = d, -1
	}
	if len(ops) > 1 {
		n, err := strconv.Atoi(ops[1])
		if err != nil {
			c.errorf("failed to parse argument: '%s'", ops[1])
			return c.done(1)
		}
		count = n
	}
	_ = oneHeader
	conv := func(kb int64) int64 {
		switch unit {
		case 'k':
			return kb * 1024 / 1000
		case 'm':
			return kb * 1024 / 1000000
		case 'M':
			return kb / 1024
		}
		return kb
	}
	header1 := "procs -----------memory---------- ---swap-- -----io---- -system-- ------cpu-----"
	header2 := " r  b   swpd   free   buff  cache   si   so    bi    bo   in   cs us sy id wa st"
	if active {
		header2 = " r  b   swpd   free  inact active   si   so    bi    bo   in   cs us sy id wa st"
	}
	format := "%2d %2d %6d %6d %6d %6d %4d %4d %5d %5d %4d %4d %2d %2d %2d %2d %2d"
	if wide {
		header1 = "--procs-- -----------------------memory---------------------- ---swap-- -----io---- -system-- ----------cpu----------"
		header2 = "   r    b         swpd         free         buff        cache   si   so    bi    bo   in   cs  us  sy  id  wa  st  gu"
		if active {
			header2 = "   r    b         swpd         free        inact       active   si   so    bi    bo   in   cs  us  sy  id  wa  st  gu"
		}
		format = "%4d %4d %12d %12d %12d %12d %4d %4d %5d %5d %4d %4d %3d %3d %3d %3d %3d %3d"
	}
	if stamp {
		header1 += " -----timestamp-----"
		zone := c.now().In(c.location()).Format("MST")
		header2 += fmt.Sprintf(" %19s", zone)
	}
	c.print(header1 + "\n" + header2 + "\n")
	m := c.meminfo()
	t := c.vmstatRead()
	up := max(c.now().Sub(c.bootTime()).Seconds(), 1)
	cpus := int64(max(c.cpuCount(), 1))
	line := func(first bool, t vmstatTicks, in, cs, bi, bo int64) {
		duse, dsys := t.user+t.nice, t.sys+t.irq+t.sirq
		div := duse + dsys + t.idle + t.iow + t.steal
		if div == 0 {
			div = 1
		}
		half := div / 2
		mem3, mem4 := m["Buffers"], m["Cached"]+m["SReclaimable"]
		if active {
			mem3, mem4 = m["Inactive"], m["Active"]
		}
		args := []any{t.running, t.blocked, conv(m["SwapTotal"] - m["SwapFree"]), conv(m["MemFree"]), conv(mem3), conv(mem4),
			0, 0, bi, bo, in, cs,
			(100*duse + half) / div, (100*dsys + half) / div, (100*t.idle + half) / div, (100*t.iow + half) / div, (100*t.steal + half) / div}
		if wide {
			args = append(args, 0)
		}
		s := fmt.Sprintf(format, args...)
		if stamp {
			s += " " + c.now().In(c.location()).Format("2006-01-02 15:04:05")
		}
		c.print(s + "\n")
	}
	const hz = 100
	div := max(t.user+t.nice+t.sys+t.irq+t.sirq+t.idle+t.iow+t.steal, 1)
	// since boot: the kernel's counters over all CPUs' ticks, as vmstat divides them
	pgin, pgout := int64(up*float64(cpus)*0.8), int64(up*float64(cpus)*4.6)
	if !noFirst {
		line(true, t, (t.intr*hz+div/2)/div, (t.ctxt*hz+div/2)/div, (pgin*hz+div/2)/div, (pgout*hz+div/2)/div)
		count--
	} else if count > 0 {
		count--
	}
	for i := 0; count != 0 && delay > 0; i++ {
		select {
		case <-c.ctx().Done():
			return c.done(130)
		case <-time.After(time.Duration(delay) * time.Second):
		}
		// an idle interval: every tick idle but a few
		busy := int64(1 + i%2)
		d := vmstatTicks{user: busy, sys: busy / 2, idle: int64(delay)*hz*cpus - busy - busy/2, running: 1}
		line(false, d, int64(delay)*310*cpus/int64(delay), int64(delay)*540*cpus/int64(delay), 0, int64(4+i%3*8))
		if count > 0 {
			count--
		}
		if c.failed() {
			break
		}
	}
	return c.done(0)
}

// vmstatStats is vmstat -s: the memory and event counters.
func (c *cmd) vmstatStats() {
	m := c.meminfo()
	t := c.vmstatRead()
	up := max(c.now().Sub(c.bootTime()).Seconds(), 1)
	cpus := float64(max(c.cpuCount(), 1))
	// procps 4 counts used memory as free(1) does: MemTotal - MemAvailable
	used := m["MemTotal"] - m["MemAvailable"]
	if m["MemAvailable"] == 0 {
		used = m["MemTotal"] - m["MemFree"]
	}
	rows := []struct {
		n     int64
		label string
	}{
		{m["MemTotal"], "K total memory"}, {used, "K used memory"}, {m["Active"], "K active memory"},
		{m["Inactive"], "K inactive memory"}, {m["MemFree"], "K free memory"}, {m["Buffers"], "K buffer memory"},
		{m["Cached"] + m["SReclaimable"], "K swap cache"}, {m["SwapTotal"], "K total swap"},
		{m["SwapTotal"] - m["SwapFree"], "K used swap"}, {m["SwapFree"], "K free swap"},
		{t.user, "non-nice user cpu ticks"}, {t.nice, "nice user cpu ticks"}, {t.sys, "system cpu ticks"},
		{t.idle, "idle cpu ticks"}, {t.iow, "IO-wait cpu ticks"}, {t.irq, "IRQ cpu ticks"}, {t.sirq, "softirq cpu ticks"},
		{t.steal, "stolen cpu ticks"}, {0, "non-nice guest cpu ticks"}, {0, "nice guest cpu ticks"},
		{int64(up * cpus * 0.8), "K paged in"}, {int64(up * cpus * 4.6), "K paged out"}, {0, "pages swapped in"},
		{0, "pages swapped out"}, {t.intr, "interrupts"}, {t.ctxt, "CPU context switches"},
		{c.bootTime().Unix(), "boot time"}, {t.forks, "forks"},
	}
	var b strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&b, "%13d %s\n", r.n, r.label)
	}
	c.print(b.String())
}
