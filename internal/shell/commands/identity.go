package commands

import (
	"strconv"
	"strings"
)

// The identity family: who the session is (whoami, id, groups, logname, tty, users) and
// what the host is (hostname, uname; identity_host.go), who else is on it (w, who, last;
// identity_who.go). Accounts come from the vfs's /etc/passwd and /etc/group, so an
// attacker's useradd shows up in id as it would on the real box.

func registerIdentity(r *Registry) {
	r.Register("whoami", whoamiCmd)
	r.Register("id", idCmd)
	r.Register("groups", groupsCmd)
	r.Register("logname", lognameCmd)
	r.Register("tty", ttyCmd)
	r.Register("users", usersCmd)
	r.Register("hostname", hostnameCmd)
	r.Register("uname", unameCmd)
	r.Register("arch", archCmd)
	r.Register("w", wCmd)
	r.Register("who", whoCmd)
	r.Register("last", lastCmd)
}

// stdLong lists the --help and --version long options every GNU program takes.
func stdLong(more ...longOpt) []longOpt {
	return append(more, longOpt{Name: "help", Key: "help"}, longOpt{Name: "version", Key: "version"})
}

func whoamiCmd(p *Proc) int {
	c := newCmd(p)
	opts, ops, ok, st := c.parse(optSpec{Short: "", Long: stdLong()}, 1)
	if !ok {
		return st
	}
	for _, o := range opts {
		switch o.Key {
		case "help", "version":
			return c.sysHelp(o.Key, "whoami")
		}
	}
	if len(ops) > 0 {
		return c.usage(1, "extra operand %s", c.quoteLoc(ops[0]))
	}
	e, ok := c.lookupUID(c.User.UID)
	if !ok {
		c.errorf("cannot find name for user ID %d", c.User.UID)
		return c.done(1)
	}
	c.print(e.Name + "\n")
	return c.done(0)
}

func idCmd(p *Proc) int {
	c := newCmd(p)
	opts, ops, ok, st := c.parse(optSpec{Short: "agnruGZz", Long: stdLong(
		[]longOpt{{Name: "context", Key: "Z"}, {Name: "group", Key: "g"}, {Name: "groups", Key: "G"},
			{Name: "name", Key: "n"}, {Name: "real", Key: "r"}, {Name: "user", Key: "u"}, {Name: "zero", Key: "z"}}...,
	)}, 1)
	if !ok {
		return st
	}
	var u, g, G, n, r, z, Z bool
	for _, o := range opts {
		switch o.Key {
		case "u":
			u = true
		case "g":
			g = true
		case "G":
			G = true
		case "n":
			n = true
		case "r":
			r = true
		case "z":
			z = true
		case "Z":
			Z = true
		case "help", "version":
			return c.sysHelp(o.Key, "id")
		}
	}
	_ = r
	if Z {
		c.errorf("--context (-Z) works only on an SELinux-enabled kernel")
		return c.done(1)
	}
	choices := 0
	for _, b := range []bool{u, g, G} {
		if b {
			choices++
		}
	}
	if choices > 1 {
		c.errorf("cannot print \"only\" of more than one choice")
		return c.done(1)
	}
	if choices == 0 && (n || r) {
		c.errorf("cannot print only names or real IDs in default format")
		return c.done(1)
	}
	if choices == 0 && z {
		c.errorf("option --zero not permitted in default format")
		return c.done(1)
	}
	users := ops
	if len(users) == 0 {
		users = []string{""}
	}
	status := 0
	for _, name := range users {
		var e pwEntry
		if name == "" {
			var found bool
			e, found = c.lookupUID(c.User.UID)
			if !found {
				e = pwEntry{Name: strconv.Itoa(c.User.UID), UID: c.User.UID, GID: c.User.GID}
			}
		} else {
			var found bool
			e, found = c.lookupPasswd(name)
			if !found {
				if uid, err := strconv.Atoi(name); err == nil {
					e, found = c.lookupUID(uid)
				}
			}
			if !found {
				c.errorf("%s: no such user", c.quoteLoc(name))
				status = 1
				continue
			}
		}
		sep := " "
		end := "\n"
		if z {
			sep, end = "\x00", "\x00"
		}
		gname := func(gid int) string {
			if s, ok := c.groupName(gid); ok {
				return s
			}
			return strconv.Itoa(gid)
		}
		switch {
		case u:
			if n {
				c.print(e.Name + end)
			} else {
				c.print(strconv.Itoa(e.UID) + end)
			}
		case g:
			if n {
				c.print(gname(e.GID) + end)
			} else {
				c.print(strconv.Itoa(e.GID) + end)
			}
		case G:
			var parts []string
			for _, gid := range c.userGroups(e) {
				if n {
					parts = append(parts, gname(gid))
				} else {
					parts = append(parts, strconv.Itoa(gid))
				}
			}
			c.print(strings.Join(parts, sep) + end)
		default:
			var b strings.Builder
			b.WriteString("uid=" + strconv.Itoa(e.UID) + "(" + e.Name + ")")
			b.WriteString(" gid=" + strconv.Itoa(e.GID))
			if s, ok := c.groupName(e.GID); ok {
				b.WriteString("(" + s + ")")
			}
			b.WriteString(" groups=")
			for i, gid := range c.userGroups(e) {
				if i > 0 {
					b.WriteByte(',')
				}
				b.WriteString(strconv.Itoa(gid))
				if s, ok := c.groupName(gid); ok {
					b.WriteString("(" + s + ")")
				}
			}
			c.print(b.String() + "\n")
		}
	}
	return c.done(status)
}

func groupsCmd(p *Proc) int {
	c := newCmd(p)
	opts, ops, ok, st := c.parse(optSpec{Long: stdLong()}, 1)
	if !ok {
		return st
	}
	for _, o := range opts {
		switch o.Key {
		case "help", "version":
			return c.sysHelp(o.Key, "groups")
		}
	}
	names := func(e pwEntry) string {
		var parts []string
		for _, gid := range c.userGroups(e) {
			if s, ok := c.groupName(gid); ok {
				parts = append(parts, s)
			} else {
				parts = append(parts, strconv.Itoa(gid))
			}
		}
		return strings.Join(parts, " ")
	}
	if len(ops) == 0 {
		e, found := c.lookupUID(c.User.UID)
		if !found {
			e = pwEntry{Name: c.userName(), UID: c.User.UID, GID: c.User.GID}
		}
		c.print(names(e) + "\n")
		return c.done(0)
	}
	status := 0
	for _, n := range ops {
		e, found := c.lookupPasswd(n)
		if !found {
			c.errorf("%s: no such user", c.quoteLoc(n))
			status = 1
			continue
		}
		c.print(n + " : " + names(e) + "\n")
	}
	return c.done(status)
}

func lognameCmd(p *Proc) int {
	c := newCmd(p)
	opts, ops, ok, st := c.parse(optSpec{Long: stdLong()}, 1)
	if !ok {
		return st
	}
	for _, o := range opts {
		switch o.Key {
		case "help", "version":
			return c.sysHelp(o.Key, "logname")
		}
	}
	if len(ops) > 0 {
		return c.usage(1, "extra operand %s", c.quoteLoc(ops[0]))
	}
	// getlogin(3) reads the audit login uid that pam_loginuid set for the ssh session.
	c.print(c.userName() + "\n")
	return c.done(0)
}

func ttyCmd(p *Proc) int {
	c := newCmd(p)
	opts, ops, ok, st := c.parse(optSpec{Short: "s", Long: stdLong(longOpt{Name: "silent", Key: "s"}, longOpt{Name: "quiet", Key: "s"})}, 2)
	if !ok {
		return st
	}
	silent := false
	for _, o := range opts {
		switch o.Key {
		case "s":
			silent = true
		case "help", "version":
			return c.sysHelp(o.Key, "tty")
		}
	}
	if len(ops) > 0 {
		return c.usage(2, "extra operand %s", c.quoteLoc(ops[0]))
	}
	t := c.tty()
	if t == "" {
		if !silent {
			c.print("not a tty\n")
		}
		return c.done(1)
	}
	if !silent {
		c.print("/dev/" + t + "\n")
	}
	return c.done(0)
}

func usersCmd(p *Proc) int {
	c := newCmd(p)
	opts, ops, ok, st := c.parse(optSpec{Long: stdLong()}, 1)
	if !ok {
		return st
	}
	for _, o := range opts {
		switch o.Key {
		case "help", "version":
			return c.sysHelp(o.Key, "users")
		}
	}
	if len(ops) > 1 {
		return c.usage(1, "extra operand %s", c.quoteLoc(ops[1]))
	}
	// coreutils prints the names and a newline, and nothing at all when utmp lists nobody
	// (an exec request has no utmp entry)
	if c.loggedIn() > 0 {
		c.print(c.userName() + "\n")
	}
	return c.done(0)
}
