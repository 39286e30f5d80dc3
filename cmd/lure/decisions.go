package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/lure-sensor/lure/internal/config"
	"github.com/lure-sensor/lure/internal/ips"
	"github.com/lure-sensor/lure/internal/store"
)

func runDecisions(ctx context.Context, args []string) int {
	return decisionsCommand(ctx, args, os.Stdout, os.Stderr)
}

const decisionsUsage = `Usage: lure decisions ls  [--config FILE] [--data-dir DIR] [--all]
       lure decisions add [--config FILE] [--data-dir DIR] (--ip ADDR | --range CIDR) [--duration 4h] [--reason TEXT]
       lure decisions rm  [--config FILE] [--data-dir DIR] (--id N | --ip ADDR | --range CIDR)

Manage the IPS's decisions (bans) in the data directory's store. A running "lure serve" picks
up changes within a second: its nftables enforcer and webhook apply them, and bouncers get them
on their next pull. Allowlisted addresses (ips.allowlist and loopback) cannot be banned.

  ls   list the decisions in force (--all: also ended and dry-run ones)
  add  ban an address or a range by hand (origin "cli")
  rm   end decisions in force early; bouncers lift them on their next pull

Flags:
`

func decisionsCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("lure decisions", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "", "YAML config `file` (for data_dir and ips.allowlist); without it the defaults apply")
	dataDir := fs.String("data-dir", "", "the sensor's data `dir` (overrides data_dir from the config)")
	all := fs.Bool("all", false, "ls: also list ended and dry-run decisions")
	ip := fs.String("ip", "", "add/rm: the `address` to ban or unban")
	cidr := fs.String("range", "", "add/rm: the `CIDR` range to ban or unban")
	id := fs.Int64("id", 0, "rm: the decision `id` (from ls)")
	duration := fs.Duration("duration", 4*time.Hour, "add: how long the ban lasts")
	reason := fs.String("reason", "added by hand", "add: a note for the operators")
	fs.Usage = func() {
		fmt.Fprint(stderr, decisionsUsage)
		fs.PrintDefaults()
	}
	if len(args) == 0 {
		fs.Usage()
		return 2
	}
	verb := args[0]
	switch verb {
	case "-h", "-help", "--help", "help":
		fs.SetOutput(stdout)
		fmt.Fprint(stdout, decisionsUsage)
		fs.PrintDefaults()
		return 0
	case "ls", "add", "rm":
	default:
		fmt.Fprintf(stderr, "lure decisions: unknown action %q (use ls, add or rm)\n\n", verb)
		fs.Usage()
		return 2
	}
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "lure decisions %s: unexpected argument %q (addresses go after --ip or --range)\n", verb, fs.Arg(0))
		return 2
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "lure decisions %s: %s\n", verb, fmt.Sprintf(format, a...))
		return 1
	}
	cfg := config.Default()
	if *configPath != "" {
		var err error
		if cfg, err = config.Load(*configPath); err != nil {
			fmt.Fprintf(stderr, "lure decisions: %v\n", err)
			return 2
		}
	}
	if *dataDir != "" {
		cfg.DataDir = *dataDir
	}
	dbPath := filepath.Join(cfg.DataDir, "lure.db")
	if _, err := os.Stat(dbPath); err != nil {
		return fail("no lure database at %s (%v); point --data-dir or --config at the sensor's data directory", dbPath, errors.Unwrap(err))
	}
	db, err := store.OpenSQLite(dbPath)
	if err != nil {
		return fail("%v", err)
	}
	defer db.Close()
	scope, value, err := target(*ip, *cidr)
	if err != nil {
		fmt.Fprintf(stderr, "lure decisions %s: %v\n", verb, err)
		return 2
	}
	now := time.Now()
	switch verb {
	case "ls":
		q := ips.DecisionQuery{ActiveAt: now}
		if *all {
			q = ips.DecisionQuery{Simulated: true}
		}
		ds, err := db.Decisions(ctx, q)
		if err != nil {
			return fail("%v", err)
		}
		printDecisions(stdout, ds, now)
	case "add":
		if value == "" {
			fmt.Fprintln(stderr, "lure decisions add: say what to ban with --ip ADDR or --range CIDR")
			return 2
		}
		p, err := policyFrom(cfg.IPS)
		if err != nil {
			return fail("%v", err)
		}
		d := ips.Decision{Scope: scope, Value: value, Type: "ban", Duration: *duration, Origin: "cli", Scenario: "lure/manual",
			Reason: *reason, Created: now, Until: now.Add(*duration)}
		if err := ips.CheckManual(p.Allowlist, d); err != nil {
			return fail("refused: %v", err)
		}
		if err := db.AddDecision(ctx, &d); err != nil {
			return fail("%v", err)
		}
		fmt.Fprintf(stdout, "decision %d: ban %s %s for %s (until %s)\n", d.ID, strings.ToLower(scope), value, *duration, d.Until.UTC().Format(time.RFC3339))
	case "rm":
		if value == "" && *id == 0 {
			fmt.Fprintln(stderr, "lure decisions rm: say which with --id N, --ip ADDR or --range CIDR")
			return 2
		}
		gone, err := db.RemoveDecisions(ctx, ips.DecisionQuery{ID: *id, Value: value, ActiveAt: now, Simulated: true}, now)
		if err != nil {
			return fail("%v", err)
		}
		if len(gone) == 0 {
			return fail("no decision in force matches (see lure decisions ls)")
		}
		for _, d := range gone {
			fmt.Fprintf(stdout, "decision %d removed: %s %s\n", d.ID, strings.ToLower(d.Scope), d.Value)
		}
	}
	return 0
}

// target reads --ip or --range into a decision's scope and value, in canonical form.
func target(ip, cidr string) (scope, value string, err error) {
	switch {
	case ip != "" && cidr != "":
		return "", "", errors.New("give --ip or --range, not both")
	case ip != "":
		a, err := netip.ParseAddr(ip)
		if err != nil {
			return "", "", fmt.Errorf("--ip %q is not an IP address", ip)
		}
		return "Ip", a.Unmap().String(), nil
	case cidr != "":
		p, err := netip.ParsePrefix(cidr)
		if err != nil {
			return "", "", fmt.Errorf("--range %q is not a CIDR range such as 203.0.113.0/24", cidr)
		}
		if p.IsSingleIP() {
			return "Ip", p.Addr().Unmap().String(), nil
		}
		return "Range", p.Masked().String(), nil
	}
	return "", "", nil
}

func printDecisions(w io.Writer, ds []ips.Decision, now time.Time) {
	if len(ds) == 0 {
		fmt.Fprintln(w, "no decisions")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSCOPE:VALUE\tTYPE\tORIGIN\tSCENARIO\tEXPIRES IN\tCREATED\tREASON")
	for _, d := range ds {
		left := "ended"
		if d.Active(now) {
			left = d.Until.Sub(now).Round(time.Second).String()
		}
		if d.Simulated {
			left += " (dry run)"
		}
		fmt.Fprintf(tw, "%d\t%s:%s\t%s\t%s\t%s\t%s\t%s\t%s\n", d.ID, strings.ToLower(d.Scope), d.Value, d.Type, d.Origin, d.Scenario, left,
			d.Created.UTC().Format("2006-01-02 15:04:05"), d.Reason)
	}
	tw.Flush()
}
