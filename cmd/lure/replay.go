package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/lure-sensor/lure/internal/asciicast"
)

// runReplay runs `lure replay [--speed X] [--max-wait D] FILE` (args are the words after
// "replay") and returns the process exit status. It plays an asciicast v2 recording from
// DATA_DIR/tty to standard output with its original timing.
func runReplay(ctx context.Context, args []string) int {
	return replayCommand(ctx, args, os.Stdout, os.Stderr)
}

func replayCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("lure replay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	speed := fs.Float64("speed", 1, "playback speed: 2 plays twice as fast, 0.5 half as fast")
	maxWait := fs.Duration("max-wait", 0, "cap every pause at this long (e.g. 2s); 0 keeps the recorded pauses")
	fs.Usage = func() {
		fmt.Fprintf(stderr, `Usage: lure replay [--speed X] [--max-wait D] FILE

Play a recorded session (asciicast v2, as lure writes them to DATA_DIR/tty/) on this
terminal, with the timing of the original session. Only what the attacker saw is shown;
what they typed is in the recording too ("i" events) and visible through the echo.
The same files play in asciinema: asciinema play FILE.

Options:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	if *speed <= 0 {
		fmt.Fprintf(stderr, "lure replay: --speed must be greater than 0 (got %v)\n", *speed)
		return 2
	}
	if *maxWait < 0 {
		fmt.Fprintf(stderr, "lure replay: --max-wait must not be negative (got %v)\n", *maxWait)
		return 2
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		fmt.Fprintf(stderr, "lure replay: %v\n", err)
		return 1
	}
	defer f.Close()
	err = asciicast.Play(ctx, f, stdout, asciicast.PlayOptions{Speed: *speed, MaxWait: *maxWait})
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return 130
		}
		fmt.Fprintf(stderr, "lure replay: %s: %v\n", fs.Arg(0), err)
		return 1
	}
	return 0
}
