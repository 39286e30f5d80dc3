package shell

import (
	"context"
	"path"
	"strconv"
	"strings"
	"time"
)

// renderPrompt expands PS1/PS2 as bash does: backslash escapes first (their results
// protected from further expansion), then parameter expansion and command substitution.
func (r *runner) renderPrompt(name string) string {
	ps := r.getVar(name)
	if ps == "" {
		return ""
	}
	decoded := r.decodePrompt(ps)
	if !r.opts.shopt["promptvars"] || !strings.ContainsAny(decoded, "$`") {
		return unprotect(decoded)
	}
	// Expansion may run command substitutions: give it a small budget of its own.
	saved := r.b
	savedFD := r.fd
	b := newBudget(context.Background(), Limits{Timeout: time.Second, MaxSteps: 1000, MaxOutput: 1 << 16,
		MaxVar: r.sh.lim.MaxVar, MaxDepth: 10, MaxProcs: 4, MaxMoved: 1 << 20}.withDefaults())
	r.b = b
	defer func() {
		b.done()
		r.b = saved
		r.fd = savedFD
	}()
	r.fd[2] = &ofile{w: discard{}}
	out, err := r.expandString(decoded)
	if err != nil {
		return unprotect(decoded)
	}
	return out
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// unprotect removes the backslashes decodePrompt added for the expansion step.
func unprotect(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("$`\\", s[i+1]) >= 0 {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// decodePrompt applies bash's prompt escapes (\u \h \w ...).
func (r *runner) decodePrompt(ps string) string {
	var b strings.Builder
	now := r.sh.now().UTC()
	protect := func(s string) string {
		var q strings.Builder
		for i := 0; i < len(s); i++ {
			if strings.IndexByte("$`\\", s[i]) >= 0 {
				q.WriteByte('\\')
			}
			q.WriteByte(s[i])
		}
		return q.String()
	}
	u := r.sh.cfg.User
	for i := 0; i < len(ps); i++ {
		c := ps[i]
		if c != '\\' || i+1 >= len(ps) {
			b.WriteByte(c)
			continue
		}
		i++
		switch e := ps[i]; e {
		case 'u':
			b.WriteString(protect(u.Name))
		case 'h':
			h := r.getVar("HOSTNAME")
			if p := r.sh.cfg.Persona; p != nil && p.Hostname != "" {
				h = p.Hostname
			}
			if j := strings.IndexByte(h, '.'); j >= 0 {
				h = h[:j]
			}
			b.WriteString(protect(h))
		case 'H':
			h := r.getVar("HOSTNAME")
			if p := r.sh.cfg.Persona; p != nil && p.Hostname != "" {
				h = p.Hostname
			}
			b.WriteString(protect(h))
		case 'w':
			b.WriteString(protect(r.promptDir(false)))
		case 'W':
			b.WriteString(protect(r.promptDir(true)))
		case '$':
			if u.UID == 0 {
				b.WriteByte('#')
			} else {
				b.WriteString(`\$`)
			}
		case '[', ']':
			// readline's invisible-text markers: nothing is printed for them
		case 'e':
			b.WriteByte(0x1b)
		case 'a':
			b.WriteByte(0x07)
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 's':
			b.WriteString(protect(strings.TrimPrefix(path.Base(r.arg0), "-")))
		case 'v':
			b.WriteString("5.2")
		case 'V':
			b.WriteString("5.2.15")
		case 'd':
			b.WriteString(now.Format("Mon Jan 02"))
		case 't':
			b.WriteString(now.Format("15:04:05"))
		case 'T':
			b.WriteString(now.Format("03:04:05"))
		case '@':
			b.WriteString(now.Format("03:04 PM"))
		case 'A':
			b.WriteString(now.Format("15:04"))
		case 'D':
			if i+1 < len(ps) && ps[i+1] == '{' {
				end := strings.IndexByte(ps[i+1:], '}')
				if end > 0 {
					f := ps[i+2 : i+1+end]
					if f == "" {
						f = "%X"
					}
					f = strings.ReplaceAll(f, "%X", "%H:%M:%S")
					b.WriteString(protect(strftime(f, now)))
					i += end + 1
					continue
				}
			}
			b.WriteString(`\D`)
		case '#':
			b.WriteString(itoa(r.sh.cmdNumber + 1))
		case '!':
			b.WriteString(itoa(len(r.sh.oldHistory) + len(r.sh.history) + 1))
		case 'j':
			b.WriteString("0")
		case 'l':
			tty := "tty"
			if s := r.sh.cfg.Session; s != nil && s.TTY != "" {
				tty = path.Base(s.TTY)
			}
			b.WriteString(tty)
		case '\\':
			b.WriteString(`\\`)
		case '0', '1', '2', '3', '4', '5', '6', '7':
			j := i
			for j < len(ps) && j < i+3 && ps[j] >= '0' && ps[j] <= '7' {
				j++
			}
			n, _ := strconv.ParseUint(ps[i:j], 8, 8)
			b.WriteByte(byte(n))
			i = j - 1
		default:
			b.WriteByte('\\')
			b.WriteByte(e)
		}
	}
	return b.String()
}

// promptDir is \w (the directory with ~ for $HOME) or \W (its last element).
func (r *runner) promptDir(base bool) string {
	d := r.getVar("PWD")
	if d == "" {
		d = r.dir
	}
	home := r.getVar("HOME")
	if base {
		if d == home {
			return "~"
		}
		if d == "/" {
			return "/"
		}
		return path.Base(d)
	}
	if home != "" && home != "/" && (d == home || strings.HasPrefix(d, home+"/")) {
		d = "~" + d[len(home):]
	}
	if n := atoiDefault(r.getVar("PROMPT_DIRTRIM"), 0); n > 0 {
		parts := strings.Split(d, "/")
		if len(parts) > n+1 {
			d = ".../" + strings.Join(parts[len(parts)-n:], "/")
		}
	}
	return d
}
