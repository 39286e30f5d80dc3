package commands

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// free: procps 4.0.2's layout (an 8-wide row label, 12-wide right-aligned columns), its
// arithmetic (used = MemTotal - MemAvailable; buff/cache = Buffers + Cached + SReclaimable)
// and its unit scaling, all fed from the persona's /proc/meminfo.

const freeUsage = `
Usage:
 free [options]

Options:
 -b, --bytes         show output in bytes
     --kilo          show output in kilobytes
     --mega          show output in megabytes
     --giga          show output in gigabytes
     --tera          show output in terabytes
     --peta          show output in petabytes
 -k, --kibi          show output in kibibytes
 -m, --mebi          show output in mebibytes
 -g, --gibi          show output in gibibytes
     --tebi          show output in tebibytes
     --pebi          show output in pebibytes
 -h, --human         show human-readable output
     --si            use powers of 1000 not 1024
 -l, --lohi          show detailed low and high memory statistics
 -t, --total         show total for RAM + swap
 -v, --committed     show committed memory and commit limit
 -s N, --seconds N   repeat printing every N seconds
 -c N, --count N     repeat printing N times, then exit
 -w, --wide          wide output

     --help     display this help and exit
 -V, --version  output version information and exit

For more details see free(1).
`

type freeArgs struct {
	exponent int
	human    bool
	si       bool
}

// scale renders a kB figure as free's scale_size does.
func (a freeArgs) scale(kb int64) string {
	base := 1024.0
	if a.si {
		base = 1000.0
	}
	bytes := kb * 1024
	pow := func(e int) float64 {
		v := 1.0
		for i := 0; i < e; i++ {
			v *= base
		}
		return v
	}
	if !a.human {
		switch a.exponent {
		case 0:
			return strconv.FormatInt(int64(float64(bytes)/base), 10)
		case 1:
			return strconv.FormatInt(bytes, 10)
		default:
			return strconv.FormatInt(int64(float64(bytes)/pow(a.exponent-1)), 10)
		}
	}
	if s := strconv.FormatInt(bytes, 10) + "B"; len(s) <= 4 {
		return s
	}
	up := "BKMGTP"
	var s string
	for i := 1; i < len(up); i++ {
		v := float64(bytes) / pow(i)
		if a.si {
			s = strconv.FormatFloat(float64(float32(v)), 'f', 1, 64) + up[i:i+1]
			if len(s) <= 4 {
				return s
			}
			s = strconv.FormatInt(int64(v), 10) + up[i:i+1]
			if len(s) <= 4 {
				return s
			}
		} else {
			s = strconv.FormatFloat(float64(float32(v)), 'f', 1, 64) + up[i:i+1] + "i"
			if len(s) <= 5 {
				return s
			}
			s = strconv.FormatInt(int64(v), 10) + up[i:i+1] + "i"
			if len(s) <= 5 {
				return s
			}
		}
	}
	return s
}

func freeCmd(p *Proc) int {
	c := newCmd(p)
	opts, ops, err := parseOpts(c.name, c.Args[1:], optSpec{Short: "bkmghltvc:ws:V", Long: []longOpt{
		{Name: "bytes", Key: "b"}, {Name: "kilo", Key: "kilo"}, {Name: "mega", Key: "mega"},
		{Name: "giga", Key: "giga"}, {Name: "tera", Key: "tera"}, {Name: "peta", Key: "peta"},
		{Name: "kibi", Key: "k"}, {Name: "mebi", Key: "m"}, {Name: "gibi", Key: "g"},
		{Name: "tebi", Key: "tebi"}, {Name: "pebi", Key: "pebi"}, {Name: "human", Key: "h"},
		{Name: "si", Key: "si"}, {Name: "lohi", Key: "l"}, {Name: "total", Key: "t"},
		{Name: "committed", Key: "v"}, {Name: "seconds", Arg: argRequired, Key: "s"},
		{Name: "count", Arg: argRequired, Key: "c"}, {Name: "wide", Key: "w"},
		{Name: "help", Key: "help"}, {Name: "version", Key: "V"},
	}})
	if err != nil {
		c.errorf("%s", err.Msg)
		c.errRaw(freeUsage)
		return c.done(1)
	}
	var a freeArgs
	unitSet := false
	var lohi, total, committed, wide, repeat bool
	count := 0
	interval := time.Second
	for _, o := range opts {
		exp, si := 0, false
		switch o.Key {
		case "b":
			exp = 1
		case "k":
			exp = 2
		case "m":
			exp = 3
		case "g":
			exp = 4
		case "tebi":
			exp = 5
		case "pebi":
			exp = 6
		case "kilo":
			exp, si = 2, true
		case "mega":
			exp, si = 3, true
		case "giga":
			exp, si = 4, true
		case "tera":
			exp, si = 5, true
		case "peta":
			exp, si = 6, true
		case "h":
			a.human = true
		case "si":
			a.si = true
		case "l":
			lohi = true
		case "t":
			total = true
		case "v":
			committed = true
		case "w":
			wide = true
		case "s":
			repeat = true
			v, err := strconv.ParseFloat(strings.TrimSpace(o.Val), 64)
			if err != nil {
				c.errorf("seconds argument failed: '%s'", o.Val)
				return c.done(1)
			}
			if v*1e6 < 1 {
				c.errorf("seconds argument `%s' is not positive number", o.Val)
				return c.done(1)
			}
			interval = time.Duration(v * float64(time.Second))
		case "c":
			repeat = true
			n, err := strconv.Atoi(o.Val)
			if err != nil {
				c.errorf("failed to parse count argument: '%s'", o.Val)
				return c.done(1)
			}
			if n < 1 {
				c.errorf("failed to parse count argument: '%s': Numerical result out of range", o.Val)
				return c.done(1)
			}
			count = n
		case "help":
			c.print(freeUsage)
			return c.done(0)
		case "V":
			c.print("free from procps-ng 4.0.2\n")
			return c.done(0)
		}
		if exp != 0 {
			if unitSet {
				c.errorf("Multiple unit options don't make sense.")
				return c.done(1)
			}
			unitSet = true
			a.exponent = exp
			if si {
				a.si = true
			}
		}
	}
	if len(ops) > 0 {
		c.errRaw(freeUsage)
		return c.done(1)
	}
	ctx := c.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	for i := 0; ; i++ {
		c.print(c.freeReport(a, lohi, total, committed, wide))
		if !repeat || (count > 0 && i+1 >= count) {
			break
		}
		c.print("\n")
		c.flush()
		t := time.NewTimer(interval)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return 130
		}
		if c.failed() {
			break
		}
	}
	return c.done(0)
}

func (c *cmd) freeReport(a freeArgs, lohi, total, committed, wide bool) string {
	m := c.meminfo()
	memTotal := m["MemTotal"]
	memFree := m["MemFree"]
	avail, ok := m["MemAvailable"]
	if !ok {
		avail = memFree
	}
	cached := m["Cached"] + m["SReclaimable"]
	buffers := m["Buffers"]
	used := memTotal - avail
	if used < 0 {
		used = memTotal - memFree
	}
	swapTotal, swapFree := m["SwapTotal"], m["SwapFree"]
	var b strings.Builder
	col := func(v int64) { fmt.Fprintf(&b, "%12s", a.scale(v)) }
	b.WriteString(fmt.Sprintf("%-8s", ""))
	for _, h := range []string{"total", "used", "free", "shared"} {
		fmt.Fprintf(&b, "%12s", h)
	}
	if wide {
		fmt.Fprintf(&b, "%12s%12s", "buffers", "cache")
	} else {
		fmt.Fprintf(&b, "%12s", "buff/cache")
	}
	fmt.Fprintf(&b, "%12s\n", "available")
	b.WriteString("Mem:    ")
	col(memTotal)
	col(used)
	col(memFree)
	col(m["Shmem"])
	if wide {
		col(buffers)
		col(cached)
	} else {
		col(buffers + cached)
	}
	col(avail)
	b.WriteString("\n")
	if lohi {
		lowTotal, lowFree := memTotal, memFree
		if v, ok := m["LowTotal"]; ok {
			lowTotal, lowFree = v, m["LowFree"]
		}
		b.WriteString("Low:    ")
		col(lowTotal)
		col(lowTotal - lowFree)
		col(lowFree)
		b.WriteString("\nHigh:   ")
		col(m["HighTotal"])
		col(m["HighTotal"] - m["HighFree"])
		col(m["HighFree"])
		b.WriteString("\n")
	}
	b.WriteString("Swap:   ")
	col(swapTotal)
	col(swapTotal - swapFree)
	col(swapFree)
	b.WriteString("\n")
	if total {
		b.WriteString("Total:  ")
		col(memTotal + swapTotal)
		col(used + swapTotal - swapFree)
		col(memFree + swapFree)
		b.WriteString("\n")
	}
	if committed {
		limit, as := m["CommitLimit"], m["Committed_AS"]
		if limit == 0 {
			limit = memTotal/2 + swapTotal
		}
		b.WriteString("Comm:   ")
		col(limit)
		col(as)
		col(limit - as)
		b.WriteString("\n")
	}
	return b.String()
}
