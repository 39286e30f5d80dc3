package session

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/lure-sensor/lure/internal/persona"
	"github.com/lure-sensor/lure/internal/vfs"
)

// LoginBanner renders what Debian 12's sshd and pam_motd print on an interactive login,
// with the CRLFs a pty produces: the `uname -snrvm` line of /etc/update-motd.d/10-uname,
// /etc/motd from the session's filesystem (so an attacker's change to it shows on the next
// login, as on a real box), then sshd's "Last login:" line. sshd writes that line with its
// own "\r\n", which the pty turns into "\r\r\n".
func LoginBanner(p *persona.Persona, fsys *vfs.FS, last LastLogin) []byte {
	var b strings.Builder
	if p != nil && p.Kernel.Sysname != "" {
		k := p.Kernel
		fmt.Fprintf(&b, "%s %s %s %s %s\n", k.Sysname, p.Hostname, k.Release, k.Version, k.Machine)
	}
	if fsys != nil {
		if motd, err := fsys.ReadFile("/etc/motd"); err == nil {
			b.Write(motd)
		}
	}
	out := strings.ReplaceAll(b.String(), "\n", "\r\n")
	if !last.Time.IsZero() {
		out += "Last login: " + last.Time.Format("Mon Jan _2 15:04:05 2006") + " from " + last.From + "\r\r\n"
	}
	return []byte(out)
}

// LastLogin is one lastlog record: when and from where.
type LastLogin struct {
	Time time.Time
	From string
}

// LastLog remembers the previous login of each (source IP, user), so the "Last login:" line
// a returning attacker sees is the real time of their previous visit. Keying by source IP
// (not only by user, as a real lastlog does) keeps one attacker's address from being shown to
// another. State is kept in a JSON file and bounded.
type LastLog struct {
	path   string
	max    int
	secret string // varies the made-up record between sensors

	mu      sync.Mutex
	entries map[string]time.Time
}

// DefaultLastLogEntries bounds the lastlog.
const DefaultLastLogEntries = 100000

// OpenLastLog loads the lastlog at path (created on first save). sensor varies the made-up
// record shown to first-time visitors between sensors.
func OpenLastLog(path, sensor string) (*LastLog, error) {
	l := &LastLog{path: path, max: DefaultLastLogEntries, secret: sensor, entries: map[string]time.Time{}}
	b, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("session: read lastlog %s: %w", path, err)
	}
	if err == nil {
		// A damaged file only costs the history of previous logins.
		_ = json.Unmarshal(b, &l.entries)
	}
	return l, nil
}

func lastKey(ip, user string) string { return ip + " " + user }

// Previous returns the previous login of user from ip. Without one it returns a plausible
// made-up record that is stable for the sensor, host and user: a login from a private
// address some hours after the persona's boot, as an administrator's would be.
func (l *LastLog) Previous(ip, user string, p *persona.Persona, now time.Time) LastLogin {
	if l != nil {
		l.mu.Lock()
		t, ok := l.entries[lastKey(ip, user)]
		l.mu.Unlock()
		if ok {
			return LastLogin{Time: t, From: ip}
		}
	}
	host := ""
	var boot time.Time
	if p != nil {
		host, boot = p.Hostname, p.BootTime
	}
	secret := ""
	if l != nil {
		secret = l.secret
	}
	h := sha256.Sum256([]byte("lastlog\x00" + secret + "\x00" + host + "\x00" + user))
	n := binary.BigEndian.Uint64(h[:8])
	var t time.Time
	if !boot.IsZero() && boot.Before(now.Add(-2*time.Hour)) {
		t = boot.Add(30*time.Minute + time.Duration(n%uint64(36*time.Hour)))
		if t.After(now.Add(-time.Hour)) {
			t = now.Add(-time.Hour - time.Duration(n%uint64(time.Hour)))
		}
	} else {
		day := now.UTC().Truncate(24 * time.Hour)
		t = day.Add(-time.Duration(2+n%5)*24*time.Hour + time.Duration(n%uint64(20*time.Hour)) + 7*time.Hour)
	}
	from := fmt.Sprintf("192.168.%d.%d", 1+h[8]%3, 10+h[9]%200)
	return LastLogin{Time: t.UTC().Truncate(time.Second), From: from}
}

// Record stores a login of user from ip at t and saves the file.
func (l *LastLog) Record(ip, user string, t time.Time) error {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries[lastKey(ip, user)] = t.UTC().Truncate(time.Second)
	if len(l.entries) > l.max {
		type kv struct {
			k string
			t time.Time
		}
		all := make([]kv, 0, len(l.entries))
		for k, v := range l.entries {
			all = append(all, kv{k, v})
		}
		sort.Slice(all, func(i, j int) bool { return all[i].t.Before(all[j].t) })
		for i := 0; i < len(all)-l.max+l.max/10; i++ {
			delete(l.entries, all[i].k)
		}
	}
	b, err := json.Marshal(l.entries)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(l.path), 0o700); err != nil {
		return err
	}
	tmp := l.path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("session: write lastlog: %w", err)
	}
	return os.Rename(tmp, l.path)
}
