package shell

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

var fuzzSeeds = []string{
	"echo hello | cat; x=$((1+2)); echo ${x:-y}",
	":(){ :|:& };:",
	"while true; do echo x; done",
	"yes | head -1",
	"x=a; while true; do x=$x$x; done",
	"for i in {1..5}; do echo $i; done > /tmp/f; cat /tmp/f",
	"a=(1 2 3); echo ${a[@]:1} ${#a[*]} ${!a[@]}",
	"declare -A m=([k]=v); echo ${m[k]} ${!m[@]}",
	"case $x in a|b) echo ab;; *) echo other;; esac",
	"f() { local v=$1; [[ $v == a* ]] && return 1; echo $v; }; f abc; f xyz",
	"read a b <<< 'x y'; printf '%s-%q\\n' \"$a\" \"$b\"",
	"cat <<EOF\n$HOME $(echo sub) `echo bq`\nEOF",
	"echo ${x/#a/b} ${x/%a/b} ${x@Q} ${x@U} ${x^^} ${x,,}",
	"set -euo pipefail; false | true",
	"trap 'echo bye' EXIT; exit 3",
	"exec 3>/tmp/x; echo hi >&3; exec 3>&-; cat /tmp/x",
	"echo $(( (1<<62) * 4 )) $(( -1 % 7 )) $(( 2 ** 63 ))",
	"eval 'eval \"echo deep\"'",
	"alias x='echo aliased'; x",
	"cd /tmp && pwd && cd - && cd ~nobody",
	"echo *; echo /*/*; shopt -s globstar; echo /**",
	"printf '%*.*d|%-10s|%b|%c\\n' 5 3 42 ab 'x\\ty' q",
	"getopts :ab: o -a -b; echo $o $OPTARG $OPTIND",
	"select x in a b; do echo $x; break; done <<< 1",
	"{ echo a; echo b >&2; } 2>&1 >/dev/null | cat",
	"echo $'\\x00\\u1234' $\"locale\"",
	"x=(a b c); unset 'x[1]'; x+=(d); declare -p x",
	"[[ a =~ ( ]] ; [ ( ] ; test -n",
	"echo ${!}",
	"echo ${@:1:2} ${*: -1}",
	"let x++ y=x**2; echo $x $y",
	"echo \"unterminated",
	"if then fi",
	"coproc cat; echo $?",
	"time sleep 0",
	"mapfile -t l < /etc/passwd; echo ${#l[@]}",
	"echo {a,b}{c,d}{1..3..2}",
	"echo ${#@} ${##} $#",
	"$(echo echo nested)",
	"`",
	"$((",
	"a[$((2**40))]=1; echo ${#a[@]}",
}

func FuzzRun(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, src string, interactive bool) {
		if len(src) > 4096 {
			return
		}
		s := newTestShell(t, testOpts{interactive: interactive, limits: Limits{Timeout: time.Second, MaxSteps: 5000, MaxOutput: 64 << 10, MaxVar: 1 << 20}})
		s.panicHook = func(p any) { t.Fatalf("panic running %q: %v", src, p) }
		done := make(chan struct{})
		var out, errb bytes.Buffer
		go func() {
			defer close(done)
			s.Run(context.Background(), src, strings.NewReader("input\n"), &out, &errb)
			s.Prompt()
			s.Complete(src, len(src))
		}()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Fatalf("%q did not finish within its limits", src)
		}
		if out.Len()+errb.Len() > 64<<10 {
			t.Fatalf("%q wrote %d bytes past the output cap", src, out.Len()+errb.Len())
		}
		// still usable
		out.Reset()
		errb.Reset()
		if !s.exited {
			s.Run(context.Background(), "echo ok", strings.NewReader(""), &out, &errb)
			if out.String() != "ok\n" && !s.exited {
				t.Fatalf("after %q the shell answered %q %q", src, out.String(), errb.String())
			}
		}
	})
}

func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 4096 {
			return
		}
		done := make(chan string, 1)
		step := make(chan string, 8)
		go func() {
			step <- "parse"
			_, err := parse(src, "")
			if err != nil {
				se := describeSyntaxError(err, src)
				if se.msg == "" || se.line < 1 {
					done <- fmt.Sprintf("empty bash message for %v", err)
					return
				}
			}
			s := newTestShell(t, testOpts{interactive: true})
			s.panicHook = func(p any) { done <- fmt.Sprintf("panic: %v", p) }
			step <- "needsmore"
			s.NeedsMore(src)
			s.r.setVarQuiet("PS1", src)
			step <- "prompt"
			_ = s.Prompt()
			step <- "completions"
			_ = fmt.Sprint(s.Completions(src, len(src)/2))
			done <- ""
		}()
		last := ""
		timeout := time.After(10 * time.Second)
		for {
			select {
			case last = <-step:
				continue
			case msg := <-done:
				if msg != "" {
					t.Fatalf("%q: %s", src, msg)
				}
				return
			case <-timeout:
				t.Fatalf("%q hung in %s", src, last)
			}
		}
	})
}
