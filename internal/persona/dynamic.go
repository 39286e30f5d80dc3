package persona

import (
	"fmt"
	"hash/fnv"
	"strings"
	"time"
)

// dynKind names a /proc file whose content is computed when read.
type dynKind uint8

const (
	dynNone dynKind = iota
	dynUptime
	dynLoadavg
	dynStat
)

var dynKindByName = map[string]dynKind{"uptime": dynUptime, "loadavg": dynLoadavg, "stat": dynStat}

var dynamicKinds = map[string]dynKind{"/proc/uptime": dynUptime, "/proc/loadavg": dynLoadavg, "/proc/stat": dynStat}

// dynFacts is what the generators need; fixed at load.
type dynFacts struct {
	boot    time.Time
	cpus    int
	procs   int
	lastPID int
}

func lastPID(ps []Process) int {
	m := 0
	for _, p := range ps {
		m = max(m, p.PID)
	}
	return m
}

// renderDynamic computes the file at now. The numbers follow an idle server: a fraction of
// a percent of CPU in use, the rest idle, and load averages near zero that drift slowly and
// read the same for every session at the same minute.
func renderDynamic(f dynFacts, k dynKind, now time.Time) []byte {
	up := 0.0
	if !f.boot.IsZero() && now.After(f.boot) {
		up = now.Sub(f.boot).Seconds()
	}
	cpus := max(f.cpus, 1)
	switch k {
	case dynUptime:
		idle := up * float64(cpus) * 0.9952
		return fmt.Appendf(nil, "%.2f %.2f\n", up, idle)
	case dynLoadavg:
		minute := now.Unix() / 60
		l1 := wobble(minute, 0.22)
		l5 := (wobble(minute/5, 0.12) + l1) / 3
		l15 := (wobble(minute/15, 0.08) + l5) / 3
		return fmt.Appendf(nil, "%.2f %.2f %.2f 1/%d %d\n", l1, l5, l15, f.procs+6, f.lastPID)
	case dynStat:
		return renderStat(f, up, cpus)
	}
	return nil
}

// wobble is a deterministic value in [0, scale) for a time bucket.
func wobble(bucket int64, scale float64) float64 {
	h := fnv.New64a()
	fmt.Fprint(h, bucket)
	return float64(h.Sum64()%1000) / 1000 * scale
}

func renderStat(f dynFacts, up float64, cpus int) []byte {
	ticks := int64(up * 100) // USER_HZ
	type cpuT struct{ user, nice, system, idle, iowait, irq, softirq, steal int64 }
	per := func(i int) cpuT {
		w := int64(100 + 7*i) // CPUs are not perfectly even
		return cpuT{
			user:    ticks * 21 * w / 100 / 10000,
			nice:    ticks * w / 100 / 100000,
			system:  ticks * 12 * w / 100 / 10000,
			iowait:  ticks * 3 / 10000,
			softirq: ticks * 2 / 10000,
			steal:   ticks * 4 / 10000,
		}
	}
	var total cpuT
	var rows []cpuT
	for i := range cpus {
		c := per(i)
		c.idle = max(ticks-c.user-c.nice-c.system-c.iowait-c.softirq-c.steal, 0)
		rows = append(rows, c)
		total.user += c.user
		total.nice += c.nice
		total.system += c.system
		total.idle += c.idle
		total.iowait += c.iowait
		total.softirq += c.softirq
		total.steal += c.steal
	}
	var b strings.Builder
	line := func(name string, c cpuT) {
		fmt.Fprintf(&b, "%s %d %d %d %d %d %d %d %d 0 0\n", name, c.user, c.nice, c.system, c.idle, c.iowait, c.irq, c.softirq, c.steal)
	}
	line("cpu ", total)
	for i, c := range rows {
		line(fmt.Sprintf("cpu%d", i), c)
	}
	secs := int64(up)
	intr := secs * 310 * int64(cpus)
	fmt.Fprintf(&b, "intr %d 0 9 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n", intr)
	fmt.Fprintf(&b, "ctxt %d\n", secs*540*int64(cpus))
	if !f.boot.IsZero() {
		fmt.Fprintf(&b, "btime %d\n", f.boot.Unix())
	}
	fmt.Fprintf(&b, "processes %d\n", int64(f.lastPID)+secs/90)
	b.WriteString("procs_running 1\nprocs_blocked 0\n")
	sirq := secs * 95 * int64(cpus)
	fmt.Fprintf(&b, "softirq %d 0 %d %d %d %d 0 %d %d 0 %d\n", sirq, sirq*35/100, sirq/200, sirq*9/100, sirq/100, sirq/1000, sirq*20/100, sirq*30/100)
	return []byte(b.String())
}
