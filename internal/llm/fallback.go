package llm

import (
	"path"
	"strings"

	"github.com/lure-sensor/lure/internal/persona"
)

// Fallback is the deterministic answer when no model answers (off, limited, failed or out
// of character). It keeps to what a real program plausibly prints without knowing it: its
// version from the persona's package database for --version, a usage line for --help, an
// interactive program's refusal without a terminal, and otherwise nothing with success, as
// many daemons and tools do. The same question always gets the same answer.
func Fallback(per *persona.Persona, args []string, construct bool) (out string, status int) {
	if construct || len(args) == 0 {
		return "", 0
	}
	prog := path.Base(args[0])
	for _, a := range args[1:] {
		switch a {
		case "--version", "-V", "-version", "version":
			v := packageVersion(per, prog)
			if v == "" {
				return prog + ": unrecognized option '" + a + "'\n", 1
			}
			return prog + " " + v + "\n", 0
		case "--help", "-h", "-help", "help":
			return "Usage: " + prog + " [OPTION]... [ARG]...\n", 0
		}
	}
	return "", 0
}

// packageVersion is the upstream version of the package named like the program (epoch and
// Debian revision removed), or "".
func packageVersion(per *persona.Persona, prog string) string {
	if per == nil {
		return ""
	}
	for _, name := range []string{prog, strings.TrimRight(prog, "0123456789.-"), prog + "-client", prog + "-server"} {
		if p, ok := per.LookupPackage(name); ok && p.Version != "" {
			v := p.Version
			if i := strings.IndexByte(v, ':'); i >= 0 {
				v = v[i+1:]
			}
			if i := strings.LastIndexByte(v, '-'); i > 0 {
				v = v[:i]
			}
			return v
		}
	}
	return ""
}

// StatusOf derives the exit status of a model's answer, which carries none: 127 for
// "command not found", 2 for a usage error, 1 for another error message on the first
// line, else 0. It is deterministic, so a cached answer always ends the same way.
func StatusOf(answer string) int {
	first, _, _ := strings.Cut(answer, "\n")
	low := strings.ToLower(first)
	switch {
	case strings.Contains(low, "command not found"):
		return 127
	case strings.Contains(low, "invalid option") || strings.Contains(low, "unrecognized option") ||
		strings.Contains(low, "unknown option"):
		return 2
	case strings.Contains(low, "no such file or directory") || strings.Contains(low, "permission denied") ||
		strings.HasPrefix(low, "error") || strings.Contains(low, ": error") || strings.Contains(low, "failed") ||
		strings.Contains(low, "cannot ") || strings.Contains(low, "could not") || strings.Contains(low, "not found"):
		return 1
	}
	return 0
}
