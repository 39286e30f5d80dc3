package persona

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// synth makes the kernel filesystems (/proc, /sys, /dev) and the tmpfs /run of a running
// system from the persona's facts, so that every way of reading a fact gives one answer:
// /proc/cpuinfo and Hardware.CPUs, /proc/meminfo and MemTotalKB, /proc/version and uname,
// /proc/mounts and df.
type synth struct {
	c     *capturer
	f     *facts
	h     *hostFacts
	boot  time.Time
	ino   uint64
	dirs  map[string]string // synthetic directory -> how its size is computed ("tmpfs", "zero", "")
	units map[int]string
	uuids map[string]string // mount point -> filesystem UUID, from the tree's /etc/fstab
}

func (c *capturer) synthesize(f *facts, h *hostFacts) error {
	s := &synth{c: c, f: f, h: h, boot: f.BootTime, dirs: map[string]string{}, units: c.units, uuids: fstabUUIDs(c.readRootFile("/etc/fstab"))}
	steps := []func() error{s.proc, s.sys, s.dev, s.run, s.bootTmp}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	s.lostFound()
	s.finishDirs()
	return nil
}

func (s *synth) gid(name string, def uint32) uint32 {
	if i, ok := s.c.acct.groupByName[name]; ok {
		return uint32(s.c.acct.groups[i].GID)
	}
	return def
}

func (s *synth) uid(name string) uint32 {
	if i, ok := s.c.acct.userByName[name]; ok {
		return uint32(s.c.acct.users[i].UID)
	}
	return 0
}

func (s *synth) base(p string, mode, uid, gid uint32, t time.Time) entry {
	s.ino++
	s.c.sum.Synthetic++
	ns := t.UnixNano()
	return entry{Path: p, Mode: mode, UID: uid, GID: gid, Owner: s.c.acct.userName(uid), Group: s.c.acct.groupName(gid),
		MTime: ns, ATime: ns, CTime: ns, Nlink: 1, Ino: s.ino}
}

// dir adds a directory; sizing says how finishDirs computes its size: "tmpfs" (40 bytes
// plus 20 per entry, as tmpfs and devtmpfs report), "zero" (kernel filesystems).
func (s *synth) dir(p string, perm, uid, gid uint32, sizing string, t time.Time) {
	e := s.base(p, sIFDIR|perm, uid, gid, t)
	s.c.add(e)
	s.dirs[p] = sizing
}

// file adds a regular file with its content. size is what stat reports: -1 for the content
// length, 0 for /proc files, 4096 for sysfs attributes.
func (s *synth) file(p string, perm, uid, gid uint32, content []byte, size int64, t time.Time) error {
	e := s.base(p, sIFREG|perm, uid, gid, t)
	e.Size = size
	if size < 0 {
		e.Size = int64(len(content))
	}
	m, h1, h256 := md5.Sum(content), sha1.Sum(content), sha256.Sum256(content)
	e.MD5, e.SHA1, e.SHA256 = hexString(m[:]), hexString(h1[:]), hexString(h256[:])
	e.Full = true
	s.c.putBlob(&e, content)
	s.c.add(e)
	return nil
}

func (s *synth) dynamic(p, kind string, t time.Time) {
	e := s.base(p, sIFREG|0o444, 0, 0, t)
	e.Dynamic = kind
	s.c.add(e)
}

func (s *synth) link(p, target string, t time.Time) {
	e := s.base(p, sIFLNK|0o777, 0, 0, t)
	e.Target = target
	e.Size = int64(len(target))
	s.c.add(e)
}

func (s *synth) node(p string, typ, perm, uid, gid, major, minor uint32, t time.Time) {
	e := s.base(p, typ|perm, uid, gid, t)
	if typ == sIFCHR || typ == sIFBLK {
		e.Rdev = mkdev(major, minor)
	}
	s.c.add(e)
}

func (s *synth) proc() error {
	s.ino = 0
	t := s.boot.Add(1 * time.Second)
	s.dir("/proc", 0o555, 0, 0, "zero", s.boot)
	files := []struct {
		name    string
		content []byte
	}{
		{"cpuinfo", s.h.cpuinfo},
		{"meminfo", s.h.meminfo},
		{"version", withNewline(s.h.version)},
		{"cmdline", []byte(s.cmdline())},
		{"filesystems", []byte(procFilesystems)},
		{"swaps", []byte(s.swaps())},
		{"partitions", []byte(s.partitions())},
	}
	for _, f := range files {
		if err := s.file("/proc/"+f.name, 0o444, 0, 0, f.content, 0, t); err != nil {
			return err
		}
	}
	s.dynamic("/proc/uptime", "uptime", t)
	s.dynamic("/proc/loadavg", "loadavg", t)
	s.dynamic("/proc/stat", "stat", t)

	mounts := s.h.mounts
	if mounts == nil {
		mounts = []byte(mountsText(s.f.Hardware.Disks))
	}
	s.link("/proc/mounts", "self/mounts", t)
	s.dir("/proc/self", 0o555, 0, 0, "zero", t)
	if err := s.file("/proc/self/mounts", 0o444, 0, 0, mounts, 0, t); err != nil {
		return err
	}
	s.link("/proc/self/exe", "/usr/bin/bash", t)

	s.dir("/proc/sys", 0o555, 0, 0, "zero", t)
	s.dir("/proc/sys/fs", 0o555, 0, 0, "zero", t)
	s.dir("/proc/sys/fs/binfmt_misc", 0o555, 0, 0, "zero", t)
	s.dir("/proc/sys/kernel", 0o555, 0, 0, "zero", t)
	k := s.f.Kernel
	for _, f := range []struct {
		name, value string
		perm        uint32
	}{
		{"hostname", s.f.Hostname, 0o644},
		{"domainname", "(none)", 0o644},
		{"osrelease", k.Release, 0o444},
		{"ostype", k.Sysname, 0o444},
		{"version", k.Version, 0o444},
		{"pid_max", "4194304", 0o644},
	} {
		if err := s.file("/proc/sys/kernel/"+f.name, f.perm, 0, 0, []byte(f.value+"\n"), 0, t); err != nil {
			return err
		}
	}

	for _, p := range s.f.Processes {
		dir := fmt.Sprintf("/proc/%d", p.PID)
		uid := s.uid(p.User)
		st := s.boot.Add(p.Start)
		s.dir(dir, 0o555, uid, uid, "zero", st)
		kernel := strings.HasPrefix(p.Command, "[")
		var cmdline []byte
		if !kernel {
			if strings.Contains(p.Command, ": ") {
				cmdline = []byte(p.Command) // a process title set by the program (sshd)
			} else {
				cmdline = []byte(strings.ReplaceAll(p.Command, " ", "\x00") + "\x00")
			}
		}
		unit := s.units[p.PID]
		if unit == "" {
			unit = "/"
		}
		for _, f := range []struct {
			name    string
			perm    uint32
			content string
		}{
			{"cmdline", 0o444, string(cmdline)},
			{"comm", 0o644, procComm(p.Command) + "\n"},
			{"status", 0o444, procStatus(p, uid)},
			{"cgroup", 0o444, "0::" + unit + "\n"},
		} {
			if err := s.file(dir+"/"+f.name, f.perm, uid, uid, []byte(f.content), 0, st); err != nil {
				return err
			}
		}
	}
	return nil
}

func withNewline(b []byte) []byte {
	if len(b) > 0 && b[len(b)-1] != '\n' {
		return append(append([]byte(nil), b...), '\n')
	}
	return b
}

func (s *synth) cmdline() string {
	root := "root=" + rootDiskDevice(s.f.Hardware.Disks)
	if u := s.uuids["/"]; u != "" {
		root = "root=UUID=" + u
	}
	return fmt.Sprintf("BOOT_IMAGE=/boot/vmlinuz-%s %s ro console=tty0 console=ttyS0,115200 earlyprintk=ttyS0,115200 consoleblank=0\n", s.f.Kernel.Release, root)
}

func (s *synth) swaps() string {
	return "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
}

// procComm is the kernel's comm of a process: the thread name without the workqueue
// suffix ps adds, or the program's base name, cut to 15 bytes.
func procComm(cmd string) string {
	var c string
	if strings.HasPrefix(cmd, "[") {
		c = strings.TrimSuffix(strings.TrimPrefix(cmd, "["), "]")
		if strings.HasPrefix(c, "kworker/") {
			if i := strings.IndexByte(c, '-'); i > 0 {
				c = c[:i]
			}
		}
	} else {
		first, _, _ := strings.Cut(cmd, " ")
		first = strings.TrimSuffix(first, ":")
		c = path.Base(first)
	}
	if len(c) > 15 {
		c = c[:15]
	}
	return c
}

func procStatus(p Process, uid uint32) string {
	state := "S (sleeping)"
	switch {
	case strings.HasPrefix(p.Stat, "R"):
		state = "R (running)"
	case strings.HasPrefix(p.Stat, "I"):
		state = "I (idle)"
	}
	threads := 1
	if strings.Contains(p.Stat, "l") {
		threads = 4
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Name:\t%s\nUmask:\t0022\nState:\t%s\nTgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\nTracerPid:\t0\n",
		procComm(p.Command), state, p.PID, p.PID, p.PPID)
	fmt.Fprintf(&b, "Uid:\t%d\t%d\t%d\t%d\nGid:\t%d\t%d\t%d\t%d\nFDSize:\t64\nGroups:\t\n", uid, uid, uid, uid, uid, uid, uid, uid)
	if p.VSZKB > 0 {
		fmt.Fprintf(&b, "VmPeak:\t%8d kB\nVmSize:\t%8d kB\nVmRSS:\t%8d kB\n", p.VSZKB+1024, p.VSZKB, p.RSSKB)
	}
	fmt.Fprintf(&b, "Threads:\t%d\n", threads)
	return b.String()
}

const procFilesystems = "nodev\tsysfs\nnodev\ttmpfs\nnodev\tbdev\nnodev\tproc\nnodev\tcgroup\nnodev\tcgroup2\n" +
	"nodev\tcpuset\nnodev\tdevtmpfs\nnodev\tconfigfs\nnodev\tdebugfs\nnodev\ttracefs\nnodev\tsecurityfs\n" +
	"nodev\tsockfs\nnodev\tbpf\nnodev\tpipefs\nnodev\tramfs\nnodev\thugetlbfs\nnodev\tdevpts\n" +
	"\text3\n\text2\n\text4\nnodev\tautofs\nnodev\tmqueue\nnodev\tpstore\n\tvfat\n"

// blockDisk is one whole disk and its partitions, for /proc/partitions, /sys/block and
// /dev.
type blockDisk struct {
	name   string // "vda"
	major  uint32
	sizeKB int64
	mount  string // where the whole disk is mounted, when it has no partitions
	parts  []blockPart
}

type blockPart struct {
	name   string // "vda1"
	num    int
	sizeKB int64
	mount  string
}

// blockDisks groups the persona's block-device filesystems by disk. Partition sizes are a
// little larger than the filesystems on them, as mkfs leaves room for its metadata.
func (s *synth) blockDisks() []blockDisk {
	var out []blockDisk
	idx := map[string]int{}
	for _, d := range s.f.Hardware.Disks {
		dev, ok := strings.CutPrefix(d.Device, "/dev/")
		if !ok {
			continue
		}
		if strings.ContainsRune(dev, '/') {
			continue // /dev/mapper/..., /dev/disk/by-...: not a kernel block device name
		}
		disk, num := splitPartition(dev)
		if num == 0 {
			disk = dev // a filesystem on a whole disk
		}
		i, ok := idx[disk]
		if !ok {
			i = len(out)
			idx[disk] = i
			out = append(out, blockDisk{name: disk, major: 254})
		}
		size := d.SizeKB + d.SizeKB/64
		if d.FSType == "vfat" {
			size = d.SizeKB + 2048
		}
		size = (size + 1023) / 1024 * 1024
		if num == 0 {
			out[i].sizeKB, out[i].mount = size, d.Mount
			continue
		}
		out[i].parts = append(out[i].parts, blockPart{name: dev, num: num, sizeKB: size, mount: d.Mount})
	}
	for i := range out {
		if len(out[i].parts) == 0 {
			continue
		}
		sort.Slice(out[i].parts, func(a, b int) bool { return out[i].parts[a].num < out[i].parts[b].num })
		total := int64(1024)
		for _, p := range out[i].parts {
			total += p.sizeKB
		}
		const gib = 1 << 20
		out[i].sizeKB = (total + gib - 1) / gib * gib
	}
	return out
}

// splitPartition splits "vda1" into ("vda", 1) and "nvme0n1p2" into ("nvme0n1", 2).
func splitPartition(dev string) (string, int) {
	j := len(dev)
	for j > 0 && dev[j-1] >= '0' && dev[j-1] <= '9' {
		j--
	}
	if j == len(dev) || j == 0 {
		return "", 0
	}
	num := 0
	for _, c := range dev[j:] {
		num = num*10 + int(c-'0')
	}
	disk := dev[:j]
	if strings.HasPrefix(dev, "nvme") || strings.HasPrefix(dev, "mmcblk") {
		disk = strings.TrimSuffix(disk, "p")
	}
	return disk, num
}

func (s *synth) partitions() string {
	var b strings.Builder
	b.WriteString("major minor  #blocks  name\n\n")
	for _, d := range s.blockDisks() {
		fmt.Fprintf(&b, "%4d  %7d %10d %s\n", d.major, 0, d.sizeKB, d.name)
		for _, p := range d.parts {
			fmt.Fprintf(&b, "%4d  %7d %10d %s\n", d.major, p.num, p.sizeKB, p.name)
		}
	}
	return b.String()
}

func (s *synth) sys() error {
	s.ino = 0
	t := s.boot.Add(1 * time.Second)
	s.dir("/sys", 0o555, 0, 0, "zero", s.boot)
	for _, d := range []string{"block", "bus", "class", "dev", "devices", "firmware", "fs", "hypervisor", "kernel", "module", "power"} {
		s.dir("/sys/"+d, 0o755, 0, 0, "zero", t)
	}
	for _, d := range []string{"/sys/class/block", "/sys/devices/system", "/sys/devices/system/cpu", "/sys/devices/virtual",
		"/sys/fs/bpf", "/sys/fs/fuse", "/sys/fs/fuse/connections", "/sys/fs/pstore", "/sys/kernel/config",
		"/sys/kernel/debug", "/sys/kernel/security", "/sys/kernel/tracing", "/sys/kernel/mm"} {
		perm := uint32(0o755)
		switch d {
		case "/sys/fs/bpf", "/sys/kernel/debug", "/sys/kernel/tracing":
			perm = 0o700
		case "/sys/fs/pstore":
			perm = 0o750
		}
		s.dir(d, perm, 0, 0, "zero", t)
	}
	s.dir("/sys/fs/cgroup", 0o555, 0, 0, "zero", t)
	n := s.f.Hardware.CPUs
	span := "0\n"
	if n > 1 {
		span = fmt.Sprintf("0-%d\n", n-1)
	}
	cpuAttrs := map[string]string{"online": span, "possible": span, "present": span, "kernel_max": "8191\n", "offline": "\n"}
	if err := s.attrs("/sys/devices/system/cpu", cpuAttrs, t); err != nil {
		return err
	}
	for i := range n {
		s.dir(fmt.Sprintf("/sys/devices/system/cpu/cpu%d", i), 0o755, 0, 0, "zero", t)
	}
	const pci = "/sys/devices/pci0000:00"
	s.dir(pci, 0o755, 0, 0, "zero", t)
	for i, d := range s.blockDisks() {
		slot := fmt.Sprintf("%s/0000:00:%02x.0", pci, 4+i)
		vdev := fmt.Sprintf("%s/virtio%d", slot, 1+i)
		dir := vdev + "/block/" + d.name
		for _, p := range []string{slot, vdev, vdev + "/block", dir} {
			s.dir(p, 0o755, 0, 0, "zero", t)
		}
		rel := strings.TrimPrefix(dir, "/sys/")
		s.link("/sys/block/"+d.name, "../"+rel, t)
		s.link("/sys/class/block/"+d.name, "../../"+rel, t)
		attrs := map[string]string{
			"size": fmt.Sprintf("%d\n", d.sizeKB*2), "ro": "0\n", "removable": "0\n",
			"dev": fmt.Sprintf("%d:0\n", d.major),
		}
		if err := s.attrs(dir, attrs, t); err != nil {
			return err
		}
		start := int64(2048)
		for _, p := range d.parts {
			pdir := dir + "/" + p.name
			s.dir(pdir, 0o755, 0, 0, "zero", t)
			s.link("/sys/class/block/"+p.name, "../../"+strings.TrimPrefix(pdir, "/sys/"), t)
			pa := map[string]string{
				"size": fmt.Sprintf("%d\n", p.sizeKB*2), "partition": fmt.Sprintf("%d\n", p.num),
				"start": fmt.Sprintf("%d\n", start), "ro": "0\n", "dev": fmt.Sprintf("%d:%d\n", d.major, p.num),
			}
			start += p.sizeKB * 2
			if err := s.attrs(pdir, pa, t); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *synth) attrs(dir string, m map[string]string, t time.Time) error {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if err := s.file(dir+"/"+k, 0o444, 0, 0, []byte(m[k]), 4096, t); err != nil {
			return err
		}
	}
	return nil
}

func (s *synth) dev() error {
	s.ino = 0
	t := s.boot
	tty, disk, kmem, dialout := s.gid("tty", 5), s.gid("disk", 6), s.gid("kmem", 15), s.gid("dialout", 20)
	s.dir("/dev", 0o755, 0, 0, "tmpfs", t)
	for _, d := range []string{"block", "char", "cpu", "disk", "disk/by-uuid", "input", "mapper", "net", "vfio"} {
		s.dir("/dev/"+d, 0o755, 0, 0, "tmpfs", t)
	}
	s.dir("/dev/pts", 0o755, 0, 0, "zero", t)
	s.dir("/dev/hugepages", 0o755, 0, 0, "zero", t)
	s.dir("/dev/mqueue", 0o1777, 0, 0, "zero", t)
	s.dir("/dev/shm", 0o1777, 0, 0, "tmpfs", t)
	type dv struct {
		name         string
		perm         uint32
		gid          uint32
		major, minor uint32
	}
	chars := []dv{
		{"autofs", 0o644, 0, 10, 235}, {"console", 0o600, 0, 5, 1}, {"cpu_dma_latency", 0o600, 0, 10, 62},
		{"full", 0o666, 0, 1, 7}, {"fuse", 0o666, 0, 10, 229}, {"hpet", 0o600, 0, 10, 228},
		{"hwrng", 0o600, 0, 10, 183}, {"kmsg", 0o644, 0, 1, 11}, {"loop-control", 0o660, disk, 10, 237},
		{"mapper/control", 0o600, 0, 10, 236}, {"mem", 0o640, kmem, 1, 1}, {"net/tun", 0o666, 0, 10, 200},
		{"null", 0o666, 0, 1, 3}, {"port", 0o640, kmem, 1, 4}, {"ptmx", 0o666, tty, 5, 2},
		{"pts/ptmx", 0o000, 0, 5, 2}, {"random", 0o666, 0, 1, 8}, {"rtc0", 0o600, 0, 252, 0},
		{"snapshot", 0o600, 0, 10, 231}, {"tty", 0o666, tty, 5, 0}, {"uhid", 0o600, 0, 10, 239},
		{"uinput", 0o600, 0, 10, 223}, {"urandom", 0o666, 0, 1, 9}, {"userfaultfd", 0o600, 0, 10, 126},
		{"vcs", 0o620, tty, 7, 0}, {"vcs1", 0o620, tty, 7, 1}, {"vcsa", 0o620, tty, 7, 128},
		{"vcsa1", 0o620, tty, 7, 129}, {"vcsu", 0o620, tty, 7, 64}, {"vcsu1", 0o620, tty, 7, 65},
		{"vfio/vfio", 0o666, 0, 10, 196}, {"vga_arbiter", 0o600, 0, 10, 127}, {"vhost-net", 0o600, 0, 10, 238},
		{"vhost-vsock", 0o600, 0, 10, 241}, {"zero", 0o666, 0, 1, 5},
	}
	for i := 0; i < 64; i++ {
		chars = append(chars, dv{fmt.Sprintf("tty%d", i), 0o620, tty, 4, uint32(i)})
	}
	chars = append(chars, dv{"ttyS0", 0o620, tty, 4, 64})
	for i := 1; i < 4; i++ {
		chars = append(chars, dv{fmt.Sprintf("ttyS%d", i), 0o660, dialout, 4, uint32(64 + i)})
	}
	for _, d := range chars {
		s.node("/dev/"+d.name, sIFCHR, d.perm, 0, d.gid, d.major, d.minor, t)
	}
	for _, l := range [][2]string{
		{"core", "/proc/kcore"}, {"fd", "/proc/self/fd"}, {"initctl", "/run/initctl"},
		{"log", "/run/systemd/journal/dev-log"}, {"rtc", "rtc0"}, {"stderr", "/proc/self/fd/2"},
		{"stdin", "/proc/self/fd/0"}, {"stdout", "/proc/self/fd/1"},
	} {
		s.link("/dev/"+l[0], l[1], t)
	}
	for _, d := range s.blockDisks() {
		s.node("/dev/"+d.name, sIFBLK, 0o660, 0, disk, d.major, 0, t)
		s.link(fmt.Sprintf("/dev/block/%d:0", d.major), "../"+d.name, t)
		if len(d.parts) == 0 {
			if u := s.uuids[d.mount]; u != "" {
				s.link("/dev/disk/by-uuid/"+u, "../../"+d.name, t)
			}
		}
		for _, p := range d.parts {
			s.node("/dev/"+p.name, sIFBLK, 0o660, 0, disk, d.major, uint32(p.num), t)
			s.link(fmt.Sprintf("/dev/block/%d:%d", d.major, p.num), "../"+p.name, t)
			if u := s.uuids[p.mount]; u != "" {
				s.link("/dev/disk/by-uuid/"+u, "../../"+p.name, t)
			}
		}
	}
	return nil
}

func (s *synth) pidOf(prefix string) int {
	for _, p := range s.f.Processes {
		if strings.HasPrefix(p.Command, prefix) {
			return p.PID
		}
	}
	return 0
}

func (s *synth) run() error {
	s.ino = 0
	t := s.boot.Add(3 * time.Second)
	utmp := s.gid("utmp", 43)
	s.dir("/run", 0o755, 0, 0, "tmpfs", s.boot)
	for _, d := range []string{"/run/mount", "/run/systemd", "/run/systemd/journal", "/run/systemd/system", "/run/user"} {
		s.dir(d, 0o755, 0, 0, "tmpfs", t)
	}
	s.dir("/run/lock", 0o1777, 0, 0, "tmpfs", t)
	s.node("/run/initctl", sIFIFO, 0o600, 0, 0, 0, 0, t)
	for _, sock := range []string{"dev-log", "socket", "stdout"} {
		s.node("/run/systemd/journal/"+sock, sIFSOCK, 0o666, 0, 0, 0, 0, t)
	}
	if err := s.file("/run/utmp", 0o664, 0, utmp, nil, -1, t); err != nil {
		return err
	}
	k := s.f.Kernel
	motd := fmt.Sprintf("%s %s %s %s %s\n", k.Sysname, s.f.Hostname, k.Release, k.Version, k.Machine)
	if err := s.file("/run/motd.dynamic", 0o644, 0, 0, []byte(motd), -1, t); err != nil {
		return err
	}
	pidFiles := []struct{ file, prefix string }{
		{"/run/sshd.pid", "sshd: "}, {"/run/crond.pid", "/usr/sbin/cron"}, {"/run/rsyslogd.pid", "/usr/sbin/rsyslogd"},
	}
	for _, pf := range pidFiles {
		if pid := s.pidOf(pf.prefix); pid > 0 {
			if err := s.file(pf.file, 0o644, 0, 0, fmt.Appendf(nil, "%d\n", pid), -1, t); err != nil {
				return err
			}
		}
	}
	if s.pidOf("sshd: ") > 0 {
		s.dir("/run/sshd", 0o755, 0, 0, "tmpfs", t)
	}
	if s.pidOf("/lib/systemd/systemd-udevd") > 0 {
		s.dir("/run/udev", 0o755, 0, 0, "tmpfs", t)
	}
	return nil
}

// bootTmp adds the directories systemd-tmpfiles creates in /tmp at every boot (x11.conf's
// .X11-unix, .ICE-unix, .XIM-unix, .font-unix on Debian 12), from the tree's tmpfiles.d
// files (/etc/tmpfiles.d overrides a file of the same name): a booted server has them, a
// debootstrap tree does not. Only d and D lines naming a directory directly in /tmp.
func (s *synth) bootTmp() error {
	i, ok := s.c.index["/tmp"]
	if !ok || s.c.entries[i].Mode&sIFMT != sIFDIR {
		return nil
	}
	files := map[string][]byte{}
	for _, dir := range []string{"/usr/lib/tmpfiles.d", "/etc/tmpfiles.d"} {
		for _, e := range s.c.entries {
			if path.Dir(e.Path) == dir && strings.HasSuffix(e.Path, ".conf") {
				if b := s.c.readRootFile(e.Path); b != nil {
					files[path.Base(e.Path)] = b
				}
			}
		}
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	t := s.boot.Add(2 * time.Second)
	added := 0
	for _, n := range names {
		for _, l := range lines(files[n]) {
			f := strings.Fields(l)
			if len(f) < 5 || strings.TrimSuffix(f[0], "!") != "d" && strings.TrimSuffix(f[0], "!") != "D" ||
				path.Dir(f[1]) != "/tmp" || f[1] == "/tmp" {
				continue
			}
			if _, exists := s.c.index[f[1]]; exists {
				continue
			}
			perm, err := strconv.ParseUint(f[2], 8, 32)
			if err != nil {
				continue
			}
			e := s.base(f[1], sIFDIR|uint32(perm), s.uid(f[3]), s.gid(f[4], 0), t)
			e.Size, e.Nlink = 4096, 2 // on the root's ext4
			s.c.add(e)
			added++
		}
	}
	if added > 0 {
		tmp := &s.c.entries[s.c.index["/tmp"]]
		tmp.Nlink += uint32(added)
		tmp.MTime, tmp.CTime = t.UnixNano(), t.UnixNano()
	}
	return nil
}

// lostFound adds the lost+found directory mkfs.ext4 makes, when the tree lacks it.
func (s *synth) lostFound() {
	if _, ok := s.c.index["/lost+found"]; ok {
		return
	}
	for _, d := range s.f.Hardware.Disks {
		if d.Mount != "/" || !strings.HasPrefix(d.FSType, "ext") {
			continue
		}
		root := s.c.entries[s.c.index["/"]]
		e := s.base("/lost+found", sIFDIR|0o700, 0, 0, time.Unix(0, root.CTime))
		e.Size = 16384
		e.Nlink = 2
		e.Ino = 11
		s.c.add(e)
	}
}

// finishDirs sets the link count (2 plus subdirectories) and size of synthetic directories.
func (s *synth) finishDirs() {
	subdirs := map[string]int{}
	children := map[string]int{}
	for _, e := range s.c.entries {
		if e.Path == "/" {
			continue
		}
		parent := path.Dir(e.Path)
		children[parent]++
		if e.Mode&sIFMT == sIFDIR {
			subdirs[parent]++
		}
	}
	for p, sizing := range s.dirs {
		i := s.c.index[p]
		e := &s.c.entries[i]
		e.Nlink = uint32(2 + subdirs[p])
		if sizing == "tmpfs" {
			e.Size = int64(40 + 20*children[p])
		}
	}
	// The root's link count counts lost+found and the synthetic trees too.
	if i, ok := s.c.index["/"]; ok {
		s.c.entries[i].Nlink = uint32(2 + subdirs["/"])
	}
}

// fstabUUIDs maps mount points to the UUIDs /etc/fstab mounts them by.
func fstabUUIDs(fstab []byte) map[string]string {
	out := map[string]string{}
	for _, l := range lines(fstab) {
		f := strings.Fields(l)
		if len(f) < 2 {
			continue
		}
		if u, ok := strings.CutPrefix(f[0], "UUID="); ok {
			out[f[1]] = strings.ToLower(u)
		}
	}
	return out
}

// mountOrder puts the disks in the order a booted Debian mounts them, which is the order
// of /proc/mounts and so of df.
func mountOrder(ds []Disk) []Disk {
	slots := []string{"/dev", "/run", "/", "/dev/shm", "/run/lock"}
	var out []Disk
	used := make([]bool, len(ds))
	for _, m := range slots {
		for i, d := range ds {
			if !used[i] && d.Mount == m {
				out = append(out, d)
				used[i] = true
			}
		}
	}
	for i, d := range ds {
		if !used[i] {
			out = append(out, d)
		}
	}
	return out
}

// mountsText renders /proc/mounts for the disks (in mountOrder) with the kernel
// filesystems systemd mounts in between.
func mountsText(ds []Disk) string {
	var b strings.Builder
	done := make([]bool, len(ds))
	emitDisk := func(mount string) {
		for i, d := range ds {
			if !done[i] && d.Mount == mount {
				fmt.Fprintf(&b, "%s %s %s %s 0 0\n", escapeMount(d.Device), escapeMount(d.Mount), d.FSType, mountOptions(d))
				done[i] = true
			}
		}
	}
	b.WriteString("sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0\n")
	b.WriteString("proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n")
	emitDisk("/dev")
	b.WriteString("devpts /dev/pts devpts rw,nosuid,noexec,relatime,gid=5,mode=620,ptmxmode=000 0 0\n")
	emitDisk("/run")
	emitDisk("/")
	b.WriteString("securityfs /sys/kernel/security securityfs rw,nosuid,nodev,noexec,relatime 0 0\n")
	emitDisk("/dev/shm")
	emitDisk("/run/lock")
	b.WriteString("cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,relatime,nsdelegate,memory_recursiveprot 0 0\n" +
		"pstore /sys/fs/pstore pstore rw,nosuid,nodev,noexec,relatime 0 0\n" +
		"bpf /sys/fs/bpf bpf rw,nosuid,nodev,noexec,relatime,mode=700 0 0\n" +
		"systemd-1 /proc/sys/fs/binfmt_misc autofs rw,relatime,fd=30,pgrp=1,timeout=0,minproto=5,maxproto=5,direct,pipe_ino=11071 0 0\n" +
		"hugetlbfs /dev/hugepages hugetlbfs rw,relatime,pagesize=2M 0 0\n" +
		"mqueue /dev/mqueue mqueue rw,nosuid,nodev,noexec,relatime 0 0\n" +
		"debugfs /sys/kernel/debug debugfs rw,nosuid,nodev,noexec,relatime 0 0\n" +
		"tracefs /sys/kernel/tracing tracefs rw,nosuid,nodev,noexec,relatime 0 0\n" +
		"fusectl /sys/fs/fuse/connections fusectl rw,nosuid,nodev,noexec,relatime 0 0\n" +
		"configfs /sys/kernel/config configfs rw,nosuid,nodev,noexec,relatime 0 0\n")
	for i, d := range ds {
		if !done[i] {
			emitDisk(d.Mount)
		}
	}
	return b.String()
}

func escapeMount(s string) string {
	r := strings.NewReplacer(" ", `\040`, "\t", `\011`, "\n", `\012`, `\`, `\134`)
	return r.Replace(s)
}

func mountOptions(d Disk) string {
	switch d.FSType {
	case "devtmpfs":
		return fmt.Sprintf("rw,nosuid,relatime,size=%dk,nr_inodes=%d,mode=755,inode64", d.SizeKB, d.SizeKB/4)
	case "tmpfs":
		switch {
		case d.Mount == "/run":
			return fmt.Sprintf("rw,nosuid,nodev,noexec,relatime,size=%dk,mode=755,inode64", d.SizeKB)
		case d.Mount == "/dev/shm":
			return "rw,nosuid,nodev,inode64"
		case d.Mount == "/run/lock":
			return fmt.Sprintf("rw,nosuid,nodev,noexec,relatime,size=%dk,inode64", d.SizeKB)
		case strings.HasPrefix(d.Mount, "/run/user/"):
			return fmt.Sprintf("rw,nosuid,nodev,relatime,size=%dk,nr_inodes=%d,mode=700,inode64", d.SizeKB, d.SizeKB/4)
		}
		return fmt.Sprintf("rw,nosuid,nodev,relatime,size=%dk,inode64", d.SizeKB)
	case "ext4", "ext3", "ext2":
		if d.Mount == "/" {
			return "rw,relatime,discard,errors=remount-ro"
		}
		return "rw,relatime"
	case "vfat":
		return "rw,relatime,fmask=0077,dmask=0077,codepage=437,iocharset=ascii,shortname=mixed,utf8,errors=remount-ro"
	case "xfs":
		return "rw,relatime,attr2,inode64,logbufs=8,logbsize=32k,noquota"
	case "btrfs":
		return "rw,relatime,space_cache=v2,subvolid=5,subvol=/"
	}
	return "rw,relatime"
}
