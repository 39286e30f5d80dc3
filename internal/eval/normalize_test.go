package eval

import (
	"strings"
	"testing"
	"time"
)

// testNormalizer pretends the run started a minute before 2026-11-26 06:11:17 UTC.
func testNormalizer() *Normalizer {
	now := time.Date(2026, 11, 26, 6, 11, 17, 0, time.UTC)
	return &Normalizer{
		Volatile:    true,
		Start:       now.Add(-time.Minute),
		Now:         func() time.Time { return now },
		Zones:       []*time.Location{time.UTC},
		ServerPorts: []int{2201, 2222},
	}
}

func TestNormalizerOffIsIdentity(t *testing.T) {
	in := " 06:11:17 up 37 min,  0 user,  load average: 6.19, 5.82, 3.86\n"
	for _, n := range []*Normalizer{nil, {}, {Volatile: false, Start: time.Now()}} {
		if got, counts := n.Apply(in); got != in || counts != nil {
			t.Errorf("normalisation off changed the text: %q %v", got, counts)
		}
	}
}

// TestNormalizerMasksVolatile gives pairs of outputs of the same command on the same machine at
// two moments: after masking they must be equal, and each listed mask must have fired.
func TestNormalizerMasksVolatile(t *testing.T) {
	for _, c := range []struct {
		name  string
		a, b  string
		masks []string
	}{
		{"uptime", " 06:11:17 up 37 min,  0 user,  load average: 6.19, 5.82, 3.86\n",
			" 06:10:59 up 2 days,  3:04,  0 user,  load average: 0.00, 0.01, 0.05\n",
			[]string{MaskClock, MaskUptime, MaskLoad}},
		{"uptime -p", "up 37 minutes\n", "up 1 week, 2 days, 3 hours, 1 minute\n", []string{MaskUptime}},
		{"uptime -s", "2026-11-26 05:33:29\n", "2026-11-01 00:00:00\n", []string{MaskUptime}},
		{"who -b", "         system boot  2026-11-26 05:33\n", "         system boot  2026-10-02 11:00\n", []string{MaskUptime}},
		{"/proc/uptime", "2268.85 2404.48\n", "10.02 3.50\n", []string{MaskUptime}},
		{"/proc/loadavg", "6.19 5.82 3.86 4/164 777\n", "0.00 0.00 0.00 1/90 12\n", []string{MaskLoad}},
		{"date", "Thu Nov 26 06:11:17 UTC 2026\n", "Thu Nov 26 06:11:18 UTC 2026\n", []string{MaskClock}},
		{"date -R", "Thu, 26 Nov 2026 06:11:17 +0000\n", "Thu, 26 Nov 2026 06:12:01 +0000\n", []string{MaskClock}},
		{"date +%s", "1795673477\n", "1795673478\n", []string{MaskEpoch}},
		{"ls -l new file", "-rw-r--r-- 1 root root 6 Nov 26 06:10 t1.txt\n", "-rw-r--r-- 1 root root 6 Nov 26 06:11 t1.txt\n", []string{MaskClock}},
		{"ls --full-time", "-rw-r--r-- 1 root root 6 2026-11-26 06:10:59.191656234 +0000 t\n",
			"-rw-r--r-- 1 root root 6 2026-11-26 06:11:00.000000001 +0000 t\n", []string{MaskClock}},
		{"ps aux", "USER       PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND\n" +
			"root         1  0.6  0.0  44348 13516 ?        Ss   05:33   0:15 /sbin/init\n" +
			"root       777  0.0  0.0   9000  3000 ?        R    06:11   0:00 ps aux\n",
			"USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND\n" +
				"root           1  0.1  0.1  44000 13000 ?        Ss   Nov24   1:15 /sbin/init\n" +
				"root       12345  0.0  0.0   9100  3100 ?        R    06:10   0:00 ps aux\n",
			[]string{MaskProcess}},
		{"ps -ef", "UID        PID  PPID  C STIME TTY          TIME CMD\nroot         1     0  0 05:33 ?        00:00:15 /sbin/init\n",
			"UID          PID    PPID  C STIME TTY          TIME CMD\nroot           1       0  2 Nov24 ?        00:01:15 /sbin/init\n",
			[]string{MaskProcess}},
		{"ps", "  PID TTY          TIME CMD\n  777 ?        00:00:00 bash\n  778 ?        00:00:00 ps\n",
			"    PID TTY          TIME CMD\n  12345 ?        00:00:00 bash\n  12346 ?        00:00:00 ps\n",
			[]string{MaskProcess}},
		{"ps x", "  PID TTY      STAT   TIME COMMAND\n    1 ?        Ss     0:15 /sbin/init\n",
			"    PID TTY      STAT   TIME COMMAND\n      1 ?        Ss     2:01 /sbin/init\n", []string{MaskProcess}},
		{"top", "top - 06:11:17 up 37 min,  0 user,  load average: 6.19, 5.82, 3.86\n" +
			"Tasks:  99 total,   2 running,  97 sleeping,   0 stopped,   0 zombie\n" +
			"%Cpu(s): 50.0 us, 50.0 sy,  0.0 ni,  0.0 id,  0.0 wa,  0.0 hi,  0.0 si,  0.0 st \n" +
			"MiB Mem :  24105.1 total,  22300.3 free,    600.6 used,   1494.6 buff/cache     \n" +
			"MiB Swap:      0.0 total,      0.0 free,      0.0 used.  23504.5 avail Mem \n\n" +
			"    PID USER      PR  NI    VIRT    RES    SHR S  %CPU  %MEM     TIME+ COMMAND\n" +
			"      1 root      20   0  168360  12840   8624 S   0.0   0.3   0:01.23 systemd\n",
			"top - 06:11:19 up 40 min,  0 user,  load average: 1.00, 2.00, 3.00\n" +
				"Tasks: 101 total,   1 running, 100 sleeping,   0 stopped,   0 zombie\n" +
				"%Cpu(s):  0.0 us,  3.1 sy,  0.0 ni, 96.9 id,  0.0 wa,  0.0 hi,  0.0 si,  0.0 st \n" +
				"MiB Mem :  24105.1 total,  22000.0 free,    700.1 used,   1400.0 buff/cache     \n" +
				"MiB Swap:      0.0 total,      0.0 free,      0.0 used.  23000.2 avail Mem \n\n" +
				"  PID USER      PR  NI    VIRT    RES    SHR S  %CPU  %MEM     TIME+ COMMAND\n" +
				"    1 root      20   0  168000  12000   8000 S   6.2   0.2   0:02.00 systemd\n",
			[]string{MaskClock, MaskUptime, MaskLoad, MaskTopSummary, MaskProcess}},
		{"free", "               total        used        free      shared  buff/cache   available\n" +
			"Mem:        24683620      614988    22835476        8952     1530600    24068632\n" +
			"Swap:              0           0           0\n",
			"               total        used        free      shared  buff/cache   available\n" +
				"Mem:        24683620     1614988     2835476       18952     1000600    23068632\n" +
				"Swap:              0           0           0\n",
			[]string{MaskFree}},
		{"meminfo", "MemTotal:       24683620 kB\nMemFree:        22835476 kB\nDirectMap4k:       28672 kB\n",
			"MemTotal:       24683620 kB\nMemFree:          835476 kB\nDirectMap4k:       30720 kB\n", []string{MaskMeminfo}},
		{"dd", "4+0 records in\n4+0 records out\n4096 bytes (4.1 kB, 4.0 KiB) copied, 0.000138774 s, 29.5 MB/s\n",
			"4+0 records in\n4+0 records out\n4096 bytes (4.1 kB, 4.0 KiB) copied, 1.2e-05 s, 318 kB/s\n", []string{MaskDDRate}},
		{"dd small", "52 bytes copied, 0.000163559 s, 318 kB/s\n", "52 bytes copied, 0.3 s, 1.1 GB/s\n", []string{MaskDDRate}},
		{"cpu MHz", "cpu MHz\t\t: 2096.018\n", "cpu MHz\t\t: 2399.998\n", []string{MaskCPUMHz}},
		{"ping", "64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.045 ms\n\n--- 127.0.0.1 ping statistics ---\n" +
			"1 packets transmitted, 1 received, 0% packet loss, time 0ms\nrtt min/avg/max/mdev = 0.045/0.045/0.045/0.000 ms\n",
			"64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.120 ms\n\n--- 127.0.0.1 ping statistics ---\n" +
				"1 packets transmitted, 1 received, 0% packet loss, time 1ms\nrtt min/avg/max/mdev = 0.120/0.120/0.120/0.000 ms\n",
			[]string{MaskPing}},
		{"SSH_CLIENT", "SSH_CLIENT=127.0.0.1 54321 2222\n", "SSH_CLIENT=127.0.0.1 40002 2201\n", []string{MaskSessionPort}},
		{"SSH_CONNECTION", "127.0.0.1 54321 127.0.0.1 2222\n", "127.0.0.1 40002 127.0.0.1 2201\n", []string{MaskSessionPort}},
		{"ss", "ESTAB 0 0 127.0.0.1:2222 127.0.0.1:54321\n", "ESTAB 0 0 127.0.0.1:2201 127.0.0.1:40002\n", []string{MaskSessionPort}},
		{"mktemp", "/tmp/tmp.Ab3dEf9hIj\n", "/tmp/tmp.ZZ0aa1bb2c\n", []string{MaskMktemp}},
	} {
		n := testNormalizer()
		na, ca := n.Apply(c.a)
		nb, cb := n.Apply(c.b)
		if na != nb {
			t.Errorf("%s: still different after masking:\n%s\nvs\n%s", c.name, na, nb)
		}
		for _, m := range c.masks {
			if ca[m] == 0 || cb[m] == 0 {
				t.Errorf("%s: mask %s did not fire (%v / %v)", c.name, m, ca, cb)
			}
		}
	}
}

// TestNormalizerKeepsPersonaDifferences gives pairs that differ in what the persona decides:
// masking must leave them different.
func TestNormalizerKeepsPersonaDifferences(t *testing.T) {
	for _, c := range []struct{ name, a, b string }{
		{"hostname", "Linux web01 6.1.0-28-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 (2024-11-22) x86_64 GNU/Linux\n",
			"Linux svr04 6.1.0-28-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 (2024-11-22) x86_64 GNU/Linux\n"},
		{"kernel", "6.1.0-28-amd64\n", "6.1.0-26-amd64\n"},
		{"file list", "bin\nboot\ndev\n", "bin\nboot\n"},
		{"file size", "-rwxr-xr-x 1 root root 151344 Sep 20  2022 /usr/bin/ls\n", "-rwxr-xr-x 1 root root 138208 Sep 20  2022 /usr/bin/ls\n"},
		{"owner", "-rw-r--r-- 1 root root 6 Nov 26 06:10 t\n", "-rw-r--r-- 1 admin admin 6 Nov 26 06:10 t\n"},
		{"old mtime equal to the clock", "-rw-r--r-- 1 root root 6 Mar  3 06:11 t\n", "-rw-r--r-- 1 root root 6 Mar  3 06:12 t\n"},
		{"old mtime full", "2023-01-01 06:11:00.000000000 +0000\n", "2023-01-01 06:11:30.000000000 +0000\n"},
		{"time far from now", "12:00\n", "12:01\n"},
		{"total memory", "Mem:        2048000      614988    22835476        8952     1530600    24068632\n",
			"Mem:        4096000      614988    22835476        8952     1530600    24068632\n"},
		{"MemTotal", "MemTotal:       2048000 kB\n", "MemTotal:       4096000 kB\n"},
		{"top total", "MiB Mem :   1987.6 total,    100.0 free,    500.0 used,   1300.0 buff/cache\n",
			"MiB Mem :   3987.6 total,    100.0 free,    500.0 used,   1300.0 buff/cache\n"},
		{"CPU count", "CPU(s):                  2\n", "CPU(s):                  4\n"},
		{"ps command", "root         1  0.6  0.0  44348 13516 ?        Ss   05:33   0:15 /sbin/init\n",
			"root         1  0.6  0.0  44348 13516 ?        Ss   05:33   0:15 /lib/systemd/systemd\n"},
		{"ps user", "root       555  0.0  0.0   9000  3000 ?        Ss   05:33   0:00 /usr/sbin/cron -f\n",
			"daemon     555  0.0  0.0   9000  3000 ?        Ss   05:33   0:00 /usr/sbin/cron -f\n"},
		{"listening port", "LISTEN 0 128 0.0.0.0:22 0.0.0.0:*\n", "LISTEN 0 128 0.0.0.0:2222 0.0.0.0:*\n"},
		{"df sizes", "/dev/vda1        20G  2.1G   17G  12% /\n", "/dev/vda1        40G  2.1G   37G   6% /\n"},
		{"MAC address", "link/ether 00:16:3e:06:11:17 brd ff:ff:ff:ff:ff:ff\n", "link/ether 00:16:3e:06:11:18 brd ff:ff:ff:ff:ff:ff\n"},
		{"timezone", "Thu Nov 26 06:11:17 UTC 2026\n", "Thu Nov 26 06:11:17 CET 2026\n"},
		{"cpu model", "model name\t: Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz\n", "model name\t: AMD EPYC 7543 32-Core Processor\n"},
		{"not a meminfo line", "Size: 4096\n", "Size: 8192\n"},
		{"dd byte count", "52 bytes copied, 0.1 s, 520 B/s\n", "64 bytes copied, 0.1 s, 640 B/s\n"},
	} {
		n := testNormalizer()
		na, _ := n.Apply(c.a)
		nb, _ := n.Apply(c.b)
		if na == nb {
			t.Errorf("%s: masking hid a persona difference; both became %q", c.name, na)
		}
	}
}

func TestNormalizerClockNeedsNow(t *testing.T) {
	n := testNormalizer()
	for in, masked := range map[string]bool{
		"06:11":                 true,
		"06:09":                 true, // run start minus slack is 06:08:17
		"06:05":                 false,
		"6:13:00":               true,
		"06:14:00":              false,
		"Nov 26 06:11":          true,
		"Nov 25 06:11":          false,
		"2026-11-26 06:11:17":   true,
		"2025-11-26T06:11:17":   false,
		"26 Nov 2026 06:11:17":  true,
		"26 Nov 2025 06:11:17":  false,
		"fe80::06:11":           false,
		"port 06:11:17:ab":      false,
		"version 1795673477":    true,
		"version 1795000000":    false,
		"inode 10000000000":     false,
		"total 24:11":           false, // no hour 24
		"elapsed 06:11 minutes": true,  // a time of day now; documented as masked
	} {
		got, _ := n.Apply(in)
		if changed := got != in; changed != masked {
			t.Errorf("Apply(%q) = %q, masked %v, want %v", in, got, changed, masked)
		}
	}
}

func TestNormalizerZonesAndMidnight(t *testing.T) {
	berlin := time.FixedZone("CET", 3600)
	now := time.Date(2026, 11, 26, 23, 59, 30, 0, time.UTC)
	n := &Normalizer{Volatile: true, Start: now.Add(-time.Minute), Now: func() time.Time { return now },
		Zones: []*time.Location{time.UTC, berlin}}
	for _, in := range []string{"23:59:31", "00:59:30", "Nov 27 00:59", "Nov 26 23:58"} {
		if got, _ := n.Apply(in); got != "<TIME>" && !strings.HasSuffix(got, "<TIME>") {
			t.Errorf("Apply(%q) = %q, want the time masked", in, got)
		}
	}
	if got, _ := n.Apply("Nov 27 23:59"); got != "Nov 27 23:59" {
		t.Errorf("tomorrow's same clock was masked: %q", got)
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{
		" 06:11:17 up 37 min,  0 user,  load average: 6.19, 5.82, 3.86\n",
		"root 1 0.6 0.0 44348 13516 ? Ss 05:33 0:15 /sbin/init\n",
		"Mem: 1 2 3\nMemFree: 5 kB\n", "127.0.0.1 54321 127.0.0.1 2222", "Nov 26 06:11", "\xff:\xfe",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := testNormalizer()
		out, counts := n.Apply(s)
		again, _ := n.Apply(s)
		if out != again {
			t.Fatalf("Apply is not deterministic on %q", s)
		}
		for name, c := range counts {
			if c <= 0 {
				t.Fatalf("mask %s reported %d replacements", name, c)
			}
		}
		if counts == nil && out != s {
			t.Fatalf("text changed without a mask being counted: %q -> %q", s, out)
		}
	})
}
