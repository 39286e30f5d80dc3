package commands

import (
	"bufio"
	"crypto/rand"
	"crypto/sha512"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Accounts and jobs: crontab, passwd, chpasswd, useradd/adduser/usermod. Changes land in
// the session's vfs overlay (/etc/shadow, /etc/passwd, /var/spool/cron/crontabs), so the
// attacker sees them persist, and every new password is reported to the sensor as an event.

// EventCredentialChange is emitted when an attacker sets a password (passwd, chpasswd).
const EventCredentialChange = "lure.credential.change"

// readLine reads one line of a program's input, without its newline; ok is false at EOF.
func readLine(r *bufio.Reader) (string, bool) {
	if r == nil {
		return "", false
	}
	s, err := r.ReadString('\n')
	if err != nil && s == "" {
		return "", false
	}
	return strings.TrimSuffix(strings.TrimSuffix(s, "\n"), "\r"), true
}

func (c *cmd) stdinReader() *bufio.Reader {
	if c.Stdin == nil {
		return bufio.NewReader(strings.NewReader(""))
	}
	return bufio.NewReader(io.LimitReader(c.Stdin, 1<<20))
}

// yescryptLike makes a string shaped like a Debian 12 yescrypt hash ($y$j9T$salt$hash).
// It is what `grep root /etc/shadow` shows an attacker after a change; no one verifies it.
func yescryptLike(password string) string {
	const alphabet = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	salt := make([]byte, 22)
	raw := make([]byte, 22)
	_, _ = rand.Read(raw)
	for i := range salt {
		salt[i] = alphabet[int(raw[i])%64]
	}
	sum := sha512.Sum512(append(append([]byte{}, salt...), password...))
	h := make([]byte, 43)
	for i := range h {
		h[i] = alphabet[int(sum[i])%64]
	}
	return "$y$j9T$" + string(salt) + "$" + string(h)
}

// setShadowPassword rewrites a user's /etc/shadow entry (adding one when missing).
func (c *cmd) setShadowPassword(user, password string) error {
	day := strconv.FormatInt(c.now().Unix()/86400, 10)
	s, _ := c.readText("/etc/shadow")
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	if s == "" {
		lines = nil
	}
	done := false
	for i, l := range lines {
		f := strings.Split(l, ":")
		if len(f) >= 3 && f[0] == user {
			f[1] = yescryptLike(password)
			f[2] = day
			lines[i] = strings.Join(f, ":")
			done = true
		}
	}
	if !done {
		lines = append(lines, user+":"+yescryptLike(password)+":"+day+":0:99999:7:::")
	}
	return c.FS.WriteFile("/etc/shadow", []byte(strings.Join(lines, "\n")+"\n"), 0o640)
}

// credentialEvent reports a password an attacker set.
func (c *cmd) credentialEvent(program, user, password string) {
	if s := c.session(); s.Sink != nil {
		s.Sink.Event(EventCredentialChange, fmt.Sprintf("%s set the password of %s", program, user),
			map[string]any{"username": user, "password": password, "program": program})
	}
}

func passwdCmd(p *Proc) int {
	c := newCmd(p)
	var target string
	for _, a := range c.Args[1:] {
		if strings.HasPrefix(a, "-") {
			switch a {
			case "-S", "--status", "-l", "--lock", "-u", "--unlock", "-d", "--delete", "-e", "--expire":
				if !c.isRoot() {
					c.errRaw("passwd: Permission denied.\n")
					return c.done(1)
				}
				continue
			case "-h", "--help":
				c.print("Usage: passwd [options] [LOGIN]\n")
				return c.done(0)
			}
			continue
		}
		target = a
	}
	if target == "" {
		target = c.userName()
	}
	if _, ok := c.lookupPasswd(target); !ok {
		c.errRaw(fmt.Sprintf("passwd: user '%s' does not exist\n", target))
		return c.done(1)
	}
	if !c.isRoot() && target != c.userName() {
		c.errRaw("passwd: You may not view or modify password information for " + target + ".\n")
		return c.done(1)
	}
	in := c.stdinReader()
	fail := func(aborted bool) int {
		if aborted {
			c.errRaw("Password change has been aborted.\n")
		}
		c.errRaw("passwd: Authentication token manipulation error\npasswd: password unchanged\n")
		return c.done(10)
	}
	if !c.isRoot() {
		c.errRaw("Current password: ")
		if _, ok := readLine(in); !ok {
			c.errRaw("passwd: Authentication token manipulation error\npasswd: password unchanged\n")
			return c.done(10)
		}
		// The persona's real password is never revealed by accepting a guess here.
		c.errRaw("passwd: Authentication token manipulation error\npasswd: password unchanged\n")
		return c.done(10)
	}
	c.errRaw("New password: ")
	pw1, ok := readLine(in)
	if !ok {
		return fail(true)
	}
	c.errRaw("Retype new password: ")
	pw2, ok := readLine(in)
	if !ok {
		return fail(true)
	}
	if pw1 != pw2 {
		c.errRaw("Sorry, passwords do not match.\n")
		return fail(false)
	}
	c.credentialEvent("passwd", target, pw1)
	if err := c.setShadowPassword(target, pw1); err != nil {
		return fail(false)
	}
	c.errRaw("passwd: password updated successfully\n")
	return c.done(0)
}

func chpasswdCmd(p *Proc) int {
	c := newCmd(p)
	for _, a := range c.Args[1:] {
		switch a {
		case "-h", "--help":
			c.print("Usage: chpasswd [options]\n")
			return c.done(0)
		case "-e", "--encrypted", "-m", "--md5", "-c", "--crypt-method", "-s", "--sha-rounds", "-R", "--root", "-P", "--prefix":
		default:
			if strings.HasPrefix(a, "-") {
				c.errRaw(fmt.Sprintf("chpasswd: unrecognized option '%s'\n", a))
				c.errRaw("Usage: chpasswd [options]\n")
				return c.done(2)
			}
		}
	}
	if !c.isRoot() {
		c.errRaw("chpasswd: Permission denied.\n")
		return c.done(1)
	}
	in := c.stdinReader()
	status := 0
	for n := 1; ; n++ {
		line, ok := readLine(in)
		if !ok {
			break
		}
		user, pw, found := strings.Cut(line, ":")
		if !found {
			c.errRaw(fmt.Sprintf("chpasswd: line %d: missing new password\n", n))
			status = 1
			continue
		}
		if _, ok := c.lookupPasswd(user); !ok {
			c.errRaw(fmt.Sprintf("chpasswd: (user %s) pam_chauthtok() failed, error:\nAuthentication token manipulation error\n", user))
			c.errRaw(fmt.Sprintf("chpasswd: (line %d, user %s) password not changed\n", n, user))
			status = 1
			continue
		}
		c.credentialEvent("chpasswd", user, pw)
		if err := c.setShadowPassword(user, pw); err != nil {
			c.errRaw(fmt.Sprintf("chpasswd: (line %d, user %s) password not changed\n", n, user))
			status = 1
		}
	}
	return c.done(status)
}

func adduserCmd(p *Proc) int {
	c := newCmd(p)
	var name string
	gecos := ""
	disabled := false
	args := c.Args[1:]
	for i := 0; i < len(args); i++ {
		switch a := args[i]; a {
		case "--gecos", "--comment":
			if i+1 < len(args) {
				i++
				gecos = args[i]
			}
		case "--disabled-password", "--disabled-login":
			disabled = true
		case "--quiet", "-q", "--system":
		case "--shell", "--home", "--uid", "--gid", "--ingroup":
			i++
		default:
			if !strings.HasPrefix(a, "-") {
				name = a
			}
		}
	}
	if !c.isRoot() {
		c.errRaw("adduser: Only root may add a user or group to the system.\n")
		return c.done(1)
	}
	if name == "" {
		c.errRaw("adduser: Only one or two names allowed.\n")
		return c.done(1)
	}
	if _, ok := c.lookupPasswd(name); ok {
		c.errRaw(fmt.Sprintf("adduser: The user `%s' already exists.\n", name))
		return c.done(1)
	}
	c.printf("Adding user `%s' ...\n", name)
	if msg, st := c.createUser("adduser", userSpec{name: name, shell: "/bin/bash", gecos: gecos, uid: -1, gid: -1, createHome: true}); st != 0 {
		c.errRaw(msg)
		return c.done(1)
	}
	e, _ := c.lookupPasswd(name)
	c.printf("Adding new group `%s' (%d) ...\n", name, e.GID)
	c.printf("Adding new user `%s' (%d) with group `%s' ...\n", name, e.UID, name)
	c.printf("Creating home directory `/home/%s' ...\n", name)
	c.print("Copying files from `/etc/skel' ...\n")
	if !disabled {
		in := c.stdinReader()
		c.errRaw("New password: ")
		pw1, ok1 := readLine(in)
		c.errRaw("Retype new password: ")
		pw2, ok2 := readLine(in)
		if !ok1 || !ok2 || pw1 != pw2 {
			if ok1 && ok2 {
				c.errRaw("Sorry, passwords do not match.\n")
			}
			c.errRaw("passwd: Authentication token manipulation error\npasswd: password unchanged\n")
			c.print("Try again? [y/N] ")
		} else {
			c.credentialEvent("adduser", name, pw1)
			_ = c.setShadowPassword(name, pw1)
			c.errRaw("passwd: password updated successfully\n")
			c.printf("Changing the user information for %s\nEnter the new value, or press ENTER for the default\n", name)
			c.print("\tFull Name []: \tRoom Number []: \tWork Phone []: \tHome Phone []: \tOther []: Is the information correct? [Y/n] ")
		}
	}
	return c.done(0)
}

// crontabPath is where Debian's cron keeps a user's table.
func crontabPath(user string) string { return "/var/spool/cron/crontabs/" + user }

// crontabBody strips the three header lines Debian's crontab writes above the user's text.
func crontabBody(s string) string {
	lines := strings.SplitAfter(s, "\n")
	i := 0
	for i < len(lines) && i < 3 && strings.HasPrefix(lines[i], "# ") &&
		(strings.HasPrefix(lines[i], "# DO NOT EDIT") || strings.HasPrefix(lines[i], "# (")) {
		i++
	}
	return strings.Join(lines[i:], "")
}

// crontabCheck validates a crontab as Debian's crontab does before installing it; it returns
// the first error line ("bad minute") and its number, or 0.
func crontabCheck(s string) (int, string) {
	for n, line := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		if k, _, ok := strings.Cut(t, "="); ok && !strings.ContainsAny(k, " \t*") {
			continue
		}
		f := strings.Fields(t)
		if strings.HasPrefix(f[0], "@") {
			switch f[0] {
			case "@reboot", "@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly":
				if len(f) < 2 {
					return n + 1, "bad command"
				}
				continue
			}
			return n + 1, "bad time specifier"
		}
		names := []string{"minute", "hour", "day-of-month", "month", "day-of-week"}
		for i, nm := range names {
			allowed := "0123456789*/,-"
			if i >= 3 {
				// Months and weekdays may be named (jan, mon).
				allowed += "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			}
			if i >= len(f) || strings.Trim(f[i], allowed) != "" {
				return n + 1, "bad " + nm
			}
		}
		if len(f) < 6 {
			return n + 1, "bad command"
		}
	}
	return 0, ""
}

func crontabCmd(p *Proc) int {
	c := newCmd(p)
	opts, ops, err := parseOpts(c.name, c.Args[1:], optSpec{Short: "u:lerinx:"})
	usage := func() int {
		c.errRaw("usage:\tcrontab [-u user] [ -i ] { -e | -l | -r }\n\t\t(default operation is replace, per 1003.2)\n\t-e\t(edit user's crontab)\n\t-l\t(list user's crontab)\n\t-r\t(delete user's crontab)\n\t-i\t(prompt before deleting user's crontab)\n")
		return c.done(1)
	}
	if err != nil {
		c.errRaw("crontab: " + err.Msg + "\n")
		return usage()
	}
	user := c.userName()
	action := ""
	for _, o := range opts {
		switch o.Key {
		case "u":
			if !c.isRoot() && o.Val != user {
				c.errRaw("must be privileged to use -u\n")
				return c.done(1)
			}
			if _, ok := c.lookupPasswd(o.Val); !ok {
				c.errRaw(fmt.Sprintf("crontab: user `%s' unknown\n", o.Val))
				return c.done(1)
			}
			user = o.Val
		case "l", "e", "r":
			if action != "" {
				return usage()
			}
			action = o.Key
		}
	}
	path := crontabPath(user)
	existing, have := c.readText(path)
	switch action {
	case "l":
		if len(ops) > 0 {
			return usage()
		}
		if !have {
			c.errRaw("no crontab for " + user + "\n")
			return c.done(1)
		}
		c.print(crontabBody(existing))
		return c.done(0)
	case "r":
		if !have {
			c.errRaw("no crontab for " + user + "\n")
			return c.done(1)
		}
		_ = c.FS.Remove(path)
		return c.done(0)
	case "e":
		if !have {
			c.errRaw("no crontab for " + user + " - using an empty one\n")
		}
		// No editor can run here; an unchanged file is what a closed editor leaves.
		c.errRaw("crontab: no changes made to crontab\n")
		return c.done(0)
	}
	if len(ops) > 1 {
		return usage()
	}
	src := "-"
	if len(ops) == 1 {
		src = ops[0]
	}
	var data []byte
	if src == "-" {
		b, err := readCapped(c.Stdin)
		if err != nil {
			c.errRaw("crontab: " + errText(err) + "\n")
			return c.done(1)
		}
		data = b
	} else {
		b, err := c.FS.ReadFile(c.abs(src))
		if err != nil {
			c.errRaw(src + ": " + errText(err) + "\n")
			return c.done(1)
		}
		data = b
	}
	if len(data) > 0 && data[len(data)-1] != '\n' {
		c.errRaw("new crontab file is missing newline before EOF, can't install.\n")
		return c.done(1)
	}
	if n, msg := crontabCheck(string(data)); n > 0 {
		c.errRaw(fmt.Sprintf("\"%s\":%d: %s\nerrors in crontab file, can't install.\n", src, n, msg))
		return c.done(1)
	}
	if s := c.session(); s.Sink != nil && len(data) > 0 {
		_, _ = s.Sink.SaveFile(data)
	}
	head := fmt.Sprintf("# DO NOT EDIT THIS FILE - edit the master and reinstall.\n# (%s installed on %s)\n# (Cron version -- $Id: crontab.c,v 2.13 1994/01/17 03:20:37 vixie Exp $)\n",
		src, c.now().In(c.location()).Format(time.ANSIC))
	if err := c.FS.MkdirAll("/var/spool/cron/crontabs", 0o730); err != nil {
		c.errRaw("crontab: " + errText(err) + "\n")
		return c.done(1)
	}
	if err := c.FS.WriteFile(path, append([]byte(head), data...), 0o600); err != nil {
		c.errRaw("crontab: " + errText(err) + "\n")
		return c.done(1)
	}
	if e, ok := c.lookupPasswd(user); ok {
		_ = c.FS.Chown(path, uint32(e.UID), 102)
	}
	return c.done(0)
}
