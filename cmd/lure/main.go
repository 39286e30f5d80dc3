// Command lure is the deception sensor: an SSH honeypot with a virtual bash shell that records
// everything attackers do. `lure serve` runs it; the other subcommands are operator tools.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// subcommand is one `lure NAME` tool.
type subcommand struct {
	name, summary string
	run           func(ctx context.Context, args []string) int
}

func subcommands() []subcommand {
	return []subcommand{
		{"serve", "run the sensor (SSH honeypot) with the embedded defaults or --config FILE", runServe},
		{"persona", "capture a persona from a root filesystem, or show one (capture, info)", runPersona},
		{"replay", "play an asciicast recording of a session in the terminal", runReplay},
		{"bench", "measure an SSH server: handshakes/s, logins/s, command round trips (bench ssh)", runBench},
		{"decisions", "list, add or remove the IPS's bans in the data directory (ls, add, rm)", runDecisions},
		{"eval", "compare a target's command output with a reference server's (fidelity metrics)", runEval},
		{"dataset", "export fine-tuning data for LLaMA-Factory from the emulator and captured sessions (export)", runDataset},
		{"sessions", "list sessions, or show one with its commands and analysis (ls, show)", runSessions},
		{"llm", "test an LLM endpoint, list or purge the response cache (check, cache ls|rm|edit)", runLLM},
		{"version", "print the version", runVersion},
	}
}

func usage(w io.Writer) {
	fmt.Fprint(w, `lure - a deception sensor: an SSH honeypot with a virtual Debian shell

Usage:
  lure <command> [flags]

Commands:
`)
	for _, c := range subcommands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Run "lure <command> -h" for a command's flags. With no config file, "lure serve" listens for SSH
on 0.0.0.0:2222 with the embedded Debian 12 persona and keeps its data in ./lure-data.
`)
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stderr))
}

func run(ctx context.Context, args []string, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		usage(os.Stdout)
		return 0
	case "-version", "--version":
		return runVersion(ctx, nil)
	}
	for _, c := range subcommands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:])
		}
	}
	fmt.Fprintf(stderr, "lure: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}
