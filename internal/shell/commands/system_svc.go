package commands

import (
	"fmt"
	"strings"
	"time"
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
			c.printf("   Main PID: %d (%s)\n", pr.PID, pr.Comm)
			c.printf("      Tasks: 1 (limit: 4558)\n")
			c.printf("     Memory: %.1fM\n", float64(pr.RSS)/1024)
			c.printf("        CPU: %dms\n", pr.CPU.Milliseconds())
			c.printf("     CGroup: /system.slice/%s.service\n", u.name)
			c.printf("             └─%d \"%s\"\n", pr.PID, pr.Args)
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
				c.errRaw(fmt.Sprintf("Failed to %s %s: Unit %s not found.\n", verb, unitName(n), unitName(n)))
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

// agoText is systemd's relative time ("20min ago", "2h 3min ago", "1 day 2h ago").
func agoText(d time.Duration) string {
	s := int64(d / time.Second)
	switch {
	case s < 60:
		return fmt.Sprintf("%ds", s)
	case s < 3600:
		return fmt.Sprintf("%dmin", s/60)
	case s < 86400:
		if m := (s / 60) % 60; m > 0 {
			return fmt.Sprintf("%dh %dmin", s/3600, m)
		}
		return fmt.Sprintf("%dh", s/3600)
	}
	days := s / 86400
	unit := "days"
	if days == 1 {
		unit = "day"
	}
	return fmt.Sprintf("%d %s %dh", days, unit, (s/3600)%24)
}

func serviceCmd(p *Proc) int {
	c := newCmd(p)
	args := c.Args[1:]
	if len(args) == 0 {
		c.errRaw("Usage: service < option > | --status-all | [ service_name [ command | --full-restart ] ]\n")
		return c.done(1)
	}
	if args[0] == "--status-all" {
		for _, u := range knownUnits() {
			if _, _, ok := c.findUnit(u.name); ok {
				c.printf(" [ + ]  %s\n", u.name)
			}
		}
		return c.done(0)
	}
	if args[0] == "--version" {
		c.print("service ver. 1.65.2\n")
		return c.done(0)
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
