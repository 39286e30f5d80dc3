package persona

import (
	"fmt"
	"path"
	"time"
)

// processTable makes the process list of an idle Debian 12 server that runs what the
// captured packages install: systemd's core daemons, cron, rsyslog, sshd, the gettys, and
// the kernel threads a 6.1 kernel starts on cpus CPUs. The session's own sshd and shell
// are not here: the shell adds them.
//
// units maps each userspace pid to the systemd unit (cgroup path) it runs in.
func processTable(installed map[string]string, cpus int, rootDev string) (ps []Process, units map[int]string) {
	units = map[int]string{}
	pid := 0
	kthread := func(name, stat string, start, cpu time.Duration) {
		pid++
		ps = append(ps, Process{PID: pid, PPID: 2, User: "root", Command: "[" + name + "]", TTY: "?", Stat: stat, Start: start, CPUTime: cpu})
	}
	skip := func(n int) { pid += n }

	pid = 1
	ps = append(ps, Process{PID: 1, PPID: 0, User: "root", Command: "/sbin/init", TTY: "?", Stat: "Ss",
		Start: 0, CPUTime: 4*time.Second + 810*time.Millisecond, VSZKB: 168140, RSSKB: 12024})
	units[1] = "/init.scope"
	pid = 2
	ps = append(ps, Process{PID: 2, PPID: 0, User: "root", Command: "[kthreadd]", TTY: "?", Stat: "S"})
	kthread("rcu_gp", "I<", 0, 0)
	kthread("rcu_par_gp", "I<", 0, 0)
	kthread("slub_flushwq", "I<", 0, 0)
	kthread("netns", "I<", 0, 0)
	skip(1)
	kthread("kworker/0:0H-events_highpri", "I<", 0, 0)
	skip(1)
	kthread("mm_percpu_wq", "I<", 0, 0)
	kthread("rcu_tasks_kthread", "I", 0, 0)
	kthread("rcu_tasks_rude_kthread", "I", 0, 0)
	kthread("rcu_tasks_trace_kthread", "I", 0, 0)
	kthread("ksoftirqd/0", "S", 0, 310*time.Millisecond)
	kthread("rcu_preempt", "I", 0, 2*time.Second+140*time.Millisecond)
	kthread("migration/0", "S", 0, 90*time.Millisecond)
	skip(1)
	kthread("cpuhp/0", "S", 0, 0)
	for i := 1; i < cpus; i++ {
		kthread(fmt.Sprintf("cpuhp/%d", i), "S", 0, 0)
		kthread(fmt.Sprintf("migration/%d", i), "S", 0, 80*time.Millisecond)
		kthread(fmt.Sprintf("ksoftirqd/%d", i), "S", 0, 240*time.Millisecond)
		skip(1)
		kthread(fmt.Sprintf("kworker/%d:0H-events_highpri", i), "I<", 0, 0)
	}
	early := 200 * time.Millisecond
	for _, k := range []struct{ name, stat string }{
		{"kdevtmpfs", "S"}, {"inet_frag_wq", "I<"}, {"kauditd", "S"}, {"khungtaskd", "S"},
		{"oom_reaper", "S"}, {"writeback", "I<"}, {"kcompactd0", "S"}, {"ksmd", "SN"},
		{"khugepaged", "SN"}, {"kintegrityd", "I<"}, {"kblockd", "I<"}, {"blkcg_punt_bio", "I<"},
		{"tpm_dev_wq", "I<"}, {"edac-poller", "I<"}, {"devfreq_wq", "I<"},
	} {
		kthread(k.name, k.stat, early, 0)
	}
	skip(1)
	kthread("kworker/0:1H-kblockd", "I<", early, 20*time.Millisecond)
	kthread("kswapd0", "S", early, 0)
	skip(5)
	for _, k := range []string{"kthrotld", "acpi_thermal_pm", "mld", "ipv6_addrconf", "kstrp", "zswap-shrink"} {
		kthread(k, "I<", early, 0)
	}
	skip(3)
	kthread("kworker/u9:0", "I<", early, 0)
	skip(40 + 3*cpus)
	dev := path.Base(rootDev)
	if dev == "." || dev == "/" || dev == "" {
		dev = "vda1"
	}
	kthread("jbd2/"+dev+"-8", "S", 1500*time.Millisecond, 410*time.Millisecond)
	kthread("ext4-rsv-conver", "I<", 1500*time.Millisecond, 0)
	skip(30)

	daemon := func(user, cmd, tty, stat, unit string, start, cpu time.Duration, vsz, rss int64) {
		pid++
		ps = append(ps, Process{PID: pid, PPID: 1, User: user, Command: cmd, TTY: tty, Stat: stat,
			Start: start, CPUTime: cpu, VSZKB: vsz, RSSKB: rss})
		units[pid] = unit
	}
	daemon("root", "/lib/systemd/systemd-journald", "?", "Ss", "/system.slice/systemd-journald.service",
		1900*time.Millisecond, 1*time.Second+520*time.Millisecond, 49104, 16532)
	skip(27)
	if _, ok := installed["udev"]; ok {
		daemon("root", "/lib/systemd/systemd-udevd", "?", "Ss", "/system.slice/systemd-udevd.service",
			2100*time.Millisecond, 610*time.Millisecond, 25664, 6912)
	}
	skip(120)
	kthread("cryptd", "I<", 2600*time.Millisecond, 0)
	skip(90)
	if _, ok := installed["systemd-timesyncd"]; ok {
		daemon("systemd-timesync", "/lib/systemd/systemd-timesyncd", "?", "Ssl", "/system.slice/systemd-timesyncd.service",
			3*time.Second, 190*time.Millisecond, 90200, 6580)
	}
	skip(60)
	if _, ok := installed["cron"]; ok {
		daemon("root", "/usr/sbin/cron -f", "?", "Ss", "/system.slice/cron.service",
			3400*time.Millisecond, 230*time.Millisecond, 6612, 2688)
	}
	if _, ok := installed["dbus"]; ok {
		daemon("messagebus", "/usr/bin/dbus-daemon --system --address=systemd: --nofork --nopidfile --systemd-activation --syslog-only",
			"?", "Ss", "/system.slice/dbus.service", 3400*time.Millisecond, 120*time.Millisecond, 9220, 4892)
		daemon("root", "/lib/systemd/systemd-logind", "?", "Ss", "/system.slice/systemd-logind.service",
			3500*time.Millisecond, 210*time.Millisecond, 25344, 7904)
	}
	skip(2)
	if _, ok := installed["rsyslog"]; ok {
		daemon("root", "/usr/sbin/rsyslogd -n -iNONE", "?", "Ssl", "/system.slice/rsyslog.service",
			3500*time.Millisecond, 580*time.Millisecond, 222220, 5924)
	}
	skip(9)
	daemon("root", `/sbin/agetty -o -p -- \u --keep-baud 115200,57600,38400,9600 - vt220`, "ttyS0", "Ss+",
		`/system.slice/system-serial\x2dgetty.slice/serial-getty@ttyS0.service`, 3700*time.Millisecond, 0, 5880, 1976)
	daemon("root", `/sbin/agetty -o -p -- \u --noclear - linux`, "tty1", "Ss+",
		"/system.slice/system-getty.slice/getty@tty1.service", 3700*time.Millisecond, 0, 5880, 1852)
	if _, ok := installed["openssh-server"]; ok {
		daemon("root", "sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups", "?", "Ss", "/system.slice/ssh.service",
			3800*time.Millisecond, 3*time.Second+70*time.Millisecond, 15436, 9236)
	}
	// Workers the kernel started later, as a box that has been up a while shows them.
	later := 2 * time.Hour
	skip(700)
	for i := 0; i < cpus; i++ {
		kthread(fmt.Sprintf("kworker/%d:1-events", i), "I", later, 1*time.Second+time.Duration(i)*130*time.Millisecond)
		skip(3)
	}
	skip(1400)
	kthread("kworker/u8:2-events_unbound", "I", 20*later, 380*time.Millisecond)
	skip(900)
	kthread("kworker/u8:0-flush-"+diskMajorMinor(dev), "I", 40*later, 90*time.Millisecond)
	skip(300)
	kthread(fmt.Sprintf("kworker/%d:2-mm_percpu_wq", cpus-1), "I", 41*later, 40*time.Millisecond)
	return ps, units
}

// diskMajorMinor names the writeback worker of a virtio disk ("254:0").
func diskMajorMinor(string) string { return "254:0" }
