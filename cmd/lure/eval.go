package main

import (
	"context"
	"os"

	"github.com/lure-sensor/lure/internal/eval"
)

// runEval runs `lure eval ...` (args are the words after "eval") and returns the process exit
// status. The metrics, the runner and the report live in internal/eval; this is only the glue to
// the process's standard streams.
func runEval(ctx context.Context, args []string) int {
	return eval.Command(ctx, args, os.Stdout, os.Stderr)
}
