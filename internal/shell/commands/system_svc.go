package commands

import (
	"fmt"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/lure-sensor/lure/internal/vfs"
)

// systemctl, service, sudo and su.

// unitInfo describes a service the persona runs.
type unitInfo struct {
	name, desc, exec string
	docs             []string
}

// knownUnits lists the services a Debian 12 server of this kind has, with the process
// that is their main PID.
func knownUnits() []unitInfo {
	return []unitInfo{
		{"ssh", "OpenBSD Secure Shell server", "sshd", []string{"man:sshd(8)", "man:sshd_config(5)"}},
		{"cron", "Regular background program processing daemon", "cron", []string{"man:cron(8)"}},
		{"rsyslog", "System Logging Service", "rsyslogd", []string{"man:rsyslogd(8)", "man:rsyslog.conf(5)", "https://www.rsyslog.com/doc/"}},
		{"systemd-journald", "Journal Service", "systemd-journald", []string{"man:systemd-journald.service(8)", "man:journald.conf(5)"}},
		{"systemd-logind", "User Login Management", "systemd-logind", []string{"man:sd-login(3)", "man:systemd-logind.service(8)", "man:logind.conf(5)", "man:org.freedesktop.login1(5)"}},
		{"systemd-udevd", "Rule-based Manager for Device Events and Files", "systemd-udevd", []string{"man:systemd-udevd.service(8)", "man:udev(7)"}},
		{"dbus", "D-Bus System Message Bus", "dbus-daemon", []string{"man:dbus-daemon(1)"}},
		{"systemd-timesyncd", "Network Time Synchronization", "systemd-timesyncd", []string{"man:systemd-timesyncd.service(8)"}},
		{"nginx", "A high performance web server and a reverse proxy server", "nginx", []string{"man:nginx(8)"}},
		{"apache2", "The Apache HTTP Server", "apache2", []string{"https://httpd.apache.org/docs/2.4/"}},
		{"mariadb", "MariaDB 10.11.6 database server", "mariadbd", []string{"man:mariadbd(8)", "https://mariadb.com/kb/en/library/systemd/"}},
		{"docker", "Docker Application Container Engine", "dockerd", []string{"https://docs.docker.com"}},
	}
}

// findUnit resolves a unit name ("ssh", "ssh.service", "sshd") to a service the persona
// runs; ok is false when its process is not in the persona's table.
func (c *cmd) findUnit(name string) (unitInfo, proc, bool) {
	name = strings.TrimSuffix(name, ".service")
	if name == "sshd" {
		name = "ssh"
	}
	for _, u := range knownUnits() {
		if u.name != name {
			continue
		}
		for _, pr := range c.processes("") {
			if pr.Comm == u.exec && (pr.PPID == 1 || pr.PPID == 0) {
				return u, pr, true
			}
		}
	}
	return unitInfo{}, proc{}, false
}

func systemctlCmd(p *Proc) int {
	c := newCmd(p)
	var verb string
	var units []string
	quiet := false
	for _, a := range c.Args[1:] {
		switch {
		case a == "-q" || a == "--quiet":
			quiet = true
		case a == "--version":
			c.print("systemd 252 (252.33-1~deb12u1)\n+PAM +AUDIT +SELINUX +APPARMOR +IMA +SMACK +SECCOMP +GCRYPT -GNUTLS +OPENSSL +ACL +BLKID +CURL +ELFUTILS +FIDO2 +IDN2 -IDN +IPTC +KMOD +LIBCRYPTSETUP +LIBFDISK +PCRE2 -PWQUALITY +P11KIT +QRENCODE +TPM2 +BZIP2 +LZ4 +XZ +ZLIB +ZSTD -BPF_FRAMEWORK -XKBCOMMON +UTMP +SYSVINIT default-hierarchy=unified\n")
			return c.done(0)
		case strings.HasPrefix(a, "-"):
		case verb == "":
			verb = a
		default:
			units = append(units, a)
		}
	}
	if verb == "" {
		verb = "list-units"
	}
	switch verb {
	case "status":
		if len(units) == 0 {
			c.printf("● %s\n    State: running\n    Units: 245 loaded (incl. loaded aliases)\n     Jobs: 0 queued\n   Failed: 0 units\n    Since: %s; %s ago\n  systemd: 252.33-1~deb12u1\n   CGroup: /\n",
				c.nodename(), c.bootTime().In(c.location()).Format("Mon 2006-01-02 15:04:05 MST"), agoText(c.now().Sub(c.bootTime())))
			return c.done(0)
		}
		status := 0
		for i, n := range units {
			u, pr, ok := c.findUnit(n)
			if !ok {
				c.errRaw(fmt.Sprintf("Unit %s could not be found.\n", unitName(n)))
				status = 4
				continue
			}
			if i > 0 {
				c.print("\n")
			}
			since := pr.Start.In(c.location())
			c.printf("● %s.service - %s\n", u.name, u.desc)
			c.printf("     Loaded: loaded (/lib/systemd/system/%s.service; enabled; preset: enabled)\n", u.name)
			c.printf("     Active: active (running) since %s; %s ago\n", since.Format("Mon 2006-01-02 15:04:05 MST"), agoText(c.now().Sub(pr.Start)))
			for j, d := range u.docs {
				if j == 0 {
					c.printf("       Docs: %s\n", d)
				} else {
					c.printf("             %s\n", d)
				}
			}
			procs := c.processes(strings.Join(c.Args, " "))
			used := map[int]bool{}
			for _, q := range procs {
				used[q.PID] = true
			}
			// ExecStartPre commands ran just before the main process and exited.
			pre := c.unitExecStartPre(u.name)
			pid := pr.PID - 8
			for _, cmdline := range pre {
				for used[pid] && pid > 2 {
					pid--
				}
				used[pid] = true
				c.printf("    Process: %d ExecStartPre=%s (code=exited, status=0/SUCCESS)\n", pid, cmdline)
				pid++
			}
			c.printf("   Main PID: %d (%s)\n", pr.PID, pr.Comm)
			// Without pam_systemd a login's processes stay in sshd's cgroup.
			members := []proc{pr}
			if u.name == "ssh" && !PAMModule(c.FS, "/etc/pam.d/common-session", "pam_systemd.so", "") {
				members = append(members, descendants(procs, pr.PID)...)
			}
			c.printf("      Tasks: %d (limit: 4558)\n", len(members))
			c.printf("     Memory: %.1fM\n", float64(pr.RSS)/1024)
			c.printf("        CPU: %s\n", cpuText(pr.CPU))
			c.printf("     CGroup: /system.slice/%s.service\n", u.name)
			for k, m := range members {
				glyph := "├─"
				if k == len(members)-1 {
					glyph = "└─"
				}
				args := m.Args
				if strings.HasPrefix(args, m.Comm+": ") || strings.HasPrefix(args, "sshd: ") {
					args = `"` + args + `"` // one argument rewritten by the process: quoted
				}
				c.printf("             %s%d %s\n", glyph, m.PID, args)
			}
			if journal := c.unitJournal(u, pr); len(journal) > 0 {
				c.print("\n" + strings.Join(journal, "\n") + "\n")
			}
		}
		return c.done(status)
	case "is-active":
		status := 0
		for _, n := range units {
			if _, _, ok := c.findUnit(n); ok {
				if !quiet {
					c.print("active\n")
				}
			} else {
				if !quiet {
					c.print("inactive\n")
				}
				status = 3
			}
		}
		return c.done(status)
	case "is-enabled":
		status := 0
		for _, n := range units {
			if _, _, ok := c.findUnit(n); ok {
				c.print("enabled\n")
			} else {
				c.errRaw(fmt.Sprintf("Failed to get unit file state for %s: No such file or directory\n", unitName(n)))
				status = 1
			}
		}
		return c.done(status)
	case "start", "stop", "restart", "reload", "enable", "disable", "try-restart", "reload-or-restart", "mask", "unmask":
		if len(units) == 0 {
			c.errRaw("Too few arguments.\n")
			return c.done(1)
		}
		for _, n := range units {
			if _, _, ok := c.findUnit(n); !ok {
				if verb == "enable" || verb == "disable" {
					c.errRaw(fmt.Sprintf("Failed to %s unit: Unit file %s does not exist.\n", verb, unitName(n)))
					return c.done(1)
				}
				why := "not found"
				if verb == "stop" {
					why = "not loaded" // stopping needs no unit file, only a loaded unit
				}
				c.errRaw(fmt.Sprintf("Failed to %s %s: Unit %s %s.\n", verb, unitName(n), unitName(n), why))
				return c.done(5)
			}
			if !c.isRoot() {
				c.errRaw(fmt.Sprintf("Failed to %s %s: Interactive authentication required.\nSee system logs and 'systemctl status %s' for details.\n", verb, unitName(n), unitName(n)))
				return c.done(1)
			}
		}
		return c.done(0)
	case "daemon-reload":
		return c.done(0)
	case "list-units", "list-unit-files":
		c.print("  UNIT                        LOAD   ACTIVE SUB     DESCRIPTION\n")
		n := 0
		for _, u := range knownUnits() {
			if uu, _, ok := c.findUnit(u.name); ok {
				c.printf("  %-27s loaded active running %s\n", uu.name+".service", uu.desc)
				n++
			}
		}
		c.print("\nLOAD   = Reflects whether the unit definition was properly loaded.\nACTIVE = The high-level unit activation state, i.e. generalization of SUB.\nSUB    = The low-level unit activation state, values depend on unit type.\n")
		c.printf("%d loaded units listed. Pass --all to see loaded but inactive units, too.\nTo show all installed unit files use 'systemctl list-unit-files'.\n", n)
		return c.done(0)
	}
	c.errRaw(fmt.Sprintf("Unknown command verb %s.\n", verb))
	return c.done(1)
}

// unitName adds ".service" to a bare unit name.
func unitName(n string) string {
	if strings.Contains(n, ".") {
		return n
	}
	return n + ".service"
}

// agoText is systemd 252's relative time (format_timestamp_relative): "42s", "3min 7s",
// "20min", "2h 3min", "7h", "1 day 2h", "3 days", "2 weeks 1 days".
func agoText(d time.Duration) string {
	s := int64(d / time.Second)
	switch {
	case s < 60:
		return fmt.Sprintf("%ds", s)
	case s < 5*60:
		return fmt.Sprintf("%dmin %ds", s/60, s%60)
	case s < 3600:
		return fmt.Sprintf("%dmin", s/60)
	case s < 6*3600:
		return fmt.Sprintf("%dh %dmin", s/3600, (s/60)%60)
	case s < 25*3600:
		return fmt.Sprintf("%dh", s/3600)
	case s < 2*86400:
		return fmt.Sprintf("1 day %dh", (s-86400)/3600)
	case s < 7*86400:
		return fmt.Sprintf("%d days", s/86400)
	}
	return fmt.Sprintf("%d weeks %d days", s/(7*86400), (s%(7*86400))/86400)
}

func serviceCmd(p *Proc) int {
	c := newCmd(p)
	args := c.Args[1:]
	if len(args) == 0 {
		c.errRaw("Usage: service < option > | --status-all | [ service_name [ command | --full-restart ] ]\n")
		return c.done(1)
	}
	if args[0] == "--status-all" {
		// Debian's service asks every init script in /etc/init.d for its status (under
		// systemd that is the unit's); the glob sorts as the locale does, case aside.
		ents, _ := c.FS.ReadDir("/etc/init.d")
		var names []string
		for _, e := range ents {
			n := e.Name
			if serviceIgnored(n) || !e.Mode.IsRegular() || e.Mode&0o111 == 0 {
				continue
			}
			names = append(names, n)
		}
		sort.SliceStable(names, func(i, j int) bool { return strings.ToLower(names[i]) < strings.ToLower(names[j]) })
		for _, n := range names {
			if _, _, ok := c.findUnit(strings.TrimSuffix(n, ".sh")); ok {
				c.printf(" [ + ]  %s\n", n)
			} else {
				c.printf(" [ - ]  %s\n", n)
			}
		}
		return c.done(0)
	}
	if args[0] == "--version" {
		c.print("service ver. 1.65.2\n")
		return c.done(0)
	}
	if len(args) >= 2 && c.systemdBooted() {
		// service hands the standard actions to systemctl, known unit or not
		switch args[1] {
		case "start", "stop", "restart", "status", "try-restart", "reload", "force-reload":
			saved := c.Args
			c.Args = []string{"systemctl", args[1], strings.TrimSuffix(args[0], ".sh") + ".service"}
			st := systemctlCmd(c.Proc)
			c.Args = saved
			return st
		}
	}
	if _, _, ok := c.findUnit(args[0]); !ok {
		c.errRaw(args[0] + ": unrecognized service\n")
		return c.done(1)
	}
	if len(args) < 2 {
		c.errRaw("Usage: service < option > | --status-all | [ service_name [ command | --full-restart ] ]\n")
		return c.done(1)
	}
	saved := c.Args
	c.Args = []string{"systemctl", args[1], args[0]}
	st := systemctlCmd(c.Proc)
	c.Args = saved
	return st
}

// PAMModule reports whether the PAM file of fsys names module on a session line that does
// not carry the option without (when given). A missing file names nothing. The shell asks
// it for the variables pam_systemd and pam_mail set; systemctl for where sessions live.
func PAMModule(fsys *vfs.FS, file, module, without string) bool {
	if fsys == nil {
		return false
	}
	data, err := fsys.ReadFile(file)
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(data), "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(line)
		if len(f) < 3 || f[0] != "session" || !slices.ContainsFunc(f[2:], func(w string) bool { return path.Base(w) == module }) {
			continue
		}
		if without == "" || !slices.Contains(f[3:], without) {
			return true
		}
	}
	return false
}

// cpuText is systemd's format_timespan at millisecond accuracy: "230ms", "3.07s",
// "1min 2.5s".
func cpuText(d time.Duration) string {
	ms := d.Milliseconds()
	if ms < 1000 {
		return strconv.FormatInt(ms, 10) + "ms"
	}
	out := ""
	if ms >= 60000 {
		out = strconv.FormatInt(ms/60000, 10) + "min "
		ms %= 60000
	}
	sec := strconv.FormatInt(ms/1000, 10)
	if frac := ms % 1000; frac != 0 {
		sec += "." + strings.TrimRight(fmt.Sprintf("%03d", frac), "0")
	}
	return out + sec + "s"
}

// descendants lists the processes below pid, in pid order.
func descendants(procs []proc, pid int) []proc {
	below := map[int]bool{pid: true}
	var out []proc
	for changed := true; changed; {
		changed = false
		for _, q := range procs {
			if below[q.PPID] && !below[q.PID] {
				below[q.PID] = true
				out = append(out, q)
				changed = true
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].PID < out[j].PID })
	return out
}

// unitExecStartPre reads the ExecStartPre= command lines of the persona's unit file.
func (c *cmd) unitExecStartPre(name string) []string {
	text, ok := c.readText("/lib/systemd/system/" + name + ".service")
	if !ok {
		return nil
	}
	var out []string
	for _, line := range strings.Split(text, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "ExecStartPre="); ok {
			out = append(out, strings.TrimLeft(v, "-@:+!"))
		}
	}
	return out
}

// unitJournal is the tail of the unit's journal that systemctl status shows root: the
// start at boot and, for ssh, this session's login as sshd and PAM log it.
func (c *cmd) unitJournal(u unitInfo, pr proc) []string {
	if !c.isRoot() {
		return nil
	}
	host := c.nodename()
	line := func(t time.Time, who, msg string) string {
		return t.In(c.location()).Format("Jan 02 15:04:05") + " " + host + " " + who + ": " + msg
	}
	unit := u.name + ".service"
	start := pr.Start
	out := []string{line(start, "systemd[1]", "Starting "+unit+" - "+u.desc+"...")}
	if u.name == "ssh" {
		who := "sshd[" + strconv.Itoa(pr.PID) + "]"
		out = append(out, line(start, who, "Server listening on 0.0.0.0 port 22."), line(start, who, "Server listening on :: port 22."))
	}
	out = append(out, line(start, "systemd[1]", "Started "+unit+" - "+u.desc+"."))
	s := c.Session
	if u.name != "ssh" || s == nil || s.SrcIP == "" {
		return out
	}
	var sess proc
	for _, q := range descendants(c.processes(""), pr.PID) {
		if q.PPID == pr.PID {
			sess = q
			break
		}
	}
	if sess.PID == 0 {
		return out
	}
	login := s.LoginTime
	if login.IsZero() {
		login = sess.Start
	}
	who := "sshd[" + strconv.Itoa(sess.PID) + "]"
	name := c.userName()
	port := s.SrcPort
	if port == 0 {
		_, p := c.sshClient()
		port = int(p)
	}
	out = append(out, line(login, who, "Accepted password for "+name+" from "+s.SrcIP+" port "+strconv.Itoa(port)+" ssh2"),
		line(login, who, "pam_unix(sshd:session): session opened for user "+name+"(uid="+strconv.Itoa(c.User.UID)+") by (uid=0)"))
	if pamEnvUserReadenv(c) {
		out = append(out, line(login, who, "pam_env(sshd:session): deprecated reading of user environment enabled"))
	}
	if len(out) > 10 {
		out = out[len(out)-10:]
	}
	return out
}

// pamEnvUserReadenv reports whether sshd's PAM stack reads ~/.pam_environment, which
// pam_env logs as deprecated at every login.
func pamEnvUserReadenv(c *cmd) bool {
	text, _ := c.readText("/etc/pam.d/sshd")
	for _, l := range strings.Split(text, "\n") {
		if i := strings.IndexByte(l, '#'); i >= 0 {
			l = l[:i]
		}
		if strings.Contains(l, "pam_env.so") && strings.Contains(l, "user_readenv=1") {
			return true
		}
	}
	return false
}

// serviceIgnored is Debian service's list of /etc/init.d names that are not services.
func serviceIgnored(n string) bool {
	switch n {
	case "README", "functions", "halt", "killall", "single", "linuxconf", "kudzu", "skeleton", "rc", "rcS", "rc.local":
		return true
	}
	for _, suf := range []string{"~", ",v", ".dpkg-dist", ".dpkg-old", ".dpkg-new", ".dpkg-tmp", ".dpkg-bak", ".ucf-old", ".ucf-new", ".ucf-dist", ".rpmsave", ".rpmorig", ".rpmnew", ".swp", ".orig"} {
		if strings.HasSuffix(n, suf) {
			return true
		}
	}
	return false
}

const sudoUsage = `usage: sudo -h | -K | -k | -V
usage: sudo -v [-ABkNnS] [-g group] [-h host] [-p prompt] [-u user]
usage: sudo -l [-ABkNnS] [-g group] [-h host] [-p prompt] [-U user]
            [-u user] [command [arg ...]]
usage: sudo [-ABbEHkNnPS] [-r role] [-t type] [-C num] [-D directory]
            [-g group] [-h host] [-p prompt] [-R directory] [-T timeout]
            [-u user] [VAR=value] [-i | -s] [command [arg ...]]
usage: sudo -e [-ABkNnS] [-r role] [-t type] [-C num] [-D directory]
            [-g group] [-h host] [-p prompt] [-R directory] [-T timeout]
            [-u user] file ...
`

// inSudoGroup reports whether the user may use sudo under Debian's default sudoers.
func (c *cmd) inSudoGroup() bool {
	for _, g := range c.groupEntries() {
		if g.Name == "sudo" {
			for _, m := range g.Members {
				if m == c.userName() {
					return true
				}
			}
		}
	}
	return false
}

func sudoCmd(p *Proc) int {
	c := newCmd(p)
	args := c.Args[1:]
	shell := false
	list := false
	i := 0
	for ; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			i++
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			break
		}
		switch a {
		case "-u", "-g", "-p", "-C", "-D", "-h", "-r", "-t", "-T", "-U", "-R":
			if a == "-h" && i+1 >= len(args) {
				c.print(sudoUsage)
				return c.done(0)
			}
			i++
		case "-i", "-s", "--login", "--shell":
			shell = true
		case "-l", "--list":
			list = true
		case "-V", "--version":
			c.print("Sudo version 1.9.13p3\nSudoers policy plugin version 1.9.13p3\nSudoers file grammar version 50\nSudoers I/O plugin version 1.9.13p3\nSudoers audit plugin version 1.9.13p3\n")
			return c.done(0)
		case "-k", "-K", "-n", "-S", "-E", "-H", "-b", "-A", "-P", "-N", "-B":
		default:
			if strings.HasPrefix(a, "-u") || strings.HasPrefix(a, "-g") || strings.HasPrefix(a, "-p") {
				continue
			}
		}
	}
	rest := args[i:]
	if len(rest) == 0 && !shell && !list {
		c.errRaw(sudoUsage)
		return c.done(1)
	}
	if !c.isRoot() {
		c.errRaw("[sudo] password for " + c.userName() + ": ")
		in := c.stdinReader()
		pw, ok := readLine(in)
		if !ok {
			c.errRaw("\nsudo: a password is required\n")
			return c.done(1)
		}
		c.credentialEvent("sudo", c.userName(), pw)
		if !c.inSudoGroup() {
			c.errRaw(c.userName() + " is not in the sudoers file.  This incident will be reported.\n")
			return c.done(1)
		}
		// The persona's password is unknown to the attacker; any guess is refused.
		c.errRaw("Sorry, try again.\n[sudo] password for " + c.userName() + ": ")
		if _, ok := readLine(in); !ok {
			c.errRaw("\nsudo: 1 incorrect password attempt\n")
			return c.done(1)
		}
		c.errRaw("Sorry, try again.\n[sudo] password for " + c.userName() + ": \nsudo: 2 incorrect password attempts\n")
		return c.done(1)
	}
	if list {
		c.printf("Matching Defaults entries for root on %s:\n    env_reset, mail_badpass, secure_path=/usr/local/sbin\\:/usr/local/bin\\:/usr/sbin\\:/usr/bin\\:/sbin\\:/bin, use_pty\n\nUser root may run the following commands on %s:\n    (ALL : ALL) ALL\n", c.nodename(), c.nodename())
		return c.done(0)
	}
	if len(rest) == 0 {
		// A root shell inside a root shell: nothing visible changes.
		return c.done(0)
	}
	if c.Sub == nil {
		return c.done(1)
	}
	if _, ok := c.lookPath(rest[0]); !ok {
		c.errRaw("sudo: " + rest[0] + ": command not found\n")
		return c.done(1)
	}
	return c.runSub(sysQuoteWords(rest))
}

func suCmd(p *Proc) int {
	c := newCmd(p)
	target := "root"
	command := ""
	args := c.Args[1:]
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-c" || a == "--command":
			if i+1 < len(args) {
				i++
				command = args[i]
			}
		case strings.HasPrefix(a, "--command="):
			command = strings.TrimPrefix(a, "--command=")
		case a == "-" || a == "-l" || a == "--login" || a == "-m" || a == "-p":
		case a == "-s" || a == "--shell":
			i++
		case strings.HasPrefix(a, "-"):
		default:
			target = a
		}
	}
	if _, ok := c.lookupPasswd(target); !ok {
		c.errRaw("su: user " + target + " does not exist or the user entry does not contain all the required fields\n")
		return c.done(1)
	}
	if !c.isRoot() {
		c.errRaw("Password: ")
		in := c.stdinReader()
		if pw, ok := readLine(in); ok {
			c.credentialEvent("su", target, pw)
		}
		c.errRaw("su: Authentication failure\n")
		return c.done(1)
	}
	if command == "" || c.Sub == nil {
		return c.done(0)
	}
	return c.runSub(command)
}
