package bench

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

const benchUsage = `Usage: lure bench ssh --target HOST:PORT --user USER --password PASSWORD [options]

Measures an SSH server (lure, or a real OpenSSH to compare with) with a Go SSH client.
The duration is split into three equal phases, each run by --conns concurrent workers:
  handshake  TCP connect + key exchange, up to the point where a client would authenticate
  login      TCP connect + key exchange + password authentication, then close
  command    one new session per exec request of --command, on logged-in connections
             (they log in before the phase clock starts, taking at most --timeout)
Operations in flight when a phase's time is up finish (up to --timeout) and are counted; the
phase's seconds then run to the last completion. A run lasts at most --duration + 4 x --timeout.
It reports handshakes/s, logins/s, latency percentiles (p50, p90, p99, max) and errors by kind.
Progress goes to stderr once a second; the report goes to stdout.

Host keys are NOT checked: this is a measuring tool; never send a password you care about.
The password is visible to other local users in the process list.
Only loopback targets are accepted unless --allow-remote is given: only load machines you are
allowed to test.

Options:
`

const benchTopUsage = `Usage: lure bench ssh [options]

Load generators for measuring a server. Protocols:
  ssh    handshakes/s, logins/s and command round trips of an SSH server

Run 'lure bench ssh --help' for its options.
`

// Options are the command-line settings of `lure bench ssh`.
type Options struct {
	Config
	AllowRemote bool
	JSON        bool
}

// ParseArgs parses the words after `lure bench ssh`. Errors are worded for the command line.
func ParseArgs(args []string) (Options, error) {
	var o Options
	fs := newFlagSet(&o)
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q (all settings are flags)", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for _, name := range []string{"target", "user", "password"} {
		if !set[name] {
			extra := ""
			if name == "password" {
				extra = " (--password '' for an empty one)"
			}
			return o, fmt.Errorf("--%s is required%s", name, extra)
		}
	}
	if err := checkHostPort(o.Target); err != nil {
		return o, err
	}
	if o.Conns < 1 || o.Conns > MaxConns {
		return o, fmt.Errorf("--conns must be between 1 and %d, got %d", MaxConns, o.Conns)
	}
	if o.Duration < MinDuration || o.Duration > MaxDuration {
		return o, fmt.Errorf("--duration must be between %s and %s, got %v", short(MinDuration), short(MaxDuration), o.Duration)
	}
	if o.Timeout < MinTimeout || o.Timeout > MaxTimeout {
		return o, fmt.Errorf("--timeout must be between %s and %s, got %v", short(MinTimeout), short(MaxTimeout), o.Timeout)
	}
	if o.User == "" {
		return o, errors.New("--user must not be empty")
	}
	if strings.TrimSpace(o.Command) == "" {
		return o, errors.New("--command must not be empty")
	}
	if len(o.Command) > MaxCommandSize {
		return o, fmt.Errorf("--command is %d bytes long, the limit is %d", len(o.Command), MaxCommandSize)
	}
	return o, nil
}

func newFlagSet(o *Options) *flag.FlagSet {
	fs := flag.NewFlagSet("lure bench ssh", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are printed once, by Command
	fs.StringVar(&o.Target, "target", "", "`HOST:PORT` of the SSH server (loopback unless --allow-remote)")
	fs.StringVar(&o.User, "user", "", "user `name` to log in as")
	fs.StringVar(&o.Password, "password", "", "`password` to log in with")
	fs.IntVar(&o.Conns, "conns", 8, fmt.Sprintf("concurrent connections, 1..%d", MaxConns))
	fs.DurationVar(&o.Duration, "duration", 30*time.Second, "total run time, "+short(MinDuration)+".."+short(MaxDuration)+", split over the three phases")
	fs.StringVar(&o.Command, "command", "uname -a", "`command` sent as an exec request in the command phase")
	fs.DurationVar(&o.Timeout, "timeout", 10*time.Second, "limit for one handshake, login or command, "+short(MinTimeout)+".."+short(MaxTimeout))
	fs.BoolVar(&o.JSON, "json", false, "print the report as JSON")
	fs.BoolVar(&o.AllowRemote, "allow-remote", false, "allow a target that is not a loopback address")
	return fs
}

// printFlags lists the flags in the --name form the usage text uses (the flag package accepts both
// -name and --name).
func printFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		arg, usage := flag.UnquoteUsage(f)
		line := "  --" + f.Name
		if arg != "" {
			line += " " + arg
		}
		switch {
		case f.DefValue == "" || f.DefValue == "false":
		case arg == "command": // the one string default: quote it, it has a space
			usage += fmt.Sprintf(" (default %q)", f.DefValue)
		default:
			usage += " (default " + f.DefValue + ")"
		}
		fmt.Fprintf(w, "%s\n        %s\n", line, usage)
	})
}

// short prints a duration without trailing zero units: 10m rather than 10m0s.
func short(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func checkHostPort(target string) error {
	host, port, err := net.SplitHostPort(target)
	if err != nil {
		return fmt.Errorf("--target %q is not HOST:PORT: %w", target, err)
	}
	if host == "" {
		return fmt.Errorf("--target %q has no host", target)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("--target %q: port must be a number between 1 and 65535", target)
	}
	return nil
}

// CheckTarget resolves target's host once and returns IP:PORT, so every connection of a run goes
// to the same address and no name lookup is timed. Unless allowRemote is set, every address the
// name has must be a loopback address: a load tool hits another machine only by explicit opt-in.
func CheckTarget(ctx context.Context, target string, allowRemote bool) (string, error) {
	if err := checkHostPort(target); err != nil {
		return "", err
	}
	host, port, _ := net.SplitHostPort(target)
	var ips []net.IP
	if ip := net.ParseIP(host); ip != nil {
		ips = []net.IP{ip}
	} else {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		addrs, err := net.DefaultResolver.LookupIPAddr(ctx, host)
		if err != nil {
			return "", fmt.Errorf("cannot resolve the target host %q: %w", host, err)
		}
		for _, a := range addrs {
			ips = append(ips, a.IP)
		}
		if len(ips) == 0 {
			return "", fmt.Errorf("the target host %q has no address", host)
		}
	}
	if !allowRemote {
		for _, ip := range ips {
			if !ip.IsLoopback() {
				return "", fmt.Errorf("target %s (%s) is not a loopback address; lure bench only loads this machine unless --allow-remote is given (load only machines you are allowed to test)", target, ip)
			}
		}
	}
	return net.JoinHostPort(ips[0].String(), port), nil
}

// Command runs `lure bench` with the words that follow it and returns the exit status: 0 when
// every phase had successes, 1 when one had none or the run was interrupted (the report is still
// printed), 2 for a usage error.
func Command(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, benchTopUsage)
		return 2
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, benchTopUsage)
		return 0
	case "ssh":
	default:
		fmt.Fprintf(stderr, "lure bench: unknown protocol %q (supported: ssh)\nRun 'lure bench --help' for usage.\n", args[0])
		return 2
	}
	o, err := ParseArgs(args[1:])
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, benchUsage)
		printFlags(stdout, newFlagSet(&Options{}))
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "lure bench ssh: %v\nRun 'lure bench ssh --help' for usage.\n", err)
		return 2
	}
	resolved, err := CheckTarget(ctx, o.Target, o.AllowRemote)
	if err != nil {
		fmt.Fprintf(stderr, "lure bench ssh: %v\n", err)
		return 2
	}
	cfg := o.Config
	cfg.Target = resolved
	cfg.Progress = func(p Progress) {
		fmt.Fprintf(stderr, "bench: %-20s %5.1fs/%.1fs  handshakes %d  logins %d  commands %d  errors %d\n",
			p.Phase, p.Elapsed.Seconds(), p.PhaseTotal.Seconds(), p.Handshakes, p.Logins, p.Commands, p.Errors)
	}
	fmt.Fprintf(stderr, "bench: %s as %s, %d conns, %v (three phases of %v); host keys are not checked\n",
		resolved, o.User, o.Conns, o.Duration, (o.Duration / phaseCount).Round(time.Millisecond))
	res, err := Run(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "lure bench ssh: %v\n", err)
		return 2
	}
	if o.JSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			fmt.Fprintf(stderr, "lure bench ssh: writing the report: %v\n", err)
			return 1
		}
	} else if err := WriteTable(stdout, res); err != nil {
		fmt.Fprintf(stderr, "lure bench ssh: writing the report: %v\n", err)
		return 1
	}
	return verdict(res, stderr)
}

// verdict turns a finished run into an exit status, explaining failures on stderr so that scripts
// comparing servers notice a run that measured nothing.
func verdict(res *Result, stderr io.Writer) int {
	if res.Interrupted {
		fmt.Fprintln(stderr, "lure bench ssh: interrupted; the figures cover the time run")
		return 1
	}
	status := 0
	for _, p := range []struct {
		name string
		ph   Phase
	}{{"handshakes", res.Handshakes}, {"logins", res.Logins}, {"commands", res.Commands}} {
		if p.ph.Count == 0 {
			fmt.Fprintf(stderr, "lure bench ssh: no successful %s (%d errors); see the errors by kind\n", p.name, p.ph.Errors)
			status = 1
		}
	}
	return status
}

// WriteTable writes the human-readable report of res.
func WriteTable(w io.Writer, res *Result) error {
	var b strings.Builder
	server := res.ServerVersion
	if server == "" {
		server = "(unknown: no login succeeded)"
	}
	fmt.Fprintf(&b, "lure bench ssh  target %s  server %s\n", res.Target, server)
	fmt.Fprintf(&b, "user %s  conns %d  duration %gs  command %q  (host keys not checked)\n",
		res.User, res.Conns, res.DurationSeconds, res.Command)
	if res.Interrupted {
		b.WriteString("INTERRUPTED: figures cover the time run\n")
	}
	b.WriteString("\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "phase\tcount\tper_s\tp50_ms\tp90_ms\tp99_ms\tmax_ms\terrors\tseconds\t\n")
	for _, p := range []struct {
		name string
		ph   Phase
	}{{"handshake", res.Handshakes}, {"login", res.Logins}, {"command", res.Commands}} {
		l := p.ph.LatencyMS
		fmt.Fprintf(tw, "%s\t%d\t%.1f\t%.3f\t%.3f\t%.3f\t%.3f\t%d\t%.2f\t\n",
			p.name, p.ph.Count, p.ph.PerSecond, l.P50, l.P90, l.P99, l.Max, p.ph.Errors, p.ph.Seconds)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(&b, "\ncommand stdout: %d bytes in total\n", res.Commands.StdoutBytes)
	if len(res.Errors) == 0 {
		b.WriteString("errors: none\n")
	} else {
		b.WriteString("errors by kind:\n")
		tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		for _, k := range res.Kinds() {
			fmt.Fprintf(tw, "  %s\t%d\t%s\n", k, res.Errors[k], oneLine(res.ErrorExamples[k], 160))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// oneLine keeps an error example on one bounded line of the table.
func oneLine(s string, limit int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > limit {
		s = s[:limit] + "..."
	}
	return s
}
