package analyst

import (
	"path"
	"regexp"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// wrappers run the program named after their options: the analyst looks through them.
var wrappers = map[string]bool{"sudo": true, "busybox": true, "nohup": true, "env": true, "exec": true,
	"time": true, "xargs": true, "watch": true, "command": true, "nice": true, "timeout": true, "setsid": true}

// maxNesting bounds how deep `sh -c '...'` strings are looked into.
const maxNesting = 3

// simpleCommands returns the argument lists of every simple command in a line, through
// pipes, lists, subshells, command substitutions and `sh -c` strings, with wrappers such as
// sudo and busybox removed and the program's directory dropped ("/bin/busybox wget" gives
// ["wget"]). A word that is not a plain literal is "". A line bash cannot parse (bots send
// broken ones) is split on its separators instead.
func simpleCommands(line string) [][]string {
	var out [][]string
	collect(line, 0, &out)
	return out
}

var separators = regexp.MustCompile("[;&|()`\n]+|\\$\\(")

func collect(line string, depth int, out *[][]string) {
	f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(line), "")
	if err != nil {
		for _, seg := range separators.Split(line, -1) {
			add(strings.Fields(seg), depth, out)
		}
		return
	}
	syntax.Walk(f, func(n syntax.Node) bool {
		if ce, ok := n.(*syntax.CallExpr); ok {
			words := make([]string, len(ce.Args))
			for i, w := range ce.Args {
				words[i] = literal(w)
			}
			add(words, depth, out)
		}
		return true
	})
}

// literal is a word's text with quotes removed, or "" when it holds expansions.
func literal(w *syntax.Word) string {
	var b strings.Builder
	for _, p := range w.Parts {
		switch x := p.(type) {
		case *syntax.Lit:
			b.WriteString(x.Value)
		case *syntax.SglQuoted:
			b.WriteString(x.Value)
		case *syntax.DblQuoted:
			for _, q := range x.Parts {
				l, ok := q.(*syntax.Lit)
				if !ok {
					return ""
				}
				b.WriteString(l.Value)
			}
		default:
			return ""
		}
	}
	return b.String()
}

// add strips wrappers from one argument list and records it, looking into `sh -c` strings.
func add(words []string, depth int, out *[][]string) {
	for len(words) > 0 {
		name := path.Base(words[0])
		if !wrappers[name] {
			break
		}
		words = words[1:]
		for len(words) > 0 && (strings.HasPrefix(words[0], "-") || strings.Contains(words[0], "=") || (name == "timeout" && isNumber(words[0]))) {
			words = words[1:]
		}
	}
	if len(words) == 0 || words[0] == "" {
		return
	}
	words = append([]string{path.Base(words[0])}, words[1:]...)
	*out = append(*out, words)
	if depth < maxNesting && (words[0] == "sh" || words[0] == "bash" || words[0] == "dash") {
		for i := 1; i+1 < len(words); i++ {
			if words[i] == "-c" {
				collect(words[i+1], depth+1, out)
				break
			}
		}
	}
}

func isNumber(s string) bool {
	return s != "" && strings.Trim(s, "0123456789.smhd") == ""
}

// commandNames is the set of programs a line runs.
func commandNames(line string) map[string]bool {
	names := map[string]bool{}
	for _, c := range simpleCommands(line) {
		names[c[0]] = true
	}
	return names
}

// passwdTargets returns the accounts `passwd` changes in a line ("" for the caller's own).
func passwdTargets(line string, progs map[string]bool) []string {
	if !progs["passwd"] {
		return nil
	}
	var out []string
	for _, c := range simpleCommands(line) {
		if c[0] != "passwd" {
			continue
		}
		target := ""
		for _, a := range c[1:] {
			if a != "" && !strings.HasPrefix(a, "-") {
				target = a
				break
			}
		}
		out = append(out, target)
	}
	return out
}
