package commands

import (
	"bufio"
	"bytes"
	"hash/fnv"
	"io"
	"net/netip"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/lure-sensor/lure/internal/persona"
)

// Facts that the identity, system and net families share: the time, the session's own
// processes, the accounts and the host's address. Every one comes from the persona, the
// session or the vfs, so that w, ps, id and hostname -I agree with each other and with the
// files an attacker can cat.

// now is the session's clock.
func (c *cmd) now() time.Time {
	if c.Session != nil && c.Session.Clock != nil {
		return c.Session.Clock()
	}
	return time.Now()
}

// persona returns the persona, or an empty one so that a bare test Proc still runs.
func (c *cmd) persona() *persona.Persona {
	if c.Persona != nil {
		return c.Persona
	}
	return &persona.Persona{}
}

// session returns the session, or an empty one.
func (c *cmd) session() *Session {
	if c.Session != nil {
		return c.Session
	}
	return &Session{}
}

// bootTime is when the persona booted; a persona without one booted an hour before the
// session's login, so uptime never goes negative.
func (c *cmd) bootTime() time.Time {
	if bt := c.persona().BootTime; !bt.IsZero() {
		return bt
	}
	return c.loginTime().Add(-time.Hour)
}

// loginTime is when the session logged in.
func (c *cmd) loginTime() time.Time {
	if t := c.session().LoginTime; !t.IsZero() {
		return t
	}
	return c.now()
}

// readText reads a vfs file as text; ok is false when it cannot be read.
func (c *cmd) readText(p string) (string, bool) {
	if c.FS == nil {
		return "", false
	}
	b, err := c.FS.ReadFile(p)
	if err != nil {
		return "", false
	}
	return string(b), true
}

// pwEntry is one line of /etc/passwd.
type pwEntry struct {
	Name, Passwd string
	UID, GID     int
	Gecos        string
	Home, Shell  string
}

// grEntry is one line of /etc/group.
type grEntry struct {
	Name    string
	GID     int
	Members []string
}

// passwdEntries parses /etc/passwd from the vfs, in file order.
func (c *cmd) passwdEntries() []pwEntry {
	s, _ := c.readText("/etc/passwd")
	var out []pwEntry
	for _, line := range strings.Split(s, "\n") {
		f := strings.Split(line, ":")
		if len(f) < 7 || f[0] == "" {
			continue
		}
		uid, err1 := strconv.Atoi(f[2])
		gid, err2 := strconv.Atoi(f[3])
		if err1 != nil || err2 != nil {
			continue
		}
		out = append(out, pwEntry{Name: f[0], Passwd: f[1], UID: uid, GID: gid, Gecos: f[4], Home: f[5], Shell: f[6]})
	}
	return out
}

// groupEntries parses /etc/group from the vfs, in file order.
func (c *cmd) groupEntries() []grEntry {
	s, _ := c.readText("/etc/group")
	var out []grEntry
	for _, line := range strings.Split(s, "\n") {
		f := strings.Split(line, ":")
		if len(f) < 4 || f[0] == "" {
			continue
		}
		gid, err := strconv.Atoi(f[2])
		if err != nil {
			continue
		}
		var mem []string
		for _, m := range strings.Split(f[3], ",") {
			if m != "" {
				mem = append(mem, m)
			}
		}
		out = append(out, grEntry{Name: f[0], GID: gid, Members: mem})
	}
	return out
}

// lookupPasswd finds an account by name; the logged-in user is always found, even when the
// persona's /etc/passwd lost it.
func (c *cmd) lookupPasswd(name string) (pwEntry, bool) {
	for _, e := range c.passwdEntries() {
		if e.Name == name {
			return e, true
		}
	}
	if name == c.User.Name && name != "" {
		return pwEntry{Name: name, UID: c.User.UID, GID: c.User.GID, Home: c.User.Home, Shell: c.User.Shell}, true
	}
	return pwEntry{}, false
}

// lookupUID finds an account by uid.
func (c *cmd) lookupUID(uid int) (pwEntry, bool) {
	for _, e := range c.passwdEntries() {
		if e.UID == uid {
			return e, true
		}
	}
	if uid == c.User.UID && c.User.Name != "" {
		return pwEntry{Name: c.User.Name, UID: uid, GID: c.User.GID, Home: c.User.Home, Shell: c.User.Shell}, true
	}
	return pwEntry{}, false
}

// groupName names gid, or returns ok=false.
func (c *cmd) groupName(gid int) (string, bool) {
	for _, g := range c.groupEntries() {
		if g.GID == gid {
			return g.Name, true
		}
	}
	if gid == 0 {
		return "root", true
	}
	return "", false
}

// userGroups lists an account's group ids as initgroups(3) builds them: the primary group
// first, then each /etc/group entry naming the user, in file order.
func (c *cmd) userGroups(u pwEntry) []int {
	gids := []int{u.GID}
	for _, g := range c.groupEntries() {
		for _, m := range g.Members {
			if m == u.Name && g.GID != u.GID {
				dup := false
				for _, x := range gids {
					if x == g.GID {
						dup = true
					}
				}
				if !dup {
					gids = append(gids, g.GID)
				}
			}
		}
	}
	return gids
}

// isRoot reports whether the session runs as root.
func (c *cmd) isRoot() bool { return c.User.UID == 0 }

// userName is the logged-in account's name.
func (c *cmd) userName() string {
	if c.User.Name != "" {
		return c.User.Name
	}
	return "root"
}

// shortHost is the persona's host name up to the first dot, as the kernel's nodename.
func (c *cmd) nodename() string {
	h := c.persona().Hostname
	if h == "" {
		h = "localhost"
	}
	return h
}

// hostsLookup resolves a name through the vfs's /etc/hosts: the first address naming it and
// that line's canonical name.
func (c *cmd) hostsLookup(name string) (addr, canon string, ok bool) {
	s, _ := c.readText("/etc/hosts")
	for _, line := range strings.Split(s, "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		for _, n := range f[1:] {
			if strings.EqualFold(n, name) {
				return f[0], f[1], true
			}
		}
	}
	return "", "", false
}

// hostIPv4 is the persona's primary (eth0) address. It comes from the vfs when the persona
// says it (/etc/network/interfaces, then a non-loopback /etc/hosts entry for the host name);
// otherwise it is derived from the host name, so every session of one persona sees the same
// private address.
func (c *cmd) hostIPv4() netip.Addr {
	if s, ok := c.readText("/etc/network/interfaces"); ok {
		for _, line := range strings.Split(s, "\n") {
			f := strings.Fields(line)
			if len(f) >= 2 && f[0] == "address" {
				a := f[1]
				if i := strings.IndexByte(a, '/'); i >= 0 {
					a = a[:i]
				}
				if ip, err := netip.ParseAddr(a); err == nil && ip.Is4() {
					return ip
				}
			}
		}
	}
	if a, _, ok := c.hostsLookup(c.nodename()); ok {
		if ip, err := netip.ParseAddr(a); err == nil && ip.Is4() && !ip.IsLoopback() {
			return ip
		}
	}
	h := fnv.New32a()
	io.WriteString(h, c.nodename())
	v := h.Sum32()
	return netip.AddrFrom4([4]byte{10, byte(v >> 16), byte(v >> 8), byte(v%250) + 2})
}

// hostPrefixLen is the eth0 prefix length (a /24 unless the persona says otherwise).
func (c *cmd) hostPrefixLen() int {
	if s, ok := c.readText("/etc/network/interfaces"); ok {
		for _, line := range strings.Split(s, "\n") {
			f := strings.Fields(line)
			if len(f) >= 2 && f[0] == "address" {
				if i := strings.IndexByte(f[1], '/'); i >= 0 {
					if n, err := strconv.Atoi(f[1][i+1:]); err == nil && n > 0 && n <= 32 {
						return n
					}
				}
			}
			if len(f) >= 2 && f[0] == "netmask" {
				if ip, err := netip.ParseAddr(f[1]); err == nil && ip.Is4() {
					b := ip.As4()
					n := 0
					for _, x := range b {
						for i := 7; i >= 0; i-- {
							if x&(1<<i) != 0 {
								n++
							}
						}
					}
					return n
				}
			}
		}
	}
	return 24
}

// hostMAC is eth0's hardware address, derived like the address.
func (c *cmd) hostMAC() string {
	h := fnv.New64a()
	io.WriteString(h, "mac:"+c.nodename())
	v := h.Sum64()
	return strings.ToLower(strings.Join([]string{"52", "54", "00", hex2(byte(v)), hex2(byte(v >> 8)), hex2(byte(v >> 16))}, ":"))
}

func hex2(b byte) string {
	const d = "0123456789abcdef"
	return string([]byte{d[b>>4], d[b&15]})
}

// srcIP is the attacker's address as sshd records it in utmp.
func (c *cmd) srcIP() string {
	if ip := c.session().SrcIP; ip != "" {
		return ip
	}
	return "127.0.0.1"
}

// tty is the session's terminal ("pts/0"), or "" without a pty.
func (c *cmd) tty() string { return c.session().TTY }

// pidMax is the persona's /proc/sys/kernel/pid_max (systemd raises it to 4194304 on 64-bit
// Debian 12); it decides ps's PID column width.
func (c *cmd) pidMax() string {
	if s, ok := c.readText("/proc/sys/kernel/pid_max"); ok {
		s = strings.TrimSpace(s)
		if _, err := strconv.Atoi(s); err == nil {
			return s
		}
	}
	return "4194304"
}

// proc is one process as ps, top, w and pgrep see it: the persona's table plus the
// session's own sshd, shell and the running command.
type proc struct {
	PID, PPID int
	User      string
	UID       int
	Args      string // full command line
	Comm      string // short name (15 chars at most)
	TTY       string // "pts/0" or "?"
	Start     time.Time
	CPU       time.Duration
	RSS, VSZ  int64
	Stat      string
}

// commOf derives the kernel's comm (task name) from a command line.
func commOf(args string) string {
	s := args
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		s = s[1 : len(s)-1]
		if len(s) > 15 {
			s = s[:15]
		}
		return s
	}
	if i := strings.IndexByte(s, ':'); i > 0 && !strings.Contains(s[:i], " ") && !strings.Contains(s[:i], "/") {
		// "sshd: root@pts/0": sshd rewrote its argv, comm stays "sshd".
		s = s[:i]
	}
	if i := strings.IndexAny(s, " \t"); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimPrefix(s, "-")
	s = path.Base(s)
	if len(s) > 15 {
		s = s[:15]
	}
	return s
}

// shellPID is the session's login shell pid ($$). Without Session.ShellPID it is derived
// the way the shell picks $$ (above the persona's highest pid, varied by session), so that
// ps and $$ agree.
func (c *cmd) shellPID() int {
	s := c.session()
	if s.ShellPID > 0 {
		return s.ShellPID
	}
	base := 1000
	for _, p := range c.persona().Processes {
		if p.PID >= base {
			base = p.PID + 1
		}
	}
	seed := "lure"
	if c.Session != nil {
		seed = s.ID + s.SrcIP
	}
	h := fnv.New32a()
	io.WriteString(h, seed)
	return base + 40 + int(h.Sum32()%4000)*2
}

// commandSerial counts the command lines run so far in the session, so each new command
// gets a higher pid, as on a real box.
func (c *cmd) commandSerial() int {
	if s := c.session(); s.History != nil {
		return len(s.History())
	}
	return 0
}

// processes builds the process table. self is the running command's own command line
// (ps aux, top -bn1), shown last as the newest process.
func (c *cmd) processes(self string) []proc {
	per := c.persona()
	boot := c.bootTime()
	now := c.now()
	names := map[string]int{}
	for _, e := range c.passwdEntries() {
		if _, dup := names[e.Name]; !dup {
			names[e.Name] = e.UID
		}
	}
	// The persona's table was made for some uptime; on a box booted more recently the
	// workers that started later must still have started before now: those past it are
	// spread, in order, between the last one that fits and now.
	up := now.Sub(boot) - time.Minute
	var fits, latest time.Duration
	for _, p := range per.Processes {
		if p.Start <= up && p.Start > fits {
			fits = p.Start
		}
		latest = max(latest, p.Start)
	}
	startOf := func(off time.Duration) time.Time {
		if off > up && up > fits && latest > 0 {
			off = fits + time.Duration(float64(up-fits)*float64(off)/float64(latest))
		}
		return boot.Add(off)
	}
	var out []proc
	sshdMain := 1
	for _, p := range per.Processes {
		tty := p.TTY
		if tty == "" {
			tty = "?"
		}
		uid := names[p.User]
		comm := commOf(p.Command)
		if comm == "init" && c.FS != nil {
			// systemd started as /sbin/init renames itself; ps and top show "systemd".
			if real, err := c.FS.Realpath("/sbin/init"); err == nil && path.Base(real) == "systemd" {
				comm = "systemd"
			}
		}
		out = append(out, proc{PID: p.PID, PPID: p.PPID, User: p.User, UID: uid, Args: p.Command,
			Comm: comm, TTY: tty, Start: startOf(p.Start), CPU: p.CPUTime,
			RSS: p.RSSKB, VSZ: p.VSZKB, Stat: p.Stat})
		if strings.Contains(p.Command, "sshd") && p.PPID == 1 && sshdMain == 1 {
			sshdMain = p.PID
		}
	}
	user := c.userName()
	login := c.loginTime()
	shell := c.shellPID()
	tty := c.tty()
	ttyCol := "?"
	sshdLabel := user + "@notty"
	if tty != "" {
		ttyCol = tty
		sshdLabel = user + "@" + tty
	}
	parent := sshdMain
	if user != "root" {
		out = append(out, proc{PID: shell - 9, PPID: sshdMain, User: "root", UID: 0, Args: "sshd: " + user + " [priv]",
			Comm: "sshd", TTY: "?", Start: login, CPU: 0, RSS: 11264, VSZ: 17640, Stat: "Ss"})
		parent = shell - 9
	}
	sshdStat := "Ss"
	if user != "root" {
		sshdStat = "S"
	}
	out = append(out, proc{PID: shell - 7, PPID: parent, User: user, UID: c.User.UID, Args: "sshd: " + sshdLabel,
		Comm: "sshd", TTY: "?", Start: login, CPU: 10 * time.Millisecond, RSS: 7064, VSZ: 17976, Stat: sshdStat})
	shellArgs, shellStat := "-bash", "Ss"
	if tty == "" {
		shellArgs = "bash -c"
		if l := c.currentLine(); l != "" {
			shellArgs = "bash -c " + l
		}
		shellStat = "Ss"
	}
	var sh lineShape
	if self != "" {
		sh = c.shape()
	}
	if !sh.replaced {
		out = append(out, proc{PID: shell, PPID: shell - 7, User: user, UID: c.User.UID, Args: shellArgs,
			Comm: "bash", TTY: ttyCol, Start: login, CPU: 0, RSS: 4096, VSZ: 8196, Stat: shellStat})
	}
	if self != "" {
		st := "R"
		if tty != "" {
			st = "R+"
		}
		selfPID, parent := shell+2+3*c.commandSerial(), shell
		if sh.replaced {
			// bash exec'd the program: it inherits the shell's pid and its session leadership
			selfPID, parent = shell, shell-7
			st = "Rs" + st[1:]
		}
		for i, m := range sh.members {
			if i == sh.self {
				continue
			}
			// the other members of the program's pipeline: bash forks them in order
			out = append(out, proc{PID: selfPID - sh.self + i, PPID: shell, User: user, UID: c.User.UID, Args: m,
				Comm: commOf(m), TTY: ttyCol, Start: now, CPU: 0, RSS: 2048, VSZ: 6432, Stat: "S" + st[1:]})
		}
		out = append(out, proc{PID: selfPID, PPID: parent, User: user, UID: c.User.UID, Args: self,
			Comm: commOf(self), TTY: ttyCol, Start: now, CPU: 0, RSS: 3840, VSZ: 11084, Stat: st})
	}
	return out
}

// loadAvg reads the persona's /proc/loadavg; "0.00" each when absent.
func (c *cmd) loadAvg() [3]string {
	out := [3]string{"0.00", "0.00", "0.00"}
	s, ok := "", false
	if b, dyn := c.persona().DynamicFile("/proc/loadavg", c.now()); dyn {
		s, ok = string(b), true
	} else {
		s, ok = c.readText("/proc/loadavg")
	}
	if ok {
		f := strings.Fields(s)
		for i := 0; i < 3 && i < len(f); i++ {
			if v, err := strconv.ParseFloat(f[i], 64); err == nil {
				out[i] = strconv.FormatFloat(v, 'f', 2, 64)
			}
		}
	}
	return out
}

// loggedIn reports how many users utmp lists: sshd writes an entry only for pty sessions.
func (c *cmd) loggedIn() int {
	if c.tty() != "" {
		return 1
	}
	return 0
}

// meminfo parses the persona's /proc/meminfo into kB values. MemTotal falls back to the
// persona's hardware facts, and a missing file is synthesized from them so free, top and
// /proc/meminfo never disagree.
func (c *cmd) meminfo() map[string]int64 {
	m := map[string]int64{}
	if s, ok := c.readText("/proc/meminfo"); ok {
		sc := bufio.NewScanner(bytes.NewReader([]byte(s)))
		for sc.Scan() {
			k, v, ok := strings.Cut(sc.Text(), ":")
			if !ok {
				continue
			}
			f := strings.Fields(v)
			if len(f) == 0 {
				continue
			}
			n, err := strconv.ParseInt(f[0], 10, 64)
			if err != nil {
				continue
			}
			m[k] = n
		}
	}
	if _, ok := m["MemTotal"]; !ok {
		total := c.persona().Hardware.MemTotalKB
		if total <= 0 {
			total = 2014420
		}
		m["MemTotal"] = total
		m["MemFree"] = total * 62 / 100
		m["MemAvailable"] = total * 83 / 100
		m["Buffers"] = total * 2 / 100
		m["Cached"] = total * 18 / 100
		m["Shmem"] = total / 400
		m["SReclaimable"] = total * 2 / 100
		m["SwapTotal"] = 0
		m["SwapFree"] = 0
	}
	return m
}

// cpuCount is the persona's number of online CPUs.
func (c *cmd) cpuCount() int {
	if n := c.persona().Hardware.CPUs; n > 0 {
		return n
	}
	if s, ok := c.readText("/proc/cpuinfo"); ok {
		n := strings.Count(s, "\nprocessor\t") + 0
		if strings.HasPrefix(s, "processor\t") {
			n++
		}
		if n > 0 {
			return n
		}
	}
	return 1
}

// sysHelp prints the program's Debian --help or --version text (key "help" or
// "version") and ends the run successfully.
func (c *cmd) sysHelp(key, prog string) int {
	c.print(debianText(key, prog))
	return c.done(0)
}
