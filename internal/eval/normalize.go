package eval

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Normalizer masks, identically in the reference's and the target's output, the values that
// differ between any two runs of the same command on the same real machine: the clock, process
// ids and CPU times, uptime and boot time, load averages, memory-in-use counters, the current CPU
// frequency, ping round-trip times, dd's transfer rate, the source port of the session and the servers' own ports,
// and mktemp's random names. Everything else is compared as it is, on purpose: the mask must
// never hide a difference between personas (host name, kernel, users, file lists, sizes, owners,
// modes, the process list, total memory, CPU model and count, disk sizes). A value is masked only
// where its surroundings say what it is (a ps row, a "load average:" label, a time of day within
// minutes of now), so the same digits elsewhere are still compared. docs/eval.md lists the rules.
//
// The zero Normalizer masks nothing. A Normalizer is safe for concurrent use once built.
type Normalizer struct {
	// Volatile turns the masks on; without it Apply returns its input unchanged.
	Volatile bool
	// Start is when the run began; times of day from Start-Slack to Now()+Slack count as
	// "now" (the clock of a command, the login time of the session, a file made by the run).
	Start time.Time
	// Now returns the current time; time.Now when nil.
	Now func() time.Time
	// Slack widens the "now" window on both sides; 2 minutes when zero.
	Slack time.Duration
	// Zones are the time zones a time of day may be written in; UTC and time.Local when nil.
	Zones []*time.Location
	// ServerPorts are the ports of the two servers under comparison. They differ between the
	// reference and the target only because both run on one machine, so they are masked where a
	// port appears after an address (ss, netstat) or in SSH_CLIENT/SSH_CONNECTION.
	ServerPorts []int
}

// Mask names, as reported per line in the JSON results.
const (
	MaskProcess     = "process-columns" // PID, %CPU, %MEM, VSZ, RSS, START, TIME of ps and top rows
	MaskTopSummary  = "top-summary"     // top's Tasks, %Cpu(s) and memory-in-use figures
	MaskFree        = "free-used"       // free's used/free/shared/cache/available columns
	MaskMeminfo     = "meminfo-used"    // /proc/meminfo counters other than the totals
	MaskLoad        = "load-average"    // "load average: ..." and /proc/loadavg
	MaskUptime      = "uptime"          // "up 3 days, 4:05," uptime -p, /proc/uptime, boot time
	MaskPing        = "ping-time"       // ping's time=, rtt and "time Nms"
	MaskDDRate      = "dd-rate"         // dd's "copied, 0.000138 s, 29.5 MB/s"
	MaskCPUMHz      = "cpu-mhz"         // the current CPU frequency in /proc/cpuinfo and lscpu
	MaskSessionPort = "session-port"    // source and server ports of the eval's own connections
	MaskMktemp      = "mktemp-name"     // tmp.XXXXXXXXXX
	MaskEpoch       = "epoch-now"       // Unix seconds within the now window (date +%s)
	MaskClock       = "clock-now"       // a time of day within the now window
)

// Apply returns s with the volatile values replaced by markers such as <PID> and <TIME>, and how
// many values each mask replaced (nil when none did).
func (n *Normalizer) Apply(s string) (string, map[string]int) {
	if n == nil || !n.Volatile || s == "" {
		return s, nil
	}
	var counts map[string]int
	for _, r := range n.rules() {
		var c int
		s, c = r.apply(s)
		if c > 0 {
			if counts == nil {
				counts = map[string]int{}
			}
			counts[r.name] += c
		}
	}
	return s, counts
}

type rule struct {
	name  string
	apply func(string) (string, int)
}

// match gives a replacement function the groups of one regexp match.
type match struct {
	s   string
	idx []int
}

func (m match) g(i int) string {
	if 2*i+1 >= len(m.idx) || m.idx[2*i] < 0 {
		return ""
	}
	return m.s[m.idx[2*i]:m.idx[2*i+1]]
}

func (m match) start() int { return m.idx[0] }

// replace rewrites every match of re in s with f's result and counts the matches it changed.
func replace(re *regexp.Regexp, s string, f func(match) string) (string, int) {
	all := re.FindAllStringSubmatchIndex(s, -1)
	if len(all) == 0 {
		return s, 0
	}
	var b strings.Builder
	last, changed := 0, 0
	for _, idx := range all {
		b.WriteString(s[last:idx[0]])
		old := s[idx[0]:idx[1]]
		r := f(match{s, idx})
		if r != old {
			changed++
		}
		b.WriteString(r)
		last = idx[1]
	}
	b.WriteString(s[last:])
	return b.String(), changed
}

func regexpRule(name string, re *regexp.Regexp, f func(match) string) rule {
	return rule{name, func(s string) (string, int) { return replace(re, s, f) }}
}

var (
	// ps aux: USER PID %CPU %MEM VSZ RSS TTY STAT START TIME COMMAND.
	psAuxRow    = regexp.MustCompile(`(?m)^(\S+)[ \t]+\d+[ \t]+\d+\.\d[ \t]+\d+\.\d[ \t]+\d+[ \t]+\d+[ \t]+(\S+)[ \t]+(\S+)[ \t]+\S+[ \t]+\d+:\d\d[ \t](.*)$`)
	psAuxHeader = regexp.MustCompile(`(?m)^USER[ \t]+PID[ \t]+%CPU[ \t]+%MEM[ \t]+VSZ[ \t]+RSS[ \t]+TTY[ \t]+STAT[ \t]+START[ \t]+TIME[ \t]+COMMAND[ \t]*$`)
	// ps -ef: UID PID PPID C STIME TTY TIME CMD.
	psEfRow    = regexp.MustCompile(`(?m)^(\S+)[ \t]+\d+[ \t]+\d+[ \t]+\d+[ \t]+\S+[ \t]+(\S+)[ \t]+\d+:\d\d:\d\d[ \t](.*)$`)
	psEfHeader = regexp.MustCompile(`(?m)^UID[ \t]+PID[ \t]+PPID[ \t]+C[ \t]+STIME[ \t]+TTY[ \t]+TIME[ \t]+CMD[ \t]*$`)
	// ps, ps -e: PID TTY TIME CMD.
	psRow    = regexp.MustCompile(`(?m)^[ \t]*\d+[ \t]+(\S+)[ \t]+\d+:\d\d:\d\d[ \t](.*)$`)
	psHeader = regexp.MustCompile(`(?m)^[ \t]*PID[ \t]+TTY[ \t]+TIME[ \t]+CMD[ \t]*$`)
	// ps x, ps ax: PID TTY STAT TIME COMMAND.
	psXRow    = regexp.MustCompile(`(?m)^[ \t]*\d+[ \t]+(\S+)[ \t]+(\S+)[ \t]+\d+:\d\d[ \t](.*)$`)
	psXHeader = regexp.MustCompile(`(?m)^[ \t]*PID[ \t]+TTY[ \t]+STAT[ \t]+TIME[ \t]+COMMAND[ \t]*$`)
	// top: PID USER PR NI VIRT RES SHR S %CPU %MEM TIME+ COMMAND.
	topRow    = regexp.MustCompile(`(?m)^[ \t]*\d+[ \t]+(\S+)[ \t]+(\S+)[ \t]+(-?\d+)[ \t]+\S+[ \t]+\S+[ \t]+\S+[ \t]+([A-Z])[ \t]+\d+\.\d[ \t]+\d+\.\d[ \t]+\d+:\d\d\.\d\d[ \t](.*)$`)
	topHeader = regexp.MustCompile(`(?m)^[ \t]*PID[ \t]+USER[ \t]+PR[ \t]+NI[ \t]+VIRT[ \t]+RES[ \t]+SHR[ \t]+S[ \t]+%CPU[ \t]+%MEM[ \t]+TIME\+[ \t]+COMMAND[ \t]*$`)

	topTasks = regexp.MustCompile(`(?m)^(Tasks|%Cpu\(s\)|Threads):(.*)$`)
	topMem   = regexp.MustCompile(`(?m)^([KMGTPE]iB (?:Mem|Swap)[ \t]*:[ \t]*\S+ total,)(.*)$`)
	freeRow  = regexp.MustCompile(`(?m)^((?:Mem|Swap|Total|Low|High):[ \t]+\S+)(.*)$`)
	meminfo  = regexp.MustCompile(`(?m)^(\w[\w()]*):[ \t]+(\d+)( kB)?$`)
	number   = regexp.MustCompile(`\d+(?:[.,]\d+)?`)
	blanks   = regexp.MustCompile(`[ \t]+`)

	loadAvg     = regexp.MustCompile(`(load averages?:[ \t]*)\d+[.,]\d\d,?[ \t]+\d+[.,]\d\d,?[ \t]+\d+[.,]\d\d`)
	procLoadavg = regexp.MustCompile(`(?m)^\d+\.\d\d \d+\.\d\d \d+\.\d\d \d+/\d+ \d+$`)

	uptimeUp     = regexp.MustCompile(`(\bup[ \t]+)([^\n]*?)(,[ \t]+\d+[ \t]+users?,)`)
	uptimePretty = regexp.MustCompile(`(?m)^up \d+ (?:years?|weeks?|days?|hours?|minutes?)(?:, \d+ (?:years?|weeks?|days?|hours?|minutes?))*$`)
	procUptime   = regexp.MustCompile(`(?m)^\d+\.\d\d \d+\.\d\d$`)
	bootWho      = regexp.MustCompile(`(system boot[ \t]+(?:\S+[ \t]+)??)(\d{4}-\d\d-\d\d \d\d:\d\d|[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d)`)
	bootLone     = regexp.MustCompile(`(?m)^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$`)
	procBtime    = regexp.MustCompile(`(?m)^(btime )\d+$`)

	pingTime  = regexp.MustCompile(`\btime=\d+(?:\.\d+)? ms`)
	pingRTT   = regexp.MustCompile(`\b(rtt|round-trip) (min/avg/max(?:/mdev|/stddev)?) = [\d./]+ ms`)
	pingTotal = regexp.MustCompile(`(packet loss, time )\d+ms`)

	ddRate = regexp.MustCompile(`(\d+ bytes (?:\([^)\n]*\) )?copied, )\d+(?:\.\d+)?(?:e-?\d+)? s, \d+(?:\.\d+)? [kMGTPE]?B/s`)

	cpuMHz = regexp.MustCompile(`(?m)^(cpu MHz[ \t]*:[ \t]*|CPU MHz:[ \t]+|CPU\(s\) scaling MHz:[ \t]+)\S+$`)

	ipv4        = `(?:\d{1,3}\.){3}\d{1,3}`
	sshConnPair = regexp.MustCompile(`\b(` + ipv4 + `) (\d{1,5}) (` + ipv4 + `) (\d{1,5})\b`)
	sshClient   = regexp.MustCompile(`\b(` + ipv4 + `) (\d{1,5}) (\d{1,5})\b`)
	addrPort    = regexp.MustCompile(`(` + ipv4 + `|\])(:)(\d{1,5})\b`)

	mktempName = regexp.MustCompile(`\btmp\.[A-Za-z0-9]{10}\b`)
	epochNow   = regexp.MustCompile(`\b1\d{9}\b`)
	clock      = regexp.MustCompile(`\b(\d{1,2}):([0-5]\d)(?::([0-5]\d)(?:[.,]\d+)?)?\b`)

	isoDateBefore   = regexp.MustCompile(`(\d{4})-(\d\d)-(\d\d)[ T]$`)
	monthDayBefore  = regexp.MustCompile(`\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[ \t]+(\d{1,2})[ \t]+$`)
	dayMonthYBefore = regexp.MustCompile(`\b(\d{1,2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) $`)
)

var meminfoTotals = []string{"MemTotal", "SwapTotal", "CommitLimit", "VmallocTotal", "Hugepagesize", "Hugetlb", "HugePages_Total"}

// maskNumbers replaces every number in s with <N> and squeezes runs of blanks, because the
// column padding around a changing number changes with its width.
func maskNumbers(s string) string {
	return blanks.ReplaceAllString(number.ReplaceAllString(s, "<N>"), " ")
}

func squeeze(s string) string { return blanks.ReplaceAllString(strings.TrimRight(s, " \t"), " ") }

func (n *Normalizer) rules() []rule {
	keepHeader := func(m match) string { return squeeze(m.g(0)) }
	return []rule{
		// Process tables first, so that their START and TIME columns are gone before the clock
		// rule looks for times of day. A masked row is rebuilt with single spaces: ps pads its
		// columns to the widest value, which changes with the masked values themselves.
		{MaskProcess, func(s string) (string, int) {
			total := 0
			for _, r := range []struct {
				re *regexp.Regexp
				f  func(match) string
			}{
				{topRow, func(m match) string {
					return "<PID> " + m.g(1) + " " + m.g(2) + " " + m.g(3) + " <VIRT> <RES> <SHR> " + m.g(4) + " <CPU> <MEM> <TIME> " + m.g(5)
				}},
				{psAuxRow, func(m match) string {
					return m.g(1) + " <PID> <CPU> <MEM> <VSZ> <RSS> " + m.g(2) + " " + m.g(3) + " <START> <TIME> " + m.g(4)
				}},
				{psEfRow, func(m match) string {
					return m.g(1) + " <PID> <PID> <C> <STIME> " + m.g(2) + " <TIME> " + m.g(3)
				}},
				{psRow, func(m match) string { return "<PID> " + m.g(1) + " <TIME> " + m.g(2) }},
				{psXRow, func(m match) string { return "<PID> " + m.g(1) + " " + m.g(2) + " <TIME> " + m.g(3) }},
			} {
				var c int
				s, c = replace(r.re, s, r.f)
				total += c
			}
			// Headers are squeezed too (their padding follows the widest value) but not counted.
			for _, re := range []*regexp.Regexp{topHeader, psAuxHeader, psEfHeader, psHeader, psXHeader} {
				s, _ = replace(re, s, keepHeader)
			}
			return s, total
		}},
		regexpRule(MaskTopSummary, topTasks, func(m match) string { return m.g(1) + ":" + maskNumbers(m.g(2)) }),
		regexpRule(MaskTopSummary, topMem, func(m match) string { return m.g(1) + maskNumbers(m.g(2)) }),
		// free: the first column (total) is the machine's; the others change from one run to the
		// next.
		regexpRule(MaskFree, freeRow, func(m match) string { return m.g(1) + maskNumbers(m.g(2)) }),
		regexpRule(MaskMeminfo, meminfo, func(m match) string {
			key := m.g(1)
			if m.g(3) == "" && !strings.HasPrefix(key, "HugePages_") {
				return m.g(0) // "Key: N" without kB is not a memory counter (lscpu's "CPU(s): 2")
			}
			if slices.Contains(meminfoTotals, key) {
				return m.g(0)
			}
			return key + ": <N>" + m.g(3)
		}),
		regexpRule(MaskLoad, loadAvg, func(m match) string { return m.g(1) + "<LOAD>" }),
		regexpRule(MaskLoad, procLoadavg, func(match) string { return "<LOADAVG>" }),
		regexpRule(MaskUptime, uptimeUp, func(m match) string { return m.g(1) + "<UPTIME>" + m.g(3) }),
		regexpRule(MaskUptime, uptimePretty, func(match) string { return "up <UPTIME>" }),
		regexpRule(MaskUptime, procUptime, func(match) string { return "<UPTIME>" }),
		regexpRule(MaskUptime, bootWho, func(m match) string { return m.g(1) + "<BOOT>" }),
		regexpRule(MaskUptime, bootLone, func(match) string { return "<BOOT>" }),
		regexpRule(MaskUptime, procBtime, func(m match) string { return m.g(1) + "<BOOT>" }),
		regexpRule(MaskPing, pingTime, func(match) string { return "time=<MS> ms" }),
		regexpRule(MaskPing, pingRTT, func(m match) string { return m.g(1) + " " + m.g(2) + " = <MS> ms" }),
		regexpRule(MaskPing, pingTotal, func(m match) string { return m.g(1) + "<MS>ms" }),
		regexpRule(MaskDDRate, ddRate, func(m match) string { return m.g(1) + "<SECONDS> s, <RATE>" }),
		regexpRule(MaskCPUMHz, cpuMHz, func(m match) string { return m.g(1) + "<MHZ>" }),
		regexpRule(MaskSessionPort, sshConnPair, func(m match) string {
			return m.g(1) + " <PORT> " + m.g(3) + " <PORT>"
		}),
		regexpRule(MaskSessionPort, sshClient, func(m match) string {
			// SSH_CLIENT: address, source port, server port. Only when one of the ports is
			// recognisably the eval's own, since "address number number" could be anything.
			src, srv := m.g(2), m.g(3)
			if n.isServerPort(srv) {
				return m.g(1) + " <PORT> <PORT>"
			}
			if isEphemeralPort(src) {
				return m.g(1) + " <PORT> " + srv
			}
			return m.g(0)
		}),
		regexpRule(MaskSessionPort, addrPort, func(m match) string {
			p := m.g(3)
			if !n.isServerPort(p) && !isEphemeralPort(p) {
				return m.g(0)
			}
			return m.g(1) + m.g(2) + "<PORT>"
		}),
		regexpRule(MaskMktemp, mktempName, func(match) string { return "tmp.<RANDOM>" }),
		regexpRule(MaskEpoch, epochNow, func(m match) string {
			v, err := strconv.ParseInt(m.g(0), 10, 64)
			if err != nil || !n.inWindow(time.Unix(v, 0), time.Unix(v, 0)) {
				return m.g(0)
			}
			return "<EPOCH>"
		}),
		regexpRule(MaskClock, clock, n.maskClock),
	}
}

func (n *Normalizer) isServerPort(p string) bool {
	v, err := strconv.Atoi(p)
	return err == nil && slices.Contains(n.ServerPorts, v)
}

// isEphemeralPort tells whether p is in Linux's default local port range (32768-60999), where
// the source port of an outgoing connection, such as the eval's own, is picked from.
func isEphemeralPort(p string) bool {
	v, err := strconv.Atoi(p)
	return err == nil && v >= 32768 && v <= 60999
}

func (n *Normalizer) now() time.Time {
	if n.Now != nil {
		return n.Now()
	}
	return time.Now()
}

func (n *Normalizer) window() (from, to time.Time) {
	slack := n.Slack
	if slack == 0 {
		slack = 2 * time.Minute
	}
	start := n.Start
	if start.IsZero() {
		start = n.now()
	}
	return start.Add(-slack), n.now().Add(slack)
}

// inWindow tells whether the interval [lo, hi] (a time written to the second, or to the minute)
// touches the now window.
func (n *Normalizer) inWindow(lo, hi time.Time) bool {
	from, to := n.window()
	return !hi.Before(from) && !lo.After(to)
}

func (n *Normalizer) zones() []*time.Location {
	if n.Zones != nil {
		return n.Zones
	}
	if time.Local.String() == "UTC" {
		return []*time.Location{time.UTC}
	}
	return []*time.Location{time.UTC, time.Local}
}

var monthNames = []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// maskClock masks a time of day that lies in the now window. When a date stands right before it
// (2025-11-26 05:40, Nov 26 05:40, 26 Nov 2025 05:40:12) the date must match too, so an old file's
// time that happens to equal today's clock is still compared.
func (n *Normalizer) maskClock(m match) string {
	h, _ := strconv.Atoi(m.g(1))
	mi, _ := strconv.Atoi(m.g(2))
	if h > 23 {
		return m.g(0)
	}
	// Part of a MAC or IPv6 address ("00:16:3e:..."), not a time of day.
	if s, i, j := m.s, m.idx[0], m.idx[1]; i > 0 && s[i-1] == ':' || j < len(s) && s[j] == ':' {
		return m.g(0)
	}
	sec, span := 0, 59*time.Second // "05:40" means any second of that minute
	if m.g(3) != "" {
		sec, _ = strconv.Atoi(m.g(3))
		span = 999 * time.Millisecond
	}
	before := m.s[max(0, m.start()-24):m.start()]
	type ymd struct{ y, mo, d int }
	var dates []ymd // candidate dates; nil means "today, yesterday or tomorrow"
	if d := isoDateBefore.FindStringSubmatch(before); d != nil {
		y, _ := strconv.Atoi(d[1])
		mo, _ := strconv.Atoi(d[2])
		dd, _ := strconv.Atoi(d[3])
		dates = []ymd{{y, mo, dd}}
	} else if d := dayMonthYBefore.FindStringSubmatch(before); d != nil {
		dd, _ := strconv.Atoi(d[1])
		y, _ := strconv.Atoi(d[3])
		dates = []ymd{{y, slices.Index(monthNames, d[2]) + 1, dd}}
	} else if d := monthDayBefore.FindStringSubmatch(before); d != nil {
		dd, _ := strconv.Atoi(d[2])
		mo := slices.Index(monthNames, d[1]) + 1
		y := n.now().Year()
		dates = []ymd{{y, mo, dd}, {y - 1, mo, dd}} // no year: this year, or last year's December
	}
	for _, z := range n.zones() {
		cands := dates
		if cands == nil {
			now := n.now().In(z)
			for _, off := range []int{-1, 0, 1} {
				d := now.AddDate(0, 0, off)
				cands = append(cands, ymd{d.Year(), int(d.Month()), d.Day()})
			}
		}
		for _, d := range cands {
			t := time.Date(d.y, time.Month(d.mo), d.d, h, mi, sec, 0, z)
			if n.inWindow(t, t.Add(span)) {
				return "<TIME>"
			}
		}
	}
	return m.g(0)
}
