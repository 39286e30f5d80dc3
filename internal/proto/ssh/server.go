// Package ssh owns lure's SSH frontend: an SSH server that presents itself as OpenSSH 9.2p1 on
// Debian 12 (banner, algorithm lists in OpenSSH's order, host keys kept like sshd's), logs
// every client (version, HASSH, credentials, public keys, channels and requests), lets in
// whom the auth policy admits, and hands logged-in channels to internal/session. It bounds
// connections per source IP and in total so that a flood degrades only the flood.
package ssh

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/lure-sensor/lure/internal/artifact"
	"github.com/lure-sensor/lure/internal/auth"
	"github.com/lure-sensor/lure/internal/config"
	"github.com/lure-sensor/lure/internal/event"
	"github.com/lure-sensor/lure/internal/persona"
	"github.com/lure-sensor/lure/internal/session"
	"github.com/lure-sensor/lure/internal/shell"
	"github.com/lure-sensor/lure/internal/shell/commands"
	"github.com/lure-sensor/lure/internal/vfs"
)

// Defaults for zero config values.
const (
	DefaultMaxConnsPerIP = 8
	DefaultMaxConns      = 256
	DefaultMaxAuthTries  = 6
	DefaultAuthTimeout   = 120 * time.Second
	DefaultAuthFailDelay = 2 * time.Second
	DefaultIdleTimeout   = 30 * time.Minute
	DefaultBanner        = "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10"
)

// OpenSSH 9.2p1's default server proposals, keeping what golang.org/x/crypto/ssh implements.
// What is missing (sntrup761x25519-sha512@openssh.com, diffie-hellman-group18-sha512, the
// umac and hmac-sha1-etm MACs, zlib@openssh.com) is listed in docs/ssh-audit.md.
var (
	kexAlgos = []string{
		"curve25519-sha256",
		"curve25519-sha256@libssh.org",
		"ecdh-sha2-nistp256",
		"ecdh-sha2-nistp384",
		"ecdh-sha2-nistp521",
		"diffie-hellman-group-exchange-sha256",
		"diffie-hellman-group16-sha512",
		"diffie-hellman-group14-sha256",
	}
	ciphers = []string{
		"chacha20-poly1305@openssh.com",
		"aes128-ctr",
		"aes192-ctr",
		"aes256-ctr",
		"aes128-gcm@openssh.com",
		"aes256-gcm@openssh.com",
	}
	macs = []string{
		"hmac-sha2-256-etm@openssh.com",
		"hmac-sha2-512-etm@openssh.com",
		"hmac-sha2-256",
		"hmac-sha2-512",
		"hmac-sha1",
	}
)

// Options are the server's dependencies. Zero config values take the defaults above.
type Options struct {
	Config      config.SSH
	Sensor      string
	DataDir     string // host keys in DATA_DIR/ssh, recordings in DATA_DIR/tty
	Persona     *persona.Persona
	Overlays    *vfs.Manager // nil: each connection gets a fresh in-memory overlay (tests)
	Commands    *commands.Registry
	Events      event.Emitter
	Artifacts   *artifact.Store
	Auth        *auth.Policy // nil: built from Config.Credentials and DATA_DIR/auth
	ShellLimits shell.Limits
	Net         commands.Net
	// Responder answers persona programs without emulation (the LLM chain); nil: none.
	Responder shell.Responder
	Logger    *slog.Logger
}

// Server is the SSH frontend.
type Server struct {
	opt     Options
	cfg     config.SSH
	log     *slog.Logger
	base    *gossh.ServerConfig
	policy  *auth.Policy
	ownAuth bool
	lastlog *session.LastLog
	banner  string

	mu        sync.Mutex
	perIP     map[string]int
	total     int
	conns     map[net.Conn]struct{}
	closing   bool
	wg        sync.WaitGroup
	rejected  atomic.Int64
	listeners []net.Listener
	// policyOnce saves the login state once, when the last Serve returns.
	policyOnce sync.Once
}

// New builds a server: it loads or makes the host keys and the auth state.
func New(opt Options) (*Server, error) {
	if opt.DataDir == "" {
		return nil, errors.New("ssh: a data directory is required (host keys and recordings live there)")
	}
	cfg := opt.Config
	if cfg.MaxConnsPerIP <= 0 {
		cfg.MaxConnsPerIP = DefaultMaxConnsPerIP
	}
	if cfg.MaxConns <= 0 {
		cfg.MaxConns = DefaultMaxConns
	}
	if cfg.MaxAuthTries <= 0 {
		cfg.MaxAuthTries = DefaultMaxAuthTries
	}
	if cfg.AuthTimeout <= 0 {
		cfg.AuthTimeout = config.Duration(DefaultAuthTimeout)
	}
	if cfg.AuthFailDelay < 0 {
		cfg.AuthFailDelay = 0
	} else if cfg.AuthFailDelay == 0 {
		cfg.AuthFailDelay = config.Duration(DefaultAuthFailDelay)
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = config.Duration(DefaultIdleTimeout)
	}
	lg := opt.Logger
	if lg == nil {
		lg = slog.New(slog.DiscardHandler)
	}
	if opt.Commands == nil {
		opt.Commands = commands.NewRegistry()
	}
	s := &Server{
		opt:    opt,
		cfg:    cfg,
		log:    lg.With("frontend", "ssh"),
		perIP:  map[string]int{},
		conns:  map[net.Conn]struct{}{},
		banner: DefaultBanner,
	}
	if opt.Persona != nil && opt.Persona.SSHBanner != "" {
		s.banner = opt.Persona.SSHBanner
	}
	keys, err := loadHostKeys(filepath.Join(opt.DataDir, "ssh"))
	if err != nil {
		return nil, err
	}
	s.policy = opt.Auth
	if s.policy == nil {
		p, err := auth.New(auth.Options{Dir: filepath.Join(opt.DataDir, "auth"), Credentials: cfg.Credentials, Logger: lg})
		if err != nil {
			return nil, err
		}
		s.policy, s.ownAuth = p, true
	}
	s.lastlog, err = session.OpenLastLog(filepath.Join(opt.DataDir, "auth", "lastlog.json"), opt.Sensor)
	if err != nil {
		return nil, err
	}
	base := &gossh.ServerConfig{
		Config: gossh.Config{
			KeyExchanges: kexAlgos,
			Ciphers:      ciphers,
			MACs:         macs,
		},
		ServerVersion: s.banner,
		MaxAuthTries:  cfg.MaxAuthTries,
	}
	for _, k := range keys {
		base.AddHostKey(k)
	}
	s.base = base
	return s, nil
}

// ListenAndServe listens on every configured address (default 0.0.0.0:2222) and serves
// until ctx ends.
func (s *Server) ListenAndServe(ctx context.Context) error {
	addrs := []string(s.cfg.Listen)
	if len(addrs) == 0 {
		addrs = []string{"0.0.0.0:2222"}
	}
	var lns []net.Listener
	for _, a := range addrs {
		var lc net.ListenConfig
		ln, err := lc.Listen(ctx, "tcp", a)
		if err != nil {
			for _, l := range lns {
				l.Close()
			}
			return fmt.Errorf("ssh: listen on %s: %w", a, err)
		}
		lns = append(lns, ln)
	}
	errc := make(chan error, len(lns))
	for _, ln := range lns {
		go func(ln net.Listener) { errc <- s.Serve(ctx, ln) }(ln)
	}
	var first error
	for range lns {
		if err := <-errc; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// Serve accepts connections on ln until ctx ends, then closes ln, ends every session
// (recordings are flushed, overlays released) and returns. The accept loop never waits on
// a client: limits are checked and delays applied in each connection's own goroutine.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	s.mu.Lock()
	s.listeners = append(s.listeners, ln)
	s.mu.Unlock()
	stop := context.AfterFunc(ctx, func() {
		ln.Close()
		s.closeAll()
	})
	defer stop()
	var delay time.Duration
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				s.wg.Wait()
				s.closePolicy()
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() || isTemporary(err) {
				// Out of file descriptors and the like: back off, as net/http does.
				if delay == 0 {
					delay = 5 * time.Millisecond
				} else if delay *= 2; delay > time.Second {
					delay = time.Second
				}
				s.log.Warn("ssh: accept failed; retrying", "err", err, "delay", delay)
				select {
				case <-time.After(delay):
				case <-ctx.Done():
				}
				continue
			}
			s.wg.Wait()
			return fmt.Errorf("ssh: accept on %s: %w", ln.Addr(), err)
		}
		delay = 0
		ip := hostOf(c.RemoteAddr())
		if reason := s.admit(c, ip); reason != "" {
			n := s.rejected.Add(1)
			c.Close()
			s.reject(c, ip, reason, n)
			continue
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer s.leave(c, ip)
			s.handleConn(ctx, c)
		}()
	}
}

func isTemporary(err error) bool {
	var t interface{ Temporary() bool }
	return errors.As(err, &t) && t.Temporary()
}

// admit counts a new connection against the limits; it returns why it was refused, or "".
func (s *Server) admit(c net.Conn, ip string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return "shutting down"
	}
	if s.total >= s.cfg.MaxConns {
		return "max_conns"
	}
	if s.perIP[ip] >= s.cfg.MaxConnsPerIP {
		return "max_conns_per_ip"
	}
	s.total++
	s.perIP[ip]++
	s.conns[c] = struct{}{}
	return ""
}

func (s *Server) leave(c net.Conn, ip string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.total--
	if s.perIP[ip]--; s.perIP[ip] <= 0 {
		delete(s.perIP, ip)
	}
	delete(s.conns, c)
}

// reject records a refused connection. Events are cheap (the bus counts what it drops);
// the operator's log gets one line per 1000 refusals so a flood cannot flood the log.
func (s *Server) reject(c net.Conn, ip, reason string, n int64) {
	src, sport := hostPort(c.RemoteAddr())
	dst, dport := hostPort(c.LocalAddr())
	ev := session.NewEvents(session.Meta{ID: session.NewID(), SrcIP: src, SrcPort: sport, DstIP: dst, DstPort: dport, Sensor: s.opt.Sensor, Protocol: "ssh"}, s.opt.Events)
	ev.Emit(event.SessionLimitRejected, fmt.Sprintf("Connection from %s refused: %s limit reached", ip, reason), map[string]any{
		"reason":         reason,
		"rejected_total": n,
	})
	if n == 1 || n%1000 == 0 {
		s.log.Warn("ssh: connections refused by limits", "reason", reason, "src_ip", ip, "rejected_total", n)
	}
}

// Rejected returns how many connections the limits refused so far.
func (s *Server) Rejected() int64 { return s.rejected.Load() }

func (s *Server) closeAll() {
	s.mu.Lock()
	s.closing = true
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
}

func (s *Server) closePolicy() {
	s.policyOnce.Do(func() {
		if s.ownAuth && s.policy != nil {
			if err := s.policy.Close(); err != nil {
				s.log.Warn("ssh: saving login state", "err", err)
			}
		}
	})
}

func hostOf(a net.Addr) string {
	h, _ := hostPort(a)
	return h
}

func hostPort(a net.Addr) (string, int) {
	if ta, ok := a.(*net.TCPAddr); ok {
		ip := ta.IP
		if v4 := ip.To4(); v4 != nil {
			ip = v4
		}
		return ip.String(), ta.Port
	}
	h, p, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String(), 0
	}
	n, _ := strconv.Atoi(p)
	return h, n
}

// failDelay is the pause after a failed password: pam_unix's delay, randomized by ±25%
// as pam_fail_delay does, so timing does not tell lure from PAM.
func (s *Server) failDelay() time.Duration {
	d := time.Duration(s.cfg.AuthFailDelay)
	if d <= 0 {
		return 0
	}
	return d*3/4 + time.Duration(rand.Int64N(int64(d)/2+1))
}
