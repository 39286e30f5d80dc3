package commands

import (
	"crypto/sha256"
	"encoding/hex"
	"path"
	"sort"
	"strings"
	"time"
)

// timedatectl and hostnamectl as systemd 252 runs them. Both talk to their daemons over
// D-Bus, so what they print depends on the persona: a box that did not boot systemd says
// so, a systemd box without a D-Bus daemon cannot connect, and a full one shows the
// status computed from the persona's clock, time zone, machine id and kernel.

// systemdBooted reports whether the persona's PID 1 is systemd (sd_booted()).
func (c *cmd) systemdBooted() bool {
	for _, pr := range c.persona().Processes {
		if pr.PID != 1 {
			continue
		}
		exe := strings.Fields(pr.Command + " x")[0]
		if strings.Contains(exe, "systemd") {
			return true
		}
		if real, err := c.FS.Realpath(exe); err == nil && path.Base(real) == "systemd" {
			return true
		}
	}
	return false
}

// hasDBus reports whether a system bus daemon runs: the dbus or dbus-broker package, or
// a dbus-daemon in the process list.
func (c *cmd) hasDBus() bool {
	for _, name := range []string{"dbus", "dbus-broker", "dbus-daemon"} {
		if ok, _ := c.pkgInstalled(name); ok {
			return true
		}
	}
	for _, pr := range c.persona().Processes {
		if strings.Contains(pr.Command, "dbus-daemon") || strings.Contains(pr.Command, "dbus-broker") {
			return true
		}
	}
	return false
}

// systemdBus prints why the tool cannot reach its daemon and returns false, as
// bus_connect_transport does.
func (c *cmd) systemdBus() bool {
	if !c.systemdBooted() {
		c.errRaw("System has not been booted with systemd as init system (PID 1). Can't operate.\nFailed to connect to bus: Host is down\n")
		return false
	}
	if !c.hasDBus() {
		c.errRaw("Failed to connect to bus: No such file or directory\n")
		return false
	}
	return true
}

// systemdOpts parses the options the systemd tools share; extra are the tool's own long
// options without an argument. It returns the verb and its arguments, or ok=false after
// printing getopt's message (systemd tools print no --help hint).
func (c *cmd) systemdOpts(short string, long []longOpt) (verb string, args []string, help, version, ok bool) {
	long = append(long, longOpt{Name: "help", Key: "h"}, longOpt{Name: "version", Key: "version"},
		longOpt{Name: "no-ask-password", Key: "no-ask-password"}, longOpt{Name: "host", Arg: argRequired, Key: "H"},
		longOpt{Name: "machine", Arg: argRequired, Key: "M"})
	opts, ops, err := parseOpts(c.name, c.Args[1:], optSpec{Short: "hH:M:" + short, Long: long})
	if err != nil {
		c.errorf("%s", err.Msg)
		return "", nil, false, false, false
	}
	for _, o := range opts {
		switch o.Key {
		case "h":
			help = true
		case "version":
			version = true
		}
	}
	if len(ops) > 0 {
		verb, args = ops[0], ops[1:]
	}
	return verb, args, help, version, true
}

// tzName is the persona's time zone name: the /etc/localtime link below zoneinfo, else
// /etc/timezone, else UTC.
func (c *cmd) tzName() string {
	if t, err := c.FS.Readlink("/etc/localtime"); err == nil {
		if _, name, ok := strings.Cut(t, "zoneinfo/"); ok {
			return name
		}
	}
	if s, ok := c.readText("/etc/timezone"); ok && strings.TrimSpace(s) != "" {
		return strings.TrimSpace(s)
	}
	return "Etc/UTC"
}

// bootID is the persona's boot id, the one /proc/sys/kernel/random/boot_id shows.
func (c *cmd) bootID() []byte {
	p := c.persona()
	sum := sha256.Sum256([]byte(p.Hostname + "\x00" + p.BootTime.String()))
	b := sum[:16]
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return b
}

// ntpService says what timedatectl reports for the NTP unit.
func (c *cmd) ntpService() (synced, service string) {
	for _, name := range []string{"systemd-timesyncd", "chrony", "ntp", "ntpsec", "openntpd"} {
		if ok, _ := c.pkgInstalled(name); ok {
			return "yes", "active"
		}
	}
	return "no", "n/a"
}

func timedatectlCmd(p *Proc) int {
	c := newCmd(p)
	verb, args, help, version, ok := c.systemdOpts("ap:", []longOpt{
		{Name: "adjust-system-clock", Key: "adjust"}, {Name: "no-pager", Key: "no-pager"},
		{Name: "monitor", Key: "monitor"}, {Name: "property", Arg: argRequired, Key: "p"},
		{Name: "all", Key: "a"}, {Name: "value", Key: "value"},
	})
	switch {
	case !ok:
		return c.done(1)
	case help:
		c.print(timedatectlHelp)
		return c.done(0)
	case version:
		c.print(systemdVersion)
		return c.done(0)
	}
	if !c.systemdBus() {
		return c.done(1)
	}
	now := c.now()
	tz := c.tzName()
	// The zone's data comes from the persona's tzdata in the vfs, never from the host's.
	loc := c.location()
	if b, err := c.FS.ReadFile(path.Join("/usr/share/zoneinfo", tz)); err == nil {
		if l, err := time.LoadLocationFromTZData(tz, b); err == nil {
			loc = l
		}
	}
	local := now.In(loc)
	synced, ntp := c.ntpService()
	switch verb {
	case "", "status":
		abbr, off := local.Zone()
		sign := '+'
		if off < 0 {
			sign, off = '-', -off
		}
		c.printf("               Local time: %s\n", local.Format("Mon 2006-01-02 15:04:05 MST"))
		c.printf("           Universal time: %s\n", now.UTC().Format("Mon 2006-01-02 15:04:05 UTC"))
		c.printf("                 RTC time: %s\n", now.UTC().Format("Mon 2006-01-02 15:04:05"))
		c.printf("                Time zone: %s (%s, %c%02d%02d)\n", tz, abbr, sign, off/3600, off%3600/60)
		c.printf("System clock synchronized: %s\n", synced)
		c.printf("              NTP service: %s\n", ntp)
		c.printf("          RTC in local TZ: no\n")
	case "show":
		canNTP, ntpOn := "no", "no"
		if ntp == "active" {
			canNTP, ntpOn = "yes", "yes"
		}
		c.printf("Timezone=%s\nLocalRTC=no\nCanNTP=%s\nNTP=%s\nNTPSynchronized=%s\nTimeUSec=%s\nRTCTimeUSec=%s\n",
			tz, canNTP, ntpOn, synced, local.Format("Mon 2006-01-02 15:04:05 MST"), local.Format("Mon 2006-01-02 15:04:05 MST"))
	case "list-timezones":
		c.print(c.zoneList())
	case "set-timezone", "set-time", "set-local-rtc", "set-ntp":
		need := map[string]int{"set-timezone": 1, "set-time": 1, "set-local-rtc": 1, "set-ntp": 1}[verb]
		if len(args) < need {
			c.errRaw("Too few arguments.\n")
			return c.done(1)
		}
		if len(args) > need {
			c.errRaw("Too many arguments.\n")
			return c.done(1)
		}
		what := map[string]string{"set-timezone": "time zone", "set-time": "time", "set-local-rtc": "local RTC mode", "set-ntp": "ntp"}[verb]
		if !c.isRoot() {
			c.errRaw("Failed to set " + what + ": Interactive authentication required.\n")
			return c.done(1)
		}
		switch verb {
		case "set-timezone":
			if _, err := c.FS.Stat("/usr/share/zoneinfo/" + args[0]); err != nil || strings.Contains(args[0], "..") {
				c.errRaw("Failed to set time zone: Invalid or not installed time zone '" + args[0] + "'\n")
				return c.done(1)
			}
		case "set-time":
			if ntp == "active" {
				c.errRaw("Failed to set time: Automatic time synchronization is enabled\n")
				return c.done(1)
			}
		case "set-ntp":
			if ntp != "active" {
				c.errRaw("Failed to set ntp: NTP not supported\n")
				return c.done(1)
			}
		}
	case "timesync-status", "show-timesync":
		if ntp != "active" {
			c.errRaw("Failed to query server: Unit dbus-org.freedesktop.timesync1.service not found.\n")
			return c.done(1)
		}
	default:
		c.errRaw("Unknown command verb " + verb + ".\n")
		return c.done(1)
	}
	return c.done(0)
}

// zoneList lists the installed zones (timedatectl list-timezones reads tzdata's table).
func (c *cmd) zoneList() string {
	s, ok := c.readText("/usr/share/zoneinfo/tzdata.zi")
	var zones []string
	if ok {
		for _, line := range strings.Split(s, "\n") {
			f := strings.Fields(line)
			switch {
			case len(f) >= 2 && f[0] == "Z":
				zones = append(zones, f[1])
			case len(f) >= 3 && f[0] == "L":
				zones = append(zones, f[2])
			}
		}
	}
	if len(zones) == 0 {
		zones = []string{"Etc/UTC", "UTC"}
	}
	sort.Strings(zones)
	var b strings.Builder
	prev := ""
	for _, z := range zones {
		if z != prev {
			b.WriteString(z + "\n")
		}
		prev = z
	}
	return b.String()
}

func hostnamectlCmd(p *Proc) int {
	c := newCmd(p)
	verb, args, help, version, ok := c.systemdOpts("", []longOpt{
		{Name: "transient", Key: "transient"}, {Name: "static", Key: "static"}, {Name: "pretty", Key: "pretty"},
		{Name: "json", Arg: argRequired, Key: "json"},
	})
	switch {
	case !ok:
		return c.done(1)
	case help:
		c.print(hostnamectlHelp)
		return c.done(0)
	case version:
		c.print(systemdVersion)
		return c.done(0)
	}
	if !c.systemdBus() {
		return c.done(1)
	}
	per := c.persona()
	switch verb {
	case "", "status":
		mid, _ := c.readText("/etc/machine-id")
		chassis := "vm"
		if c.utf8Locale() {
			chassis = "vm 🖴"
		}
		arch := strings.ReplaceAll(per.Kernel.Machine, "_", "-")
		if arch == "" {
			arch = "x86-64"
		}
		c.printf(" Static hostname: %s\n", per.Hostname)
		c.printf("       Icon name: computer-vm\n")
		c.printf("         Chassis: %s\n", chassis)
		c.printf("      Machine ID: %s\n", strings.TrimSpace(mid))
		c.printf("         Boot ID: %s\n", hex.EncodeToString(c.bootID()))
		c.printf("  Virtualization: kvm\n")
		c.printf("Operating System: %s\n", c.osPretty())
		c.printf("          Kernel: %s %s\n", per.Kernel.Sysname, per.Kernel.Release)
		c.printf("    Architecture: %s\n", arch)
		c.printf(" Hardware Vendor: QEMU\n")
		c.printf("  Hardware Model: Standard PC _i440FX + PIIX, 1996_\n")
		c.printf("Firmware Version: 1.16.2-debian-1.16.2-1\n")
	case "hostname", "set-hostname", "icon-name", "set-icon-name", "chassis", "set-chassis", "deployment",
		"set-deployment", "location", "set-location":
		if len(args) == 0 && !strings.HasPrefix(verb, "set-") {
			if verb == "hostname" {
				c.print(per.Hostname + "\n")
			} else if verb == "icon-name" {
				c.print("computer-vm\n")
			} else if verb == "chassis" {
				c.print("vm\n")
			} else {
				c.print("\n")
			}
			return c.done(0)
		}
		if len(args) != 1 {
			c.errRaw(map[bool]string{true: "Too few arguments.\n", false: "Too many arguments.\n"}[len(args) == 0])
			return c.done(1)
		}
		if !c.isRoot() {
			what := strings.TrimPrefix(verb, "set-")
			if what == "hostname" {
				what = "static hostname"
			} else {
				what = strings.ReplaceAll(what, "-", " ")
			}
			c.errRaw("Could not set " + what + ": Interactive authentication required.\n")
			return c.done(1)
		}
	default:
		c.errRaw("Unknown command verb " + verb + ".\n")
		return c.done(1)
	}
	return c.done(0)
}

// osPretty is os-release's PRETTY_NAME.
func (c *cmd) osPretty() string {
	s, _ := c.readText("/etc/os-release")
	for _, line := range strings.Split(s, "\n") {
		if v, ok := strings.CutPrefix(line, "PRETTY_NAME="); ok {
			return strings.Trim(v, `"`)
		}
	}
	return "Debian GNU/Linux 12 (bookworm)"
}
