package commands

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io/fs"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lure-sensor/lure/internal/vfs"
)

// file 5.44: the magic tests attackers lean on (ELF details, scripts, text flavours, gzip,
// tar, keys, empty, directories, links, devices), worded as Debian's magic database words them.

const fileUsage = `Usage: file [-bcCdEhikLlNnprsSvzZ0] [--apple] [--extension] [--mime-encoding]
            [--mime-type] [-e <testname>] [-F <separator>]  [-f <namefile>]
            [-m <magicfiles>] [-P <parameter=value>] [--exclude-quiet]
            <file> ...
       file -C [-m <magicfiles>]
       file [--help]
`

func fileMain(p *Proc) int {
	c := newCmd(p)
	opts, ops, err := parseOpts(c.name, c.Args[1:], optSpec{Short: "bcCdEhikLlNnprsSvzZ0e:F:f:m:P:", Long: []longOpt{
		{"brief", argNone, "b"}, {"dereference", argNone, "L"}, {"no-dereference", argNone, "h"},
		{"mime", argNone, "i"}, {"mime-type", argNone, "mime-type"}, {"mime-encoding", argNone, "mime-encoding"},
		{"separator", argRequired, "F"}, {"version", argNone, "v"}, {"help", argNone, "help"},
		{"special-files", argNone, "s"}, {"uncompress", argNone, "z"}, {"no-pad", argNone, "N"},
		{"print0", argNone, "0"}, {"keep-going", argNone, "k"}, {"raw", argNone, "r"},
	}})
	if err != nil {
		c.errorf("%s", err.Msg)
		c.errRaw(fileUsage)
		return c.done(1)
	}
	brief, follow, errExit, noPad := false, false, false, false
	mimeType, mimeEnc := false, false
	sep := ":"
	for _, o := range opts {
		switch o.Key {
		case "b":
			brief = true
		case "L":
			follow = true
		case "h":
			follow = false
		case "E":
			errExit = true
		case "i":
			mimeType, mimeEnc = true, true
		case "mime-type":
			mimeType = true
		case "mime-encoding":
			mimeEnc = true
		case "N":
			noPad = true
		case "F":
			sep = o.Val
		case "v":
			c.print("file-5.44\nmagic file from /etc/magic:/usr/share/misc/magic\n")
			return c.done(0)
		case "help":
			c.print(fileUsage[:len(fileUsage)-len("       file [--help]\n")] + "       file [--help]\n")
			return c.done(0)
		}
	}
	if len(ops) == 0 {
		c.errRaw(fileUsage)
		return c.done(1)
	}
	width := 0
	for _, n := range ops {
		if len(n)+len(sep) > width {
			width = len(n) + len(sep)
		}
	}
	status := 0
	for _, name := range ops {
		desc, failed := c.fileDescribe(name, follow, errExit)
		if (mimeType || mimeEnc) && !strings.HasPrefix(desc, "cannot open") && !strings.HasPrefix(desc, "ERROR:") {
			typ, enc := fileMime(desc)
			switch {
			case mimeType && mimeEnc:
				desc = typ + "; charset=" + enc
			case mimeType:
				desc = typ
			default:
				desc = enc
			}
		}
		if failed {
			status = 1
		}
		if !brief {
			label := name + sep
			if !noPad {
				label += strings.Repeat(" ", width-len(label))
			}
			c.print(label + " ")
		}
		c.print(desc + "\n")
	}
	return c.done(status)
}

// fileDescribe classifies one operand; failed is true for -E stat errors.
func (c *cmd) fileDescribe(name string, follow, errExit bool) (string, bool) {
	abs := c.abs(name)
	m, err := c.FS.Lstat(abs)
	if err == nil && follow && m.Mode&fs.ModeSymlink != 0 {
		m, err = c.FS.Stat(abs)
	}
	if err != nil {
		if errExit {
			return fmt.Sprintf("ERROR: cannot stat `%s' (%s)", name, errText(err)), true
		}
		return fmt.Sprintf("cannot open `%s' (%s)", name, errText(err)), false
	}
	switch {
	case m.Mode&fs.ModeSymlink != 0:
		if _, err := c.FS.Stat(abs); err != nil {
			return "broken symbolic link to " + m.Target, false
		}
		return "symbolic link to " + m.Target, false
	case m.Mode.IsDir():
		return fileModePrefix(m) + "directory", false
	case m.Mode&fs.ModeNamedPipe != 0:
		return "fifo (named pipe)", false
	case m.Mode&fs.ModeSocket != 0:
		return "socket", false
	case m.Mode&fs.ModeDevice != 0:
		maj, min := c.devNumbers(abs)
		kind := "block special"
		if m.Mode&fs.ModeCharDevice != 0 {
			kind = "character special"
		}
		return fmt.Sprintf("%s (%d/%d)", kind, maj, min), false
	}
	data, err := c.FS.ReadFile(abs)
	if err != nil {
		return fmt.Sprintf("cannot open `%s' (%s)", name, errText(err)), false
	}
	if m.Size == 0 {
		return "empty", false
	}
	complete := int64(len(data)) >= m.Size
	return fileModePrefix(m) + c.fileMagic(data, m, abs, complete), false
}

// fileModePrefix is the "setuid setgid sticky " prefix file prints before the type.
func fileModePrefix(m vfs.Meta) string {
	s := ""
	if m.Mode&fs.ModeSetuid != 0 {
		s += "setuid "
	}
	if m.Mode&fs.ModeSetgid != 0 {
		s += "setgid "
	}
	if m.Mode&fs.ModeSticky != 0 {
		s += "sticky "
	}
	return s
}

// fileMagic classifies regular-file content.
func (c *cmd) fileMagic(data []byte, m vfs.Meta, abs string, complete bool) string {
	switch {
	case bytes.HasPrefix(data, []byte("\x7fELF")):
		return fileELF(data, m, abs, complete)
	case len(data) >= 10 && data[0] == 0x1f && data[1] == 0x8b && data[2] == 8:
		return c.fileGzip(data, m)
	case len(data) >= 263 && string(data[257:263]) == "ustar ":
		return "POSIX tar archive (GNU)"
	case len(data) >= 263 && string(data[257:262]) == "ustar":
		return "POSIX tar archive"
	case bytes.HasPrefix(data, []byte("-----BEGIN OPENSSH PRIVATE KEY-----")):
		return "OpenSSH private key"
	case bytes.HasPrefix(data, []byte("-----BEGIN RSA PRIVATE KEY-----")):
		return "PEM RSA private key"
	case bytes.HasPrefix(data, []byte("ssh-rsa ")):
		return "OpenSSH RSA public key"
	case bytes.HasPrefix(data, []byte("ssh-ed25519 ")):
		return "OpenSSH ED25519 public key"
	}
	if len(data) == 1 {
		return "very short file (no magic)"
	}
	enc := fileTextEncoding(data)
	if enc == "" {
		return "data"
	}
	suffix := fileTextSuffix(data)
	if bytes.HasPrefix(data, []byte("#!")) {
		line := string(data[2:])
		if i := strings.IndexByte(line, '\n'); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(line)
		interp := ""
		if len(f) > 0 {
			interp = f[0]
			if strings.HasSuffix(interp, "/env") && len(f) > 1 {
				interp = f[1]
			}
		}
		base := interp[strings.LastIndexByte(interp, '/')+1:]
		// The magic entry for "#!" makes every script "text executable", whatever its mode.
		x := " executable"
		var kind string
		switch {
		case base == "sh" || base == "dash":
			kind = "POSIX shell script"
		case base == "bash":
			kind = "Bourne-Again shell script"
		case strings.HasPrefix(base, "python"):
			kind = "Python script"
		case base == "perl":
			return "Perl script text" + x
		case base == "zsh":
			kind = "Paul Falstad's zsh script"
		case base == "ruby":
			kind = "Ruby script"
		case base == "php":
			kind = "PHP script"
		case base == "node" || base == "nodejs":
			kind = "Node.js script"
		case interp != "":
			kind = "a " + strings.Join(f, " ") + " script"
		}
		if kind != "" {
			return kind + ", " + enc + x + suffix
		}
	}
	if bytes.HasPrefix(data, []byte("<?php")) {
		return "PHP script, " + enc + suffix
	}
	if t := bytes.TrimSpace(data); complete && len(t) > 1 && (t[0] == '{' || t[0] == '[') && json.Valid(t) {
		return "JSON text data"
	}
	return enc + suffix
}

// fileTextEncoding names the character set of text, "" for binary data.
func fileTextEncoding(data []byte) string {
	ascii, latin := true, true
	for _, b := range data {
		if b >= 0x80 {
			ascii = false
			if b < 0xa0 {
				latin = false
			}
			continue
		}
		if b < 0x20 && !strings.ContainsRune("\a\b\t\n\v\f\r\x1b", rune(b)) || b == 0x7f {
			return ""
		}
	}
	switch {
	case ascii:
		return "ASCII text"
	case utf8.Valid(data):
		return "Unicode text, UTF-8 text"
	case latin:
		return "ISO-8859 text"
	}
	return "Non-ISO extended-ASCII text"
}

// fileTextSuffix lists the line-terminator and oddity notes file appends to text.
func fileTextSuffix(data []byte) string {
	var s string
	longest, cur := 0, 0
	crlf, lf, cr := false, false, false
	esc := bytes.IndexByte(data, 0x1b) >= 0
	for i, b := range data {
		switch b {
		case '\n':
			if i > 0 && data[i-1] == '\r' {
				crlf = true
			} else {
				lf = true
			}
			cur = 0
		case '\r':
			if i+1 >= len(data) || data[i+1] != '\n' {
				cr = true
			}
			cur = 0
		default:
			cur++
			if cur > longest {
				longest = cur
			}
		}
	}
	if longest > 300 {
		s += fmt.Sprintf(", with very long lines (%d)", longest)
	}
	switch {
	case crlf && !lf && !cr:
		s += ", with CRLF line terminators"
	case cr && !lf && !crlf:
		s += ", with CR line terminators"
	case crlf && lf:
		s += ", with CRLF, LF line terminators"
	case !crlf && !lf && !cr:
		s += ", with no line terminators"
	}
	if esc {
		s += ", with escape sequences"
	}
	return s
}

// fileGzip describes a gzip header as the magic database does.
func (c *cmd) fileGzip(data []byte, m vfs.Meta) string {
	s := "gzip compressed data"
	flags := data[3]
	if flags&0x08 != 0 {
		if i := bytes.IndexByte(data[10:], 0); i >= 0 {
			s += fmt.Sprintf(", was \"%s\"", data[10:10+i])
		}
	}
	if mt := binary.LittleEndian.Uint32(data[4:8]); mt != 0 {
		s += ", last modified: " + time.Unix(int64(mt), 0).In(c.location()).Format("Mon Jan _2 15:04:05 2006")
	}
	switch data[8] {
	case 2:
		s += ", max compression"
	case 4:
		s += ", max speed"
	}
	switch data[9] {
	case 3:
		s += ", from Unix"
	case 0:
		s += ", from FAT filesystem (MS-DOS, OS/2, NT)"
	}
	if int64(len(data)) >= m.Size && len(data) >= 18 {
		s += fmt.Sprintf(", original size modulo 2^32 %d", binary.LittleEndian.Uint32(data[len(data)-4:]))
	}
	return s
}

var elfMachines = map[uint16]string{
	3: "Intel 80386", 8: "MIPS, MIPS-I", 20: "PowerPC or cisco 4500", 21: "64-bit PowerPC or cisco 7500",
	22: "IBM S/390", 40: "ARM", 62: "x86-64", 183: "ARM aarch64", 243: "UCB RISC-V",
}

var elfDefaultInterp = map[uint16]string{62: "/lib64/ld-linux-x86-64.so.2", 3: "/lib/ld-linux.so.2", 183: "/lib/ld-linux-aarch64.so.1"}

var elfOSABI = map[byte]string{0: "SYSV", 3: "GNU/Linux", 9: "FreeBSD", 6: "Solaris"}

// fileELF reads the ELF header, program headers, notes and (when the image holds them) the
// section headers, to word the result as file's readelf.c does. Binaries of the persona keep
// only their first 4 KiB: the parts past it (dynamic section, section headers) are inferred
// as a stock Debian build has them (PIE for programs, stripped).
func fileELF(data []byte, m vfs.Meta, abs string, complete bool) string {
	if len(data) < 20 {
		return "ELF"
	}
	var bo binary.ByteOrder = binary.LittleEndian
	order := "LSB"
	if data[5] == 2 {
		bo, order = binary.BigEndian, "MSB"
	}
	is64 := data[4] == 2
	bits := "32-bit"
	if is64 {
		bits = "64-bit"
	}
	hdrLen := 52
	if is64 {
		hdrLen = 64
	}
	if len(data) < hdrLen {
		return "ELF " + bits + " " + order
	}
	etype := bo.Uint16(data[16:])
	machine := bo.Uint16(data[18:])
	var phoff, shoff uint64
	var phentsize, phnum, shentsize, shnum, shstrndx int
	if is64 {
		phoff, shoff = bo.Uint64(data[32:]), bo.Uint64(data[40:])
		phentsize, phnum = int(bo.Uint16(data[54:])), int(bo.Uint16(data[56:]))
		shentsize, shnum, shstrndx = int(bo.Uint16(data[58:])), int(bo.Uint16(data[60:])), int(bo.Uint16(data[62:]))
	} else {
		phoff, shoff = uint64(bo.Uint32(data[28:])), uint64(bo.Uint32(data[32:]))
		phentsize, phnum = int(bo.Uint16(data[42:])), int(bo.Uint16(data[44:]))
		shentsize, shnum, shstrndx = int(bo.Uint16(data[46:])), int(bo.Uint16(data[48:])), int(bo.Uint16(data[50:]))
	}
	// Program headers.
	type seg struct {
		typ         uint32
		off, filesz uint64
	}
	var segs []seg
	minPh, minSh := 32, 40
	if is64 {
		minPh, minSh = 56, 64
	}
	// Entries shorter than the fields read are malformed: skip rather than read past them.
	for i := 0; i < phnum && phentsize >= minPh; i++ {
		o := phoff + uint64(i*phentsize)
		if o+uint64(phentsize) > uint64(len(data)) {
			break
		}
		h := data[o:]
		if is64 {
			segs = append(segs, seg{bo.Uint32(h), bo.Uint64(h[8:]), bo.Uint64(h[32:])})
		} else {
			segs = append(segs, seg{bo.Uint32(h), uint64(bo.Uint32(h[4:])), uint64(bo.Uint32(h[16:]))})
		}
	}
	in := func(off, n uint64) []byte {
		if off > uint64(len(data)) || off+n > uint64(len(data)) || off+n < off {
			return nil
		}
		return data[off : off+n]
	}
	var interp string
	dynamic, hasInterp, dynKnown, pieFlag := false, false, false, false
	var notes []string
	for _, s := range segs {
		switch s.typ {
		case 3: // PT_INTERP
			hasInterp = true
			if b := in(s.off, s.filesz); b != nil {
				interp = string(bytes.TrimRight(b, "\x00"))
			} else {
				// Past the persona's first 4 KiB (libc keeps .interp far in): the
				// architecture's standard loader is what a Debian build names.
				interp = elfDefaultInterp[machine]
			}
		case 2: // PT_DYNAMIC
			dynamic = true
			if b := in(s.off, s.filesz); b != nil {
				dynKnown = true
				ent := 16
				if !is64 {
					ent = 8
				}
				for j := 0; j+ent <= len(b); j += ent {
					var tag, val uint64
					if is64 {
						tag, val = bo.Uint64(b[j:]), bo.Uint64(b[j+8:])
					} else {
						tag, val = uint64(bo.Uint32(b[j:])), uint64(bo.Uint32(b[j+4:]))
					}
					if tag == 0 {
						break
					}
					if tag == 0x6ffffffb && val&0x08000000 != 0 { // DT_FLAGS_1 & DF_1_PIE
						pieFlag = true
					}
				}
			}
		case 4: // PT_NOTE
			b := in(s.off, s.filesz)
			for len(b) >= 12 {
				nsz, dsz, typ := int(bo.Uint32(b)), int(bo.Uint32(b[4:])), bo.Uint32(b[8:])
				na := (nsz + 3) &^ 3
				da := (dsz + 3) &^ 3
				if 12+na+da > len(b) {
					break
				}
				nm := string(bytes.TrimRight(b[12:12+nsz], "\x00"))
				desc := b[12+na : 12+na+dsz]
				switch {
				case nm == "GNU" && typ == 3:
					kind := "sha1"
					if dsz == 16 {
						kind = "md5/uuid"
					} else if dsz != 20 {
						kind = "xxHash"
					}
					notes = append(notes, fmt.Sprintf("BuildID[%s]=%x", kind, desc))
				case nm == "GNU" && typ == 1 && dsz >= 16:
					osn := map[uint32]string{0: "Linux", 1: "Hurd", 2: "Solaris", 3: "kFreeBSD", 4: "kNetBSD"}[bo.Uint32(desc)]
					notes = append(notes, fmt.Sprintf("for GNU/%s %d.%d.%d", osn, bo.Uint32(desc[4:]), bo.Uint32(desc[8:]), bo.Uint32(desc[12:])))
				}
				b = b[12+na+da:]
			}
		}
	}
	var typ string
	switch etype {
	case 1:
		typ = "relocatable"
	case 2:
		typ = "executable"
	case 3:
		typ = "shared object"
		base := abs[strings.LastIndexByte(abs, '/')+1:]
		if pieFlag || (!dynKnown && hasInterp && !strings.Contains(base, ".so")) {
			typ = "pie executable"
		}
	case 4:
		typ = "core file"
	default:
		typ = fmt.Sprintf("unknown type 0x%x", etype)
	}
	out := fmt.Sprintf("ELF %s %s %s", bits, order, typ)
	if name, ok := elfMachines[machine]; ok {
		out += ", " + name
	} else {
		out += fmt.Sprintf(", *unknown arch 0x%x*", machine)
	}
	abi := elfOSABI[data[7]]
	if abi == "" {
		abi = fmt.Sprintf("unknown OS ABI %d", data[7])
	}
	out += fmt.Sprintf(", version %d (%s)", data[6], abi)
	if etype == 2 || etype == 3 {
		switch {
		case dynamic && !hasInterp && etype == 3 && pieFlag:
			out += ", static-pie linked"
		case dynamic:
			out += ", dynamically linked"
		default:
			out += ", statically linked"
		}
		if interp != "" {
			out += ", interpreter " + interp
		}
		for _, n := range notes {
			out += ", " + n
		}
	}
	// Section headers: a symbol table means "not stripped", debug sections "with debug_info".
	if !complete || shoff == 0 {
		if etype != 1 {
			out += ", stripped"
		}
		return out
	}
	if shoff+uint64(shnum*shentsize) > uint64(len(data)) || shoff+uint64(shnum*shentsize) < shoff || shentsize < minSh {
		return out + fmt.Sprintf(", missing section headers at %d", shoff)
	}
	sect := func(i int) (name uint32, typ uint32, off, size uint64) {
		h := data[shoff+uint64(i*shentsize):]
		if is64 {
			return bo.Uint32(h), bo.Uint32(h[4:]), bo.Uint64(h[24:]), bo.Uint64(h[32:])
		}
		return bo.Uint32(h), bo.Uint32(h[4:]), uint64(bo.Uint32(h[16:])), uint64(bo.Uint32(h[20:]))
	}
	var strtab []byte
	if shstrndx < shnum {
		_, _, o, sz := sect(shstrndx)
		strtab = in(o, sz)
	}
	symtab, debug := false, false
	for i := 0; i < shnum; i++ {
		nm, t, _, _ := sect(i)
		if t == 2 {
			symtab = true
		}
		if int(nm) < len(strtab) {
			n := strtab[nm:]
			if j := bytes.IndexByte(n, 0); j >= 0 {
				n = n[:j]
			}
			if string(n) == ".debug_info" {
				debug = true
			}
		}
	}
	if debug {
		out += ", with debug_info"
	}
	if symtab {
		out += ", not stripped"
	} else {
		out += ", stripped"
	}
	return out
}

// fileMime maps a description to the MIME type and encoding file -i prints for it.
func fileMime(desc string) (string, string) {
	desc = strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(desc, "setuid "), "setgid "), "sticky ")
	enc := "binary"
	switch {
	case strings.Contains(desc, "ASCII text"), strings.HasPrefix(desc, "JSON"), strings.HasPrefix(desc, "Perl script text"),
		strings.HasPrefix(desc, "OpenSSH"), strings.HasPrefix(desc, "PEM"):
		enc = "us-ascii"
	case strings.Contains(desc, "UTF-8 text"):
		enc = "utf-8"
	case strings.Contains(desc, "ISO-8859 text"):
		enc = "iso-8859-1"
	case strings.Contains(desc, "extended-ASCII"):
		enc = "unknown-8bit"
	}
	typ := "application/octet-stream"
	switch {
	case strings.HasPrefix(desc, "ELF") && strings.Contains(desc, "pie executable"):
		typ = "application/x-pie-executable"
	case strings.HasPrefix(desc, "ELF") && strings.Contains(desc, "shared object"):
		typ = "application/x-sharedlib"
	case strings.HasPrefix(desc, "ELF") && strings.Contains(desc, " executable"):
		typ = "application/x-executable"
	case strings.HasPrefix(desc, "ELF") && strings.Contains(desc, "relocatable"):
		typ = "application/x-object"
	case strings.HasPrefix(desc, "ELF") && strings.Contains(desc, "core file"):
		typ = "application/x-coredump"
	case desc == "empty":
		typ = "inode/x-empty"
	case desc == "directory":
		typ = "inode/directory"
	case strings.Contains(desc, "symbolic link to"):
		typ = "inode/symlink"
	case strings.HasPrefix(desc, "fifo"):
		typ = "inode/fifo"
	case desc == "socket":
		typ = "inode/socket"
	case strings.HasPrefix(desc, "character special"):
		typ = "inode/chardevice"
	case strings.HasPrefix(desc, "block special"):
		typ = "inode/blockdevice"
	case strings.HasPrefix(desc, "gzip"):
		typ = "application/gzip"
	case strings.HasPrefix(desc, "POSIX tar"):
		typ = "application/x-tar"
	case strings.HasPrefix(desc, "JSON"):
		typ = "application/json"
	case strings.Contains(desc, "shell script"):
		typ = "text/x-shellscript"
	case strings.HasPrefix(desc, "Python script"):
		typ = "text/x-script.python"
	case strings.HasPrefix(desc, "Perl script"):
		typ = "text/x-perl"
	case strings.HasPrefix(desc, "PHP script"):
		typ = "text/x-php"
	case strings.HasPrefix(desc, "Ruby script"):
		typ = "text/x-ruby"
	case enc != "binary":
		typ = "text/plain"
	}
	return typ, enc
}
