package session

import (
	"bufio"
	"context"
	"io"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// maxScriptChunk bounds one statement read from a non-interactive shell's input.
const maxScriptChunk = 1 << 20

// Script runs a shell without a terminal (`ssh host < script`, `echo cmd | ssh host`):
// bash reads its commands from stdin, prints no prompt and no banner. Each complete
// statement runs as soon as it has been read, so a bot that waits for the output of one
// command before sending the next is served. It returns the last exit status.
func (s *Session) Script(ctx context.Context, stdin io.Reader, stdout, stderr io.Writer, env map[string]string) int {
	sh := s.NewShell(ShellOptions{Env: copyEnv(env)})
	br := bufio.NewReader(stdin)
	parser := syntax.NewParser(syntax.Variant(syntax.LangBash))
	status := 0
	var chunk strings.Builder
	for ctx.Err() == nil {
		line, err := br.ReadString('\n')
		chunk.WriteString(line)
		src := chunk.String()
		complete := err != nil || chunk.Len() > maxScriptChunk
		if !complete {
			_, perr := parser.Parse(strings.NewReader(src), "")
			complete = (perr == nil || !syntax.IsIncomplete(perr)) && !backslashContinues(strings.TrimSuffix(src, "\n"))
		}
		if complete && strings.TrimSpace(src) != "" {
			chunk.Reset()
			in := strings.TrimRight(src, "\n")
			at := s.cfg.Events.clock()
			status = sh.Run(ctx, src, br, stdout, stderr)
			s.commandInput(at, in, sh)
			if exited, st := sh.Exited(); exited {
				return st
			}
		} else if complete {
			chunk.Reset()
		}
		if err != nil {
			break
		}
	}
	return status
}
