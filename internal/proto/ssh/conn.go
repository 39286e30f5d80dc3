package ssh

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"sync"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/lure-sensor/lure/internal/event"
	"github.com/lure-sensor/lure/internal/persona"
	"github.com/lure-sensor/lure/internal/session"
	"github.com/lure-sensor/lure/internal/vfs"
)

// wireConn wraps a client connection: it feeds the first bytes to the HASSH sniffer and
// keeps the read deadline (an absolute one until login, then an idle one that moves with
// every read).
type wireConn struct {
	net.Conn
	sniff wireSniffer

	mu   sync.Mutex
	idle time.Duration
}

func (c *wireConn) Read(p []byte) (int, error) {
	c.mu.Lock()
	idle := c.idle
	c.mu.Unlock()
	if idle > 0 {
		_ = c.Conn.SetReadDeadline(time.Now().Add(idle))
	}
	n, err := c.Conn.Read(p)
	if n > 0 && !c.sniff.done {
		c.sniff.feed(p[:n])
	}
	return n, err
}

// setIdle switches from the login deadline to the idle timeout.
func (c *wireConn) setIdle(d time.Duration) {
	c.mu.Lock()
	c.idle = d
	c.mu.Unlock()
	_ = c.Conn.SetReadDeadline(time.Now().Add(d))
}

// errAuthFailed is what the auth callbacks return; the client only sees "failure".
var errAuthFailed = errors.New("authentication failed")

// connState is one client connection.
type connState struct {
	s      *Server
	ev     *session.Events
	ip     string
	wc     *wireConn
	start  time.Time
	ctx    context.Context
	cancel context.CancelFunc

	user persona.User // set on successful login
}

func (s *Server) handleConn(ctx context.Context, c net.Conn) {
	start := time.Now()
	src, sport := hostPort(c.RemoteAddr())
	dst, dport := hostPort(c.LocalAddr())
	meta := session.Meta{ID: session.NewID(), SrcIP: src, SrcPort: sport, DstIP: dst, DstPort: dport, Sensor: s.opt.Sensor, Protocol: "ssh"}
	ev := session.NewEvents(meta, s.opt.Events)
	ev.Emit(event.SessionConnect, fmt.Sprintf("New connection: %s:%d (%s:%d) [session: %s]", src, sport, dst, dport, meta.ID), nil)
	defer func() {
		d := time.Since(start).Seconds()
		ev.Emit(event.SessionClosed, fmt.Sprintf("Connection lost after %d seconds", int(d)), map[string]any{"duration": float64(int64(d*10+0.5)) / 10})
	}()

	wc := &wireConn{Conn: c}
	wc.sniff.onVersion = func(v string) {
		ev.Emit(event.ClientVersion, "Remote SSH version: "+v, map[string]any{"version": v})
	}
	wc.sniff.onKex = func(k KexInit) {
		ev.Emit(event.ClientKex, "SSH client hassh fingerprint: "+k.HASSH(), map[string]any{
			"hassh":           k.HASSH(),
			"hasshAlgorithms": k.HASSHAlgorithms(),
			"kexAlgs":         k.Kex,
			"keyAlgs":         k.HostKey,
			"encCS":           k.EncCS,
			"macCS":           k.MacCS,
			"compCS":          k.CompCS,
			"langCS":          k.LangCS,
		})
	}
	_ = c.SetReadDeadline(start.Add(time.Duration(s.cfg.AuthTimeout)))

	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cs := &connState{s: s, ev: ev, ip: src, wc: wc, start: start, ctx: cctx, cancel: cancel}
	conf := *s.base
	conf.PasswordCallback = cs.password
	conf.KeyboardInteractiveCallback = cs.keyboardInteractive
	conf.PublicKeyCallback = cs.publicKey

	sconn, chans, reqs, err := gossh.NewServerConn(wc, &conf)
	if err != nil {
		s.log.Debug("ssh: connection ended before login", "session", meta.ID, "src_ip", src, "err", err)
		c.Close()
		return
	}
	defer sconn.Close()
	wc.setIdle(time.Duration(s.cfg.IdleTimeout))
	go gossh.DiscardRequests(reqs)
	cs.serve(sconn, chans)
}

// userFor finds the account a login name maps to. Only accounts of the persona can log in,
// as on a real host; root always exists, and with configured credentials the operator's
// user names get an account even if the persona lacks one.
func (cs *connState) userFor(name string) (persona.User, bool) {
	if p := cs.s.opt.Persona; p != nil {
		if u, ok := p.LookupUser(name); ok {
			return u, true
		}
	}
	if name == "root" {
		return persona.User{Name: "root", UID: 0, GID: 0, Home: "/root", Shell: "/bin/bash"}, true
	}
	if cs.s.policy.Configured() {
		return persona.User{Name: name, UID: 1000, GID: 1000, Home: "/home/" + name, Shell: "/bin/bash"}, true
	}
	return persona.User{}, false
}

func (cs *connState) try(user, password string) (*gossh.Permissions, error) {
	u, exists := cs.userFor(user)
	ok := false
	if exists {
		ok = cs.s.policy.Check(cs.ip, user, password)
	} else {
		cs.s.policy.Fail(cs.ip)
	}
	fields := map[string]any{"username": user, "password": password}
	if ok {
		cs.user = u
		cs.ev.Emit(event.LoginSuccess, fmt.Sprintf("login attempt [%s/%s] succeeded", user, password), fields)
		return &gossh.Permissions{}, nil
	}
	cs.ev.Emit(event.LoginFailed, fmt.Sprintf("login attempt [%s/%s] failed", user, password), fields)
	// The delay runs in this connection's goroutine only: other clients and the accept loop
	// go on.
	if d := cs.s.failDelay(); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-cs.ctx.Done():
			t.Stop()
		}
	}
	return nil, errAuthFailed
}

func (cs *connState) password(meta gossh.ConnMetadata, pw []byte) (*gossh.Permissions, error) {
	return cs.try(meta.User(), string(pw))
}

// keyboardInteractive asks one "Password: " question, as Debian's PAM stack does.
func (cs *connState) keyboardInteractive(meta gossh.ConnMetadata, client gossh.KeyboardInteractiveChallenge) (*gossh.Permissions, error) {
	ans, err := client("", "", []string{"Password: "}, []bool{false})
	if err != nil {
		return nil, err
	}
	if len(ans) != 1 {
		return nil, errAuthFailed
	}
	return cs.try(meta.User(), ans[0])
}

// publicKey logs the offered key and refuses it: no key is ever authorized.
func (cs *connState) publicKey(meta gossh.ConnMetadata, key gossh.PublicKey) (*gossh.Permissions, error) {
	fp := gossh.FingerprintSHA256(key)
	cs.ev.Emit(event.ClientFingerprint, fmt.Sprintf("public key login attempt for user %s with %s key fingerprint %s", meta.User(), key.Type(), fp), map[string]any{
		"username":    meta.User(),
		"fingerprint": fp,
		"key":         base64.StdEncoding.EncodeToString(key.Marshal()),
		"type":        key.Type(),
	})
	return nil, errAuthFailed
}

// serve runs a logged-in connection: channels until the client leaves, then cleanup in
// order (programs end, recordings flush, the overlay is released).
func (cs *connState) serve(sconn *gossh.ServerConn, chans <-chan gossh.NewChannel) {
	s := cs.s
	now := time.Now()
	var fsys *vfs.FS
	var err error
	if s.opt.Overlays != nil {
		fsys, err = s.opt.Overlays.Acquire(cs.ip)
		if err != nil {
			s.log.Error("ssh: cannot open the overlay of a source IP; closing its session", "src_ip", cs.ip, "err", err)
			return
		}
	} else {
		var img vfs.Image
		if s.opt.Persona != nil && s.opt.Persona.Image != nil {
			img = s.opt.Persona.Image
		} else {
			img = vfs.NewMemImage()
		}
		fsys = vfs.NewMemFS(img)
	}
	defer func() {
		if err := fsys.Release(); err != nil {
			s.log.Warn("ssh: releasing overlay", "src_ip", cs.ip, "err", err)
		}
	}()
	prev := s.lastlog.Previous(cs.ip, cs.user.Name, s.opt.Persona, now)
	if err := s.lastlog.Record(cs.ip, cs.user.Name, now); err != nil {
		s.log.Warn("ssh: cannot save lastlog", "err", err)
	}
	sess := session.New(session.Config{
		Events:    cs.ev,
		Persona:   s.opt.Persona,
		User:      cs.user,
		FS:        fsys,
		Commands:  s.opt.Commands,
		Artifacts: s.opt.Artifacts,
		Limits:    s.opt.ShellLimits,
		Net:       s.opt.Net,
		Responder: s.opt.Responder,
		TTYDir:    filepath.Join(s.opt.DataDir, "tty"),
		LoginTime: now,
		Logger:    s.log,
	})
	ch := &chanHandler{cs: cs, sess: sess, last: prev}
	var wg sync.WaitGroup
	for nc := range chans {
		switch nc.ChannelType() {
		case "session":
			// OpenSSH's MaxSessions (10) bounds the session channels of one connection.
			if ch.open.Add(1) > maxSessions {
				ch.open.Add(-1)
				_ = nc.Reject(gossh.Prohibited, "open failed")
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer ch.open.Add(-1)
				ch.session(nc)
			}()
		case "direct-tcpip":
			ch.directTCPIP(nc)
		default:
			// OpenSSH answers unknown channel types with "open failed".
			_ = nc.Reject(gossh.Prohibited, "open failed")
		}
	}
	// The client is gone (or the server is stopping): stop the programs, wait for them so
	// recordings are complete, then release the overlay (deferred above).
	cs.cancel()
	wg.Wait()
}
