package commands

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// The system family: what the host is doing (uptime, free, df, ps, top, lscpu, nproc),
// its clock (date, sleep), its accounts and jobs (crontab, passwd, chpasswd, useradd),
// its services (systemctl, service) and its environment (env, which, locale, lsb_release).
// Every figure comes from the persona so that free agrees with /proc/meminfo and ps with w.

func registerSystem(r *Registry) {
	r.Register("uptime", uptimeCmd)
	r.Register("nproc", nprocCmd)
	r.Register("sleep", sleepCmd)
	r.Register("date", dateCmd)
	r.Register("free", freeCmd)
	r.Register("df", dfCmd)
	r.Register("ps", psCmd)
	r.Register("top", topCmd)
	r.Register("pgrep", pgrepCmd)
	r.Register("pkill", pkillCmd)
	r.Register("killall", killallCmd)
	r.Register("lscpu", lscpuCmd)
	r.Register("crontab", crontabCmd)
	r.Register("passwd", passwdCmd)
	r.Register("chpasswd", chpasswdCmd)
	r.Register("useradd", useraddCmd)
	r.Register("adduser", adduserCmd)
	r.Register("usermod", usermodCmd)
	r.Register("userdel", userdelCmd)
	r.Register("groupadd", groupaddCmd)
	r.Register("groupdel", groupdelCmd)
	r.Register("env", envCmd)
	r.Register("printenv", printenvCmd)
	r.Register("which", whichCmd)
	r.Register("lsb_release", lsbReleaseCmd)
	r.Register("locale", localeCmd)
	r.Register("systemctl", systemctlCmd)
	r.Register("service", serviceCmd)
	r.Register("sudo", sudoCmd)
	r.Register("su", suCmd)
	r.Register("dd", ddCmd)
	r.Register("dpkg", dpkgCmd)
	r.Register("dpkg-query", dpkgQueryCmd)
	r.Register("apt", aptCmd)
	r.Register("apt-get", aptGetCmd)
}

const uptimeUsage = `
Usage:
 uptime [options]

Options:
 -p, --pretty   show uptime in pretty format
 -h, --help     display this help and exit
 -s, --since    system up since
 -V, --version  output version information and exit

For more details see uptime(1).
`

func uptimeCmd(p *Proc) int {
	c := newCmd(p)
	opts, ops, err := parseOpts(c.name, c.Args[1:], optSpec{Short: "phsV", Long: []longOpt{
		{Name: "pretty", Key: "p"}, {Name: "help", Key: "h"}, {Name: "since", Key: "s"}, {Name: "version", Key: "V"},
	}})
	if err != nil {
		c.errorf("%s", err.Msg)
		c.errRaw(uptimeUsage)
		return c.done(1)
	}
	mode := ""
	for _, o := range opts {
		switch o.Key {
		case "h":
			c.print(uptimeUsage)
			return c.done(0)
		case "V":
			c.print("uptime from procps-ng 4.0.2\n")
			return c.done(0)
		case "s":
			c.print(c.bootTime().In(c.location()).Format("2006-01-02 15:04:05") + "\n")
			return c.done(0)
		case "p":
			mode = "p"
		}
	}
	if len(ops) > 0 {
		c.errRaw(uptimeUsage)
		return c.done(1)
	}
	if mode == "p" {
		c.print(prettyUptime(c.now().Sub(c.bootTime())) + "\n")
		return c.done(0)
	}
	c.print(c.uptimeLine() + "\n")
	return c.done(0)
}

// prettyUptime is procps 4.0.2's "uptime -p" text.
func prettyUptime(d time.Duration) string {
	secs := int64(d / time.Second)
	if secs < 0 {
		secs = 0
	}
	parts := []struct {
		n          int64
		one, other string
	}{
		{secs / (60 * 60 * 24 * 365 * 10), "decade", "decades"},
		{(secs / (60 * 60 * 24 * 365)) % 10, "year", "years"},
		{(secs / (60 * 60 * 24 * 7)) % 52, "week", "weeks"},
		{(secs / (60 * 60 * 24)) % 7, "day", "days"},
		{(secs / (60 * 60)) % 24, "hour", "hours"},
		{(secs / 60) % 60, "minute", "minutes"},
	}
	var out []string
	for i, p := range parts {
		if p.n == 0 && !(i == len(parts)-1 && len(out) == 0) {
			continue
		}
		unit := p.other
		if p.n == 1 {
			unit = p.one
		}
		out = append(out, fmt.Sprintf("%d %s", p.n, unit))
	}
	return "up " + strings.Join(out, ", ")
}

func nprocCmd(p *Proc) int {
	c := newCmd(p)
	opts, ops, ok, st := c.parse(optSpec{Long: stdLong(longOpt{Name: "all", Key: "all"},
		longOpt{Name: "ignore", Arg: argRequired, Key: "ignore"})}, 1)
	if !ok {
		return st
	}
	ignore := 0
	for _, o := range opts {
		switch o.Key {
		case "help", "version":
			return c.sysHelp(o.Key, "nproc")
		case "ignore":
			n, err := strconv.ParseUint(o.Val, 10, 63)
			if err != nil {
				c.errorf("invalid number: %s", c.quoteLoc(o.Val))
				return c.done(1)
			}
			ignore = int(min(n, math.MaxInt32))
		}
	}
	if len(ops) > 0 {
		return c.usage(1, "extra operand %s", c.quoteLoc(ops[0]))
	}
	n := c.cpuCount() - ignore
	if n < 1 {
		n = 1
	}
	c.printf("%d\n", n)
	return c.done(0)
}

// parseSleep converts one sleep operand ("1", "0.5", "2m", "inf") to seconds.
func parseSleep(s string) (float64, bool) {
	if s == "" {
		return 0, false
	}
	mult := 1.0
	num := s
	switch s[len(s)-1] {
	case 's':
		num = s[:len(s)-1]
	case 'm':
		num, mult = s[:len(s)-1], 60
	case 'h':
		num, mult = s[:len(s)-1], 3600
	case 'd':
		num, mult = s[:len(s)-1], 86400
	}
	if num == "" || strings.ContainsAny(num, " \t_") {
		return 0, false
	}
	// strtod accepts these; Go's parser accepts a few more spellings that it does not.
	if strings.HasPrefix(num, "+") {
		num = num[1:]
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil && !strings.Contains(err.Error(), "range") {
		return 0, false
	}
	if math.IsNaN(v) || v < 0 {
		return 0, false
	}
	return v * mult, true
}

func sleepCmd(p *Proc) int {
	c := newCmd(p)
	opts, ops, ok, st := c.parse(optSpec{Long: stdLong()}, 1)
	if !ok {
		return st
	}
	for _, o := range opts {
		return c.sysHelp(o.Key, "sleep")
	}
	if len(ops) == 0 {
		return c.usage(1, "missing operand")
	}
	total := 0.0
	bad := false
	for _, a := range ops {
		v, ok := parseSleep(a)
		if !ok {
			c.errorf("invalid time interval %s", c.quoteLoc(a))
			bad = true
			continue
		}
		total += v
	}
	if bad {
		return c.tryHelp(1)
	}
	ctx := c.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	d := time.Duration(math.MaxInt64)
	if total < float64(math.MaxInt64)/float64(time.Second) {
		d = time.Duration(total * float64(time.Second))
	}
	if d <= 0 {
		return c.done(0)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return c.done(0)
	case <-ctx.Done():
		// The shell cut the command (Ctrl-C or its time limit): the real sleep dies of SIGINT.
		return 130
	}
}
