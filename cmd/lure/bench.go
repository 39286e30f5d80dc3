package main

import (
	"context"
	"os"

	"github.com/lure-sensor/lure/internal/bench"
)

// runBench runs `lure bench ...` (args are the words after "bench", e.g. "ssh", "--target", ...)
// and returns the process exit status. The load generator lives in internal/bench; this is only
// the glue to the process's standard streams.
func runBench(ctx context.Context, args []string) int {
	return bench.Command(ctx, args, os.Stdout, os.Stderr)
}
