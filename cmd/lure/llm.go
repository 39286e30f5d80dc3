package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/lure-sensor/lure/internal/config"
	"github.com/lure-sensor/lure/internal/eval"
	"github.com/lure-sensor/lure/internal/llm"
	"github.com/lure-sensor/lure/internal/persona"
	"github.com/lure-sensor/lure/internal/store"
)

// runLLM implements `lure llm ...`: testing an endpoint and managing the response cache.
func runLLM(ctx context.Context, args []string) int {
	return llmMain(ctx, args, os.Stdin, os.Stdout, os.Stderr)
}

const llmUsage = `Usage: lure llm <command> [flags]

Commands:
  check       test an OpenAI-compatible endpoint: connectivity, time to first token, latency,
              and how closely its answers match the emulator's (lure eval's metrics)
  cache ls    list the cached answers
  cache rm    delete cached answers (by key, by command substring, or --all)
  cache edit  replace one cached answer with text read from stdin

Run "lure llm <command> -h" for a command's flags.
`

func llmMain(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, llmUsage)
		return 2
	}
	switch args[0] {
	case "check":
		return llmCheck(ctx, args[1:], stdout, stderr)
	case "cache":
		if len(args) < 2 {
			fmt.Fprint(stderr, llmUsage)
			return 2
		}
		switch args[1] {
		case "ls":
			return llmCacheLs(ctx, args[2:], stdout, stderr)
		case "rm":
			return llmCacheRm(ctx, args[2:], stdout, stderr)
		case "edit":
			return llmCacheEdit(ctx, args[2:], stdin, stdout, stderr)
		}
		fmt.Fprintf(stderr, "lure llm cache: unknown command %q\n\n%s", args[1], llmUsage)
		return 2
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, llmUsage)
		return 0
	}
	fmt.Fprintf(stderr, "lure llm: unknown command %q\n\n%s", args[0], llmUsage)
	return 2
}

// newResponder builds the responder chain `lure serve` puts behind the shell: the cache in
// the store, the endpoint when llm.base_url is set, the limits of the llm section.
func newResponder(ctx context.Context, cfg config.LLM, p *persona.Persona, db *store.SQLite, log *slog.Logger) (*llm.Chain, error) {
	cache, err := db.LLMCache(ctx)
	if err != nil {
		return nil, err
	}
	var client *llm.Client
	if cfg.BaseURL != "" {
		client, err = llm.NewClient(clientConfig(cfg))
		if err != nil {
			return nil, fmt.Errorf("llm: %w", err)
		}
		log.Info("llm responder on: programs without emulation are answered by the model", "base_url", cfg.BaseURL, "model", cfg.Model, "timeout", time.Duration(cfg.Timeout))
	} else {
		log.Info("llm responder off (llm.base_url is empty): programs without emulation get cached or fallback answers")
	}
	return llm.NewChain(llm.Config{
		Persona: p,
		Client:  client,
		Cache:   cache,
		Prompt:  llm.Prompt{MaxTokens: cfg.PromptTokens},
		Limits: llm.Limits{
			Timeout: time.Duration(cfg.Timeout), MaxConcurrent: cfg.MaxConcurrent, RatePerIP: cfg.RatePerIP,
			TokensPerIP: cfg.TokensPerIP, TokensPerDay: cfg.TokensPerDay,
		},
		Logger: log,
	}), nil
}

func clientConfig(cfg config.LLM) llm.ClientConfig {
	key := ""
	if cfg.APIKeyEnv != "" {
		key = os.Getenv(cfg.APIKeyEnv)
	}
	return llm.ClientConfig{BaseURL: cfg.BaseURL, Model: cfg.Model, APIKey: key, MaxTokens: cfg.MaxTokens,
		Temperature: cfg.Temperature, Stream: cfg.Stream}
}

func llmCheck(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("lure llm check", flag.ContinueOnError)
	fl.SetOutput(stderr)
	def := config.Default().LLM
	var (
		configPath = fl.String("config", "", "take the llm section from this config `file` (flags override it)")
		baseURL    = fl.String("base-url", "", "endpoint `URL`, e.g. http://127.0.0.1:11434/v1 (default: the config's llm.base_url)")
		model      = fl.String("model", "", "model `name` (default: the config's llm.model, "+def.Model+")")
		keyEnv     = fl.String("api-key-env", "", "environment `variable` holding the API key (default: the config's, "+def.APIKeyEnv+")")
		personaArg = fl.String("persona", "", `"default" or a persona file (default: the config's persona)`)
		noStream   = fl.Bool("no-stream", false, "ask for whole answers instead of streams")
		limit      = fl.Int("limit", 0, "ask only the first `N` sample commands (0: all)")
		timeout    = fl.Duration("timeout", 30*time.Second, "limit per call")
		worst      = fl.Int("worst", 5, "show the `N` least similar answers with a diff")
	)
	fl.Usage = func() {
		fmt.Fprintf(stderr, `Usage: lure llm check --base-url URL --model NAME [flags]

Tests an OpenAI-compatible /v1/chat/completions endpoint as lure would use it. It reports
whether the endpoint answers, the time to the first token and the total latency of a short
call, then asks the model alone a sample of %d commands the emulator answers (prompted exactly
as the sensor prompts it: persona facts, user, cwd, listing) and scores each answer against
the emulator's with lure eval's metrics (cosine, Jaro-Winkler, Levenshtein, exact match, exit
agreement). Progress goes to stderr, the report to stdout.

Exit status: 0 the endpoint answered; 1 it did not (or was interrupted); 2 bad usage.

Flags:
`, len(llm.SampleCommands))
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fl.NArg() > 0 {
		fmt.Fprintf(stderr, "lure llm check: unexpected argument %q (all settings are flags)\n", fl.Arg(0))
		return 2
	}
	cfg := config.Default()
	if *configPath != "" {
		var err error
		if cfg, err = config.Load(*configPath); err != nil {
			fmt.Fprintf(stderr, "lure llm check: %v\n", err)
			return 2
		}
	}
	lc := cfg.LLM
	for _, o := range []struct {
		dst *string
		v   string
	}{{&lc.BaseURL, *baseURL}, {&lc.Model, *model}, {&lc.APIKeyEnv, *keyEnv}, {&cfg.Persona, *personaArg}} {
		if o.v != "" {
			*o.dst = o.v
		}
	}
	if *noStream {
		lc.Stream = false
	}
	if lc.BaseURL == "" {
		fmt.Fprintln(stderr, "lure llm check: --base-url is required (or llm.base_url in --config)")
		return 2
	}
	client, err := llm.NewClient(clientConfig(lc))
	if err != nil {
		fmt.Fprintf(stderr, "lure llm check: %v\n", err)
		return 2
	}
	p, err := loadPersona(cfg.Persona)
	if err != nil {
		fmt.Fprintf(stderr, "lure llm check: %v\n", err)
		return 2
	}
	cmds := llm.SampleCommands
	if *limit > 0 && *limit < len(cmds) {
		cmds = cmds[:*limit]
	}
	fmt.Fprintf(stderr, "checking %s (model %s, %s)...\n", lc.BaseURL, lc.Model, map[bool]string{true: "streaming", false: "not streaming"}[lc.Stream])
	rep, err := llm.Check(ctx, llm.CheckConfig{
		Client: client, Persona: p, Commands: cmds, Prompt: llm.Prompt{MaxTokens: lc.PromptTokens}, Timeout: *timeout,
		Progress: func(i, n int, l eval.LineResult) {
			state := fmt.Sprintf("mean %.3f", l.Mean)
			if l.Error != "" {
				state = l.Error
			}
			fmt.Fprintf(stderr, "[%d/%d] %-45s %6.0f ms  %s\n", i, n, clip(l.Command, 45), l.Target.LatencyMS, state)
		},
	})
	if err != nil {
		fmt.Fprintf(stdout, "endpoint:        %s\nconnectivity:    FAILED: %v\n", lc.BaseURL, err)
		fmt.Fprintln(stderr, "lure llm check: the endpoint did not answer; check llm.base_url (it usually ends in /v1), the model name and the API key variable")
		return 1
	}
	writeCheckReport(stdout, lc, rep, *worst)
	if ctx.Err() != nil {
		return 1
	}
	return 0
}

func writeCheckReport(w io.Writer, lc config.LLM, rep llm.CheckReport, worst int) {
	s := rep.Summary
	fmt.Fprintf(w, "endpoint:        %s (model %s)\n", lc.BaseURL, lc.Model)
	fmt.Fprintf(w, "connectivity:    ok\n")
	fmt.Fprintf(w, "first token:     %s\n", rep.ProbeFirstToken.Round(time.Millisecond))
	fmt.Fprintf(w, "total latency:   %s (%d tokens)\n", rep.ProbeTotal.Round(time.Millisecond), rep.ProbeTokens)
	fmt.Fprintf(w, "\nsample of %d commands, the model alone against the emulator:\n", s.Lines)
	fmt.Fprintf(w, "  cosine          %.3f\n  jaro-winkler    %.3f\n  levenshtein     %.3f\n  mean            %.3f\n", s.Cosine, s.JaroWinkler, s.Levenshtein, s.Mean)
	fmt.Fprintf(w, "  exact matches   %d/%d\n  exit agreement  %d/%d\n  failed calls    %d\n", s.ExactMatches, s.Lines, s.ExitAgreements, s.Lines, s.Errors)
	fmt.Fprintf(w, "  model latency   p50 %.0f ms, p90 %.0f ms, max %.0f ms\n", s.Latency.Target.P50, s.Latency.Target.P90, s.Latency.Target.Max)
	for n, i := range eval.WorstFirst(rep.Lines) {
		if n >= worst {
			break
		}
		l := rep.Lines[i-1]
		fmt.Fprintf(w, "\n$ %s   (mean %.3f)\n", l.Command, l.Mean)
		if l.Error != "" {
			fmt.Fprintf(w, "  %s\n", l.Error)
			continue
		}
		for _, d := range eval.ShortDiff(l.Reference.Stdout+l.Reference.Stderr, l.Target.Stdout+l.Target.Stderr) {
			fmt.Fprintf(w, "  %s\n", d)
		}
	}
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-3] + "..."
}

func loadPersona(name string) (*persona.Persona, error) {
	if name == "" || name == "default" {
		return persona.Default()
	}
	return persona.Load(name)
}

// openCache opens the response cache of a data dir (the one `lure serve` uses). When it
// cannot, it has said why and code is the exit status (0 after -h).
func openCache(ctx context.Context, fl *flag.FlagSet, args []string, stderr io.Writer) (db *store.SQLite, c *store.LLMCache, rest []string, code int) {
	configPath := fl.String("config", "", "take data_dir from this config `file`")
	dataDir := fl.String("data-dir", "", "the sensor's data `dir` (default: the config's data_dir, ./lure-data)")
	fl.SetOutput(stderr)
	if code, ok := parseFlags(fl, args); !ok {
		return nil, nil, nil, code
	}
	cfg := config.Default()
	if *configPath != "" {
		var err error
		if cfg, err = config.Load(*configPath); err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", fl.Name(), err)
			return nil, nil, nil, 2
		}
	}
	if *dataDir != "" {
		cfg.DataDir = *dataDir
	}
	db, err := openData(cfg.DataDir)
	if err == nil {
		if c, err = db.LLMCache(ctx); err != nil {
			db.Close()
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", fl.Name(), err)
		return nil, nil, nil, 1
	}
	return db, c, fl.Args(), -1
}

func llmCacheLs(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("lure llm cache ls", flag.ContinueOnError)
	grep := fl.String("grep", "", "only answers whose command contains `TEXT`")
	limit := fl.Int("limit", 100, "at most `N` answers, newest first (0: all)")
	full := fl.Bool("full", false, "print each answer in full")
	fl.Usage = func() {
		fmt.Fprint(stderr, `Usage: lure llm cache ls [--data-dir DIR | --config FILE] [--grep TEXT] [--full] [KEY...]

Lists the cached answers of the LLM responder, newest first: key (its first 12 hex digits
select it in rm and edit), when, source (llm, fallback for a replaced out-of-character
reply, operator), exit status, user, cwd and command. --full prints each answer too.

Flags:
`)
		fl.PrintDefaults()
	}
	db, c, keys, code := openCache(ctx, fl, args, stderr)
	if code >= 0 {
		return code
	}
	defer db.Close()
	n := *limit
	if n == 0 {
		n = -1
	}
	as, err := c.List(ctx, store.LLMFilter{Keys: keys, Contains: *grep, Limit: n})
	if err != nil {
		fmt.Fprintf(stderr, "lure llm cache ls: %v\n", err)
		return 1
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY\tCREATED\tSOURCE\tSTATUS\tUSER\tCWD\tCOMMAND")
	for _, a := range as {
		// Commands and answers are the attacker's text: escaped for the operator's terminal.
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%s\n", a.Key[:min(12, len(a.Key))], a.Created.UTC().Format("2006-01-02 15:04:05"), a.Source, a.Status, a.User, printable(a.Cwd, 40), printable(a.Command, 60))
		if *full {
			tw.Flush()
			for _, l := range strings.Split(strings.TrimSuffix(a.Answer, "\n"), "\n") {
				fmt.Fprintf(stdout, "    | %s\n", printable(l, 400))
			}
		}
	}
	tw.Flush()
	fmt.Fprintf(stderr, "%d answers\n", len(as))
	return 0
}

func llmCacheRm(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("lure llm cache rm", flag.ContinueOnError)
	grep := fl.String("grep", "", "delete answers whose command contains `TEXT`")
	all := fl.Bool("all", false, "delete every cached answer")
	fl.Usage = func() {
		fmt.Fprint(stderr, `Usage: lure llm cache rm [--data-dir DIR | --config FILE] (KEY... | --grep TEXT | --all)

Deletes cached answers: by key (or a key prefix of at least 6 hex digits, as ls shows it),
by a substring of the command, or all of them. The next identical command asks the model
again. A running sensor also keeps recent answers in memory: restart it to stop serving
deleted ones at once.

Flags:
`)
		fl.PrintDefaults()
	}
	db, c, keys, code := openCache(ctx, fl, args, stderr)
	if code >= 0 {
		return code
	}
	defer db.Close()
	for _, k := range keys {
		if len(k) < 6 {
			fmt.Fprintf(stderr, "lure llm cache rm: key %q is too short: give at least 6 hex digits\n", k)
			return 2
		}
	}
	if len(keys) == 0 && *grep == "" && !*all {
		fmt.Fprintln(stderr, "lure llm cache rm: name keys, or give --grep TEXT or --all")
		return 2
	}
	n, err := c.Delete(ctx, store.LLMFilter{Keys: keys, Contains: *grep})
	if err != nil {
		fmt.Fprintf(stderr, "lure llm cache rm: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "deleted %d answers\n", n)
	return 0
}

func llmCacheEdit(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("lure llm cache edit", flag.ContinueOnError)
	status := fl.Int("status", -1, "exit `status` to report (default: derived from the text)")
	fl.Usage = func() {
		fmt.Fprint(stderr, `Usage: lure llm cache edit [--data-dir DIR | --config FILE] [--status N] KEY < ANSWER

Replaces the cached answer KEY (or a unique key prefix) with the text on stdin, so every
session gets the operator's answer from now on (after a restart for a running sensor).

Flags:
`)
		fl.PrintDefaults()
	}
	db, c, keys, code := openCache(ctx, fl, args, stderr)
	if code >= 0 {
		return code
	}
	defer db.Close()
	if len(keys) != 1 || len(keys[0]) < 6 {
		fmt.Fprintln(stderr, "lure llm cache edit: give exactly one key (at least 6 hex digits)")
		return 2
	}
	as, err := c.List(ctx, store.LLMFilter{Keys: keys, Limit: 2})
	if err != nil {
		fmt.Fprintf(stderr, "lure llm cache edit: %v\n", err)
		return 1
	}
	if len(as) != 1 {
		fmt.Fprintf(stderr, "lure llm cache edit: key %q selects %d answers; give more digits\n", keys[0], len(as))
		return 1
	}
	data, err := io.ReadAll(io.LimitReader(stdin, 1<<20))
	if err != nil {
		fmt.Fprintf(stderr, "lure llm cache edit: reading the answer from stdin: %v\n", err)
		return 1
	}
	a := as[0]
	a.Answer = strings.ReplaceAll(string(data), "\r\n", "\n")
	if a.Answer != "" && !strings.HasSuffix(a.Answer, "\n") {
		a.Answer += "\n"
	}
	a.Status = *status
	if a.Status < 0 {
		a.Status = llm.StatusOf(a.Answer)
	}
	a.Source = "operator"
	if err := c.Put(ctx, a); err != nil {
		fmt.Fprintf(stderr, "lure llm cache edit: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "replaced the answer to %s (%s)\n", printable(a.Command, 80), a.Key[:12])
	return 0
}
