package shell

import (
	"context"
	"io"
	"sort"
	"strings"
	"time"

	"mvdan.cc/sh/v3/expand"

	"github.com/lure-sensor/lure/internal/shell/commands"
)

// Debian's OpenSSH sets PATH from these (--with-default-path, --with-superuser-path);
// a login shell's /etc/profile then sets its own.
const (
	sshdRootPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	sshdUserPath = "/usr/local/bin:/usr/bin:/bin:/usr/games"
	// profile paths are what Debian 12's /etc/profile sets.
	profileRootPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	profileUserPath = "/usr/local/bin:/usr/bin:/bin:/usr/local/games:/usr/games"

	bashVersion = "5.2.15(1)-release"
)

// initEnv builds the environment a Debian 12 sshd + PAM + bash give a new shell.
func (s *Shell) initEnv() {
	r := s.r
	u := s.cfg.User
	if u.Name == "" {
		u.Name = "root"
	}
	if u.Home == "" {
		if u.UID == 0 {
			u.Home = "/root"
		} else {
			u.Home = "/home/" + u.Name
		}
	}
	if u.Shell == "" {
		u.Shell = "/bin/bash"
	}
	s.cfg.User = u
	exp := func(name, val string) {
		r.vars.put(0, name, varEntry{Variable: expand.Variable{Set: true, Exported: true, Kind: expand.String, Str: val}})
	}
	path := sshdUserPath
	if u.UID == 0 {
		path = sshdRootPath
	}
	// sshd, then the PAM session modules of the persona's /etc/pam.d/sshd: pam_systemd
	// (only where libpam-systemd put it in common-session), pam_motd, pam_mail (Debian's
	// sshd file says noenv), pam_env with /etc/default/locale.
	pamSystemd := commands.PAMModule(s.cfg.FS, "/etc/pam.d/common-session", "pam_systemd.so", "")
	exp("SHELL", u.Shell)
	exp("LOGNAME", u.Name)
	if pamSystemd {
		exp("XDG_SESSION_TYPE", "tty")
	}
	exp("MOTD_SHOWN", "pam")
	exp("HOME", u.Home)
	for _, kv := range s.defaultLocale() {
		exp(kv[0], kv[1])
	}
	if pamSystemd {
		exp("XDG_SESSION_CLASS", "user")
		exp("XDG_SESSION_ID", itoa(s.pid%97+1))
		exp("XDG_RUNTIME_DIR", "/run/user/"+itoa(u.UID))
		exp("DBUS_SESSION_BUS_ADDRESS", "unix:path=/run/user/"+itoa(u.UID)+"/bus")
	}
	exp("USER", u.Name)
	exp("PATH", path)
	if commands.PAMModule(s.cfg.FS, "/etc/pam.d/sshd", "pam_mail.so", "noenv") {
		exp("MAIL", "/var/mail/"+u.Name)
	}
	if client, conn := commands.SSHVars(s.cfg.Session, s.cfg.FS, s.cfg.Persona); client != "" {
		exp("SSH_CLIENT", client)
		exp("SSH_CONNECTION", conn)
		if s.cfg.Session.TTY != "" {
			exp("SSH_TTY", "/dev/"+s.cfg.Session.TTY)
		}
	}
	keys := make([]string, 0, len(s.cfg.Env))
	for k := range s.cfg.Env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if validName(k) {
			exp(k, s.cfg.Env[k])
		}
	}
	if s.cfg.Interactive && s.cfg.TTY {
		if _, ok := s.cfg.Env["TERM"]; !ok {
			exp("TERM", "xterm")
		}
	}
	// the shell's own
	dir := u.Home
	if s.cfg.FS != nil {
		if m, err := s.cfg.FS.Stat(dir); err != nil || !m.Mode.IsDir() {
			dir = "/"
		}
	}
	r.dir = dir
	exp("PWD", dir)
	exp("SHLVL", "1")
	r.vars.put(0, "OLDPWD", varEntry{Variable: expand.Variable{Exported: true}})
	r.initShellVars(s.cfg.Interactive)
}

// initShellVars sets the variables bash itself maintains.
func (r *runner) initShellVars(interactive bool) {
	u := r.sh.cfg.User
	set := func(name, val string) {
		r.vars.put(0, name, varEntry{Variable: expand.Variable{Set: true, Kind: expand.String, Str: val}})
	}
	ro := func(name, val string, integer bool) {
		r.vars.put(0, name, varEntry{Variable: expand.Variable{Set: true, ReadOnly: true, Kind: expand.String, Str: val}, integer: integer})
	}
	arr := func(name string, list ...string) {
		if list == nil {
			list = []string{}
		}
		r.vars.put(0, name, varEntry{Variable: expand.Variable{Set: true, Kind: expand.Indexed, List: list}})
	}
	set("BASH", "/usr/bin/bash")
	arr("BASH_ALIASES")
	arr("BASH_ARGC")
	arr("BASH_ARGV")
	arr("BASH_CMDS")
	arr("BASH_LINENO")
	set("BASH_LOADABLES_PATH", "/usr/local/lib/bash:/usr/lib/bash:/opt/local/lib/bash:/usr/pkg/lib/bash:/opt/pkg/lib/bash:.")
	arr("BASH_SOURCE")
	r.vars.put(0, "BASH_VERSINFO", varEntry{Variable: expand.Variable{Set: true, ReadOnly: true, Kind: expand.Indexed,
		List: []string{"5", "2", "15", "1", "release", "x86_64-pc-linux-gnu"}}})
	set("BASH_VERSION", bashVersion)
	arr("DIRSTACK")
	ro("EUID", itoa(u.UID), true)
	arr("GROUPS", itoa(u.GID))
	hostname := "localhost"
	if p := r.sh.cfg.Persona; p != nil && p.Hostname != "" {
		hostname = p.Hostname
	}
	set("HOSTNAME", hostname)
	set("HOSTTYPE", "x86_64")
	set("IFS", " \t\n")
	set("MACHTYPE", "x86_64-pc-linux-gnu")
	set("OPTERR", "1")
	set("OPTIND", "1")
	set("OSTYPE", "linux-gnu")
	ro("PPID", itoa(r.sh.ppid), true)
	set("PS4", "+ ")
	if _, ok := r.vars.get("TERM"); !ok {
		set("TERM", "dumb") // bash's own default, not exported
	}
	ro("UID", itoa(u.UID), true)
	if interactive {
		set("HISTFILE", u.Home+"/.bash_history")
		set("HISTFILESIZE", "500")
		set("HISTSIZE", "500")
		set("MAILCHECK", "60")
		set("PS1", `\s-\v\$ `)
		set("PS2", "> ")
		set("COLUMNS", itoa(r.sh.cols))
		set("LINES", itoa(r.sh.rows))
	}
}

// defaultLocale reads /etc/default/locale as Debian's pam_env (readenv, envfile) does at
// every sshd login, exec requests included: each KEY=VALUE line (an "export " prefix and
// surrounding quotes dropped), in file order. Only locale variables are taken, which is
// what update-locale writes there.
func (s *Shell) defaultLocale() [][2]string {
	if s.cfg.FS == nil {
		return nil
	}
	data, err := s.cfg.FS.ReadFile("/etc/default/locale")
	if err != nil {
		return nil
	}
	var out [][2]string
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimPrefix(strings.TrimSpace(line), "export ")
		k, v, ok := strings.Cut(line, "=")
		if !ok || !(k == "LANG" || k == "LANGUAGE" || strings.HasPrefix(k, "LC_")) || !validName(k) {
			continue
		}
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		}
		out = append(out, [2]string{k, v})
	}
	return out
}

// login runs the persona's login files as bash -l does (/etc/profile, then the first of
// ~/.bash_profile, ~/.bash_login, ~/.profile), quietly and under a small budget: the
// persona decides the prompt, aliases and PATH. Then it loads ~/.bash_history.
func (s *Shell) login() {
	r := s.r
	u := s.cfg.User
	if s.cfg.FS != nil {
		b := newBudget(context.Background(), Limits{Timeout: 2 * time.Second, MaxSteps: 50000,
			MaxOutput: 1 << 16, MaxVar: s.lim.MaxVar, MaxDepth: 30, MaxProcs: 8, MaxMoved: 1 << 20}.withDefaults())
		r.b = b
		r.startup = true
		r.fd[0] = &ofile{r: strings.NewReader("")}
		r.fd[1] = &ofile{w: io.Discard}
		r.fd[2] = &ofile{w: io.Discard}
		r.outTerm, r.errTerm = io.Discard, io.Discard
		files := []string{"/etc/profile"}
		for _, f := range []string{".bash_profile", ".bash_login", ".profile"} {
			p := u.Home + "/" + f
			if m, err := s.cfg.FS.Stat(p); err == nil && m.Mode.IsRegular() {
				files = append(files, p)
				break
			}
		}
		for _, f := range files {
			if _, err := s.cfg.FS.Stat(f); err != nil {
				continue
			}
			sourceBuiltin(r, []string{".", f})
			r.exit, r.ret, r.brk, r.cont = false, false, 0, 0
		}
		r.startup = false
		b.done()
		r.status = 0
	}
	// Defaults when the image lacks the files (or they did not set these).
	if r.getVar("PS1") == `\s-\v\$ ` {
		r.setVarQuiet("PS1", defaultPS1(u.UID, r.getVar("TERM")))
	}
	if p := r.getVar("PATH"); p == sshdRootPath || p == sshdUserPath {
		if u.UID == 0 {
			r.setVarQuiet("PATH", profileRootPath)
		} else {
			r.setVarQuiet("PATH", profileUserPath)
		}
	}
	s.loadHistory()
}

// defaultPS1 is the prompt Debian 12's bashrc files give root and skel users.
func defaultPS1(uid int, term string) string {
	if uid == 0 {
		return `${debian_chroot:+($debian_chroot)}\u@\h:\w\$ `
	}
	color := term == "xterm-color" || strings.HasSuffix(term, "-256color")
	ps1 := `${debian_chroot:+($debian_chroot)}\u@\h:\w\$ `
	if color {
		ps1 = `${debian_chroot:+($debian_chroot)}\[\033[01;32m\]\u@\h\[\033[00m\]:\[\033[01;34m\]\w\[\033[00m\]\$ `
	}
	if strings.HasPrefix(term, "xterm") || strings.HasPrefix(term, "rxvt") {
		ps1 = `\[\e]0;${debian_chroot:+($debian_chroot)}\u@\h: \w\a\]` + ps1
	}
	return ps1
}

// loadHistory reads HISTFILE into the history list, as an interactive bash does.
func (s *Shell) loadHistory() {
	file := s.r.getVar("HISTFILE")
	if file == "" || s.cfg.FS == nil {
		return
	}
	data, err := s.cfg.FS.ReadFile(file)
	if err != nil {
		return
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) == 1 && lines[0] == "" {
		return
	}
	max := atoiDefault(s.r.getVar("HISTSIZE"), 500)
	if max >= 0 && len(lines) > max {
		lines = lines[len(lines)-max:]
	}
	s.oldHistory = lines
}

// startupProgram answers the few programs the login files call, without the registry
// (which may log, capture or ask the LLM): `id -u` and friends get the user's facts,
// everything else quietly fails as a missing tool would be skipped.
func (r *runner) startupProgram(base string, fields []string) {
	u := r.sh.cfg.User
	switch base {
	case "id":
		if len(fields) > 1 {
			switch fields[1] {
			case "-u", "-ru":
				r.out(itoa(u.UID) + "\n")
				r.status = 0
				return
			case "-g", "-rg":
				r.out(itoa(u.GID) + "\n")
				r.status = 0
				return
			case "-un", "-nu":
				r.out(u.Name + "\n")
				r.status = 0
				return
			}
		}
	case "dircolors", "lesspipe", "mesg", "tput":
	case "cat":
		for _, f := range fields[1:] {
			if data, err := r.fs().ReadFile(r.abs(f)); err == nil {
				r.out(string(data))
			}
		}
		r.status = 0
		return
	}
	r.status = 1
	if base == "mesg" {
		r.status = 0
	}
}
