package commands

import (
	"fmt"
	"strconv"
	"strings"
)

// lscpu: util-linux 2.38.1's summary from the persona's /proc/cpuinfo and its
// /sys/devices/system/cpu/vulnerabilities, flat when piped and as a tree on a terminal.

type lscpuRow struct {
	depth int
	label string
	value string
}

func (c *cmd) cpuinfoFields() map[string]string {
	out := map[string]string{}
	s, _ := c.readText("/proc/cpuinfo")
	for _, line := range strings.Split(s, "\n") {
		if line == "" {
			if len(out) > 0 {
				break
			}
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		k = strings.TrimSpace(k)
		if _, dup := out[k]; !dup {
			out[k] = strings.TrimSpace(v)
		}
	}
	return out
}

func lscpuCmd(p *Proc) int {
	c := newCmd(p)
	opts, _, ok, st := c.parse(optSpec{Short: "abcCeJpsxyVh", Long: []longOpt{
		{Name: "help", Key: "h"}, {Name: "version", Key: "V"}, {Name: "json", Key: "J"},
		{Name: "hierarchic", Arg: argOptional, Key: "hier"}, {Name: "online", Key: "b"}, {Name: "all", Key: "a"},
	}}, 1)
	if !ok {
		return st
	}
	tree := c.StdoutTTY
	for _, o := range opts {
		switch o.Key {
		case "h":
			return c.sysHelp("help", "lscpu")
		case "V":
			c.print("lscpu from util-linux 2.38.1\n")
			return c.done(0)
		case "hier":
			tree = !o.HasVal || o.Val == "always" || (o.Val == "auto" && c.StdoutTTY)
		}
	}
	ci := c.cpuinfoFields()
	n := c.cpuCount()
	model := ci["model name"]
	if model == "" {
		model = c.persona().Hardware.CPUModel
	}
	if model == "" {
		model = "Intel Xeon Processor (Skylake, IBRS)"
	}
	vendor := ci["vendor_id"]
	if vendor == "" {
		vendor = "GenuineIntel"
		if strings.Contains(model, "AMD") {
			vendor = "AuthenticAMD"
		}
	}
	def := func(k, d string) string {
		if v := ci[k]; v != "" {
			return v
		}
		return d
	}
	online := "0"
	if n > 1 {
		online = "0-" + strconv.Itoa(n-1)
		if n == 2 {
			online = "0,1"
		}
	}
	threads, cores, sockets := c.cpuTopology(n)
	bogo := def("bogomips", "4589.21")
	if f, err := strconv.ParseFloat(bogo, 64); err == nil {
		bogo = fmt.Sprintf("%.2f", f)
	}
	rows := []lscpuRow{
		{0, "Architecture:", c.kernel().Machine},
		{1, "CPU op-mode(s):", "32-bit, 64-bit"},
		{1, "Address sizes:", def("address sizes", "40 bits physical, 48 bits virtual")},
		{1, "Byte Order:", "Little Endian"},
		{0, "CPU(s):", strconv.Itoa(n)},
		{1, "On-line CPU(s) list:", online},
		{0, "Vendor ID:", vendor},
		{1, "Model name:", model},
		{2, "CPU family:", def("cpu family", "6")},
		{2, "Model:", def("model", "85")},
		{2, "Thread(s) per core:", strconv.Itoa(threads)},
		{2, "Core(s) per socket:", strconv.Itoa(cores)},
		{2, "Socket(s):", strconv.Itoa(sockets)},
		{2, "Stepping:", def("stepping", "4")},
		{2, "BogoMIPS:", bogo},
		{2, "Flags:", def("flags", "fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ss syscall nx pdpe1gb rdtscp lm constant_tsc rep_good nopl xtopology cpuid tsc_known_freq pni pclmulqdq ssse3 fma cx16 pcid sse4_1 sse4_2 x2apic movbe popcnt tsc_deadline_timer aes xsave avx f16c rdrand hypervisor lahf_lm abm 3dnowprefetch cpuid_fault invpcid_single pti ssbd ibrs ibpb stibp fsgsbase tsc_adjust bmi1 hle avx2 smep bmi2 erms invpcid rtm mpx avx512f avx512dq rdseed adx smap clflushopt clwb avx512cd avx512bw avx512vl xsaveopt xsavec xgetbv1 xsaves arat pku ospke md_clear arch_capabilities")},
	}
	if strings.Contains(" "+ci["flags"]+" ", " hypervisor ") || ci["flags"] == "" {
		rows = append(rows, lscpuRow{0, "Virtualization features:", ""},
			lscpuRow{1, "Hypervisor vendor:", "KVM"}, lscpuRow{1, "Virtualization type:", "full"})
	}
	rows = append(rows, lscpuRow{0, "NUMA:", ""}, lscpuRow{1, "NUMA node(s):", "1"}, lscpuRow{1, "NUMA node0 CPU(s):", online})
	if c.FS != nil {
		if ents, err := c.FS.ReadDir("/sys/devices/system/cpu/vulnerabilities"); err == nil && len(ents) > 0 {
			rows = append(rows, lscpuRow{0, "Vulnerabilities:", ""})
			for _, e := range ents {
				v, _ := c.readText("/sys/devices/system/cpu/vulnerabilities/" + e.Name)
				name := strings.ReplaceAll(e.Name, "_", " ")
				if name != "" {
					name = strings.ToUpper(name[:1]) + name[1:]
				}
				rows = append(rows, lscpuRow{1, name + ":", strings.TrimSpace(v)})
			}
		}
	}
	// Flat output drops the section headers and names vulnerabilities in full.
	var lines []lscpuRow
	for _, r := range rows {
		if !tree {
			if r.value == "" && r.depth == 0 && (r.label == "Virtualization features:" || r.label == "NUMA:" || r.label == "Vulnerabilities:") {
				continue
			}
			if strings.HasPrefix(r.label, "Hypervisor") || strings.HasPrefix(r.label, "Virtualization type") || strings.HasPrefix(r.label, "NUMA node") {
				r.depth = 0
			} else if r.depth > 0 && isVulnRow(rows, r) {
				r.label = "Vulnerability " + r.label
			}
			r.depth = 0
		}
		lines = append(lines, r)
	}
	width := 0
	for _, r := range lines {
		if w := 2*r.depth + len(r.label); w > width {
			width = w
		}
	}
	for _, r := range lines {
		lab := strings.Repeat("  ", r.depth) + r.label
		if r.value == "" {
			c.printf("%-*s \n", width, lab)
			continue
		}
		c.printf("%-*s %s\n", width, lab, r.value)
	}
	return c.done(0)
}

// cpuTopology derives threads per core, cores per socket and sockets from /proc/cpuinfo's
// "physical id", "cpu cores" and "siblings" as lscpu does; without them every CPU is a
// single-core socket.
func (c *cmd) cpuTopology(n int) (threads, cores, sockets int) {
	s, _ := c.readText("/proc/cpuinfo")
	ids := map[string]bool{}
	coresPer, siblings := 0, 0
	for _, line := range strings.Split(s, "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch strings.TrimSpace(k) {
		case "physical id":
			ids[v] = true
		case "cpu cores":
			coresPer, _ = strconv.Atoi(v)
		case "siblings":
			siblings, _ = strconv.Atoi(v)
		}
	}
	if len(ids) == 0 || coresPer <= 0 {
		return 1, 1, max(1, n)
	}
	threads = 1
	if siblings > coresPer {
		threads = siblings / coresPer
	}
	return threads, coresPer, len(ids)
}

// isVulnRow reports whether r sits under the Vulnerabilities section.
func isVulnRow(rows []lscpuRow, r lscpuRow) bool {
	in := false
	for _, x := range rows {
		if x.depth == 0 {
			in = x.label == "Vulnerabilities:"
		}
		if x == r {
			return in
		}
	}
	return false
}
