package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/lure-sensor/lure"
	"github.com/lure-sensor/lure/internal/config"
	"github.com/lure-sensor/lure/internal/eval"
	"github.com/lure-sensor/lure/internal/llm/dataset"
	"github.com/lure-sensor/lure/internal/persona"
)

// runDataset runs `lure dataset export`.
func runDataset(ctx context.Context, args []string) int {
	return datasetCommand(ctx, args, os.Stdout, os.Stderr)
}

const datasetUsage = `Usage:
  lure dataset export --format llamafactory|sharegpt|alpaca --out DIR [--data-dir DIR]
                      [--corpus FILE] [--persona FILE] [--max-sessions N] [--no-sessions]

Writes fine-tuning data for LLaMA-Factory: command/response pairs whose responses are the
emulator's own answers over the persona, each with the system prompt and the session context
(earlier commands and outputs) that lure's LLM responder sends.

  DIR/lure_emulator.jsonl   the corpus (default: the embedded testdata/corpus/attacker.txt),
                            each "# @group" run in order as one session
  DIR/lure_sessions.jsonl   the command lines of captured sessions in DATA_DIR/lure.db,
                            replayed through the emulator on a fresh copy of the persona
  DIR/dataset_info.json     LLaMA-Factory's registration of both (dataset names lure_emulator
                            and lure_sessions)

Lines the emulator cannot answer alone (they would go to the LLM) are left out: their answer
is no ground truth. Formats: llamafactory (OpenAI-style messages), sharegpt (conversations,
human/gpt), alpaca (instruction, output, system, history).
`

func datasetCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		if len(args) == 0 {
			fmt.Fprint(stderr, datasetUsage)
			return 2
		}
		fmt.Fprint(stdout, datasetUsage)
		return 0
	}
	if args[0] != "export" {
		fmt.Fprintf(stderr, "lure dataset: unknown subcommand %q (export)\n\n%s", args[0], datasetUsage)
		return 2
	}
	fs := flag.NewFlagSet("lure dataset export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", dataset.FormatLLaMAFactory, "llamafactory, sharegpt or alpaca")
	out := fs.String("out", "", "output `directory` (created if missing)")
	dataDir := fs.String("data-dir", config.Default().DataDir, "the sensor's data `directory`, for captured sessions")
	corpusPath := fs.String("corpus", "", "corpus `file` (lure eval's format); default: the embedded attacker corpus")
	personaPath := fs.String("persona", "default", `"default" or a persona `+"`file`")
	maxSessions := fs.Int("max-sessions", 10000, "take the newest `N` captured sessions at most")
	noSessions := fs.Bool("no-sessions", false, "leave captured sessions out")
	fs.Usage = func() {
		fmt.Fprint(stderr, datasetUsage+"\nFlags:\n")
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args[1:]); !ok {
		return code
	}
	fail := func(code int, f string, a ...any) int {
		fmt.Fprintf(stderr, "lure dataset export: "+f+"\n", a...)
		return code
	}
	if fs.NArg() > 0 {
		return fail(2, "unexpected argument %q", fs.Arg(0))
	}
	if *out == "" {
		return fail(2, "--out DIR is required")
	}
	if _, err := dataset.Info(*format, ""); err != nil {
		return fail(2, "--format: %v", err)
	}
	if *maxSessions < 1 {
		return fail(2, "--max-sessions must be at least 1")
	}
	dataDirSet := false
	fs.Visit(func(f *flag.Flag) { dataDirSet = dataDirSet || f.Name == "data-dir" })

	corpusText, corpusName := lure.AttackerCorpus, "embedded testdata/corpus/attacker.txt"
	if *corpusPath != "" {
		b, err := os.ReadFile(*corpusPath)
		if err != nil {
			return fail(1, "reading the corpus: %v", err)
		}
		corpusText, corpusName = string(b), *corpusPath
	}
	lines, err := eval.ParseCorpus(strings.NewReader(corpusText))
	if err != nil {
		return fail(1, "corpus %s: %v", corpusName, err)
	}
	var per *persona.Persona
	if *personaPath == "default" {
		per, err = persona.Default()
	} else {
		per, err = persona.Load(*personaPath)
	}
	if err != nil {
		return fail(1, "loading persona %q: %v", *personaPath, err)
	}

	var sessions []dataset.Script
	if !*noSessions {
		db, err := openData(*dataDir)
		switch {
		case err != nil && dataDirSet:
			return fail(1, "%v", err)
		case err != nil:
			fmt.Fprintf(stderr, "note: no captured sessions (%v); exporting the corpus only\n", err)
		default:
			sessions, err = dataset.SessionScripts(ctx, db, *maxSessions)
			db.Close()
			if err != nil {
				return fail(1, "reading captured sessions from %s: %v", *dataDir, err)
			}
		}
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return fail(1, "creating %s: %v", *out, err)
	}

	b := dataset.New(dataset.Options{Persona: per, KeepEmpty: true})
	files := map[string]string{}
	start := time.Now()
	total := dataset.Stats{}
	export := func(name, file string, scripts []dataset.Script) error {
		if len(scripts) == 0 {
			return nil
		}
		w, err := dataset.Create(filepath.Join(*out, file), *format)
		if err != nil {
			return err
		}
		nLines := 0
		for _, s := range scripts {
			nLines += len(s.Lines)
		}
		done := 0
		for i, s := range scripts {
			st, err := b.Run(ctx, s, w.Write)
			done += st.Lines
			total.Lines += st.Lines
			total.Records += st.Records
			total.NoTruth += st.NoTruth
			total.Empty += st.Empty
			if err != nil {
				w.Close()
				return fmt.Errorf("%s: %w", s.Name, err)
			}
			fmt.Fprintf(stderr, "[%s %d/%d] %-28s %4d lines, %4d records, %3d left out  (%d/%d lines, %s)\n",
				name, i+1, len(scripts), s.Name, st.Lines, st.Records, st.NoTruth+st.Empty, done, nLines, time.Since(start).Round(time.Millisecond))
		}
		if err := w.Close(); err != nil {
			return err
		}
		files[name] = file
		fmt.Fprintf(stdout, "%s: %d records in %s\n", name, w.Count(), filepath.Join(*out, file))
		return nil
	}
	if err := export("lure_emulator", "lure_emulator.jsonl", dataset.CorpusScripts(lines)); err != nil {
		if errors.Is(err, context.Canceled) {
			return fail(130, "interrupted")
		}
		return fail(1, "%v", err)
	}
	if err := export("lure_sessions", "lure_sessions.jsonl", sessions); err != nil {
		if errors.Is(err, context.Canceled) {
			return fail(130, "interrupted")
		}
		return fail(1, "%v", err)
	}
	if err := dataset.WriteInfo(*out, *format, files); err != nil {
		return fail(1, "writing dataset_info.json: %v", err)
	}
	fmt.Fprintf(stdout, "dataset_info.json: %s (format %s); %d lines run, %d records, %d left out without ground truth, in %s\n",
		filepath.Join(*out, "dataset_info.json"), *format, total.Lines, total.Records, total.NoTruth, time.Since(start).Round(time.Millisecond))
	return 0
}
