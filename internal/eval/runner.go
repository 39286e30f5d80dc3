package eval

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"golang.org/x/crypto/ssh"
)

// DefaultMaxOutput is how many bytes of each stream (stdout, stderr) of one command are kept per
// server. More is read and counted but not kept, so a runaway command cannot exhaust memory; the
// side is then marked truncated.
const DefaultMaxOutput = 1 << 20

// Config is what a run needs.
type Config struct {
	// Reference and Target are the HOST:PORT of the real server and of the server under test.
	Reference, Target string
	// User and Password log in to both servers.
	User, Password string
	// Timeout limits connecting and logging in, and each command on each server: a command still
	// running when it expires is cut off by closing the connection (the next line logs in again).
	Timeout time.Duration
	// MaxOutput is the number of bytes kept per stream; DefaultMaxOutput when 0.
	MaxOutput int
	// Normalizer masks volatile values before comparing; nil compares the outputs as they are.
	Normalizer *Normalizer
	// Progress, when set, is called after every line.
	Progress func(Progress)
}

// Progress reports one finished line and the running figures.
type Progress struct {
	Done, Total int
	Line        *LineResult
	Running     Summary
}

// Side is what one server did with one command line.
type Side struct {
	Stdout string `json:"stdout"`
	Stderr string `json:"stderr"`
	// ExitStatus is the exit-status the server sent; -1 when it sent none (timed out, closed the
	// session without one). For a command killed by a signal it is 128 + the signal number, as a
	// shell shows it, and Signal names the signal.
	ExitStatus int    `json:"exit_status"`
	Signal     string `json:"signal,omitempty"`
	// TimedOut is set when the command was still running at the timeout.
	TimedOut bool `json:"timed_out,omitempty"`
	// NotRun is set when the command could not be sent at all (no connection, login refused, no
	// session); such a line scores 0 and counts as an error of the run.
	NotRun bool `json:"not_run,omitempty"`
	// Error says what went wrong, for NotRun and for sessions that ended abnormally.
	Error string `json:"error,omitempty"`
	// LatencyMS is the round trip in milliseconds: from asking for a session channel until the
	// channel closed with all output and the exit status received.
	LatencyMS float64 `json:"latency_ms"`
	// StdoutBytes and StderrBytes count what was received, kept or not.
	StdoutBytes int64 `json:"stdout_bytes"`
	StderrBytes int64 `json:"stderr_bytes"`
	// Truncated is set when more than the kept bytes arrived on a stream.
	Truncated bool `json:"truncated,omitempty"`
}

// LineResult is one corpus line, what both servers did, and the scores.
type LineResult struct {
	// Index is the line's position in this run, counting from 1.
	Index int `json:"index"`
	Line
	Reference Side `json:"reference"`
	Target    Side `json:"target"`
	Scores
	// Mean is the mean of the three similarities, by which the worst lines are ranked.
	Mean float64 `json:"mean"`
	// ExitAgree is true when both servers ended the same way: the same exit status and signal,
	// or both still running at the timeout.
	ExitAgree bool `json:"exit_agree"`
	// Masked counts, per normalisation mask, the values replaced in both outputs together.
	Masked map[string]int `json:"masked,omitempty"`
	// Error says why the line scored 0 without being compared.
	Error string `json:"error,omitempty"`

	// The texts that were compared (combined output after normalisation), for the diff.
	refText, tgtText string
}

// Result is a whole run.
type Result struct {
	Corpus            string    `json:"corpus,omitempty"`
	Reference         string    `json:"reference"`
	Target            string    `json:"target"`
	User              string    `json:"user"`
	NormalizeVolatile bool      `json:"normalize_volatile"`
	TimeoutSeconds    float64   `json:"timeout_seconds"`
	Started           time.Time `json:"started"`
	Seconds           float64   `json:"seconds"`
	// Interrupted is set when the run was cancelled before the last line; the figures cover the
	// lines run.
	Interrupted bool `json:"interrupted,omitempty"`
	// MinScore and Passed are filled in by the command when --min-score is given.
	MinScore *float64 `json:"min_score,omitempty"`
	Passed   *bool    `json:"passed,omitempty"`
	Below    []string `json:"below,omitempty"`

	Summary Summary        `json:"summary"`
	Groups  []GroupSummary `json:"groups,omitempty"`
	// Worst lists the Index of every line that is not a perfect match (output or exit status),
	// worst first.
	Worst []int        `json:"worst"`
	Lines []LineResult `json:"lines"`
}

// remote is one SSH server: one connection for the whole run (as a bot keeps one), a new
// session channel for every command line.
type remote struct {
	name    string // "reference" or "target", for messages
	addr    string
	config  *ssh.ClientConfig
	timeout time.Duration
	conn    net.Conn
	client  *ssh.Client
}

func newRemote(name, addr, user, password string, timeout time.Duration) *remote {
	return &remote{
		name: name, addr: addr, timeout: timeout,
		config: &ssh.ClientConfig{
			User: user,
			Auth: []ssh.AuthMethod{
				ssh.Password(password),
				// Debian's sshd offers keyboard-interactive (PAM) before password when
				// PasswordAuthentication is off; answer it with the same password.
				ssh.KeyboardInteractive(func(_, _ string, questions []string, _ []bool) ([]string, error) {
					answers := make([]string, len(questions))
					for i := range answers {
						answers[i] = password
					}
					return answers, nil
				}),
			},
			// Host keys are not checked: both servers are the operator's own (a reference
			// built for the test and the sensor under test, on loopback unless the operator
			// said otherwise), and a fresh reference has a new key on every build, so there is
			// nothing to pin. Only the eval password crosses the connection.
			HostKeyCallback: ssh.InsecureIgnoreHostKey(), //nolint:gosec // see above
			Timeout:         timeout,
		},
	}
}

// connect dials and logs in, within the timeout.
func (r *remote) connect(ctx context.Context) error {
	d := net.Dialer{Timeout: r.timeout}
	conn, err := d.DialContext(ctx, "tcp", r.addr)
	if err != nil {
		return fmt.Errorf("cannot connect to the %s server %s: %w", r.name, r.addr, err)
	}
	_ = conn.SetDeadline(time.Now().Add(r.timeout))
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	c, chans, reqs, err := ssh.NewClientConn(conn, r.addr, r.config)
	if !stop() {
		// Cancelled during the handshake; whatever it returned, the connection is unusable.
		if err == nil {
			_ = c.Close()
		}
		_ = conn.Close()
		return fmt.Errorf("connecting to the %s server %s: %w", r.name, r.addr, context.Cause(ctx))
	}
	if err != nil {
		_ = conn.Close()
		return fmt.Errorf("cannot log in to the %s server %s as %q: %w", r.name, r.addr, r.config.User, err)
	}
	_ = conn.SetDeadline(time.Time{})
	r.conn, r.client = conn, ssh.NewClient(c, chans, reqs)
	return nil
}

func (r *remote) drop() {
	if r.client != nil {
		_ = r.client.Close()
	}
	r.conn, r.client = nil, nil
}

// capWriter keeps the first limit bytes written to it and counts the rest. It never fails, so the
// SSH channel keeps draining and the remote command is not blocked by flow control.
type capWriter struct {
	buf   []byte
	limit int
	total int64
}

func (w *capWriter) Write(p []byte) (int, error) {
	w.total += int64(len(p))
	if room := w.limit - len(w.buf); room > 0 {
		w.buf = append(w.buf, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

// exec runs one command line in a new session. A connection that broke since the last line
// (the server closed it, or a timeout cut it) is replaced once by a new login.
func (r *remote) exec(ctx context.Context, command string, maxOut int) Side {
	side := Side{ExitStatus: -1}
	fresh := false
	if r.client == nil {
		if err := r.connect(ctx); err != nil {
			side.NotRun, side.Error = true, err.Error()
			return side
		}
		fresh = true
	}
	for {
		start := time.Now()
		deadline := start.Add(r.timeout)
		// The deadline on the raw connection bounds everything below, including a server that
		// never answers the channel open; when it fires, the whole connection fails, which is
		// also how a hung command is stopped (sshd then hangs up on the command's processes).
		_ = r.conn.SetDeadline(deadline)
		conn := r.conn
		stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
		sess, err := r.client.NewSession()
		if err != nil {
			stop()
			r.drop()
			if !fresh && ctx.Err() == nil && time.Now().Before(deadline) {
				if err := r.connect(ctx); err != nil {
					side.NotRun, side.Error = true, err.Error()
					return side
				}
				fresh = true
				continue
			}
			side.NotRun = true
			side.Error = fmt.Sprintf("cannot open a session on the %s server %s: %v", r.name, r.addr, err)
			return side
		}
		out := &capWriter{limit: maxOut}
		errOut := &capWriter{limit: maxOut}
		sess.Stdout, sess.Stderr = out, errOut
		err = sess.Run(command)
		side.LatencyMS = float64(time.Since(start).Microseconds()) / 1000
		cancelled := !stop()
		_ = sess.Close()
		side.Stdout, side.Stderr = string(out.buf), string(errOut.buf)
		side.StdoutBytes, side.StderrBytes = out.total, errOut.total
		side.Truncated = out.total > int64(len(out.buf)) || errOut.total > int64(len(errOut.buf))

		var exitErr *ssh.ExitError
		var missing *ssh.ExitMissingError
		switch {
		case err == nil:
			side.ExitStatus = 0
		case errors.As(err, &exitErr):
			side.ExitStatus, side.Signal = exitErr.ExitStatus(), exitErr.Signal()
		case cancelled:
			side.Error = "interrupted"
		case !time.Now().Before(deadline):
			side.TimedOut = true
			side.Error = fmt.Sprintf("still running after %v", r.timeout)
		case errors.As(err, &missing):
			side.Error = "the session closed without an exit status"
		default:
			side.Error = err.Error()
		}
		if cancelled || side.TimedOut {
			r.drop() // the deadline broke the connection
		} else {
			_ = r.conn.SetDeadline(time.Time{})
		}
		return side
	}
}

// Run sends every line to the reference and then to the target, in order, and scores them. It
// logs in to both servers first and fails if either refuses, so a wrong address or password
// stops the run before it starts. Cancelling ctx stops after the current line; the result then
// covers the lines run and is marked Interrupted.
func Run(ctx context.Context, cfg Config, lines []Line) (*Result, error) {
	if cfg.Timeout <= 0 {
		return nil, errors.New("eval: the timeout must be positive")
	}
	maxOut := cfg.MaxOutput
	if maxOut <= 0 {
		maxOut = DefaultMaxOutput
	}
	res := &Result{
		Reference: cfg.Reference, Target: cfg.Target, User: cfg.User,
		NormalizeVolatile: cfg.Normalizer != nil && cfg.Normalizer.Volatile,
		TimeoutSeconds:    cfg.Timeout.Seconds(),
		Started:           time.Now().UTC(),
		Lines:             make([]LineResult, 0, len(lines)),
		Worst:             []int{},
	}
	ref := newRemote("reference", cfg.Reference, cfg.User, cfg.Password, cfg.Timeout)
	tgt := newRemote("target", cfg.Target, cfg.User, cfg.Password, cfg.Timeout)
	defer ref.drop()
	defer tgt.drop()
	for _, r := range []*remote{ref, tgt} {
		if err := r.connect(ctx); err != nil {
			return nil, err
		}
	}
	for i, l := range lines {
		if ctx.Err() != nil {
			res.Interrupted = true
			break
		}
		a := ref.exec(ctx, l.Command, maxOut)
		b := tgt.exec(ctx, l.Command, maxOut)
		if ctx.Err() != nil {
			// The line was cut short by the interruption, not by either server: leave it out.
			res.Interrupted = true
			break
		}
		res.Lines = append(res.Lines, scoreLine(i+1, l, a, b, cfg.Normalizer))
		if cfg.Progress != nil {
			cfg.Progress(Progress{Done: i + 1, Total: len(lines), Line: &res.Lines[len(res.Lines)-1], Running: Summarize(res.Lines)})
		}
	}
	res.Seconds = time.Since(res.Started).Seconds()
	res.Summary = Summarize(res.Lines)
	res.Groups = summarizeGroups(res.Lines)
	res.Worst = WorstFirst(res.Lines)
	return res, nil
}

// scoreLine compares the combined output of both sides, stdout followed by stderr. Over exec the
// two streams arrive on separate channels with no common clock, so their interleaving is not
// something a client can see the same way twice; stdout-then-stderr is the one fixed order. A
// stream moved from one to the other still costs, as the moved text lands elsewhere.
func scoreLine(index int, l Line, ref, tgt Side, norm *Normalizer) LineResult {
	res := LineResult{Index: index, Line: l, Reference: ref, Target: tgt}
	if ref.NotRun || tgt.NotRun {
		switch {
		case ref.NotRun && tgt.NotRun:
			res.Error = "reference: " + ref.Error + "; target: " + tgt.Error
		case ref.NotRun:
			res.Error = "reference: " + ref.Error
		default:
			res.Error = "target: " + tgt.Error
		}
		return res
	}
	a, ma := norm.Apply(ref.Stdout + ref.Stderr)
	b, mb := norm.Apply(tgt.Stdout + tgt.Stderr)
	res.Scores = Compare(a, b)
	res.Mean = res.Scores.Mean()
	res.ExitAgree = ref.ExitStatus == tgt.ExitStatus && ref.Signal == tgt.Signal && ref.TimedOut == tgt.TimedOut
	for _, m := range []map[string]int{ma, mb} {
		for k, v := range m {
			if res.Masked == nil {
				res.Masked = map[string]int{}
			}
			res.Masked[k] += v
		}
	}
	res.refText, res.tgtText = a, b
	return res
}
