package commands

import (
	"crypto/rand"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// sysctl, as procps-ng 4.0.2 runs it on Debian 12: reading keys (dotted or slashed), whole
// subtrees and -a, writing with -w or key=value, -p and --system over the persona's
// sysctl.conf files, and its messages and exit statuses. Values come from the persona's
// /proc/sys files where it has them, else from sysctlTable filled with the persona's
// facts. Writes are checked as the kernel checks them (root only, numbers where the key
// holds numbers) but do not change the table: the box keeps its settings for the next read.

const sysctlUsage = `
Usage:
 sysctl [options] [variable[=value] ...]

Options:
  -a, --all            display all variables
  -A                   alias of -a
  -X                   alias of -a
      --deprecated     include deprecated parameters to listing
      --dry-run        Print the key and values but do not write
  -b, --binary         print value without new line
  -e, --ignore         ignore unknown variables errors
  -N, --names          print variable names without values
  -n, --values         print only values of the given variable(s)
  -p, --load[=<file>]  read values from file
  -f                   alias of -p
      --system         read values from all system directories
  -r, --pattern <expression>
                       select setting that match expression
  -q, --quiet          do not echo variable set
  -w, --write          enable writing a value to variable
  -o                   does nothing
  -x                   does nothing
  -d                   alias of -h

 -h, --help     display this help and exit
 -V, --version  output version information and exit

For more details see sysctl(8).
`

// sysctlPrivate are keys only root may read (mode 0600); sysctlUnset are keys whose read
// fails even for root (an unset stable_secret): -a leaves them out silently.
var (
	sysctlPrivate = map[string]bool{
		"kernel.cad_pid": true, "kernel.usermodehelper.bset": true, "kernel.usermodehelper.inheritable": true,
		"net.core.bpf_jit_harden": true, "net.core.bpf_jit_kallsyms": true, "net.core.bpf_jit_limit": true,
		"net.ipv4.tcp_fastopen_key": true, "vm.mmap_rnd_bits": true, "vm.mmap_rnd_compat_bits": true,
		"vm.stat_refresh": true,
	}
	sysctlUnset = []string{"net.ipv6.conf.all.stable_secret", "net.ipv6.conf.default.stable_secret",
		"net.ipv6.conf.eth0.stable_secret", "net.ipv6.conf.lo.stable_secret", "vm.stat_refresh"}
	// sysctlReadOnly are keys the kernel exposes 0444.
	sysctlReadOnly = map[string]bool{
		"kernel.osrelease": true, "kernel.ostype": true, "kernel.version": true, "kernel.random.boot_id": true,
		"kernel.random.uuid": true, "kernel.random.entropy_avail": true, "kernel.random.poolsize": true,
		"fs.file-nr": true, "fs.inode-nr": true, "fs.inode-state": true, "fs.dentry-state": true, "fs.aio-nr": true,
		"kernel.arch": true, "kernel.bootloader_type": true, "kernel.bootloader_version": true,
	}
)

// sysctlUnreadable marks a key whose read fails.
const sysctlUnreadable = "\x00"

// sysctlEntry is one key and its value as the file holds it (without the newline).
type sysctlEntry struct{ key, value string }

// sysctlValues returns every key, sorted, with the persona's values.
func (c *cmd) sysctlValues() []sysctlEntry {
	p := c.persona()
	m := c.meminfo()["MemTotal"]
	threads := c.threadsMax()
	cpus := c.cpuCount()
	// the network buffers: the kernel sizes them from the free buffer pages at boot
	bufPages := max((m-116260)/4, 1024)
	tcp, udp := bufPages/16, bufPages/8
	mask := "0"
	if cpus > 1 {
		mask = fmt.Sprintf("0-%d", cpus-1)
	}
	lastPID := 1
	for _, pr := range p.Processes {
		lastPID = max(lastPID, pr.PID)
	}
	if c.Session != nil && c.Session.ShellPID > lastPID {
		lastPID = c.Session.ShellPID + 1
	}
	var u [16]byte
	_, _ = rand.Read(u[:])
	repl := strings.NewReplacer(
		"{hostname}", p.Hostname, "{osrelease}", p.Kernel.Release, "{version}", p.Kernel.Version,
		"{threads}", strconv.FormatInt(threads, 10), "{nproc}", strconv.FormatInt(threads/2, 10),
		"{filemax}", strconv.FormatInt(max((m-22020)/10, 8192), 10),
		"{tcpmem}", fmt.Sprintf("%d\t%d\t%d", tcp/4*3, tcp, tcp/4*3*2),
		"{udpmem}", fmt.Sprintf("%d\t%d\t%d", udp/4*3, udp, udp/4*3*2),
		"{cpumask}", mask, "{lastpid}", strconv.Itoa(lastPID),
		"{bootid}", uuidString(c.bootID()), "{uuid}", uuidString(u[:]),
		"{epoll}", strconv.FormatInt(m*5491489/24683620, 10),
		"{inotify}", strconv.FormatInt(min(max(m*192536/24683620, 8192), 1048576), 10),
	)
	if p.Hostname == "" {
		repl = strings.NewReplacer("{hostname}", "localhost")
	}
	lines := strings.Split(strings.TrimSuffix(sysctlTable, "\n"), "\n")
	out := make([]sysctlEntry, 0, len(lines)+len(sysctlUnset))
	for _, l := range lines {
		k, v, _ := strings.Cut(l, " = ")
		out = append(out, sysctlEntry{k, repl.Replace(v)})
	}
	for _, k := range sysctlUnset {
		out = append(out, sysctlEntry{k, sysctlUnreadable})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key < out[j].key })
	// The persona's own /proc/sys files win (and a session's writes to them).
	for i, e := range out {
		if s, ok := c.readText("/proc/sys/" + strings.ReplaceAll(e.key, ".", "/")); ok {
			out[i].value = strings.TrimSuffix(s, "\n")
		}
	}
	return out
}

// uuidString formats 16 bytes as a version-4 UUID.
func uuidString(b []byte) string {
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

type sysctlState struct {
	c                             *cmd
	entries                       []sysctlEntry
	names, values, binary, ignore bool
	quiet, write, dryRun          bool
	pattern                       *regexp.Regexp
	rc                            int
}

func sysctlCmd(p *Proc) int {
	c := newCmd(p)
	opts, ops, err := parseOpts(c.name, c.Args[1:], optSpec{Short: "bneNwfp::qoxaAXr:hdV", Long: []longOpt{
		{Name: "all", Key: "a"}, {Name: "deprecated", Key: "deprecated"}, {Name: "dry-run", Key: "dry-run"},
		{Name: "binary", Key: "b"}, {Name: "ignore", Key: "e"}, {Name: "names", Key: "N"},
		{Name: "values", Key: "n"}, {Name: "load", Arg: argOptional, Key: "p"}, {Name: "quiet", Key: "q"},
		{Name: "write", Key: "w"}, {Name: "system", Key: "system"}, {Name: "pattern", Arg: argRequired, Key: "r"},
		{Name: "help", Key: "h"}, {Name: "version", Key: "V"},
	}})
	if err != nil {
		// procps prints the usage on stdout and exits 0 here
		c.errorf("%s", err.Msg)
		c.print(sysctlUsage)
		return c.done(0)
	}
	s := &sysctlState{c: c}
	all, load, system := false, "", false
	loadSet := false
	for _, o := range opts {
		switch o.Key {
		case "a", "A", "X":
			all = true
		case "b":
			s.binary = true
		case "n":
			s.values = true
		case "N":
			s.names = true
		case "e":
			s.ignore = true
		case "q":
			s.quiet = true
		case "w":
			s.write = true
		case "dry-run":
			s.dryRun = true
		case "p", "f":
			loadSet = true
			load = o.Val
		case "system":
			system = true
		case "r":
			re, err := regexp.Compile(o.Val)
			if err != nil {
				c.errorf("unable to parse pattern: %s", o.Val)
				return c.done(1)
			}
			s.pattern = re
		case "h", "d":
			c.print(sysctlUsage)
			return c.done(0)
		case "V":
			c.print("sysctl from procps-ng 4.0.2\n")
			return c.done(0)
		}
	}
	if loadSet && load == "" && len(ops) > 0 && !strings.Contains(ops[0], "=") {
		load, ops = ops[0], ops[1:]
	}
	if len(c.Args) == 1 {
		c.errRaw(sysctlUsage)
		return c.done(1)
	}
	s.entries = c.sysctlValues()
	switch {
	case system:
		s.system()
	case loadSet:
		if load == "" {
			load = "/etc/sysctl.conf"
		}
		s.loadFile(load, false)
	case all:
		s.displayAll("")
	case len(ops) == 0:
		c.errorf("no variables specified")
		c.errRaw("Try `sysctl --help' for more information.\n")
		return c.done(1)
	default:
		for _, a := range ops {
			if s.write || strings.Contains(a, "=") {
				k, v, ok := strings.Cut(a, "=")
				if !ok || k == "" {
					c.errorf("\"%s\" must be of the form name=value", a)
					s.rc = 1
					continue
				}
				s.writeKey(strings.TrimSpace(k), strings.TrimSpace(v))
				continue
			}
			s.readKey(a)
		}
	}
	return c.done(s.rc)
}

// keyPath turns what the user typed into the /proc/sys path and the name sysctl prints:
// dots separate levels unless the key uses slashes, in which case dots are literal.
func sysctlKey(arg string) (string, string) {
	if strings.Contains(arg, "/") {
		name := strings.ReplaceAll(strings.TrimPrefix(arg, "/"), "/", ".")
		return strings.TrimPrefix(arg, "/"), name
	}
	return strings.ReplaceAll(arg, ".", "/"), arg
}

func (s *sysctlState) lookup(key string) (sysctlEntry, bool) {
	i := sort.Search(len(s.entries), func(i int) bool { return s.entries[i].key >= key })
	if i < len(s.entries) && s.entries[i].key == key {
		return s.entries[i], true
	}
	return sysctlEntry{}, false
}

// isDir reports whether key names a directory of keys.
func (s *sysctlState) isDir(key string) bool {
	i := sort.Search(len(s.entries), func(i int) bool { return s.entries[i].key >= key+"." })
	return i < len(s.entries) && strings.HasPrefix(s.entries[i].key, key+".")
}

func (s *sysctlState) printEntry(name, value string) {
	c := s.c
	switch {
	case s.names:
		c.print(name + "\n")
	case s.values && s.binary, s.binary:
		c.print(value)
	case s.values:
		c.print(value + "\n")
	default:
		c.print(name + " = " + value + "\n")
	}
}

func (s *sysctlState) readKey(arg string) {
	c := s.c
	p, name := sysctlKey(arg)
	key := strings.ReplaceAll(path.Clean("/" + p)[1:], "/", ".")
	if s.pattern != nil && !s.pattern.MatchString(name) {
		return
	}
	if e, ok := s.lookup(key); ok {
		if (sysctlPrivate[key] || e.value == sysctlUnreadable) && !c.isRoot() {
			c.errorf("permission denied on key '%s'", name)
			s.rc = 1
			return
		}
		if e.value == sysctlUnreadable {
			s.rc = 1
			return
		}
		s.printEntry(name, e.value)
		return
	}
	if key != "" && s.isDir(key) {
		s.displayAll(key)
		return
	}
	if !s.ignore {
		c.errorf("cannot stat /proc/sys/%s: No such file or directory", p)
		s.rc = 1
	}
}

// displayAll prints every key under prefix ("" for all) that the pattern selects.
func (s *sysctlState) displayAll(prefix string) {
	c := s.c
	for _, e := range s.entries {
		if prefix != "" && !strings.HasPrefix(e.key, prefix+".") {
			continue
		}
		if s.pattern != nil && !s.pattern.MatchString(e.key) {
			continue
		}
		if (sysctlPrivate[e.key] || e.value == sysctlUnreadable) && !c.isRoot() {
			c.errorf("permission denied on key '%s'", e.key)
			continue
		}
		if e.value == sysctlUnreadable {
			continue
		}
		s.printEntry(e.key, e.value)
		if c.failed() {
			return
		}
	}
}

// writeKey sets key to value as procps's WriteSetting does, with the kernel's checks.
func (s *sysctlState) writeKey(arg, value string) {
	c := s.c
	p, name := sysctlKey(arg)
	key := strings.ReplaceAll(path.Clean("/" + p)[1:], "/", ".")
	e, ok := s.lookup(key)
	if !ok {
		if s.isDir(key) {
			c.errorf("setting key \"%s\": Is a directory", name)
			s.rc = 1
			return
		}
		if !s.ignore {
			c.errorf("cannot stat /proc/sys/%s: No such file or directory", p)
			s.rc = 1
		}
		return
	}
	if sysctlReadOnly[key] {
		c.errorf("setting key \"%s\": Operation not permitted", name)
		s.rc = 1
		return
	}
	if !s.dryRun {
		if !c.isRoot() {
			c.errorf("permission denied on key \"%s\"", name)
			s.rc = 1
			return
		}
		if sysctlNumeric(e.value) && !sysctlNumeric(value) {
			c.errorf("setting key \"%s\": Invalid argument", name)
			s.rc = 1
			return
		}
	}
	if s.quiet {
		return
	}
	switch {
	case s.names:
		c.print(name + "\n")
	case s.values:
		c.print(value + "\n")
	default:
		c.print(name + " = " + value + "\n")
	}
}

// sysctlNumeric reports whether v is one or more integers separated by blanks.
func sysctlNumeric(v string) bool {
	f := strings.Fields(v)
	if len(f) == 0 {
		return false
	}
	for _, x := range f {
		if _, err := strconv.ParseInt(x, 10, 64); err != nil {
			return false
		}
	}
	return true
}

// loadFile applies a sysctl.conf file (-p).
func (s *sysctlState) loadFile(name string, quietOpen bool) {
	c := s.c
	data, err := c.FS.ReadFile(c.abs(name))
	if err != nil {
		if !quietOpen {
			c.errorf("cannot open \"%s\": %s", name, errText(err))
			s.rc = 1
		}
		return
	}
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		ignore := false
		if line[0] == '-' {
			ignore, line = true, line[1:]
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			c.errorf("%s(%d): invalid syntax, continuing...", name, 0)
			continue
		}
		saved := s.ignore
		s.ignore = s.ignore || ignore
		s.writeKey(strings.TrimSpace(k), strings.TrimSpace(v))
		s.ignore = saved
	}
}

// system applies the sysctl.d directories in systemd-sysctl's order (--system).
func (s *sysctlState) system() {
	c := s.c
	seen := map[string]string{}
	for _, dir := range []string{"/etc/sysctl.d", "/run/sysctl.d", "/usr/local/lib/sysctl.d", "/usr/lib/sysctl.d", "/lib/sysctl.d"} {
		ents, err := c.FS.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range ents {
			if !strings.HasSuffix(e.Name, ".conf") {
				continue
			}
			if _, dup := seen[e.Name]; !dup {
				seen[e.Name] = dir + "/" + e.Name
			}
		}
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	files := make([]string, 0, len(names)+1)
	for _, n := range names {
		files = append(files, seen[n])
	}
	files = append(files, "/etc/sysctl.conf")
	// procps names every file first, then applies them in that order.
	var present []string
	for _, f := range files {
		if _, err := c.FS.Stat(f); err == nil {
			present = append(present, f)
			c.print("* Applying " + f + " ...\n")
		}
	}
	for _, f := range present {
		s.loadFile(f, true)
	}
}
