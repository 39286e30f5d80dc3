package commands

import (
	"fmt"
	"hash/fnv"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/lure-sensor/lure/internal/persona"
	"github.com/lure-sensor/lure/internal/vfs"
)

// The fileinfo family: stat (coreutils 9.1) and file (file 5.44), both answering from the
// vfs metadata and the persona's facts (its disks for device numbers and statfs data).

func registerFileinfo(r *Registry) {
	r.Register("stat", statMain)
	r.Register("file", fileMain)
}

const statDefaultFile = "  File: %N\n  Size: %-10s\tBlocks: %-10b IO Block: %-6o %F\n"
const statDefaultDev = "Device: %Hd,%Ld\tInode: %-11i Links: %h\n"
const statDefaultDevSpecial = "Device: %Hd,%Ld\tInode: %-10i  Links: %-5h Device type: %Hr,%Lr\n"
const statDefaultTail = "Access: (%04a/%10.10A)  Uid: (%5u/%8U)   Gid: (%5g/%8G)\nAccess: %x\nModify: %y\nChange: %z\n Birth: %w\n"
const statTerse = "%n %s %b %f %u %g %D %i %h %t %T %X %Y %Z %W %o\n"
const statFSDefault = "  File: \"%n\"\n    ID: %-8i Namelen: %-7l Type: %T\nBlock size: %-10s Fundamental block size: %S\nBlocks: Total: %-10b Free: %-10f Available: %a\nInodes: Total: %-10c Free: %d\n"
const statFSTerse = "%n %i %l %t %s %S %b %f %a %c %d\n"

const statVersion = "stat (GNU coreutils) 9.1\nCopyright (C) 2022 Free Software Foundation, Inc.\nLicense GPLv3+: GNU GPL version 3 or later <https://gnu.org/licenses/gpl.html>.\nThis is free software: you are free to change and redistribute it.\nThere is NO WARRANTY, to the extent permitted by law.\n\nWritten by Michael Meskes.\n"

// statTarget is one operand's data as stat formats it.
type statTarget struct {
	name string // the operand as given
	abs  string
	m    vfs.Meta
	ids  *idNames
}

func statMain(p *Proc) int {
	c := newCmd(p)
	opts, ops, ok, st := c.parse(optSpec{Short: "c:fLt", Long: withHelp(
		longOpt{"format", argRequired, "c"}, longOpt{"printf", argRequired, "printf"},
		longOpt{"file-system", argNone, "f"}, longOpt{"dereference", argNone, "L"},
		longOpt{"terse", argNone, "t"}, longOpt{"cached", argRequired, "cached"})}, 1)
	if !ok {
		return st
	}
	var format string
	var hasFormat, printf, fsMode, follow, terse bool
	for _, o := range opts {
		switch o.Key {
		case "help":
			c.print(fileutilsHelp["stat"][0])
			return c.done(0)
		case "version":
			c.print(statVersion)
			return c.done(0)
		case "c":
			format, hasFormat, printf = o.Val, true, false
		case "printf":
			format, hasFormat, printf = o.Val, true, true
		case "f":
			fsMode = true
		case "L":
			follow = true
		case "t":
			terse = true
		case "cached":
			switch o.Val {
			case "always", "never", "default":
			default:
				c.errorf("invalid argument %s for '--cached'", c.quoteLoc(o.Val))
				c.errRaw("Valid arguments are:\n  - 'default'\n  - 'never'\n  - 'always'\n")
				return c.tryHelp(1)
			}
		}
	}
	if len(ops) == 0 {
		c.errorf("missing operand")
		return c.tryHelp(1)
	}
	if printf {
		format = statUnescape(format)
	}
	ids := c.loadIDNames()
	status := 0
	for _, name := range ops {
		abs := c.abs(name)
		var m vfs.Meta
		var err error
		if follow || fsMode {
			m, err = c.FS.Stat(abs)
		} else {
			m, err = c.FS.Lstat(abs)
		}
		if err != nil {
			if fsMode {
				c.errorf("cannot read file system information for %s: %s", c.quoteLoc(name), errText(err))
			} else {
				c.errorf("cannot statx %s: %s", c.quoteLoc(name), errText(err))
			}
			status = 1
			continue
		}
		t := &statTarget{name: name, abs: abs, m: m, ids: ids}
		f := format
		if fsMode {
			if !hasFormat {
				f = statFSDefault
				if terse {
					f = statFSTerse
				}
			}
			c.print(c.statExpand(f, t, true, hasFormat))
			if hasFormat && !printf {
				c.print("\n")
			}
			continue
		}
		if !hasFormat {
			switch {
			case terse:
				f = statTerse
			case m.Mode&fs.ModeDevice != 0:
				f = statDefaultFile + statDefaultDevSpecial + statDefaultTail
			default:
				f = statDefaultFile + statDefaultDev + statDefaultTail
			}
		}
		c.print(c.statExpand(f, t, false, hasFormat))
		if hasFormat && !printf {
			c.print("\n")
		}
	}
	return c.done(status)
}

// statUnescape interprets --printf's backslash escapes as stat does.
func statUnescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch ch := s[i]; ch {
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 'e':
			b.WriteByte(0x1b)
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'v':
			b.WriteByte('\v')
		case '"', '\\', '\'':
			b.WriteByte(ch)
		case 'x':
			v, n := 0, 0
			for n < 2 && i+1 < len(s) && isHex(s[i+1]) {
				i++
				v = v*16 + hexVal(s[i])
				n++
			}
			if n == 0 {
				b.WriteString("\\x")
			} else {
				b.WriteByte(byte(v))
			}
		default:
			if ch >= '0' && ch <= '7' {
				v := int(ch - '0')
				for n := 1; n < 3 && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '7'; n++ {
					i++
					v = v*8 + int(s[i]-'0')
				}
				b.WriteByte(byte(v))
			} else {
				b.WriteByte('\\')
				b.WriteByte(ch)
			}
		}
	}
	return b.String()
}

func isHex(c byte) bool { return isDigit(c) || (c|0x20) >= 'a' && (c|0x20) <= 'f' }

func hexVal(c byte) int {
	if isDigit(c) {
		return int(c - '0')
	}
	return int(c|0x20) - 'a' + 10
}

// statDisk is the persona's mounted filesystem holding abs (the longest mount prefix).
func (c *cmd) statDisk(abs string) persona.Disk {
	var best persona.Disk
	for _, d := range c.persona().Hardware.Disks {
		mp := d.Mount
		if (abs == mp || mp == "/" || strings.HasPrefix(abs, mp+"/")) && len(mp) >= len(best.Mount) {
			best = d
		}
	}
	if best.Mount == "" {
		best = persona.Disk{Device: "/dev/vda1", Mount: "/", FSType: "ext4", SizeKB: 20509264, UsedKB: 2100000}
	}
	return best
}

// statDevice returns the device numbers of the filesystem holding abs: the pseudo
// filesystems keep the small anonymous numbers the kernel gives them, disks the numbers
// of their driver (virtio 254, SCSI 8, NVMe 259) and partition.
func (c *cmd) statDevice(abs string) (uint32, uint32) {
	switch {
	case abs == "/dev" || strings.HasPrefix(abs, "/dev/"):
		if abs == "/dev/pts" || strings.HasPrefix(abs, "/dev/pts/") {
			return 0, 24
		}
		if abs == "/dev/shm" || strings.HasPrefix(abs, "/dev/shm/") {
			return 0, 25
		}
		return 0, 5
	case abs == "/proc" || strings.HasPrefix(abs, "/proc/"):
		return 0, 22
	case abs == "/sys" || strings.HasPrefix(abs, "/sys/"):
		return 0, 21
	case abs == "/run" || strings.HasPrefix(abs, "/run/"):
		return 0, 26
	}
	dev := path.Base(c.statDisk(abs).Device)
	part := 0
	i := len(dev)
	for i > 0 && isDigit(dev[i-1]) {
		i--
	}
	part, _ = strconv.Atoi(dev[i:])
	switch {
	case strings.HasPrefix(dev, "vd"), strings.HasPrefix(dev, "xvd"):
		return 254, uint32(part)
	case strings.HasPrefix(dev, "sd"):
		return 8, uint32(part)
	case strings.HasPrefix(dev, "nvme"):
		return 259, uint32(part)
	}
	return 254, uint32(part)
}

// statTime renders a timestamp as %x/%y/%z do.
func (c *cmd) statTime(t time.Time) string {
	return t.In(c.location()).Format("2006-01-02 15:04:05.000000000 -0700")
}

// statExpand expands the directives of format for t.
func (c *cmd) statExpand(format string, t *statTarget, fsMode, user bool) string {
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		ch := format[i]
		if ch != '%' {
			b.WriteByte(ch)
			continue
		}
		j := i + 1
		for j < len(format) && strings.IndexByte("-#+ 0'I", format[j]) >= 0 {
			j++
		}
		flags := strings.ReplaceAll(strings.ReplaceAll(format[i+1:j], "'", ""), "I", "")
		k := j
		for k < len(format) && isDigit(format[k]) {
			k++
		}
		width := format[j:k]
		prec := ""
		if k < len(format) && format[k] == '.' {
			p := k + 1
			for p < len(format) && isDigit(format[p]) {
				p++
			}
			prec = format[k:p]
			k = p
		}
		if k >= len(format) {
			// A trailing '%' is printed as is.
			b.WriteByte('%')
			break
		}
		conv := format[k]
		mod := byte(0)
		if !fsMode && (conv == 'H' || conv == 'L') && k+1 < len(format) && strings.IndexByte("dr", format[k+1]) >= 0 {
			mod = conv
			k++
			conv = format[k]
		}
		i = k
		spec := "%" + flags + width + prec
		var v any
		var ok bool
		if fsMode {
			v, ok = c.statFSField(conv, t)
		} else {
			v, ok = c.statField(conv, mod, t, user)
		}
		if !ok {
			b.WriteByte('?')
			continue
		}
		switch x := v.(type) {
		case string:
			if prec != "" && (conv == 'x' || conv == 'y' || conv == 'z' || conv == 'w') {
				spec = "%" + flags + width
			}
			fmt.Fprintf(&b, spec+"s", x)
		case int64:
			fmt.Fprintf(&b, strings.ReplaceAll(spec, "#", "")+"d", x)
		case uint64:
			fmt.Fprintf(&b, strings.ReplaceAll(spec, "#", "")+"d", x)
		case statHex:
			fmt.Fprintf(&b, spec+"x", uint64(x))
		case statOct:
			if strings.Contains(flags, "#") {
				fmt.Fprintf(&b, "%"+strings.ReplaceAll(flags, "#", "")+width+prec+"s", "0"+strconv.FormatUint(uint64(x), 8))
			} else {
				fmt.Fprintf(&b, spec+"o", uint64(x))
			}
		}
	}
	return b.String()
}

// statHex and statOct mark numbers that stat prints in hex or octal.
type statHex uint64
type statOct uint64

func (c *cmd) statField(conv, mod byte, t *statTarget, user bool) (any, bool) {
	m := t.m
	switch conv {
	case 'n':
		return t.name, true
	case 'N':
		if !user {
			if m.Mode&fs.ModeSymlink != 0 {
				return t.name + " -> " + m.Target, true
			}
			return t.name, true
		}
		s := c.quoteAF(t.name)
		if m.Mode&fs.ModeSymlink != 0 {
			s += " -> " + c.quoteAF(m.Target)
		}
		return s, true
	case 's':
		return m.Size, true
	case 'a':
		return statOct(unixMode(m.Mode) & 0o7777), true
	case 'A':
		return modeString(m.Mode), true
	case 'f':
		return statHex(vfs.UnixMode(m.Mode)), true
	case 'F':
		return fileKind(m), true
	case 'u':
		return int64(m.UID), true
	case 'g':
		return int64(m.GID), true
	case 'U':
		return t.ids.user(m.UID), true
	case 'G':
		return t.ids.group(m.GID), true
	case 'i':
		return m.Ino, true
	case 'h':
		n := int64(m.Nlink)
		if n == 0 {
			n = 1
		}
		return n, true
	case 'b':
		return blocks1K(m) * 2, true
	case 'B':
		return int64(512), true
	case 'o':
		return int64(4096), true
	case 'd', 'D', 'r', 'R', 't', 'T':
		var maj, min uint32
		if conv == 'd' || conv == 'D' {
			maj, min = c.statDevice(t.abs)
		} else if m.Mode&fs.ModeDevice != 0 {
			maj, min = c.devNumbers(t.abs)
		}
		dev := uint64(maj)<<8 | uint64(min)
		switch {
		case mod == 'H':
			return int64(maj), true
		case mod == 'L':
			return int64(min), true
		case conv == 'd' || conv == 'r':
			return dev, true
		case conv == 'D' || conv == 'R':
			return statHex(dev), true
		case conv == 't':
			return statHex(maj), true
		}
		return statHex(min), true
	case 'm':
		return c.statDisk(t.abs).Mount, true
	case 'w':
		return "-", true
	case 'W':
		return int64(0), true
	case 'x':
		return c.statTime(m.ATime), true
	case 'y':
		return c.statTime(m.MTime), true
	case 'z':
		return c.statTime(m.CTime), true
	case 'X':
		return m.ATime.Unix(), true
	case 'Y':
		return m.MTime.Unix(), true
	case 'Z':
		return m.CTime.Unix(), true
	case 'C':
		return "?", true
	case '%':
		return "%", true
	}
	return nil, false
}

func (c *cmd) statFSField(conv byte, t *statTarget) (any, bool) {
	d := c.statDisk(t.abs)
	switch conv {
	case 'n':
		return t.name, true
	case 'i':
		h := fnv.New64a()
		h.Write([]byte(d.Device))
		return fmt.Sprintf("%x", h.Sum64()), true
	case 'l':
		return int64(255), true
	case 't':
		return statHex(0xef53), true
	case 'T':
		switch d.FSType {
		case "ext2", "ext3", "ext4", "":
			return "ext2/ext3", true
		}
		return d.FSType, true
	case 's', 'S':
		return int64(4096), true
	case 'b':
		return d.SizeKB / 4, true
	case 'f':
		free := d.SizeKB - d.UsedKB
		if free < 0 {
			free = 0
		}
		return free / 4, true
	case 'a':
		return d.Avail() / 4, true
	case 'c', 'd':
		total, used := dfInodes(d)
		if conv == 'c' {
			return total, true
		}
		return total - used, true
	case '%':
		return "%", true
	}
	return nil, false
}

// wellKnownDevs are the device numbers Linux gives its fixed character devices, used when the
// persona recorded none for a device file.
var wellKnownDevs = map[string][2]uint32{
	"/dev/null": {1, 3}, "/dev/zero": {1, 5}, "/dev/full": {1, 7}, "/dev/random": {1, 8},
	"/dev/urandom": {1, 9}, "/dev/kmsg": {1, 11}, "/dev/tty": {5, 0}, "/dev/console": {5, 1},
	"/dev/ptmx": {5, 2}, "/dev/tty0": {4, 0}, "/dev/mem": {1, 1}, "/dev/port": {1, 4},
}

// devNumbers returns the major and minor numbers of the device file at abs.
func (c *cmd) devNumbers(abs string) (uint32, uint32) {
	if info, ok := c.persona().Info(abs); ok && (info.DevMajor != 0 || info.DevMinor != 0) {
		return info.DevMajor, info.DevMinor
	}
	if d, ok := wellKnownDevs[abs]; ok {
		return d[0], d[1]
	}
	return 0, 0
}
