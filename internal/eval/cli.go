package eval

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

const usage = `Usage: lure eval --corpus FILE --reference HOST:PORT --target HOST:PORT --user USER --password PASSWORD [options]

Measures how closely a server (the target, normally lure) answers like a real one (the reference,
normally a real Debian 12 sshd). Every command line of the corpus is sent as an SSH exec request to
the reference and then to the target, in corpus order, each in a new session on one connection per
server, so state built by one line (mkdir, then ls) is seen by the next on both. Start both servers
fresh: the corpus changes files, users, crontabs and passwords.

For each line it compares stdout followed by stderr, and reports:
  cosine         cosine similarity of token-count vectors
  jaro-winkler   Jaro-Winkler similarity over the characters
  levenshtein    1 - edit distance / longer length (first 8192 characters of each side)
  exact match    the outputs are identical
  exit agreement the exit statuses are equal
and the round-trip latency of both servers (p50, p90, max). Progress goes to stderr, one line per
command with the running means; the report goes to stdout, worst lines first with a short diff.
docs/eval.md defines every figure and the --normalize-volatile masks.

Exit status: 0 done (and every figure at or above --min-score, when given); 1 a figure below
--min-score, or interrupted; 2 bad usage, unreadable corpus, or a server that cannot be logged in to.

Host keys are NOT checked (both servers are yours). The password is visible to other local users in
the process list. Only loopback servers are accepted unless --allow-remote is given.

Options:
`

// Limits of the command-line settings.
const (
	MinTimeout = 100 * time.Millisecond
	MaxTimeout = 10 * time.Minute
)

// Options are the command-line settings of `lure eval`.
type Options struct {
	Corpus            string
	Reference, Target string
	User, Password    string
	JSON              string
	Limit             int
	Timeout           time.Duration
	NormalizeVolatile bool
	MinScore          float64
	MinScoreSet       bool
	Worst             int
	AllowRemote       bool
}

func newFlagSet(o *Options) *flag.FlagSet {
	fs := flag.NewFlagSet("lure eval", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are printed once, by Command
	fs.StringVar(&o.Corpus, "corpus", "", "`FILE` of command lines, one per line (# comments, \"# @group NAME\")")
	fs.StringVar(&o.Reference, "reference", "", "`HOST:PORT` of the real server")
	fs.StringVar(&o.Target, "target", "", "`HOST:PORT` of the server under test")
	fs.StringVar(&o.User, "user", "", "user `name` to log in as on both servers")
	fs.StringVar(&o.Password, "password", "", "`password` for both servers")
	fs.StringVar(&o.JSON, "json", "", "write the full per-line results as JSON to `OUT` (\"-\": stdout, the text report then goes to stderr)")
	fs.IntVar(&o.Limit, "limit", 0, "run only the first `N` lines of the corpus (0: all)")
	fs.DurationVar(&o.Timeout, "timeout", 10*time.Second, "limit for logging in and for each command on each server, "+MinTimeout.String()+".."+MaxTimeout.String())
	fs.BoolVar(&o.NormalizeVolatile, "normalize-volatile", false, "mask values that differ between any two real runs (clock, PIDs, uptime, load, memory in use, ports, mktemp names) before comparing")
	fs.Func("min-score", "fail (exit 1) when the cosine, Jaro-Winkler or Levenshtein mean or the exit agreement is below `X` (0..1)", func(v string) error {
		x, err := strconv.ParseFloat(v, 64)
		if err != nil || x < 0 || x > 1 {
			return fmt.Errorf("must be a number between 0 and 1, got %q", v)
		}
		o.MinScore, o.MinScoreSet = x, true
		return nil
	})
	fs.IntVar(&o.Worst, "worst", 15, "show the `N` worst lines in the report")
	fs.BoolVar(&o.AllowRemote, "allow-remote", false, "allow servers that are not on a loopback address")
	return fs
}

// ParseArgs parses the words after `lure eval`. Errors are worded for the command line.
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
	for _, name := range []string{"corpus", "reference", "target", "user", "password"} {
		if !set[name] {
			extra := ""
			if name == "password" {
				extra = " (--password '' for an empty one)"
			}
			return o, fmt.Errorf("--%s is required%s", name, extra)
		}
	}
	if o.Corpus == "" {
		return o, errors.New("--corpus must name a file")
	}
	if o.User == "" {
		return o, errors.New("--user must not be empty")
	}
	for _, a := range []struct{ flag, v string }{{"reference", o.Reference}, {"target", o.Target}} {
		if err := checkHostPort(a.flag, a.v); err != nil {
			return o, err
		}
	}
	if o.Limit < 0 {
		return o, fmt.Errorf("--limit must not be negative, got %d", o.Limit)
	}
	if o.Worst < 0 {
		return o, fmt.Errorf("--worst must not be negative, got %d", o.Worst)
	}
	if o.Timeout < MinTimeout || o.Timeout > MaxTimeout {
		return o, fmt.Errorf("--timeout must be between %v and %v, got %v", MinTimeout, MaxTimeout, o.Timeout)
	}
	return o, nil
}

func checkHostPort(flagName, v string) error {
	host, port, err := net.SplitHostPort(v)
	if err != nil {
		return fmt.Errorf("--%s %q is not HOST:PORT: %w", flagName, v, err)
	}
	if host == "" {
		return fmt.Errorf("--%s %q has no host", flagName, v)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("--%s %q: the port must be a number between 1 and 65535", flagName, v)
	}
	return nil
}

// resolve looks the host up once, so both the check and every connection use the same address.
// Unless allowRemote is set, every address of the name must be a loopback one: the corpus holds
// commands that change the server it runs on, so it goes to another machine only on purpose.
func resolve(ctx context.Context, flagName, v string, allowRemote bool) (string, error) {
	host, port, _ := net.SplitHostPort(v)
	var ips []net.IP
	if ip := net.ParseIP(host); ip != nil {
		ips = []net.IP{ip}
	} else {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		addrs, err := net.DefaultResolver.LookupIPAddr(ctx, host)
		if err != nil {
			return "", fmt.Errorf("--%s: cannot resolve %q: %w", flagName, host, err)
		}
		for _, a := range addrs {
			ips = append(ips, a.IP)
		}
		if len(ips) == 0 {
			return "", fmt.Errorf("--%s: %q has no address", flagName, host)
		}
	}
	if !allowRemote {
		for _, ip := range ips {
			if !ip.IsLoopback() {
				return "", fmt.Errorf("--%s %s (%s) is not a loopback address; lure eval only talks to servers on this machine unless --allow-remote is given (the corpus changes the servers it runs on)", flagName, v, ip)
			}
		}
	}
	return net.JoinHostPort(ips[0].String(), port), nil
}

// Command runs `lure eval` with the words that follow it and returns the exit status.
func Command(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := ParseArgs(args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, usage)
		printFlags(stdout, newFlagSet(&Options{}))
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "lure eval: %v\nRun 'lure eval --help' for usage.\n", err)
		return 2
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "lure eval: "+format+"\n", a...)
		return 2
	}
	ref, err := resolve(ctx, "reference", o.Reference, o.AllowRemote)
	if err != nil {
		return fail("%v", err)
	}
	tgt, err := resolve(ctx, "target", o.Target, o.AllowRemote)
	if err != nil {
		return fail("%v", err)
	}
	f, err := os.Open(o.Corpus)
	if err != nil {
		return fail("reading the corpus: %v", err)
	}
	lines, err := ParseCorpus(f)
	f.Close()
	if err != nil {
		return fail("corpus %s: %v", o.Corpus, err)
	}
	if o.Limit > 0 && o.Limit < len(lines) {
		lines = lines[:o.Limit]
	}
	// Open the JSON file before the run, so a bad path fails now rather than after it.
	var jsonOut io.Writer
	report := stdout
	switch o.JSON {
	case "":
	case "-":
		jsonOut, report = stdout, stderr
	default:
		jf, err := os.Create(o.JSON)
		if err != nil {
			return fail("--json: %v", err)
		}
		defer jf.Close()
		jsonOut = jf
	}

	start := time.Now()
	norm := &Normalizer{Volatile: o.NormalizeVolatile, Start: start}
	for _, a := range []string{ref, tgt} {
		_, p, _ := net.SplitHostPort(a)
		if n, err := strconv.Atoi(p); err == nil {
			norm.ServerPorts = append(norm.ServerPorts, n)
		}
	}
	normText := "none"
	if o.NormalizeVolatile {
		normText = "volatile values masked"
	}
	fmt.Fprintf(stderr, "eval: %d lines of %s; reference %s, target %s, user %s; timeout %v; normalisation: %s; host keys are not checked\n",
		len(lines), o.Corpus, ref, tgt, o.User, o.Timeout, normText)
	res, err := Run(ctx, Config{
		Reference: ref, Target: tgt, User: o.User, Password: o.Password,
		Timeout: o.Timeout, Normalizer: norm,
		Progress: func(p Progress) { fmt.Fprintln(stderr, FormatProgress(p)) },
	}, lines)
	if err != nil {
		return fail("%v", err)
	}
	res.Corpus = o.Corpus
	status := 0
	if o.MinScoreSet {
		below := res.Summary.Below(o.MinScore)
		passed := len(below) == 0 && !res.Interrupted
		res.MinScore, res.Passed, res.Below = &o.MinScore, &passed, below
		if !passed {
			status = 1
		}
	}
	if res.Interrupted {
		status = 1
	}
	if err := WriteText(report, res, o.Worst); err != nil {
		fmt.Fprintf(stderr, "lure eval: writing the report: %v\n", err)
		status = max(status, 1)
	}
	if jsonOut != nil {
		enc := json.NewEncoder(jsonOut)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			fmt.Fprintf(stderr, "lure eval: writing --json %s: %v\n", o.JSON, err)
			status = max(status, 1)
		}
	}
	if res.Interrupted {
		fmt.Fprintf(stderr, "lure eval: interrupted after %d of %d lines\n", len(res.Lines), len(lines))
	}
	if res.Passed != nil && !*res.Passed && len(res.Below) > 0 {
		fmt.Fprintf(stderr, "lure eval: below --min-score %g: %s\n", o.MinScore, strings.Join(res.Below, ", "))
	}
	return status
}

// printFlags lists the flags in the --name form the usage text uses (the flag package accepts
// both -name and --name).
func printFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		arg, help := flag.UnquoteUsage(f)
		line := "  --" + f.Name
		if arg != "" {
			line += " " + arg
		}
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" {
			help += " (default " + f.DefValue + ")"
		}
		fmt.Fprintf(w, "%s\n        %s\n", line, help)
	})
}
