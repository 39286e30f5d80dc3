package commands

import (
	"fmt"
	"strings"
)

// Option parsing as glibc's getopt_long does it (argument permutation, clustered short
// options, unique-prefix long options), with its exact diagnostics.

// argNone, argRequired and argOptional say whether a long option takes a value.
const (
	argNone = iota
	argRequired
	argOptional
)

// longOpt is one --name option. Key is what the parsed opt reports: by convention the
// equivalent short letter, or the long name itself.
type longOpt struct {
	Name string
	Arg  int
	Key  string
}

// optSpec describes a program's options. Short is getopt's optstring: "n:" takes a value,
// "n::" an optional attached one; a leading '+' stops at the first operand (POSIX order).
type optSpec struct {
	Short string
	Long  []longOpt
}

// opt is one parsed option, in command-line order.
type opt struct {
	Key    string
	Val    string
	HasVal bool
	Long   bool // given in --long form (some messages differ)
}

// optError is a usage error; Msg is getopt's text without the program name.
type optError struct{ Msg string }

func (e *optError) Error() string { return e.Msg }

// parseOpts parses args (without argv[0]). It returns the options in order and the operands.
func parseOpts(name string, args []string, spec optSpec) ([]opt, []string, *optError) {
	var opts []opt
	var operands []string
	short := spec.Short
	posix := strings.HasPrefix(short, "+")
	if posix {
		short = short[1:]
	}
	shortArg := func(ch byte) (int, bool) {
		i := strings.IndexByte(short, ch)
		if i < 0 || ch == ':' {
			return 0, false
		}
		if i+2 < len(short) && short[i+1] == ':' && short[i+2] == ':' {
			return argOptional, true
		}
		if i+1 < len(short) && short[i+1] == ':' {
			return argRequired, true
		}
		return argNone, true
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			operands = append(operands, args[i+1:]...)
			break
		}
		if strings.HasPrefix(a, "--") {
			body := a[2:]
			nm, val, hasVal := strings.Cut(body, "=")
			var match *longOpt
			var cands []*longOpt
			for j := range spec.Long {
				l := &spec.Long[j]
				if l.Name == nm {
					match = l
					cands = nil
					break
				}
				if strings.HasPrefix(l.Name, nm) {
					cands = append(cands, l)
				}
			}
			if match == nil {
				if len(cands) == 0 {
					return nil, nil, &optError{fmt.Sprintf("unrecognized option '%s'", a)}
				}
				// Candidates that share key and arg kind are one option spelled two ways.
				same := true
				for _, c := range cands[1:] {
					if c.Key != cands[0].Key || c.Arg != cands[0].Arg {
						same = false
					}
				}
				if !same {
					var b strings.Builder
					fmt.Fprintf(&b, "option '--%s' is ambiguous; possibilities:", nm)
					for _, c := range cands {
						fmt.Fprintf(&b, " '--%s'", c.Name)
					}
					return nil, nil, &optError{b.String()}
				}
				match = cands[0]
			}
			o := opt{Key: match.Key, Long: true}
			switch match.Arg {
			case argNone:
				if hasVal {
					return nil, nil, &optError{fmt.Sprintf("option '--%s' doesn't allow an argument", match.Name)}
				}
			case argRequired:
				if hasVal {
					o.Val, o.HasVal = val, true
				} else if i+1 < len(args) {
					i++
					o.Val, o.HasVal = args[i], true
				} else {
					return nil, nil, &optError{fmt.Sprintf("option '--%s' requires an argument", match.Name)}
				}
			case argOptional:
				if hasVal {
					o.Val, o.HasVal = val, true
				}
			}
			opts = append(opts, o)
			continue
		}
		if len(a) > 1 && a[0] == '-' {
			for k := 1; k < len(a); k++ {
				ch := a[k]
				kind, ok := shortArg(ch)
				if !ok {
					return nil, nil, &optError{fmt.Sprintf("invalid option -- '%c'", ch)}
				}
				o := opt{Key: string(ch)}
				if kind == argRequired {
					if k+1 < len(a) {
						o.Val, o.HasVal = a[k+1:], true
					} else if i+1 < len(args) {
						i++
						o.Val, o.HasVal = args[i], true
					} else {
						return nil, nil, &optError{fmt.Sprintf("option requires an argument -- '%c'", ch)}
					}
					opts = append(opts, o)
					break
				}
				if kind == argOptional {
					if k+1 < len(a) {
						o.Val, o.HasVal = a[k+1:], true
					}
					opts = append(opts, o)
					break
				}
				opts = append(opts, o)
			}
			continue
		}
		operands = append(operands, a)
		if posix {
			operands = append(operands, args[i+1:]...)
			break
		}
	}
	return opts, operands, nil
}

// parse runs parseOpts for c; on a usage error it prints getopt's message and the --help
// hint and returns ok=false with the status to exit with.
func (c *cmd) parse(spec optSpec, badStatus int) ([]opt, []string, bool, int) {
	opts, ops, err := parseOpts(c.name, c.Args[1:], spec)
	if err != nil {
		c.errorf("%s", err.Msg)
		return nil, nil, false, c.tryHelp(badStatus)
	}
	return opts, ops, true, 0
}

// has reports whether opts contain key.
func hasOpt(opts []opt, key string) bool {
	for _, o := range opts {
		if o.Key == key {
			return true
		}
	}
	return false
}
