package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/lure-sensor/lure/internal/config"
	"github.com/lure-sensor/lure/internal/event"
	"github.com/lure-sensor/lure/internal/llm"
	"github.com/lure-sensor/lure/internal/llm/analyst"
	"github.com/lure-sensor/lure/internal/store"
)

// newAnalyst builds the session analyst lure serve adds to the event bus: rules always, the
// LLM when one is configured and analyst.use_llm is on.
func newAnalyst(cfg config.Config, db *store.SQLite, bus *event.Bus, log *slog.Logger) *analyst.Analyst {
	if log == nil {
		log = slog.Default()
	}
	opt := analyst.Options{
		Queue:          cfg.Analyst.Queue,
		Timeout:        time.Duration(cfg.Analyst.Timeout),
		LLMPerDay:      cfg.Analyst.LLMPerDay,
		LLMPerIPPerDay: cfg.Analyst.LLMPerIPPerDay,
		Store:          db,
		Events:         bus,
		Logger:         log,
	}
	if cfg.Analyst.UseLLM && cfg.LLM.BaseURL != "" {
		cc := clientConfig(cfg.LLM)
		// An analysis (summary, techniques, indicators as JSON) is longer than a command's
		// answer: give it room whatever llm.max_tokens says.
		cc.MaxTokens = max(cc.MaxTokens, analystMaxTokens)
		client, err := llm.NewClient(cc)
		if err != nil {
			log.Warn("analyst: cannot use the LLM; sessions get the rule-based analysis", "err", err)
		} else {
			opt.LLM, opt.Model = analyst.FromClient(client), client.Model()
			log.Info("analyst: sessions are analysed by rules and by the LLM", "model", client.Model(), "timeout", time.Duration(cfg.Analyst.Timeout))
		}
	}
	return analyst.New(opt)
}

// analystMaxTokens is the least answer size the analyst asks the LLM for.
const analystMaxTokens = 1500

// runSessions runs `lure sessions ls|show`.
func runSessions(ctx context.Context, args []string) int {
	return sessionsCommand(ctx, args, os.Stdout, os.Stderr)
}

const sessionsUsage = `Usage:
  lure sessions ls [--data-dir DIR] [--limit N] [--ip IP]
  lure sessions show [--data-dir DIR] [--json] ID

ls lists sessions, newest first: start time, session id, source, the login's user and
password, the client's version, the number of command lines and the analyst's risk score
(0-100; "-" until the session has closed and been analysed).
show prints one session: its facts, every command line and transfer, and the analysis
(summary, intents, MITRE ATT&CK techniques, indicators). --json prints the session, its
events and the analysis as one JSON object.

Both read DATA_DIR/lure.db and work while lure serve runs.
`

func sessionsCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		w := stderr
		if len(args) > 0 {
			w = stdout
		}
		fmt.Fprint(w, sessionsUsage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	fs := flag.NewFlagSet("lure sessions "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir := fs.String("data-dir", config.Default().DataDir, "the sensor's data `directory` (data_dir in its config)")
	fs.Usage = func() {
		fmt.Fprint(stderr, sessionsUsage+"\nFlags:\n")
		fs.PrintDefaults()
	}
	switch args[0] {
	case "ls":
		limit := fs.Int("limit", 50, "show at most `N` sessions")
		ip := fs.String("ip", "", "only sessions from this source `IP`")
		if code, ok := parseFlags(fs, args[1:]); !ok {
			return code
		}
		if fs.NArg() > 0 {
			fmt.Fprintf(stderr, "lure sessions ls: unexpected argument %q\n", fs.Arg(0))
			return 2
		}
		if *limit <= 0 {
			fmt.Fprintf(stderr, "lure sessions ls: --limit must be at least 1 (got %d)\n", *limit)
			return 2
		}
		db, err := openData(*dataDir)
		if err != nil {
			fmt.Fprintf(stderr, "lure sessions ls: %v\n", err)
			return 1
		}
		defer db.Close()
		list, err := db.ListSessions(ctx, store.SessionQuery{Limit: *limit, SrcIP: *ip})
		if err != nil {
			fmt.Fprintf(stderr, "lure sessions ls: %v\n", err)
			return 1
		}
		printSessions(stdout, list)
		if len(list) == 0 {
			fmt.Fprintf(stderr, "no sessions in %s%s\n", filepath.Join(*dataDir, "lure.db"), map[bool]string{true: " from " + *ip}[*ip != ""])
		}
		return 0
	case "show":
		asJSON := fs.Bool("json", false, "print the session, its events and its analysis as JSON")
		if code, ok := parseFlags(fs, args[1:]); !ok {
			return code
		}
		if fs.NArg() != 1 {
			fmt.Fprintln(stderr, "lure sessions show: give one session id (lure sessions ls lists them)")
			return 2
		}
		id := fs.Arg(0)
		db, err := openData(*dataDir)
		if err != nil {
			fmt.Fprintf(stderr, "lure sessions show: %v\n", err)
			return 1
		}
		defer db.Close()
		s, ok, err := db.Session(ctx, id)
		if err != nil {
			fmt.Fprintf(stderr, "lure sessions show: %v\n", err)
			return 1
		}
		if !ok {
			fmt.Fprintf(stderr, "lure sessions show: no session %q in %s (lure sessions ls lists them)\n", id, filepath.Join(*dataDir, "lure.db"))
			return 1
		}
		evs, err := db.Events(ctx, id)
		if err != nil {
			fmt.Fprintf(stderr, "lure sessions show: %v\n", err)
			return 1
		}
		an, has, err := db.Analysis(ctx, id)
		if err != nil {
			fmt.Fprintf(stderr, "lure sessions show: %v\n", err)
			return 1
		}
		var doc *analyst.Analysis
		if has {
			doc = &analyst.Analysis{}
			if err := json.Unmarshal(an.Doc, doc); err != nil {
				fmt.Fprintf(stderr, "lure sessions show: the stored analysis of %s is not readable: %v\n", id, err)
				return 1
			}
		}
		if *asJSON {
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			if err := enc.Encode(map[string]any{"session": s, "events": evs, "analysis": doc}); err != nil {
				fmt.Fprintf(stderr, "lure sessions show: %v\n", err)
				return 1
			}
			return 0
		}
		printSession(stdout, s, evs, doc)
		return 0
	default:
		fmt.Fprintf(stderr, "lure sessions: unknown subcommand %q (ls or show)\n\n%s", args[0], sessionsUsage)
		return 2
	}
}

// parseFlags parses fs; ok is false when the command must end with code.
func parseFlags(fs *flag.FlagSet, args []string) (code int, ok bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0, false
		}
		return 2, false
	}
	return 0, true
}

// openData opens DATA_DIR/lure.db, refusing to create one: a wrong --data-dir must say so
// rather than show an empty sensor.
func openData(dir string) (*store.SQLite, error) {
	path := filepath.Join(dir, "lure.db")
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			if _, derr := os.Stat(dir); derr != nil {
				return nil, fmt.Errorf("data directory %s does not exist (give the sensor's data_dir with --data-dir)", dir)
			}
			return nil, fmt.Errorf("no lure database in %s (lure serve creates %s; give the sensor's data_dir with --data-dir)", dir, path)
		}
		return nil, fmt.Errorf("cannot read %s: %w", path, err)
	}
	return store.OpenSQLite(path)
}

// printable makes attacker-chosen text safe for the operator's terminal: control characters
// (escape sequences, newlines) are written as Go escapes, and the text is cut to n runes.
func printable(s string, n int) string {
	rs := []rune(s)
	cut := ""
	if n > 0 && len(rs) > n {
		rs, cut = rs[:n-1], "…"
	}
	var b strings.Builder
	for _, r := range rs {
		if unicode.IsGraphic(r) && (r == ' ' || !unicode.IsSpace(r)) {
			b.WriteRune(r)
		} else {
			q := strconv.QuoteRuneToGraphic(r)
			b.WriteString(q[1 : len(q)-1])
		}
	}
	return b.String() + cut
}

func printSessions(w io.Writer, list []store.SessionRisk) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "START (UTC)\tSESSION\tSOURCE\tUSER/PASSWORD\tCLIENT\tCMDS\tRISK")
	for _, s := range list {
		login := "-"
		if s.Username != "" {
			login = printable(s.Username, 16) + "/" + printable(s.Password, 24)
		}
		client := printable(s.Client, 32)
		if client == "" {
			client = "-"
		}
		risk := "-"
		if s.Analysed {
			risk = strconv.Itoa(s.Risk)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s:%d\t%s\t%s\t%d\t%s\n", s.Start.UTC().Format("2006-01-02 15:04:05"), printable(s.ID, 24), s.SrcIP, s.SrcPort, login, client, s.Commands, risk)
	}
	tw.Flush()
}

func str(m map[string]any, k string) string {
	v, _ := m[k].(string)
	return v
}

func printSession(w io.Writer, s store.Session, evs []event.Event, a *analyst.Analysis) {
	fmt.Fprintf(w, "Session   %s\n", printable(s.ID, 0))
	fmt.Fprintf(w, "Source    %s:%d  (%s, sensor %s)\n", s.SrcIP, s.SrcPort, s.Protocol, printable(s.Sensor, 64))
	end := "still open"
	if !s.End.IsZero() {
		end = s.End.UTC().Format("15:04:05") + fmt.Sprintf(" (%s)", s.End.Sub(s.Start).Round(time.Second))
	}
	fmt.Fprintf(w, "Time      %s UTC - %s\n", s.Start.UTC().Format("2006-01-02 15:04:05"), end)
	if s.Client != "" {
		fmt.Fprintf(w, "Client    %s", printable(s.Client, 0))
		if s.HASSH != "" {
			fmt.Fprintf(w, "  (hassh %s)", printable(s.HASSH, 40))
		}
		fmt.Fprintln(w)
	}
	failed := 0
	for _, e := range evs {
		if e.EventID == event.LoginFailed {
			failed++
		}
	}
	switch {
	case s.Username != "":
		fmt.Fprintf(w, "Login     %s / %s", printable(s.Username, 0), printable(s.Password, 0))
		if failed > 0 {
			fmt.Fprintf(w, "  (after %d failed)", failed)
		}
		fmt.Fprintln(w)
	case failed > 0:
		fmt.Fprintf(w, "Login     none (%d failed)\n", failed)
	default:
		fmt.Fprintln(w, "Login     none")
	}

	fmt.Fprintf(w, "\nCommands (%d):\n", s.Commands)
	for _, e := range evs {
		at := e.Time.UTC().Format("15:04:05")
		switch e.EventID {
		case event.CommandInput:
			note := ""
			if r := str(e.Fields, "responder"); r != "" && r != "emulated" {
				note = "   [" + printable(r, 16) + "]"
			}
			fmt.Fprintf(w, "  %s  %s%s\n", at, printable(str(e.Fields, "input"), 0), note)
		case event.CommandFailed:
			fmt.Fprintf(w, "  %s    (command not found: %s)\n", at, printable(str(e.Fields, "input"), 120))
		case event.FileDownload:
			fmt.Fprintf(w, "  %s    downloaded %s -> sha256 %s\n", at, printable(str(e.Fields, "url"), 0), printable(str(e.Fields, "shasum"), 64))
		case event.FileDownloadFailed:
			fmt.Fprintf(w, "  %s    tried to download %s\n", at, printable(str(e.Fields, "url"), 0))
		case event.FileUpload:
			fmt.Fprintf(w, "  %s    uploaded %s -> sha256 %s\n", at, printable(str(e.Fields, "filename"), 0), printable(str(e.Fields, "shasum"), 64))
		case event.LogClosed:
			fmt.Fprintf(w, "  %s    recording: %s (lure replay FILE)\n", at, printable(str(e.Fields, "ttylog"), 0))
		}
	}

	fmt.Fprintln(w)
	if a == nil {
		if s.End.IsZero() {
			fmt.Fprintln(w, "Analysis: none yet (the analyst runs when the session closes)")
		} else {
			fmt.Fprintln(w, "Analysis: none (no login was tried, the analyst was off or its queue was full, or the sensor stopped first)")
		}
		return
	}
	src := a.Source
	if a.Model != "" {
		src += ", " + a.Model
	}
	fmt.Fprintf(w, "Analysis (%s, %s UTC)\n", printable(src, 80), a.Created.UTC().Format("2006-01-02 15:04:05"))
	fmt.Fprintf(w, "  Risk        %d/100\n", a.Risk)
	intents := "none"
	if len(a.Intents) > 0 {
		labels := make([]string, len(a.Intents))
		for i, x := range a.Intents {
			labels[i] = analyst.IntentLabel(x)
		}
		intents = strings.Join(labels, ", ")
	}
	fmt.Fprintf(w, "  Intents     %s\n", printable(intents, 0))
	if len(a.Techniques) > 0 {
		fmt.Fprintln(w, "  Techniques")
		for _, x := range a.Techniques {
			fmt.Fprintf(w, "    %-10s %s\n", printable(x.ID, 12), printable(x.Name, 0))
		}
	}
	iocs := [][2]string{}
	for _, v := range a.IOCs.URLs {
		iocs = append(iocs, [2]string{"url", v})
	}
	for _, v := range a.IOCs.IPs {
		iocs = append(iocs, [2]string{"ip", v})
	}
	for _, v := range a.IOCs.Domains {
		iocs = append(iocs, [2]string{"domain", v})
	}
	for _, v := range a.IOCs.Hashes {
		iocs = append(iocs, [2]string{"sha256", v})
	}
	for _, k := range a.IOCs.SSHKeys {
		d := k.Type
		if k.Fingerprint != "" {
			d += " " + k.Fingerprint
		}
		if k.Comment != "" {
			d += " " + k.Comment
		}
		iocs = append(iocs, [2]string{"ssh key", d})
	}
	if len(iocs) > 0 {
		fmt.Fprintln(w, "  Indicators")
		for _, x := range iocs {
			fmt.Fprintf(w, "    %-8s %s\n", x[0], printable(x[1], 0))
		}
	}
	if a.LLMError != "" {
		fmt.Fprintf(w, "  LLM         not used: %s\n", printable(a.LLMError, 200))
	}
	fmt.Fprintln(w, "  Summary")
	for _, l := range wrap(printable(a.Summary, 0), 92) {
		fmt.Fprintf(w, "    %s\n", l)
	}
}

// wrap breaks text into lines of at most width bytes at spaces.
func wrap(s string, width int) []string {
	var lines []string
	var cur strings.Builder
	for _, word := range strings.Fields(s) {
		if cur.Len() > 0 && cur.Len()+1+len(word) > width {
			lines = append(lines, cur.String())
			cur.Reset()
		}
		if cur.Len() > 0 {
			cur.WriteByte(' ')
		}
		cur.WriteString(word)
	}
	if cur.Len() > 0 {
		lines = append(lines, cur.String())
	}
	return lines
}
