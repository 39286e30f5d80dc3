package awk

import (
	"strings"
)

const versionText = "mawk 1.3.4 20200120\nCopyright 2008-2019,2020, Thomas E. Dickey\nCopyright 1991-1996,2014, Michael D. Brennan\n\n"

const versionLimits = "random-funcs:       srandom/random\nregex-funcs:        internal\ncompiled limits:\nsprintf buffer      8192\nmaximum-integer     2147483647\n"

const usageText = `Usage: mawk [Options] [Program] [file ...]

Program:
    The -f option value is the name of a file containing program text.
    If no -f option is given, a "--" ends option processing; the following
    parameters are the program text.

Options:
    -f program-file  Program  text is read from file instead of from the
                     command-line.  Multiple -f options are accepted.
    -F value         sets the field separator, FS, to value.
    -v var=value     assigns value to program variable var.
    --               unambiguous end of options.

    Implementation-specific options are prefixed with "-W".  They can be
    abbreviated:

    -W version       show version information and exit.
    -W dump          show assembler-like listing of program and exit.
    -W help          show this message and exit.
    -W interactive   set unbuffered output, line-buffered input.
    -W exec file     use file as program as well as last option.
    -W random=number set initial random seed.
    -W sprintf=number adjust size of sprintf buffer.
    -W posix_space   do not consider "\n" a space.
    -W usage         show this message and exit.
`

var wOptions = []string{"VERSION", "DUMP", "HELP", "INTERACTIVE", "EXEC", "RANDOM", "SPRINTF", "POSIX_SPACE", "USAGE"}

// Main runs mawk with args (args[0] is the program name) and returns the exit status.
func Main(env *Env, args []string) (status int) {
	in := newInterp(env)
	defer func() {
		// An interpreter bug must not take the session down: end the way a crashing
		// program does (SIGSEGV). The fuzz target calls main directly to find such bugs.
		if r := recover(); r != nil {
			status = 139
		}
	}()
	return in.main(args)
}

type exitNow struct{ status int }

func (in *interp) main(args []string) (status int) {
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(exitNow)
			if !ok {
				panic(r)
			}
			status = e.status
		}
		if in.stdoutFailed {
			status = 141
		}
	}()
	if len(args) > 0 {
		in.argv0 = args[0]
	}
	if len(args) <= 1 {
		in.errWrite(usageText)
		return 0
	}
	var progFiles []string
	var assigns []string
	fs, haveFS := "", false
	i := 1
	for i < len(args) && strings.HasPrefix(args[i], "-") {
		a := args[i]
		if a == "-" {
			if progFiles == nil {
				return 0
			}
			break
		}
		if len(a) > 2 && strings.HasPrefix(a, "--") {
			in.errmsg("not an option: " + a)
			switch a {
			case "--lint", "--lint-old", "--posix", "--re-interval", "--traditional":
				i++
				continue
			}
			return 2
		}
		var optArg string
		next := i + 1
		if len(a) == 2 {
			if i == len(args)-1 && a[1] != '-' {
				if strings.IndexByte("WFvf", a[1]) >= 0 {
					in.errmsg("option " + a + " lacks argument")
					return 2
				}
				in.errmsg("not an option: " + a)
				return 2
			}
			if next < len(args) {
				optArg = args[next]
			}
			next = i + 2
		} else {
			optArg = a[2:]
		}
		switch a[1] {
		case 'W':
			if st, done := in.wOption(optArg, &i, &next, args, &progFiles); done {
				return st
			}
		case 'v':
			if !in.preAssign(optArg, &assigns) {
				in.errmsg("improper assignment: -v " + optArg)
				return 2
			}
		case 'F':
			fs, haveFS = rmEscape(optArg), true
		case '-':
			if len(a) != 2 {
				in.errmsg("not an option: " + a)
				return 2
			}
			i++
			goto noMoreOpts
		case 'f':
			progFiles = append(progFiles, optArg)
		default:
			in.errmsg("not an option: " + a)
			return 2
		}
		i = next
	}
noMoreOpts:
	var src string
	var operands []string
	if progFiles != nil {
		var b strings.Builder
		for _, f := range progFiles {
			var data []byte
			var err error
			if f == "-" || f == "/dev/stdin" {
				data, err = readAllCapped(in.env.Stdin)
			} else {
				data, err = in.env.ReadFile(f)
			}
			if err != nil {
				in.errmsg("cannot open " + f + " (" + in.errText(err) + ")")
				return 2
			}
			b.Write(data)
		}
		src = b.String()
		in.pfileName = progFiles[0]
		operands = args[i:]
	} else {
		if i >= len(args) {
			return 0
		}
		src = args[i]
		operands = args[i+1:]
	}
	if strings.TrimLeft(src, " \t\n\r\f\v") == "" || onlyComments(src) {
		return 0
	}
	prog, errs := parseProgram(src, nil)
	if len(errs) > 0 {
		for k, e := range errs {
			if k >= maxCompileErrors {
				break
			}
			if strings.HasPrefix(e.msg, "line ") && in.pfileName != "" {
				in.errmsg(in.pfileName + ": " + e.msg)
			} else {
				in.errmsg(e.msg)
			}
		}
		return 2
	}
	in.load(prog, args[0], operands)
	if haveFS {
		in.setSpecial(spFS, str(fs))
	}
	for _, a := range assigns {
		in.cmdlineAssign(a)
	}
	return in.run()
}

// onlyComments reports whether a program has nothing but blanks and comments.
func onlyComments(src string) bool {
	for _, line := range strings.Split(src, "\n") {
		t := strings.TrimLeft(line, " \t\r\f\v")
		if t != "" && !strings.HasPrefix(t, "#") {
			return false
		}
	}
	return true
}

func (in *interp) wOption(optArg string, i, next *int, args []string, progFiles *[]string) (int, bool) {
	j := 0
	for j < len(optArg) {
		for j < len(optArg) && optArg[j] == ',' {
			j++
		}
		if j >= len(optArg) {
			break
		}
		start := j
		for j < len(optArg) && optArg[j] != ',' && optArg[j] != '=' {
			j++
		}
		name := strings.ToUpper(optArg[start:j])
		match := ""
		for _, o := range wOptions {
			if strings.HasPrefix(o, name) {
				if match == "" {
					match = o
				}
			}
		}
		switch match {
		case "VERSION":
			in.flushStdout()
			in.outWrite(versionText)
			in.flushStdout()
			in.errWrite(versionLimits)
			return 0, true
		case "HELP", "USAGE":
			in.errWrite(usageText)
			return 0, true
		case "DUMP", "INTERACTIVE", "POSIX_SPACE":
		case "RANDOM", "SPRINTF":
			if j < len(optArg) && optArg[j] == '=' && j+1 < len(optArg) && optArg[j+1] != ',' && optArg[j+1] != '=' {
				val := optArg[j+1:]
				if k := strings.IndexByte(val, ','); k >= 0 {
					val = val[:k]
				}
				if match == "RANDOM" {
					f, _ := strtod(val)
					in.seedWith(num(float64(int32(f))))
				}
				j += 1 + len(val)
			} else {
				in.errmsg("missing value for -W " + strings.ToLower(match))
				return 2, true
			}
		case "EXEC":
			if *next >= len(args) && !(j < len(optArg) && optArg[j] == '=') {
				return 0, true
			}
			if j < len(optArg) && optArg[j] == '=' {
				*progFiles = append(*progFiles, optArg[j+1:])
				*next = *i + 1
			} else {
				*progFiles = append(*progFiles, args[*next])
				*next++
			}
			return 0, false
		default:
			in.errmsg("vacuous option: -W " + optArg[start:])
			j = len(optArg)
		}
	}
	return 0, false
}

// preAssign checks a -v assignment and keeps it for after the program is loaded.
func (in *interp) preAssign(s string, assigns *[]string) bool {
	if !isCmdlineAssign(s) {
		return false
	}
	*assigns = append(*assigns, s)
	return true
}

func isCmdlineAssign(s string) bool {
	if s == "" || !isIDStart(s[0]) {
		return false
	}
	k := 1
	for k < len(s) && (isIDStart(s[k]) || isDigit(s[k])) {
		k++
	}
	return k < len(s) && s[k] == '='
}
