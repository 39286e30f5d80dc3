package ssh

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	gossh "golang.org/x/crypto/ssh"

	"github.com/lure-sensor/lure/internal/event"
	"github.com/lure-sensor/lure/internal/session"
)

// maxSessions is OpenSSH's MaxSessions default: open session channels per connection.
const maxSessions = 10

// chanHandler serves the channels of one logged-in connection.
type chanHandler struct {
	cs   *connState
	sess *session.Session
	last session.LastLogin
	open atomic.Int32 // session channels open now
}

// Request payloads (RFC 4254).
type ptyReq struct {
	Term   string
	Cols   uint32
	Rows   uint32
	Width  uint32
	Height uint32
	Modes  string
}

type winChange struct {
	Cols, Rows, Width, Height uint32
}

type envReq struct{ Name, Value string }

type stringReq struct{ Value string }

type exitStatus struct{ Status uint32 }

type directTCPIPReq struct {
	DstHost string
	DstPort uint32
	SrcHost string
	SrcPort uint32
}

// acceptEnv is Debian's sshd_config AcceptEnv: LANG and LC_*.
func acceptEnv(name string) bool {
	return name == "LANG" || strings.HasPrefix(name, "LC_")
}

// directTCPIP logs a port-forwarding request and refuses it, as sshd with forwarding
// disabled does.
func (h *chanHandler) directTCPIP(nc gossh.NewChannel) {
	var r directTCPIPReq
	if err := gossh.Unmarshal(nc.ExtraData(), &r); err != nil {
		_ = nc.Reject(gossh.ConnectionFailed, "bad request")
		return
	}
	h.cs.ev.Emit(event.DirectTCPIPRequest, fmt.Sprintf("direct-tcp connection request to %s:%d from %s:%d", r.DstHost, r.DstPort, r.SrcHost, r.SrcPort), map[string]any{
		"dst_ip":   r.DstHost,
		"dst_port": int(r.DstPort),
		"src_ip":   r.SrcHost,
		"src_port": int(r.SrcPort),
	})
	_ = nc.Reject(gossh.Prohibited, "open failed")
}

// session serves one "session" channel: its requests, then one program (shell, exec or
// subsystem), then exit-status and close.
func (h *chanHandler) session(nc gossh.NewChannel) {
	ch, reqs, err := nc.Accept()
	if err != nil {
		return
	}
	ctx := h.cs.ctx
	var (
		pty     *session.PTY
		tty     string
		env     = map[string]string{}
		started bool
		resize  = make(chan session.Size, 16)
		done    = make(chan struct{})
		once    sync.Once
	)
	finish := func(status int) {
		once.Do(func() {
			_, _ = ch.SendRequest("exit-status", false, gossh.Marshal(exitStatus{uint32(status)}))
			_ = ch.CloseWrite()
			_ = ch.Close()
			close(done)
		})
	}
	start := func(run func() int) {
		started = true
		go func() { finish(run()) }()
	}
	for req := range reqs {
		switch req.Type {
		case "pty-req":
			var p ptyReq
			if started || gossh.Unmarshal(req.Payload, &p) != nil {
				_ = req.Reply(false, nil)
				continue
			}
			pty = &session.PTY{Term: p.Term, Width: int(p.Cols), Height: int(p.Rows)}
			if tty == "" {
				tty = h.sess.NextTTY()
			}
			h.cs.ev.Emit(event.ClientSize, fmt.Sprintf("Terminal Size: %d %d", p.Cols, p.Rows), map[string]any{"width": int(p.Cols), "height": int(p.Rows)})
			_ = req.Reply(true, nil)
		case "env":
			var e envReq
			if gossh.Unmarshal(req.Payload, &e) != nil {
				_ = req.Reply(false, nil)
				continue
			}
			h.cs.ev.Emit(event.ClientVar, fmt.Sprintf("request_env: %s=%s", e.Name, e.Value), map[string]any{"name": e.Name, "value": e.Value})
			ok := acceptEnv(e.Name) && !started && len(env) < 64
			if ok {
				env[e.Name] = e.Value
			}
			_ = req.Reply(ok, nil)
		case "window-change":
			var w winChange
			if gossh.Unmarshal(req.Payload, &w) != nil {
				continue
			}
			if pty != nil && !started {
				pty.Width, pty.Height = int(w.Cols), int(w.Rows)
			}
			select {
			case resize <- session.Size{Width: int(w.Cols), Height: int(w.Rows)}:
			default: // a resize storm only loses intermediate sizes
			}
			if req.WantReply {
				_ = req.Reply(true, nil)
			}
		case "shell":
			if started {
				_ = req.Reply(false, nil)
				continue
			}
			_ = req.Reply(true, nil)
			if pty != nil {
				opt := session.InteractiveOptions{
					PTY:    *pty,
					TTY:    tty,
					Env:    env,
					Banner: session.LoginBanner(h.cs.s.opt.Persona, h.sess.FS(), h.last),
					Resize: resize,
				}
				start(func() int { return h.sess.Interactive(ctx, ch, opt) })
			} else {
				start(func() int { return h.sess.Script(ctx, ch, ch, ch.Stderr(), env) })
			}
		case "exec":
			var cmd stringReq
			if started || gossh.Unmarshal(req.Payload, &cmd) != nil {
				_ = req.Reply(false, nil)
				continue
			}
			_ = req.Reply(true, nil)
			if scp, ok := parseSCP(cmd.Value); ok {
				h.sess.Event(event.CommandInput, "CMD: "+cmd.Value, map[string]any{"input": cmd.Value})
				start(func() int { return h.scp(ctx, ch, scp) })
				continue
			}
			p := pty
			start(func() int {
				return h.sess.Exec(ctx, session.ExecOptions{
					Command: cmd.Value, Env: env, PTY: p, TTY: tty,
					Stdin: ch, Stdout: ch, Stderr: ch.Stderr(),
				})
			})
		case "subsystem":
			var sub stringReq
			if started || gossh.Unmarshal(req.Payload, &sub) != nil || sub.Value != "sftp" {
				_ = req.Reply(false, nil)
				continue
			}
			_ = req.Reply(true, nil)
			start(func() int { return h.sftp(ctx, ch) })
		default:
			// signal, x11-req, auth-agent-req@openssh.com, keepalive@openssh.com, ...
			if req.WantReply {
				_ = req.Reply(false, nil)
			}
		}
	}
	// The client closed the channel (or the connection went away).
	if started {
		select {
		case <-done:
		case <-ctx.Done():
			<-done
		}
	} else {
		_ = ch.Close()
	}
}
