package commands

import (
	"fmt"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"
)

// lsblk, mount, findmnt and umount as util-linux 2.38.1 prints them, over the persona's
// /proc/partitions (the block devices), /proc/mounts (what is mounted where) and its disk
// facts (sizes, use), so they agree with df and cat. Mounting and unmounting never change
// anything: a user is refused as Debian refuses them, root gets the errors a box without
// the named device or directory gives.

// mountEntry is one line of the mount table.
type mountEntry struct {
	source, target, fstype, options string
}

// unescapeMount undoes the octal escapes of /proc/mounts ("\040" for a space).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// mountTable returns the session's mounts in the kernel's order: the persona's
// /proc/mounts, plus the /run/user/UID tmpfs pam_systemd mounts for the login (df shows it).
func (c *cmd) mountTable() []mountEntry {
	var out []mountEntry
	s, _ := c.readText("/proc/mounts")
	seen := map[string]bool{}
	for _, line := range strings.Split(s, "\n") {
		f := strings.Fields(line)
		if len(f) < 4 {
			continue
		}
		e := mountEntry{unescapeMount(f[0]), unescapeMount(f[1]), f[2], f[3]}
		seen[e.target] = true
		out = append(out, e)
	}
	if len(out) == 0 {
		for _, d := range c.dfDisks() {
			out = append(out, mountEntry{d.Device, d.Mount, d.FSType, "rw,relatime"})
			seen[d.Mount] = true
		}
	}
	for _, d := range c.dfDisks() {
		if !seen[d.Mount] && strings.HasPrefix(d.Mount, "/run/user/") {
			inodes := (d.SizeKB + 3) / 4
			out = append(out, mountEntry{"tmpfs", d.Mount, "tmpfs",
				fmt.Sprintf("rw,nosuid,nodev,relatime,size=%dk,nr_inodes=%d,mode=700,inode64", d.SizeKB, inodes)})
		}
	}
	return out
}

// utilLinuxSize renders bytes as util-linux's size_to_human_string does for lsblk and
// findmnt: powers of 1024, one-letter suffix, one decimal rounded, no trailing zero.
func utilLinuxSize(n uint64) string {
	exp := 0
	for shft := 10; shft <= 60; shft += 10 {
		if n < 1<<uint(shft) {
			break
		}
		exp = shft
	}
	letter := "BKMGTPE"[exp/10]
	dec := n
	var frac uint64
	if exp > 0 {
		dec = n >> uint(exp)
		frac = n & (1<<uint(exp) - 1)
	}
	if frac > 0 {
		if frac >= ^uint64(0)/1000 {
			frac = ((frac / 1024) * 1000) / (1 << uint(exp-10))
		} else {
			frac = (frac * 1000) / (1 << uint(exp))
		}
		frac = ((frac + 50) / 100) * 10
		if frac == 100 {
			dec++
			frac = 0
		}
	}
	if frac > 0 {
		s := fmt.Sprintf("%d.%02d", dec, frac)
		return strings.TrimSuffix(s, "0") + string(letter)
	}
	return fmt.Sprintf("%d%c", dec, letter)
}

// scolsColumn is one column of a libsmartcols table.
type scolsColumn struct {
	name  string
	right bool
}

// scolsRow is one line: its cells, and its depth and last-child path for the tree.
type scolsRow struct {
	cells []string
	// lastPath says, for each ancestor level and this row, whether it is the last child:
	// it decides between "├─"/"└─" and "│ "/"  ".
	lastPath []bool
}

// scolsTable prints rows as libsmartcols does: columns as wide as their widest cell, one
// space apart, the last unpadded; tree branches before the first cell; raw mode separates
// cells by one space and escapes blanks.
type scolsTable struct {
	cols     []scolsColumn
	rows     []scolsRow
	tree     bool
	raw      bool
	noHead   bool
	utf8Tree bool
}

func (t *scolsTable) treePrefix(r scolsRow) string {
	if !t.tree || len(r.lastPath) <= 1 {
		return ""
	}
	branch, last, vert, blank := "├─", "└─", "│ ", "  "
	if !t.utf8Tree {
		branch, last, vert, blank = "|-", "`-", "| ", "  "
	}
	var b strings.Builder
	for _, l := range r.lastPath[1 : len(r.lastPath)-1] {
		if l {
			b.WriteString(blank)
		} else {
			b.WriteString(vert)
		}
	}
	if r.lastPath[len(r.lastPath)-1] {
		b.WriteString(last)
	} else {
		b.WriteString(branch)
	}
	return b.String()
}

// scolsRawEscape escapes what raw output cannot show: blanks and control characters.
func scolsRawEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch <= ' ' || ch == '\\' || ch == 0x7f {
			fmt.Fprintf(&b, `\x%02x`, ch)
			continue
		}
		b.WriteByte(ch)
	}
	return b.String()
}

func (t *scolsTable) String() string {
	var b strings.Builder
	cells := make([][]string, 0, len(t.rows)+1)
	if !t.noHead {
		h := make([]string, len(t.cols))
		for i, col := range t.cols {
			h[i] = col.name
		}
		cells = append(cells, h)
	}
	for _, r := range t.rows {
		row := append([]string(nil), r.cells...)
		if len(row) > 0 && !t.raw {
			row[0] = t.treePrefix(r) + row[0]
		}
		cells = append(cells, row)
	}
	if t.raw {
		for _, row := range cells {
			for i, cell := range row {
				if i > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(scolsRawEscape(cell))
			}
			b.WriteByte('\n')
		}
		return b.String()
	}
	widths := make([]int, len(t.cols))
	for _, row := range cells {
		for i, cell := range row {
			widths[i] = max(widths[i], utf8.RuneCountInString(cell))
		}
	}
	for _, row := range cells {
		for i, cell := range row {
			if i > 0 {
				b.WriteByte(' ')
			}
			pad := widths[i] - utf8.RuneCountInString(cell)
			if i == len(row)-1 && !t.cols[i].right {
				b.WriteString(cell)
				continue
			}
			if t.cols[i].right {
				b.WriteString(strings.Repeat(" ", pad) + cell)
			} else {
				b.WriteString(cell + strings.Repeat(" ", pad))
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// blockDev is one block device of /proc/partitions.
type blockDev struct {
	name         string
	major, minor int
	sizeKB       int64
	parent       string // the disk of a partition, "" for a disk
}

// blockDevs reads the persona's /proc/partitions.
func (c *cmd) blockDevs() []blockDev {
	s, _ := c.readText("/proc/partitions")
	var out []blockDev
	disks := map[string]bool{}
	for _, line := range strings.Split(s, "\n") {
		f := strings.Fields(line)
		if len(f) != 4 {
			continue
		}
		maj, err1 := strconv.Atoi(f[0])
		min, err2 := strconv.Atoi(f[1])
		kb, err3 := strconv.ParseInt(f[2], 10, 64)
		if err1 != nil || err2 != nil || err3 != nil {
			continue
		}
		d := blockDev{name: f[3], major: maj, minor: min, sizeKB: kb}
		if disk, num := splitPartitionName(d.name); num > 0 && disks[disk] {
			d.parent = disk
		} else {
			disks[d.name] = true
		}
		out = append(out, d)
	}
	return out
}

// splitPartitionName splits "vda1" into ("vda", 1) and "nvme0n1p2" into ("nvme0n1", 2).
func splitPartitionName(dev string) (string, int) {
	j := len(dev)
	for j > 0 && dev[j-1] >= '0' && dev[j-1] <= '9' {
		j--
	}
	if j == len(dev) || j == 0 {
		return "", 0
	}
	num, _ := strconv.Atoi(dev[j:])
	disk := dev[:j]
	if strings.HasPrefix(dev, "nvme") || strings.HasPrefix(dev, "mmcblk") {
		disk = strings.TrimSuffix(disk, "p")
	}
	return disk, num
}

// blockFS is what lsblk -f knows about the filesystem on a device.
type blockFS struct {
	fstype, fsver, uuid            string
	sizeKB, usedKB, availKB        int64
	mounts                         []string
	hasStats                       bool
	label, partuuid, ptype, pttype string
}

// blockFSInfo joins the mount table, the persona's disks and /etc/fstab's UUIDs.
func (c *cmd) blockFSInfo() map[string]*blockFS {
	out := map[string]*blockFS{}
	uuids := map[string]string{}
	if s, ok := c.readText("/etc/fstab"); ok {
		for _, line := range strings.Split(s, "\n") {
			f := strings.Fields(line)
			if len(f) >= 2 && strings.HasPrefix(f[0], "UUID=") {
				uuids[f[1]] = strings.TrimPrefix(f[0], "UUID=")
			}
		}
	}
	for _, m := range c.mountTable() {
		dev, ok := strings.CutPrefix(m.source, "/dev/")
		if !ok {
			continue
		}
		fsi := out[dev]
		if fsi == nil {
			fsi = &blockFS{fstype: m.fstype, uuid: uuids[m.target]}
			switch m.fstype {
			case "ext4", "ext3", "ext2":
				fsi.fsver = "1.0"
			case "vfat":
				fsi.fsver = "FAT16"
			}
			out[dev] = fsi
		}
		fsi.mounts = append(fsi.mounts, m.target)
		for _, d := range c.persona().Hardware.Disks {
			if d.Device == m.source && !fsi.hasStats {
				fsi.sizeKB, fsi.usedKB, fsi.availKB, fsi.hasStats = d.SizeKB, d.UsedKB, d.Avail(), true
			}
		}
	}
	return out
}

var lsblkColumns = map[string]scolsColumn{
	"NAME": {name: "NAME"}, "KNAME": {name: "KNAME"}, "PATH": {name: "PATH"}, "MAJ:MIN": {name: "MAJ:MIN"},
	"RM": {name: "RM", right: true}, "SIZE": {name: "SIZE", right: true}, "RO": {name: "RO", right: true},
	"TYPE": {name: "TYPE"}, "MOUNTPOINT": {name: "MOUNTPOINT"}, "MOUNTPOINTS": {name: "MOUNTPOINTS"},
	"FSTYPE": {name: "FSTYPE"}, "FSVER": {name: "FSVER"}, "LABEL": {name: "LABEL"}, "UUID": {name: "UUID"},
	"FSAVAIL": {name: "FSAVAIL", right: true}, "FSSIZE": {name: "FSSIZE", right: true},
	"FSUSED": {name: "FSUSED", right: true}, "FSUSE%": {name: "FSUSE%", right: true},
	"MODEL": {name: "MODEL"}, "SERIAL": {name: "SERIAL"}, "VENDOR": {name: "VENDOR"}, "REV": {name: "REV"},
	"PARTUUID": {name: "PARTUUID"}, "PARTLABEL": {name: "PARTLABEL"}, "PTTYPE": {name: "PTTYPE"},
	"PTUUID": {name: "PTUUID"}, "PKNAME": {name: "PKNAME"}, "ROTA": {name: "ROTA", right: true},
	"TRAN": {name: "TRAN"}, "OWNER": {name: "OWNER"}, "GROUP": {name: "GROUP"}, "MODE": {name: "MODE"},
	"STATE": {name: "STATE"}, "SCHED": {name: "SCHED"}, "RA": {name: "RA", right: true},
	"LOG-SEC": {name: "LOG-SEC", right: true}, "PHY-SEC": {name: "PHY-SEC", right: true},
	"MIN-IO": {name: "MIN-IO", right: true}, "HOTPLUG": {name: "HOTPLUG", right: true},
	"SUBSYSTEMS": {name: "SUBSYSTEMS"}, "FSROOTS": {name: "FSROOTS"}, "WWN": {name: "WWN"},
	"HCTL": {name: "HCTL"}, "DISC-GRAN": {name: "DISC-GRAN", right: true}, "DISC-MAX": {name: "DISC-MAX", right: true},
	"ALIGNMENT": {name: "ALIGNMENT", right: true}, "START": {name: "START", right: true},
}

func lsblkCmd(p *Proc) int {
	c := newCmd(p)
	opts, ops, ok, st := c.parse(optSpec{Short: "AabdDE:e:fhJlnMmo:OpPiI:rstVSx:yzT::w:", Long: []longOpt{
		{Name: "all", Key: "a"}, {Name: "bytes", Key: "b"}, {Name: "nodeps", Key: "d"}, {Name: "discard", Key: "D"},
		{Name: "fs", Key: "f"}, {Name: "help", Key: "h"}, {Name: "json", Key: "J"}, {Name: "list", Key: "l"},
		{Name: "noheadings", Key: "n"}, {Name: "output", Arg: argRequired, Key: "o"}, {Name: "output-all", Key: "O"},
		{Name: "paths", Key: "p"}, {Name: "pairs", Key: "P"}, {Name: "ascii", Key: "i"}, {Name: "raw", Key: "r"},
		{Name: "perms", Key: "m"}, {Name: "topology", Key: "t"}, {Name: "version", Key: "V"},
		{Name: "sort", Arg: argRequired, Key: "x"}, {Name: "tree", Arg: argOptional, Key: "T"},
		{Name: "width", Arg: argRequired, Key: "w"}, {Name: "noempty", Key: "A"}, {Name: "scsi", Key: "S"},
		{Name: "exclude", Arg: argRequired, Key: "e"}, {Name: "include", Arg: argRequired, Key: "I"},
		{Name: "merge", Key: "M"}, {Name: "dedup", Arg: argRequired, Key: "E"}, {Name: "inverse", Key: "s"},
		{Name: "shell", Key: "y"}, {Name: "zoned", Key: "z"}, {Name: "sysroot", Arg: argRequired, Key: "sysroot"},
	}}, 1)
	if !ok {
		return st
	}
	cols := []string{"NAME", "MAJ:MIN", "RM", "SIZE", "RO", "TYPE", "MOUNTPOINTS"}
	bytes, nodeps, list, raw, noHead, paths, ascii := false, false, false, false, false, false, false
	var extra []string
	for _, o := range opts {
		switch o.Key {
		case "h":
			c.print(lsblkHelp)
			return c.done(0)
		case "V":
			c.print("lsblk from util-linux 2.38.1\n")
			return c.done(0)
		case "b":
			bytes = true
		case "d":
			nodeps = true
		case "l":
			list = true
		case "r":
			raw = true
		case "n":
			noHead = true
		case "p":
			paths = true
		case "i":
			ascii = true
		case "f":
			cols = []string{"NAME", "FSTYPE", "FSVER", "LABEL", "UUID", "FSAVAIL", "FSUSE%", "MOUNTPOINTS"}
		case "m":
			cols = []string{"NAME", "SIZE", "OWNER", "GROUP", "MODE"}
		case "o":
			list := strings.Split(o.Val, ",")
			if strings.HasPrefix(o.Val, "+") {
				extra = append(extra, strings.Split(o.Val[1:], ",")...)
				continue
			}
			cols = list
		}
	}
	cols = append(cols, extra...)
	for i, name := range cols {
		up := strings.ToUpper(name)
		if _, ok := lsblkColumns[up]; !ok {
			c.errorf("unknown column: %s", name)
			return c.done(1)
		}
		cols[i] = up
	}
	devs := c.blockDevs()
	want := map[string]bool{}
	for _, a := range ops {
		name := strings.TrimPrefix(path.Clean(a), "/dev/")
		found := false
		for _, d := range devs {
			found = found || d.name == name
		}
		if !found {
			// a file that is not a device, or no such file
			c.errorf("%s: not a block device", a)
			return c.done(32)
		}
		want[name] = true
	}
	fsinfo := c.blockFSInfo()
	t := &scolsTable{tree: !list && !raw, raw: raw, noHead: noHead, utf8Tree: !ascii && c.utf8Locale()}
	for _, name := range cols {
		t.cols = append(t.cols, lsblkColumns[name])
	}
	children := map[string][]blockDev{}
	var disks []blockDev
	for _, d := range devs {
		if d.parent != "" {
			children[d.parent] = append(children[d.parent], d)
		} else {
			disks = append(disks, d)
		}
	}
	size := func(kb int64) string {
		if bytes {
			return strconv.FormatInt(kb*1024, 10)
		}
		return utilLinuxSize(uint64(kb) * 1024)
	}
	emit := func(d blockDev, lastPath []bool) {
		fsi := fsinfo[d.name]
		if fsi == nil {
			fsi = &blockFS{}
		}
		typ := "disk"
		parent := ""
		if d.parent != "" {
			typ, parent = "part", d.parent
		}
		var cells []string
		var extraMounts []string
		for _, col := range cols {
			v := ""
			switch col {
			case "NAME":
				v = d.name
				if paths {
					v = "/dev/" + d.name
				}
			case "KNAME":
				v = d.name
			case "PATH":
				v = "/dev/" + d.name
			case "PKNAME":
				v = parent
			case "MAJ:MIN":
				v = fmt.Sprintf("%d:%d", d.major, d.minor)
			case "RM", "RO", "HOTPLUG", "ALIGNMENT":
				v = "0"
			case "ROTA":
				v = "1"
			case "SIZE":
				v = size(d.sizeKB)
			case "TYPE":
				v = typ
			case "MOUNTPOINT":
				if len(fsi.mounts) > 0 {
					v = fsi.mounts[0]
				}
			case "MOUNTPOINTS":
				if len(fsi.mounts) > 0 {
					v = fsi.mounts[0]
					extraMounts = fsi.mounts[1:]
				}
			case "FSTYPE":
				v = fsi.fstype
			case "FSVER":
				v = fsi.fsver
			case "UUID":
				v = fsi.uuid
			case "FSAVAIL":
				if fsi.hasStats {
					v = size(fsi.availKB)
				}
			case "FSSIZE":
				if fsi.hasStats {
					v = size(fsi.sizeKB)
				}
			case "FSUSED":
				if fsi.hasStats {
					v = size(fsi.usedKB)
				}
			case "FSUSE%":
				if fsi.hasStats && fsi.sizeKB > 0 {
					v = fmt.Sprintf("%.0f%%", float64(fsi.usedKB)/float64(fsi.sizeKB)*100)
				}
			case "FSROOTS":
				if len(fsi.mounts) > 0 {
					v = "/"
				}
			case "OWNER":
				v = "root"
			case "GROUP":
				v = "disk"
			case "MODE":
				v = "brw-rw----"
			case "STATE":
				if typ == "disk" {
					v = "running"
				}
			case "SCHED":
				v = "mq-deadline"
				if typ == "disk" {
					v = "none"
				}
			case "RA":
				v = "128"
			case "LOG-SEC", "PHY-SEC", "MIN-IO":
				v = "512"
			case "DISC-GRAN":
				v = "512B"
				if bytes {
					v = "512"
				}
			case "DISC-MAX":
				v = "2G"
				if bytes {
					v = "2147483136"
				}
			case "SUBSYSTEMS":
				v = "block:virtio:pci"
			case "START":
				if typ == "part" {
					v = "2048"
				}
			case "PTTYPE":
				v = "gpt"
			}
			cells = append(cells, v)
		}
		t.rows = append(t.rows, scolsRow{cells: cells, lastPath: lastPath})
		// further mount points of the same device go on lines of their own, under
		// the MOUNTPOINTS column
		for _, m := range extraMounts {
			more := make([]string, len(cols))
			for i, col := range cols {
				if col == "MOUNTPOINTS" {
					more[i] = m
				}
			}
			t.rows = append(t.rows, scolsRow{cells: more, lastPath: []bool{true}})
		}
	}
	for _, d := range disks {
		kids := children[d.name]
		if len(want) > 0 && !want[d.name] {
			for _, k := range kids {
				if want[k.name] {
					emit(k, []bool{true})
				}
			}
			continue
		}
		emit(d, []bool{true})
		if nodeps {
			continue
		}
		for i, k := range kids {
			emit(k, []bool{true, i == len(kids)-1})
		}
	}
	if list || raw {
		for i := range t.rows {
			t.rows[i].lastPath = nil
		}
	}
	c.print(t.String())
	return c.done(0)
}

// mountLine is how mount lists one entry.
func mountLine(m mountEntry) string {
	return m.source + " on " + m.target + " type " + m.fstype + " (" + m.options + ")\n"
}

const mountDmesg = "       dmesg(1) may have more information after failed mount system call.\n"

func mountCmd(p *Proc) int {
	c := newCmd(p)
	opts, ops, ok, st := c.parse(optSpec{Short: "aBcfFhilL:m::Mno:O:rRsU:vVwt:T:N:", Long: []longOpt{
		{Name: "all", Key: "a"}, {Name: "bind", Key: "B"}, {Name: "no-canonicalize", Key: "c"}, {Name: "fake", Key: "f"},
		{Name: "fork", Key: "F"}, {Name: "help", Key: "h"}, {Name: "internal-only", Key: "i"},
		{Name: "show-labels", Key: "l"}, {Name: "label", Arg: argRequired, Key: "L"}, {Name: "mkdir", Arg: argOptional, Key: "m"},
		{Name: "move", Key: "M"}, {Name: "no-mtab", Key: "n"}, {Name: "options", Arg: argRequired, Key: "o"},
		{Name: "test-opts", Arg: argRequired, Key: "O"}, {Name: "read-only", Key: "r"}, {Name: "rbind", Key: "R"},
		{Name: "uuid", Arg: argRequired, Key: "U"}, {Name: "verbose", Key: "v"}, {Name: "version", Key: "V"},
		{Name: "rw", Key: "w"}, {Name: "read-write", Key: "w"}, {Name: "types", Arg: argRequired, Key: "t"},
		{Name: "fstab", Arg: argRequired, Key: "T"}, {Name: "namespace", Arg: argRequired, Key: "N"},
		{Name: "source", Arg: argRequired, Key: "source"}, {Name: "target", Arg: argRequired, Key: "target"},
		{Name: "target-prefix", Arg: argRequired, Key: "target-prefix"},
		{Name: "options-mode", Arg: argRequired, Key: "options-mode"},
		{Name: "options-source", Arg: argRequired, Key: "options-source"},
		{Name: "options-source-force", Key: "options-source-force"},
		{Name: "make-shared", Key: "prop"}, {Name: "make-slave", Key: "prop"}, {Name: "make-private", Key: "prop"},
		{Name: "make-unbindable", Key: "prop"}, {Name: "make-rshared", Key: "prop"}, {Name: "make-rslave", Key: "prop"},
		{Name: "make-rprivate", Key: "prop"}, {Name: "make-runbindable", Key: "prop"},
	}}, 1)
	if !ok {
		return st
	}
	var types string
	all, action := false, false
	for _, o := range opts {
		switch o.Key {
		case "h":
			c.print(mountHelp)
			return c.done(0)
		case "V":
			c.print("mount from util-linux 2.38.1 (libmount 2.38.1: selinux, smack, btrfs, verity, namespaces, assert, debug)\n")
			return c.done(0)
		case "t":
			types = o.Val
		case "a":
			all = true
		case "B", "M", "R", "prop", "L", "U", "source", "target":
			action = true
		case "o":
			if o.Val != "" {
				action = action || len(ops) > 0
			}
		}
	}
	if all {
		// everything in fstab is mounted already
		return c.done(0)
	}
	if len(ops) == 0 && !action {
		var b strings.Builder
		for _, m := range c.mountTable() {
			if types != "" && !mountTypeMatch(types, m.fstype) {
				continue
			}
			b.WriteString(mountLine(m))
		}
		c.print(b.String())
		return c.done(0)
	}
	if len(ops) == 1 {
		target := ops[0]
		inFstab := false
		if s, ok := c.readText("/etc/fstab"); ok {
			for _, line := range strings.Split(s, "\n") {
				f := strings.Fields(line)
				if len(f) >= 2 && !strings.HasPrefix(f[0], "#") && (f[1] == path.Clean(c.abs(target)) || f[0] == target) {
					inFstab = true
				}
			}
		}
		if !inFstab {
			c.errorf("%s: can't find in /etc/fstab.", c.abs(target))
			return c.done(1)
		}
		if !c.isRoot() {
			c.errorf("%s: must be superuser to use mount.", c.abs(target))
			c.errRaw(mountDmesg)
			return c.done(32)
		}
		c.errorf("%s: %s already mounted on %s.", c.abs(target), target, c.abs(target))
		c.errRaw(mountDmesg)
		return c.done(32)
	}
	if len(ops) > 2 {
		c.errorf("bad usage")
		return c.tryHelp(1)
	}
	src, target := ops[0], c.abs(ops[1])
	if m, err := c.FS.Stat(target); err != nil || !m.Mode.IsDir() {
		if err != nil {
			c.errorf("%s: mount point does not exist.", target)
		} else {
			c.errorf("%s: mount point is not a directory.", target)
		}
		c.errRaw(mountDmesg)
		return c.done(32)
	}
	if !c.isRoot() {
		c.errorf("%s: must be superuser to use mount.", target)
		c.errRaw(mountDmesg)
		return c.done(32)
	}
	if strings.HasPrefix(src, "/") || strings.HasPrefix(src, "./") {
		if _, err := c.FS.Stat(c.abs(src)); err != nil {
			c.errorf("%s: special device %s does not exist.", target, src)
			c.errRaw(mountDmesg)
			return c.done(32)
		}
		for _, m := range c.mountTable() {
			if m.source == src {
				c.errorf("%s: %s already mounted on %s.", target, src, m.target)
				c.errRaw(mountDmesg)
				return c.done(32)
			}
		}
		c.errorf("%s: wrong fs type, bad option, bad superblock on %s, missing codepage or helper program, or other error.", target, src)
		c.errRaw(mountDmesg)
		return c.done(32)
	}
	if strings.Contains(src, ":") || types == "nfs" || types == "cifs" {
		c.errorf("%s: bad option; for several filesystems (e.g. nfs, cifs) you might need a /sbin/mount.<type> helper program.", target)
		c.errRaw(mountDmesg)
		return c.done(32)
	}
	// a virtual filesystem (tmpfs, proc) mounts without a device; the table stays as it is
	return c.done(0)
}

// mountTypeMatch applies mount's -t list ("ext4,vfat", "noproc,nosysfs").
func mountTypeMatch(list, fstype string) bool {
	neg := strings.HasPrefix(list, "no")
	for _, t := range strings.Split(list, ",") {
		t = strings.TrimPrefix(t, "no")
		if t == fstype {
			return !neg
		}
	}
	return neg
}

func umountCmd(p *Proc) int {
	c := newCmd(p)
	opts, ops, ok, st := c.parse(optSpec{Short: "acdfhilnO:Rrt:vVqN:", Long: []longOpt{
		{Name: "all", Key: "a"}, {Name: "all-targets", Key: "A"}, {Name: "no-canonicalize", Key: "c"},
		{Name: "detach-loop", Key: "d"}, {Name: "fake", Key: "fake"}, {Name: "force", Key: "f"},
		{Name: "help", Key: "h"}, {Name: "internal-only", Key: "i"}, {Name: "lazy", Key: "l"},
		{Name: "no-mtab", Key: "n"}, {Name: "test-opts", Arg: argRequired, Key: "O"}, {Name: "recursive", Key: "R"},
		{Name: "read-only", Key: "r"}, {Name: "types", Arg: argRequired, Key: "t"}, {Name: "verbose", Key: "v"},
		{Name: "version", Key: "V"}, {Name: "quiet", Key: "q"}, {Name: "namespace", Arg: argRequired, Key: "N"},
	}}, 1)
	if !ok {
		return st
	}
	for _, o := range opts {
		switch o.Key {
		case "h":
			c.print(umountHelp)
			return c.done(0)
		case "V":
			c.print("umount from util-linux 2.38.1 (libmount 2.38.1: selinux, smack, btrfs, verity, namespaces, assert, debug)\n")
			return c.done(0)
		case "a":
			if !c.isRoot() {
				c.errorf("only root can use \"--all\" option")
				return c.done(1)
			}
			return c.done(0)
		}
	}
	if len(ops) == 0 {
		c.errorf("bad usage")
		return c.tryHelp(1)
	}
	status := 0
	for _, a := range ops {
		target := c.abs(a)
		mounted := false
		for _, m := range c.mountTable() {
			if m.target == target || m.source == a {
				mounted, target = true, m.target
			}
		}
		switch {
		case !mounted:
			if _, err := c.FS.Stat(c.abs(a)); err != nil {
				c.errorf("%s: no mount point specified.", a)
			} else {
				c.errorf("%s: not mounted.", target)
			}
			status = 32
		case !c.isRoot():
			c.errorf("%s: must be superuser to unmount.", target)
			status = 32
		default:
			c.errorf("%s: target is busy.", target)
			status = 32
		}
	}
	return c.done(status)
}

func findmntCmd(p *Proc) int {
	c := newCmd(p)
	opts, ops, ok, st := c.parse(optSpec{Short: "AabCcDd:ehiJfF:o:O:klmnN:rst:uvRS:T:Ux::w:M:PyV", Long: []longOpt{
		{Name: "all", Key: "A"}, {Name: "ascii", Key: "a"}, {Name: "bytes", Key: "b"}, {Name: "canonicalize", Key: "c"},
		{Name: "df", Key: "D"}, {Name: "evaluate", Key: "e"}, {Name: "first-only", Key: "f"}, {Name: "help", Key: "h"},
		{Name: "invert", Key: "i"}, {Name: "json", Key: "J"}, {Name: "list", Key: "l"}, {Name: "noheadings", Key: "n"},
		{Name: "output", Arg: argRequired, Key: "o"}, {Name: "output-all", Key: "output-all"},
		{Name: "options", Arg: argRequired, Key: "O"}, {Name: "raw", Key: "r"}, {Name: "types", Arg: argRequired, Key: "t"},
		{Name: "fstab", Key: "s"}, {Name: "mtab", Key: "m"}, {Name: "kernel", Key: "k"}, {Name: "source", Arg: argRequired, Key: "S"},
		{Name: "target", Arg: argRequired, Key: "T"}, {Name: "mountpoint", Arg: argRequired, Key: "M"},
		{Name: "version", Key: "V"}, {Name: "verify", Key: "x"}, {Name: "real", Key: "real"}, {Name: "pseudo", Key: "pseudo"},
		{Name: "nofsroot", Key: "v"}, {Name: "submounts", Key: "R"}, {Name: "unique", Key: "U"},
		{Name: "pairs", Key: "P"}, {Name: "uniq", Key: "u"}, {Name: "shadowed", Key: "shadowed"},
	}}, 1)
	if !ok {
		return st
	}
	list, raw, noHead, ascii, df := false, false, false, false, false
	var types string
	cols := []string{"TARGET", "SOURCE", "FSTYPE", "OPTIONS"}
	var source, target, containing string
	for _, o := range opts {
		switch o.Key {
		case "h":
			c.print(findmntHelp)
			return c.done(0)
		case "V":
			c.print("findmnt from util-linux 2.38.1\n")
			return c.done(0)
		case "l":
			list = true
		case "r":
			raw = true
		case "n":
			noHead = true
		case "a":
			ascii = true
		case "t":
			types = o.Val
		case "o":
			cols = strings.Split(strings.ToUpper(o.Val), ",")
		case "D":
			df, list = true, true
			cols = []string{"SOURCE", "FSTYPE", "SIZE", "USED", "AVAIL", "USE%", "TARGET"}
		case "S":
			source = o.Val
		case "M":
			target = o.Val
		case "T":
			containing = o.Val
		}
	}
	colDef := map[string]scolsColumn{"TARGET": {name: "TARGET"}, "SOURCE": {name: "SOURCE"}, "FSTYPE": {name: "FSTYPE"},
		"OPTIONS": {name: "OPTIONS"}, "SIZE": {name: "SIZE", right: true}, "USED": {name: "USED", right: true},
		"AVAIL": {name: "AVAIL", right: true}, "USE%": {name: "USE%", right: true}, "FSROOT": {name: "FSROOT"},
		"VFS-OPTIONS": {name: "VFS-OPTIONS"}, "FS-OPTIONS": {name: "FS-OPTIONS"}, "PROPAGATION": {name: "PROPAGATION"}}
	for _, col := range cols {
		if _, ok := colDef[col]; !ok {
			c.errorf("unknown column: %s", col)
			return c.done(1)
		}
	}
	switch len(ops) {
	case 0:
	case 1:
		if strings.HasPrefix(ops[0], "/dev/") || strings.Contains(ops[0], "=") {
			source = ops[0]
		} else {
			target = ops[0]
		}
	default:
		source, target = ops[0], ops[1]
	}
	mounts := c.mountTable()
	disks := c.persona().Hardware.Disks
	t := &scolsTable{tree: !list && !raw && source == "" && target == "" && containing == "", raw: raw, noHead: noHead, utf8Tree: !ascii && c.utf8Locale()}
	for _, col := range cols {
		t.cols = append(t.cols, colDef[col])
	}
	// parents: the mount whose target is the longest proper prefix (mountinfo's parent id:
	// the root filesystem is the parent of the early mounts the initramfs moved over)
	parent := make([]int, len(mounts))
	for i, m := range mounts {
		parent[i] = -1
		best := -1
		for j, pm := range mounts {
			pt := pm.target
			if j != i && pt != m.target && (pt == "/" || strings.HasPrefix(m.target, pt+"/")) && len(pt) > best {
				best, parent[i] = len(pt), j
			}
		}
	}
	// -T PATH: the filesystem holding PATH
	if containing != "" {
		abs, best := path.Clean(c.abs(containing)), -1
		for _, m := range mounts {
			if (m.target == "/" || abs == m.target || strings.HasPrefix(abs, m.target+"/")) && len(m.target) > best {
				best, target = len(m.target), m.target
			}
		}
	}
	selected := func(m mountEntry) bool {
		if types != "" && !mountTypeMatch(types, m.fstype) {
			return false
		}
		if df && (m.fstype == "proc" || m.fstype == "sysfs" || strings.HasPrefix(m.fstype, "cgroup") || m.fstype == "devpts" ||
			m.fstype == "securityfs" || m.fstype == "pstore" || m.fstype == "bpf" || m.fstype == "autofs" ||
			m.fstype == "hugetlbfs" || m.fstype == "mqueue" || m.fstype == "debugfs" || m.fstype == "tracefs" ||
			m.fstype == "fusectl" || m.fstype == "configfs") {
			return false
		}
		if source != "" && m.source != source {
			return false
		}
		if target != "" && m.target != path.Clean(c.abs(target)) {
			return false
		}
		return true
	}
	row := func(m mountEntry) []string {
		var cells []string
		var d *struct{ size, used, avail int64 }
		for _, x := range disks {
			if x.Mount == m.target {
				d = &struct{ size, used, avail int64 }{x.SizeKB, x.UsedKB, x.Avail()}
			}
		}
		for _, col := range cols {
			v := ""
			switch col {
			case "TARGET":
				v = m.target
			case "SOURCE":
				v = m.source
			case "FSTYPE":
				v = m.fstype
			case "OPTIONS", "VFS-OPTIONS", "FS-OPTIONS":
				v = m.options
			case "FSROOT":
				v = "/"
			case "PROPAGATION":
				v = "shared"
			case "SIZE", "USED", "AVAIL", "USE%":
				if d == nil {
					v = "0"
					if col == "USE%" {
						v = "-"
					}
					break
				}
				switch col {
				case "SIZE":
					v = utilLinuxSize(uint64(d.size) * 1024)
				case "USED":
					v = utilLinuxSize(uint64(d.used) * 1024)
				case "AVAIL":
					v = utilLinuxSize(uint64(d.avail) * 1024)
				case "USE%":
					v = "0%"
					if d.size > 0 {
						v = fmt.Sprintf("%.0f%%", float64(d.used)/float64(d.size)*100)
					}
				}
				if v == "0B" {
					v = "0"
				}
			}
			cells = append(cells, v)
		}
		return cells
	}
	if t.tree {
		kids := map[int][]int{}
		var roots []int
		for i := range mounts {
			if !selected(mounts[i]) {
				continue
			}
			if parent[i] >= 0 && selected(mounts[parent[i]]) {
				kids[parent[i]] = append(kids[parent[i]], i)
			} else {
				roots = append(roots, i)
			}
		}
		var walk func(i int, path []bool)
		walk = func(i int, lp []bool) {
			t.rows = append(t.rows, scolsRow{cells: row(mounts[i]), lastPath: lp})
			for k, ch := range kids[i] {
				walk(ch, append(append([]bool(nil), lp...), k == len(kids[i])-1))
			}
		}
		for k, r := range roots {
			walk(r, []bool{k == len(roots)-1})
		}
	} else {
		for _, m := range mounts {
			if selected(m) {
				t.rows = append(t.rows, scolsRow{cells: row(m)})
			}
		}
	}
	if len(t.rows) == 0 {
		return c.done(1)
	}
	c.print(t.String())
	return c.done(0)
}
