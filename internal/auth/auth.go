// Package auth owns who gets in: the decision, for each login attempt, whether a user name
// and password open a session on the sensor.
//
// With configured credentials, exactly those user/password pairs log in and nothing else.
//
// Without them, the default policy is built so that a bot cannot tell in one try that it talks
// to a honeypot. "Any password works" and "only root/root works" are both one-try tests, so
// the policy is neither:
//
//   - A password can only ever be accepted if it is weak: on an embedded list of a few hundred
//     of the most common passwords from public breach lists (123456, password, admin, root,
//     ...), or equal to the user name. A random password never works.
//   - Each source IP is let in only after K failed attempts, where K (1 to 4) is derived from
//     an HMAC-SHA256 of the IP under a secret made once per sensor (DATA_DIR/auth/secret).
//     So the first attempt of any IP fails, different IPs need different numbers of tries,
//     and K cannot be predicted without the secret. Failures count across connections.
//   - Once an IP has logged in with a user and password, that exact pair keeps working for
//     that IP, and every other password for that user fails from that IP, as on a real box
//     whose password does not change between visits.
//
// The state (failure counts and the remembered pairs per IP) is kept in DATA_DIR/auth/state.json
// and survives restarts. It is bounded: the least recently seen IPs are forgotten first.
package auth

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/lure-sensor/lure/internal/config"
)

//go:embed weak.txt
var weakList []byte

// DefaultMaxIPs bounds the per-IP state kept by the default policy.
const DefaultMaxIPs = 100000

// flushDelay batches failure-count writes: a brute-force run would otherwise rewrite the
// state file on every attempt. Remembered logins are written at once.
const flushDelay = 5 * time.Second

// Policy decides login attempts. It is safe for concurrent use.
type Policy struct {
	creds  map[string]map[string]bool // configured pairs; nil selects the default policy
	weak   map[string]bool
	secret []byte
	dir    string
	maxIPs int
	log    *slog.Logger
	now    func() time.Time

	mu     sync.Mutex
	ips    map[string]*ipState
	dirty  bool
	timer  *time.Timer
	closed bool
}

// ipState is what the default policy remembers about one source IP.
type ipState struct {
	Failures int               `json:"failures"`
	Logins   map[string]string `json:"logins,omitempty"` // user -> password that worked
	Seen     time.Time         `json:"seen"`
}

// Options configure a Policy.
type Options struct {
	// Dir keeps the secret and the state (DATA_DIR/auth). Required for the default policy.
	Dir string
	// Credentials, when non-empty, are the only pairs that log in.
	Credentials []config.Credential
	// MaxIPs bounds the remembered IPs; 0 means DefaultMaxIPs.
	MaxIPs int
	Logger *slog.Logger
}

// New returns a policy. With credentials it keeps no state; without, it loads (or makes) the
// sensor secret and the state from opt.Dir.
func New(opt Options) (*Policy, error) {
	p := &Policy{
		weak:   parseWeak(weakList),
		dir:    opt.Dir,
		maxIPs: opt.MaxIPs,
		log:    opt.Logger,
		now:    time.Now,
		ips:    map[string]*ipState{},
	}
	if p.maxIPs <= 0 {
		p.maxIPs = DefaultMaxIPs
	}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	if len(opt.Credentials) > 0 {
		p.creds = map[string]map[string]bool{}
		for _, c := range opt.Credentials {
			if p.creds[c.User] == nil {
				p.creds[c.User] = map[string]bool{}
			}
			p.creds[c.User][c.Password] = true
		}
		return p, nil
	}
	if opt.Dir == "" {
		return nil, errors.New("auth: the default login policy needs a state directory")
	}
	if err := os.MkdirAll(opt.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("auth: create %s: %w", opt.Dir, err)
	}
	secret, err := loadOrMakeSecret(filepath.Join(opt.Dir, "secret"))
	if err != nil {
		return nil, err
	}
	p.secret = secret
	if err := p.load(); err != nil {
		return nil, err
	}
	return p, nil
}

func parseWeak(b []byte) map[string]bool {
	m := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		m[line] = true
	}
	return m
}

func loadOrMakeSecret(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err == nil && len(b) >= 32 {
		return b, nil
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("auth: read sensor secret %s: %w", path, err)
	}
	b = make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("auth: make sensor secret: %w", err)
	}
	if err := writeAtomic(path, b, 0o600); err != nil {
		return nil, fmt.Errorf("auth: write sensor secret: %w", err)
	}
	return b, nil
}

// Configured reports whether the policy uses configured credentials only.
func (p *Policy) Configured() bool { return p.creds != nil }

// Weak reports whether password is one the default policy could ever accept for user.
func (p *Policy) Weak(user, password string) bool {
	return password != "" && (p.weak[password] || password == user)
}

// Threshold is K for ip: the number of failed attempts the IP must make before a weak
// password is accepted (1 to 4).
func (p *Policy) Threshold(ip string) int {
	m := hmac.New(sha256.New, p.secret)
	m.Write([]byte("login-threshold\x00"))
	m.Write([]byte(ip))
	return 1 + int(m.Sum(nil)[0]%4)
}

// Check decides one attempt from ip and records its outcome.
func (p *Policy) Check(ip, user, password string) bool {
	if p.creds != nil {
		return p.creds[user][password]
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	st := p.ips[ip]
	if st == nil {
		st = &ipState{}
		p.ips[ip] = st
		p.evictLocked()
	}
	st.Seen = p.now().UTC()
	if pw, ok := st.Logins[user]; ok {
		if pw == password {
			return true
		}
		p.failLocked(st)
		return false
	}
	if validUser(user) && p.Weak(user, password) && st.Failures >= p.Threshold(ip) {
		if st.Logins == nil {
			st.Logins = map[string]string{}
		}
		st.Logins[user] = password
		if err := p.saveLocked(); err != nil {
			p.log.Error("auth: cannot persist a remembered login; it will be forgotten on restart", "err", err)
		}
		return true
	}
	p.failLocked(st)
	return false
}

// Fail records a failed attempt from ip that never reached the policy (for example a user
// name the fake host does not have), so it still counts towards the IP's threshold.
func (p *Policy) Fail(ip string) {
	if p.creds != nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	st := p.ips[ip]
	if st == nil {
		st = &ipState{}
		p.ips[ip] = st
		p.evictLocked()
	}
	st.Seen = p.now().UTC()
	p.failLocked(st)
}

func (p *Policy) failLocked(st *ipState) {
	if st.Failures < 1000 {
		st.Failures++
	}
	p.dirty = true
	if p.timer == nil && !p.closed {
		p.timer = time.AfterFunc(flushDelay, func() {
			p.mu.Lock()
			defer p.mu.Unlock()
			p.timer = nil
			if p.dirty && !p.closed {
				if err := p.saveLocked(); err != nil {
					p.log.Warn("auth: cannot persist login failure counts", "err", err)
				}
			}
		})
	}
}

// validUser accepts what useradd would: lower-case names a bot might try (root, admin,
// ubuntu, pi). Odd names (empty, with spaces or shell characters) never log in.
func validUser(u string) bool {
	if u == "" || len(u) > 32 {
		return false
	}
	for i := 0; i < len(u); i++ {
		c := u[i]
		switch {
		case 'a' <= c && c <= 'z', c == '_':
		case '0' <= c && c <= '9', c == '-', c == '.':
			if i == 0 {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// evictLocked forgets the least recently seen IPs once the table is over its bound.
func (p *Policy) evictLocked() {
	if len(p.ips) <= p.maxIPs {
		return
	}
	type kv struct {
		ip   string
		seen time.Time
	}
	all := make([]kv, 0, len(p.ips))
	for ip, st := range p.ips {
		all = append(all, kv{ip, st.Seen})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].seen.Before(all[j].seen) })
	// Drop a tenth at once, so eviction does not run on every new IP of a flood.
	n := len(p.ips) - p.maxIPs + p.maxIPs/10
	for i := 0; i < n && i < len(all); i++ {
		delete(p.ips, all[i].ip)
	}
	p.dirty = true
}

func (p *Policy) statePath() string { return filepath.Join(p.dir, "state.json") }

func (p *Policy) load() error {
	b, err := os.ReadFile(p.statePath())
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("auth: read %s: %w", p.statePath(), err)
	}
	var st struct {
		IPs map[string]*ipState `json:"ips"`
	}
	if err := json.Unmarshal(b, &st); err != nil {
		// A damaged state file must not keep the sensor down: start afresh, say so.
		p.log.Error("auth: state file is damaged; starting with empty login state", "path", p.statePath(), "err", err)
		return nil
	}
	for ip, s := range st.IPs {
		if s != nil {
			p.ips[ip] = s
		}
	}
	p.evictLocked()
	return nil
}

func (p *Policy) saveLocked() error {
	b, err := json.Marshal(struct {
		IPs map[string]*ipState `json:"ips"`
	}{p.ips})
	if err != nil {
		return err
	}
	if err := writeAtomic(p.statePath(), b, 0o600); err != nil {
		return err
	}
	p.dirty = false
	return nil
}

// Close writes pending state. The policy keeps answering afterwards but no longer
// schedules writes.
func (p *Policy) Close() error {
	if p.creds != nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	if p.timer != nil {
		p.timer.Stop()
		p.timer = nil
	}
	if p.dirty {
		return p.saveLocked()
	}
	return nil
}

func writeAtomic(path string, data []byte, perm fs.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	_, werr := tmp.Write(data)
	if werr == nil {
		werr = tmp.Chmod(perm)
	}
	if werr == nil {
		werr = tmp.Sync()
	}
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(name, path)
	}
	if werr != nil {
		os.Remove(name)
	}
	return werr
}
