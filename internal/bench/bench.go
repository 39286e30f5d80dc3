// Package bench owns lure's SSH load generator, the engine behind `lure bench ssh`. It measures any
// SSH server the same way (lure, or a real OpenSSH for comparison) with golang.org/x/crypto/ssh as
// the client, in three consecutive phases of equal length:
//
//   - handshake: TCP connect and key exchange, stopped as soon as the server has proved its host
//     key (the point where a client would start authenticating);
//   - login: TCP connect, key exchange and password authentication, then close;
//   - command: on connections logged in before the phase clock starts, one new session per
//     command running an exec request, as bots do.
//
// Splitting the time into phases keeps each figure a clean capacity measurement instead of a mix.
// When a phase's time is up, workers start nothing new but let what is in flight finish (each
// operation is bounded by Config.Timeout), and the phase's seconds run to the last completion: a
// server slower than the phase still gets measured, and count / seconds stays a true rate.
// Host keys are never checked: this is a measuring tool, not a client to trust.
package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/ssh"
)

// Limits on a run. They keep a mistyped flag from turning the bench into a flood.
const (
	MaxConns       = 1000
	MinDuration    = time.Second
	MaxDuration    = 10 * time.Minute
	MinTimeout     = 100 * time.Millisecond
	MaxTimeout     = time.Minute
	MaxCommandSize = 4096
)

// Error kinds, as counted in Result.Errors.
const (
	KindConnect      = "connect"      // the TCP connection failed
	KindHandshake    = "handshake"    // version exchange or key exchange failed
	KindAuth         = "auth"         // the server refused the password
	KindAuthClosed   = "auth_closed"  // the server dropped the connection during authentication
	KindSession      = "session"      // the server refused to open a session channel
	KindExec         = "exec"         // the server refused the exec request
	KindExitStatus   = "exit_status"  // the command exited non-zero or was killed by a signal
	KindExitMissing  = "exit_missing" // the session closed without an exit-status
	KindDisconnected = "disconnected" // the connection was lost during a command
	KindTimeout      = "timeout"      // an operation took longer than Config.Timeout
	KindOther        = "other"        // anything else (the example message tells what)
)

const (
	phaseCount = 3 // handshake, login, command
	backoffMin = 10 * time.Millisecond
	backoffMax = time.Second
	// deadGrace is how long to wait for a connection to report its death before calling a failed
	// session a server-side refusal: the channel ends slightly before the connection reports why.
	deadGrace = 100 * time.Millisecond
)

// Config describes one run.
type Config struct {
	// Target is the HOST:PORT to dial, used as given: callers resolve names and apply the loopback
	// policy first (see CheckTarget), so that every connection goes to the same address.
	Target   string
	User     string
	Password string
	// Conns is the number of concurrent workers (1..MaxConns).
	Conns int
	// Duration is the planned run time, split equally over the three phases
	// (MinDuration..MaxDuration). Each phase may overrun by up to Timeout while operations in
	// flight finish, and the command phase waits up to Timeout for its connections to log in
	// before its clock starts: a run lasts at most Duration + 4*Timeout.
	Duration time.Duration
	// Command is the exec request sent in the command phase.
	Command string
	// Timeout bounds each single operation (one handshake, one login, one command).
	Timeout time.Duration
	// Progress, when set, is called about once per ProgressInterval (default 1 s) from a separate
	// goroutine while the run lasts.
	Progress         func(Progress)
	ProgressInterval time.Duration
}

// Progress is a snapshot of a running bench, for operator feedback.
type Progress struct {
	Phase      string        // "handshake", "login", "command", or "command (connecting)"
	Elapsed    time.Duration // time spent in the current phase
	PhaseTotal time.Duration // planned length of the current phase
	Handshakes uint64
	Logins     uint64
	Commands   uint64
	Errors     uint64
}

// Result is the outcome of a run; its JSON form is the output of `lure bench ssh --json`.
type Result struct {
	Target          string  `json:"target"`
	ServerVersion   string  `json:"server_version"`
	User            string  `json:"user"`
	Command         string  `json:"command"`
	Conns           int     `json:"conns"`
	DurationSeconds float64 `json:"duration_seconds"`
	// Interrupted is true when the context was cancelled before the run finished; figures then
	// cover the time actually run.
	Interrupted bool  `json:"interrupted"`
	Handshakes  Phase `json:"handshakes"`
	Logins      Phase `json:"logins"`
	Commands    Phase `json:"commands"`
	// Errors counts failures by kind over all phases (KindConnect, KindAuth, ...).
	Errors map[string]uint64 `json:"errors"`
	// ErrorExamples holds the first error message seen for each kind.
	ErrorExamples map[string]string `json:"error_examples"`
}

// Phase holds the figures of one phase.
type Phase struct {
	Count     uint64      `json:"count"`  // successful operations
	Errors    uint64      `json:"errors"` // failed operations
	Seconds   float64     `json:"seconds"`
	PerSecond float64     `json:"per_second"`
	LatencyMS Percentiles `json:"latency_ms"`
	// StdoutBytes is the total standard output received (command phase only).
	StdoutBytes uint64 `json:"stdout_bytes"`
}

// Percentiles of the latency of successful operations, in milliseconds. Values are at most 1.6 %
// above the exact sample percentile (histogram resolution); Max is exact.
type Percentiles struct {
	P50 float64 `json:"p50"`
	P90 float64 `json:"p90"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

// Validate checks the limits of c and fills the defaults of optional fields.
func (c *Config) Validate() error {
	if c.Target == "" {
		return errors.New("no target given: pass --target HOST:PORT")
	}
	if _, _, err := net.SplitHostPort(c.Target); err != nil {
		return fmt.Errorf("target %q is not HOST:PORT: %w", c.Target, err)
	}
	if c.User == "" {
		return errors.New("no user given: pass --user NAME")
	}
	if c.Conns < 1 || c.Conns > MaxConns {
		return fmt.Errorf("conns must be between 1 and %d, got %d", MaxConns, c.Conns)
	}
	if c.Duration < MinDuration || c.Duration > MaxDuration {
		return fmt.Errorf("duration must be between %v and %v, got %v", MinDuration, MaxDuration, c.Duration)
	}
	if strings.TrimSpace(c.Command) == "" {
		return errors.New("command must not be empty")
	}
	if len(c.Command) > MaxCommandSize {
		return fmt.Errorf("command is %d bytes long, the limit is %d", len(c.Command), MaxCommandSize)
	}
	if c.Timeout == 0 {
		c.Timeout = 10 * time.Second
	}
	if c.Timeout < MinTimeout || c.Timeout > MaxTimeout {
		return fmt.Errorf("timeout must be between %v and %v, got %v", MinTimeout, MaxTimeout, c.Timeout)
	}
	if c.ProgressInterval <= 0 {
		c.ProgressInterval = time.Second
	}
	return nil
}

// Run measures the server at cfg.Target. It returns an error only for an invalid Config: failures
// to connect or log in are counted in the Result, since they are what a bench observes. When ctx is
// cancelled, Run stops early and returns the figures gathered so far with Interrupted set.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	r := &runner{cfg: cfg, kinds: map[string]*kindCount{}}
	for i := range r.hist {
		r.hist[i] = &histogram{}
	}
	r.phase.Store(&phaseInfo{name: "starting", begin: time.Now()})

	stopProgress := r.startProgress()
	perPhase := cfg.Duration / phaseCount
	res := &Result{
		Target:          cfg.Target,
		User:            cfg.User,
		Command:         cfg.Command,
		Conns:           cfg.Conns,
		DurationSeconds: cfg.Duration.Seconds(),
	}
	phases := []*Phase{&res.Handshakes, &res.Logins, &res.Commands}
	for p := range phaseCount {
		if ctx.Err() != nil {
			break
		}
		*phases[p] = r.runPhase(ctx, p, perPhase)
	}
	stopProgress()

	res.Interrupted = ctx.Err() != nil
	if v := r.serverVersion.Load(); v != nil {
		res.ServerVersion = *v
	}
	res.Errors = map[string]uint64{}
	res.ErrorExamples = map[string]string{}
	r.mu.Lock()
	for k, c := range r.kinds {
		res.Errors[k] = c.n
		res.ErrorExamples[k] = c.example
	}
	r.mu.Unlock()
	return res, nil
}

// Kinds returns the error kinds of res sorted by count (highest first), then by name.
func (res *Result) Kinds() []string {
	kinds := make([]string, 0, len(res.Errors))
	for k := range res.Errors {
		kinds = append(kinds, k)
	}
	sort.Slice(kinds, func(i, j int) bool {
		a, b := res.Errors[kinds[i]], res.Errors[kinds[j]]
		if a != b {
			return a > b
		}
		return kinds[i] < kinds[j]
	})
	return kinds
}

const (
	phaseHandshake = iota
	phaseLogin
	phaseCommand
)

var phaseNames = [phaseCount]string{"handshake", "login", "command"}

type phaseInfo struct {
	name  string
	begin time.Time
	total time.Duration
}

type kindCount struct {
	n       uint64
	example string
}

// runner is the state of one Run. It is not package-level: two runs never share anything.
type runner struct {
	cfg           Config
	hist          [phaseCount]*histogram
	ok            [phaseCount]atomic.Uint64
	failed        [phaseCount]atomic.Uint64
	stdoutBytes   [phaseCount]atomic.Uint64
	phase         atomic.Pointer[phaseInfo]
	serverVersion atomic.Pointer[string]

	mu    sync.Mutex
	kinds map[string]*kindCount
}

func (r *runner) startProgress() (stop func()) {
	if r.cfg.Progress == nil {
		return func() {}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(r.cfg.ProgressInterval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				r.cfg.Progress(r.snapshot())
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}

func (r *runner) snapshot() Progress {
	ph := r.phase.Load()
	p := Progress{
		Phase:      ph.name,
		Elapsed:    time.Since(ph.begin),
		PhaseTotal: ph.total,
		Handshakes: r.ok[phaseHandshake].Load(),
		Logins:     r.ok[phaseLogin].Load(),
		Commands:   r.ok[phaseCommand].Load(),
	}
	for i := range r.failed {
		p.Errors += r.failed[i].Load()
	}
	return p
}

// opError is a failed operation with its kind.
type opError struct {
	kind string
	err  error
}

func (e *opError) Error() string { return e.err.Error() }
func (e *opError) Unwrap() error { return e.err }

// failure wraps err with kind, unless it is a timeout, which is its own kind whatever the step.
func failure(kind string, err error) error {
	var ne net.Error
	if errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		kind = KindTimeout
	}
	return &opError{kind: kind, err: err}
}

func (r *runner) recordError(p int, err error) {
	kind := KindOther
	var oe *opError
	if errors.As(err, &oe) {
		kind = oe.kind
	}
	r.failed[p].Add(1)
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.kinds[kind]
	if c == nil {
		c = &kindCount{example: err.Error()}
		r.kinds[kind] = c
	}
	c.n++
}

// phaseClock is shared by the workers of one phase; begin and end are written before start is
// closed and only read after it.
type phaseClock struct {
	start      chan struct{}
	begin, end time.Time
	lastDone   atomic.Int64 // latest completion of an operation, as nanoseconds since begin
}

// finished notes that an operation completed now.
func (c *phaseClock) finished() {
	t := int64(time.Since(c.begin))
	for {
		old := c.lastDone.Load()
		if t <= old || c.lastDone.CompareAndSwap(old, t) {
			return
		}
	}
}

func (r *runner) runPhase(parent context.Context, p int, d time.Duration) Phase {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	clock := &phaseClock{start: make(chan struct{})}

	var ready, done sync.WaitGroup
	ready.Add(r.cfg.Conns)
	done.Add(r.cfg.Conns)
	if p == phaseCommand {
		r.phase.Store(&phaseInfo{name: "command (connecting)", begin: time.Now(), total: r.cfg.Timeout})
	}
	for range r.cfg.Conns {
		go func() {
			defer done.Done()
			switch p {
			case phaseHandshake:
				ready.Done()
				r.handshakeWorker(ctx, clock)
			case phaseLogin:
				ready.Done()
				r.loginWorker(ctx, clock)
			case phaseCommand:
				r.commandWorker(ctx, clock, ready.Done)
			}
		}()
	}
	// The command phase's connections log in first (bounded by Timeout), so its clock measures
	// commands only.
	ready.Wait()
	clock.begin = time.Now()
	clock.end = clock.begin.Add(d)
	r.phase.Store(&phaseInfo{name: phaseNames[p], begin: clock.begin, total: d})
	close(clock.start)

	// When the time is up, workers start nothing new but finish what they are doing (bounded by
	// Timeout): discarding it would report zero for a server slower than the phase. The phase then
	// lasts until the last completion, so per_s = count / seconds stays true.
	var elapsed time.Duration
	t := time.NewTimer(d)
	select {
	case <-t.C:
		r.phase.Store(&phaseInfo{name: phaseNames[p] + " (finishing)", begin: clock.begin, total: d})
		finished := make(chan struct{})
		go func() {
			done.Wait()
			close(finished)
		}()
		select {
		case <-finished:
		case <-ctx.Done():
		}
		elapsed = max(d, time.Duration(clock.lastDone.Load()))
	case <-ctx.Done():
		t.Stop()
		elapsed = min(time.Since(clock.begin), d)
	}
	cancel() // on interruption, closes connections still in flight; their results are discarded
	done.Wait()
	if parent.Err() != nil {
		elapsed = min(elapsed, time.Since(clock.begin))
	}

	h := r.hist[p]
	ph := Phase{
		Count:   h.count(),
		Errors:  r.failed[p].Load(),
		Seconds: elapsed.Seconds(),
		LatencyMS: Percentiles{
			P50: ms(h.quantile(0.50)),
			P90: ms(h.quantile(0.90)),
			P99: ms(h.quantile(0.99)),
			Max: ms(h.maximum()),
		},
	}
	ph.StdoutBytes = r.stdoutBytes[p].Load()
	if ph.Seconds > 0 {
		ph.PerSecond = float64(ph.Count) / ph.Seconds
	}
	return ph
}

// ms converts to milliseconds rounded to the microsecond, enough for network latencies.
func ms(d time.Duration) float64 {
	return float64(d.Round(time.Microsecond)) / float64(time.Millisecond)
}

// backoff pauses after a failure so that a refusing server (or a wrong password) does not turn
// the workers into a busy loop; it never sleeps past the end of the phase.
func backoff(ctx context.Context, clock *phaseClock, wait *time.Duration) {
	t := time.NewTimer(min(*wait, time.Until(clock.end)))
	defer t.Stop()
	*wait = min(*wait*2, backoffMax)
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// worker runs op until the phase ends, recording successes and failures.
func (r *runner) worker(ctx context.Context, clock *phaseClock, p int, op func(deadline time.Time) (time.Duration, uint64, error)) {
	select {
	case <-clock.start:
	case <-ctx.Done():
		return
	}
	wait := backoffMin
	for ctx.Err() == nil && time.Now().Before(clock.end) {
		lat, n, err := op(r.deadline())
		if ctx.Err() != nil {
			return // interrupted: the operation was cut by us, not by the server
		}
		clock.finished()
		if err != nil {
			r.recordError(p, err)
			backoff(ctx, clock, &wait)
			continue
		}
		wait = backoffMin
		r.hist[p].record(lat)
		r.ok[p].Add(1)
		r.stdoutBytes[p].Add(n)
	}
}

// deadline bounds one operation by Timeout.
func (r *runner) deadline() time.Time {
	return time.Now().Add(r.cfg.Timeout)
}

func (r *runner) handshakeWorker(ctx context.Context, clock *phaseClock) {
	r.worker(ctx, clock, phaseHandshake, func(deadline time.Time) (time.Duration, uint64, error) {
		lat, err := r.handshake(ctx, deadline)
		return lat, 0, err
	})
}

func (r *runner) loginWorker(ctx context.Context, clock *phaseClock) {
	r.worker(ctx, clock, phaseLogin, func(deadline time.Time) (time.Duration, uint64, error) {
		c, lat, err := r.login(ctx, deadline)
		if err != nil {
			return 0, 0, err
		}
		c.Close()
		return lat, 0, nil
	})
}

// dial opens the TCP connection with deadline applied to the whole SSH exchange that follows, and
// closes it when ctx ends so that no operation outlives its phase.
func (r *runner) dial(ctx context.Context, deadline time.Time) (net.Conn, func(), error) {
	d := net.Dialer{Deadline: deadline}
	conn, err := d.DialContext(ctx, "tcp", r.cfg.Target)
	if err != nil {
		return nil, nil, failure(KindConnect, err)
	}
	if err := conn.SetDeadline(deadline); err != nil {
		conn.Close()
		return nil, nil, failure(KindConnect, err)
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	return conn, func() { stop() }, nil
}

// errKexDone aborts a handshake-only connection once the key exchange is complete.
var errKexDone = errors.New("bench: key exchange complete")

// clientConfig builds the client side. The host key callback is where the key exchange is known to
// be complete (x/crypto calls it right after verifying the server's signature), so it is the
// timestamp for handshakes; it accepts any key because a bench has nothing to trust.
func (r *runner) clientConfig(kexDone func() error, auth []ssh.AuthMethod) *ssh.ClientConfig {
	return &ssh.ClientConfig{
		User: r.cfg.User,
		Auth: auth,
		HostKeyCallback: func(string, net.Addr, ssh.PublicKey) error {
			return kexDone()
		},
	}
}

func (r *runner) handshake(ctx context.Context, deadline time.Time) (time.Duration, error) {
	start := time.Now()
	conn, stop, err := r.dial(ctx, deadline)
	if err != nil {
		return 0, err
	}
	defer stop()
	defer conn.Close()
	var kexAt atomic.Int64
	cfg := r.clientConfig(func() error {
		kexAt.Store(int64(time.Since(start)))
		return errKexDone
	}, nil)
	c, _, _, err := ssh.NewClientConn(conn, r.cfg.Target, cfg)
	if err == nil {
		// Cannot happen (the callback always fails), but never leak a connection.
		c.Close()
		return 0, failure(KindOther, errors.New("the handshake was not stopped after the key exchange"))
	}
	if errors.Is(err, errKexDone) {
		return time.Duration(kexAt.Load()), nil
	}
	return 0, failure(KindHandshake, err)
}

// login connects and authenticates with the password; on success the caller owns the client.
func (r *runner) login(ctx context.Context, deadline time.Time) (*client, time.Duration, error) {
	start := time.Now()
	conn, stop, err := r.dial(ctx, deadline)
	if err != nil {
		return nil, 0, err
	}
	var kexDone atomic.Bool
	cfg := r.clientConfig(func() error {
		kexDone.Store(true)
		return nil
	}, []ssh.AuthMethod{ssh.Password(r.cfg.Password)})
	sc, chans, reqs, err := ssh.NewClientConn(conn, r.cfg.Target, cfg)
	if err != nil {
		stop()
		conn.Close()
		switch {
		case !kexDone.Load():
			return nil, 0, failure(KindHandshake, err)
		case strings.Contains(err.Error(), "unable to authenticate"):
			return nil, 0, failure(KindAuth, err)
		default:
			return nil, 0, failure(KindAuthClosed, err)
		}
	}
	lat := time.Since(start)
	// Idle time (waiting for the phase to start, backoff) must not count against the deadline:
	// each command sets its own.
	if err := conn.SetDeadline(time.Time{}); err != nil {
		stop()
		sc.Close()
		return nil, 0, failure(KindDisconnected, err)
	}
	if r.serverVersion.Load() == nil {
		v := string(sc.ServerVersion())
		r.serverVersion.CompareAndSwap(nil, &v)
	}
	c := &client{Client: ssh.NewClient(sc, chans, reqs), conn: conn, stop: stop, dead: make(chan struct{})}
	go func() {
		c.Wait()
		close(c.dead)
	}()
	return c, lat, nil
}

// client is a logged-in connection of the command phase.
type client struct {
	*ssh.Client
	conn net.Conn
	stop func()
	dead chan struct{} // closed when the connection is gone
}

// Close closes the connection and releases its context hook.
func (c *client) Close() error {
	c.stop()
	return c.Client.Close()
}

func (r *runner) commandWorker(ctx context.Context, clock *phaseClock, ready func()) {
	c, _, err := r.login(ctx, time.Now().Add(r.cfg.Timeout))
	if err != nil && ctx.Err() == nil {
		r.recordError(phaseCommand, err)
	}
	ready()
	defer func() {
		if c != nil {
			c.Close()
		}
	}()
	r.worker(ctx, clock, phaseCommand, func(deadline time.Time) (time.Duration, uint64, error) {
		if c == nil {
			var err error
			if c, _, err = r.login(ctx, deadline); err != nil {
				return 0, 0, err
			}
			deadline = r.deadline() // the command gets its own full Timeout
		}
		lat, n, err := r.command(c, deadline)
		if err != nil {
			var oe *opError
			if errors.As(err, &oe) && (oe.kind == KindDisconnected || oe.kind == KindTimeout || oe.kind == KindOther) {
				c.Close()
				c = nil
			}
			return 0, 0, err
		}
		return lat, n, nil
	})
}

// countWriter counts what it is given and keeps nothing.
type countWriter struct{ n uint64 }

func (w *countWriter) Write(p []byte) (int, error) {
	w.n += uint64(len(p))
	return len(p), nil
}

// command runs one exec request on a new session and returns its round trip: from asking for the
// session to receiving the exit status and the channel close.
func (r *runner) command(c *client, deadline time.Time) (time.Duration, uint64, error) {
	if err := c.conn.SetDeadline(deadline); err != nil {
		return 0, 0, failure(KindDisconnected, err)
	}
	defer c.conn.SetDeadline(time.Time{}) // see login: idle time has no deadline
	start := time.Now()
	s, err := c.NewSession()
	if err != nil {
		var oce *ssh.OpenChannelError
		if errors.As(err, &oce) {
			return 0, 0, failure(KindSession, err)
		}
		return 0, 0, lost(deadline, err)
	}
	defer s.Close()
	var out countWriter
	s.Stdout = &out
	s.Stderr = io.Discard
	if err := s.Start(r.cfg.Command); err != nil {
		if r.isDead(c) {
			return 0, 0, lost(deadline, err)
		}
		return 0, 0, failure(KindExec, err)
	}
	err = s.Wait()
	lat := time.Since(start)
	if err != nil {
		var ee *ssh.ExitError
		var me *ssh.ExitMissingError
		switch {
		case errors.As(err, &ee):
			return 0, 0, failure(KindExitStatus, err)
		case errors.As(err, &me):
			// A dropped connection also ends a session without exit-status; tell the two apart.
			select {
			case <-c.dead:
				return 0, 0, lost(deadline, err)
			case <-time.After(deadGrace):
				return 0, 0, failure(KindExitMissing, err)
			}
		default:
			return 0, 0, lost(deadline, err)
		}
	}
	return lat, out.n, nil
}

func (r *runner) isDead(c *client) bool {
	select {
	case <-c.dead:
		return true
	case <-time.After(deadGrace):
		return false
	}
}

// lost classifies a broken connection: a timeout if the operation's deadline passed, else a
// disconnection by the server.
func lost(deadline time.Time, err error) error {
	if !time.Now().Before(deadline) {
		return &opError{kind: KindTimeout, err: fmt.Errorf("no answer before the deadline: %w", err)}
	}
	return failure(KindDisconnected, err)
}
