package commands

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/lure-sensor/lure/internal/persona"
)

// df: coreutils 9.1's table (columns as wide as their widest cell, one space apart, the
// last one unpadded), its rounding (up, for -m and -h) and its Use% (rounded up), over the
// persona's mounted filesystems.

// dfDisks is the persona's mount table as df lists it, with the logged-in user's
// /run/user/UID tmpfs that pam_systemd mounts for every ssh login (when the persona has
// libpam-systemd).
func (c *cmd) dfDisks() []persona.Disk {
	disks := append([]persona.Disk(nil), c.persona().Hardware.Disks...)
	if len(disks) == 0 {
		disks = []persona.Disk{
			{Device: "udev", Mount: "/dev", FSType: "devtmpfs", SizeKB: 989836},
			{Device: "tmpfs", Mount: "/run", FSType: "tmpfs", SizeKB: 201444, UsedKB: 580},
			{Device: "/dev/vda1", Mount: "/", FSType: "ext4", SizeKB: 20480580, UsedKB: 1873412, AvailKB: 17541316},
			{Device: "tmpfs", Mount: "/dev/shm", FSType: "tmpfs", SizeKB: 1007216},
			{Device: "tmpfs", Mount: "/run/lock", FSType: "tmpfs", SizeKB: 5120},
		}
	}
	if installed, known := c.pkgInstalled("libpam-systemd"); known && !installed {
		// without pam_systemd no logind session, so no /run/user mount
		return disks
	}
	userRun := "/run/user/" + strconv.Itoa(c.User.UID)
	var run *persona.Disk
	for i := range disks {
		if disks[i].Mount == userRun {
			return disks
		}
		if disks[i].Mount == "/run" {
			run = &disks[i]
		}
	}
	if run != nil {
		disks = append(disks, persona.Disk{Device: "tmpfs", Mount: userRun, FSType: "tmpfs", SizeKB: run.SizeKB})
	}
	return disks
}

// humanCeil renders n bytes as coreutils' human_readable does for df -h (powers of 1024,
// rounded up, one decimal below 10, no "B" suffix).
func humanCeil(n uint64, si bool) string {
	base := uint64(1024)
	if si {
		base = 1000
	}
	amt := n
	tenths, rounding := uint64(0), uint64(0)
	exponent := 0
	const suffixes = "KMGTPEZY"
	if amt >= base {
		for amt >= base && exponent < len(suffixes) {
			r10 := (amt%base)*10 + tenths
			r2 := (r10%base)*2 + (rounding >> 1)
			amt /= base
			tenths = r10 / base
			if r2 < base {
				if r2+rounding != 0 {
					rounding = 1
				} else {
					rounding = 0
				}
			} else {
				rounding = 2
				if base < r2+rounding {
					rounding = 3
				}
			}
			exponent++
		}
		if amt < 10 {
			if rounding > 0 {
				tenths++
				rounding = 0
				if tenths == 10 {
					amt++
					tenths = 0
				}
			}
			if amt < 10 {
				s := strconv.FormatUint(amt, 10) + "." + strconv.FormatUint(tenths, 10)
				tenths, rounding = 0, 0
				return s + suffixes[exponent-1:exponent]
			}
		}
	}
	if tenths+rounding > 0 {
		amt++
		if amt == base && exponent < len(suffixes) {
			exponent++
			return "1.0" + suffixes[exponent-1:exponent]
		}
	}
	s := strconv.FormatUint(amt, 10)
	if exponent > 0 {
		s += suffixes[exponent-1 : exponent]
	}
	return s
}

func dfCmd(p *Proc) int {
	c := newCmd(p)
	opts, ops, ok, st := c.parse(optSpec{Short: "aB:iF:hHklmPTt:vx:", Long: stdLong(
		longOpt{Name: "all", Key: "a"}, longOpt{Name: "block-size", Arg: argRequired, Key: "B"},
		longOpt{Name: "inodes", Key: "i"}, longOpt{Name: "human-readable", Key: "h"}, longOpt{Name: "si", Key: "H"},
		longOpt{Name: "local", Key: "l"}, longOpt{Name: "output", Arg: argOptional, Key: "output"},
		longOpt{Name: "portability", Key: "P"}, longOpt{Name: "print-type", Key: "T"}, longOpt{Name: "sync", Key: "sync"},
		longOpt{Name: "no-sync", Key: "no-sync"}, longOpt{Name: "total", Key: "total"},
		longOpt{Name: "type", Arg: argRequired, Key: "t"}, longOpt{Name: "exclude-type", Arg: argRequired, Key: "x"},
	)}, 1)
	if !ok {
		return st
	}
	var human, si, inodes, posix, printType, total bool
	blockKB := int64(1)
	var onlyTypes, exclTypes []string
	for _, o := range opts {
		switch o.Key {
		case "help", "version":
			return c.sysHelp(o.Key, "df")
		case "h":
			human, si = true, false
		case "H":
			human, si = true, true
		case "i":
			inodes = true
		case "k":
			blockKB, human = 1, false
		case "m":
			blockKB, human = 1024, false
		case "B":
			v, ok := parseBlockSize(o.Val)
			if !ok {
				c.errorf("invalid --block-size argument %s", c.quoteLoc(o.Val))
				return c.done(1)
			}
			blockKB, human = v, false
		case "P":
			posix = true
		case "T":
			printType = true
		case "total":
			total = true
		case "t":
			onlyTypes = append(onlyTypes, o.Val)
		case "x":
			exclTypes = append(exclTypes, o.Val)
		}
	}
	disks := c.dfDisks()
	var sel []persona.Disk
	status := 0
	if len(ops) > 0 {
		for _, op := range ops {
			abs := c.abs(op)
			if _, err := c.FS.Stat(abs); err != nil {
				c.errorf("%s: %s", op, errText(err))
				status = 1
				continue
			}
			best := -1
			for i, d := range disks {
				if abs == d.Mount || d.Mount == "/" || strings.HasPrefix(abs, d.Mount+"/") {
					if best < 0 || len(d.Mount) > len(disks[best].Mount) {
						best = i
					}
				}
			}
			if best >= 0 {
				sel = append(sel, disks[best])
			}
		}
		if len(sel) == 0 {
			return c.done(status)
		}
	} else {
		for _, d := range disks {
			keep := len(onlyTypes) == 0
			for _, t := range onlyTypes {
				if t == d.FSType {
					keep = true
				}
			}
			for _, t := range exclTypes {
				if t == d.FSType {
					keep = false
				}
			}
			if keep {
				sel = append(sel, d)
			}
		}
		if len(sel) == 0 {
			c.errorf("no file systems processed")
			return c.done(1)
		}
	}
	type colDef struct {
		head  string
		right bool
		width int
	}
	cols := []colDef{{"Filesystem", false, 14}}
	if printType {
		cols = append(cols, colDef{"Type", false, 4})
	}
	switch {
	case inodes:
		cols = append(cols, colDef{"Inodes", true, 5}, colDef{"IUsed", true, 5}, colDef{"IFree", true, 5}, colDef{"IUse%", true, 4})
	case human:
		cols = append(cols, colDef{"Size", true, 5}, colDef{"Used", true, 5}, colDef{"Avail", true, 5}, colDef{"Use%", true, 4})
	case posix:
		cols = append(cols, colDef{blockHeader(blockKB, true), true, 5}, colDef{"Used", true, 5}, colDef{"Available", true, 5}, colDef{"Capacity", true, 4})
	default:
		cols = append(cols, colDef{blockHeader(blockKB, false), true, 5}, colDef{"Used", true, 5}, colDef{"Available", true, 5}, colDef{"Use%", true, 4})
	}
	cols = append(cols, colDef{"Mounted on", false, 0})
	num := func(kb int64) string {
		if human {
			return humanCeil(uint64(kb)*1024, si)
		}
		return strconv.FormatInt((kb+blockKB-1)/blockKB, 10)
	}
	pct := func(used, avail int64) string {
		if used+avail == 0 {
			return "-"
		}
		v := float64(used) * 100 / float64(used+avail)
		iv := float64(int64(v))
		if iv < v {
			iv++
		}
		return fmt.Sprintf("%.0f%%", iv)
	}
	rows := [][]string{}
	head := make([]string, len(cols))
	for i, cd := range cols {
		head[i] = cd.head
	}
	rows = append(rows, head)
	var tSize, tUsed, tAvail int64
	for _, d := range sel {
		row := []string{d.Device}
		if printType {
			row = append(row, d.FSType)
		}
		if inodes {
			it, iu := dfInodes(d)
			if it == 0 {
				row = append(row, "0", "0", "0", "-")
			} else {
				row = append(row, strconv.FormatInt(it, 10), strconv.FormatInt(iu, 10), strconv.FormatInt(it-iu, 10), pct(iu, it-iu))
			}
		} else {
			row = append(row, num(d.SizeKB), num(d.UsedKB), num(d.Avail()), pct(d.UsedKB, d.Avail()))
		}
		tSize += d.SizeKB
		tUsed += d.UsedKB
		tAvail += d.Avail()
		row = append(row, d.Mount)
		rows = append(rows, row)
	}
	if total && !inodes {
		row := []string{"total"}
		if printType {
			row = append(row, "-")
		}
		row = append(row, num(tSize), num(tUsed), num(tAvail), pct(tUsed, tAvail), "-")
		rows = append(rows, row)
	}
	widths := make([]int, len(cols))
	for i, cd := range cols {
		widths[i] = cd.width
		for _, r := range rows {
			if len(r[i]) > widths[i] {
				widths[i] = len(r[i])
			}
		}
	}
	for _, r := range rows {
		var b strings.Builder
		for i, cell := range r {
			if i > 0 {
				b.WriteByte(' ')
			}
			switch {
			case i == len(r)-1:
				b.WriteString(cell)
			case cols[i].right:
				fmt.Fprintf(&b, "%*s", widths[i], cell)
			default:
				fmt.Fprintf(&b, "%-*s", widths[i], cell)
			}
		}
		c.print(b.String() + "\n")
	}
	return c.done(status)
}

// blockHeader names the size column: "1K-blocks", "1M-blocks", or "1024-blocks" with -P.
func blockHeader(kb int64, posix bool) string {
	if posix && kb == 1 {
		return "1024-blocks"
	}
	switch {
	case kb%(1024*1024*1024) == 0:
		return strconv.FormatInt(kb/(1024*1024*1024), 10) + "T-blocks"
	case kb%(1024*1024) == 0:
		return strconv.FormatInt(kb/(1024*1024), 10) + "G-blocks"
	case kb%1024 == 0:
		return strconv.FormatInt(kb/1024, 10) + "M-blocks"
	}
	return strconv.FormatInt(kb, 10) + "K-blocks"
}

// parseBlockSize reads a -B argument in kB units ("1K", "1M", "G", "1024").
func parseBlockSize(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	mult := int64(1)
	unit := strings.ToUpper(strings.TrimRight(s, "0123456789"))
	digits := strings.TrimSuffix(s, s[len(s)-len(unit):])
	switch strings.TrimSuffix(unit, "IB") {
	case "", "B":
		if unit == "" {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil || n <= 0 || n%1024 != 0 {
				return 0, false
			}
			return n / 1024, true
		}
		return 0, false
	case "K":
	case "M":
		mult = 1024
	case "G":
		mult = 1024 * 1024
	case "T":
		mult = 1024 * 1024 * 1024
	default:
		return 0, false
	}
	n := int64(1)
	if digits != "" {
		v, err := strconv.ParseInt(digits, 10, 64)
		if err != nil || v <= 0 {
			return 0, false
		}
		n = v
	}
	return n * mult, true
}

// dfInodes derives inode counts the persona does not record: ext4's default of one inode
// per 16 KiB, tmpfs's one per page of half the RAM, none for FAT.
func dfInodes(d persona.Disk) (total, used int64) {
	switch d.FSType {
	case "vfat", "fat", "msdos":
		return 0, 0
	case "tmpfs", "devtmpfs":
		total = d.SizeKB / 4
		if total < 1 {
			total = 1
		}
		used = 1 + d.UsedKB/8
		if d.FSType == "devtmpfs" {
			used = 412
		}
	default:
		total = d.SizeKB / 16
		used = d.UsedKB/28 + 11
	}
	if used > total {
		used = total
	}
	return total, used
}
