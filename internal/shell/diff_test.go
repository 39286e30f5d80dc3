package shell

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// diffScripts use only builtins and shell constructs, so the host's bash and lure must
// agree byte for byte on stdout, stderr and the exit status.
var diffScripts = []string{
	// echo and quoting
	`echo hello world`,
	`echo -n abc; echo`,
	`echo -e 'a\tb\nc'`,
	`echo -E 'a\tb'`,
	`echo -ne 'x\x41\0101\n'`,
	`echo -e 'stop\cnot shown'; echo after`,
	`echo -en; echo -`,
	`echo "a  b"   c`,
	`echo 'single $x' "double $x" \$x`,
	`x='a b  c'; echo $x; echo "$x"`,
	`echo $'tab\there' $'\x41\u00e9'`,
	`echo ~root ~nosuchuser ~nosuchuser/x`,
	// variables and parameters
	`x=1; y=$x$x; echo $y ${#y}`,
	`unset x; echo "[${x:-def}] [${x-def2}] [${x:+alt}]"; x=; echo "[${x:-def}] [${x-def2}] [${x:+alt}]"`,
	`echo ${x:=assigned}; echo $x`,
	`s=hello.tar.gz; echo ${s%.*} ${s%%.*} ${s#*.} ${s##*.} ${s/l/L} ${s//l/L} ${s^^} ${s:1:3} ${s: -2}`,
	`a=(one two three); echo ${a[1]} ${#a[@]} ${a[@]} "${a[*]}" ${!a[@]}`,
	`a=(1 2 3); a+=(4); a[7]=x; echo ${#a[@]} ${!a[@]} ${a[-1]}`,
	`declare -A m; m[k]=v; m[x]=y; echo ${m[k]} ${#m[@]}`,
	`set -- a b c; echo $# $1 $3 "$@"; shift; echo $# $*`,
	`f() { echo $# "$1" "$2"; }; f "a b" c`,
	`f() { local x=inner; echo $x; }; x=outer; f; echo $x`,
	`f() { x=changed; }; x=orig; f; echo $x`,
	`f() { local x; x=in; g; }; g() { echo g sees $x; }; x=global; f; echo $x`,
	`x=global; f() { echo $x; }; x=temp f; echo $x`,
	`readonly r=1; r=2; echo $? $r`,
	`declare -i n=3+4; echo $n; n+=1; echo $n`,
	`declare -l lo=ABC; declare -u up=abc; echo $lo $up`,
	`x=5; declare -p x; declare -a arr=(a "b c"); declare -p arr`,
	`export E=1; declare -p E`,
	`echo ${#}`,
	`IFS=:; x=a:b:c; for i in $x; do echo $i; done`,
	`IFS=, read a b c <<< "1,2,3,4"; echo $a $b $c`,
	// arithmetic
	`echo $((1+2*3)) $((10/3)) $((10%3)) $((2**10)) $((-7/2)) $((1<<4)) $((0x1f)) $((010)) $((2#101))`,
	`x=5; ((x++)); ((x+=2)); echo $x $((x>3 ? 1 : 0))`,
	`echo $((1/0)); echo after`,
	`echo $(( 5 / 0 + 1 ))`,
	`x=0; echo $((10%x))`,
	`echo $((1 + a b))`,
	`echo $(( 2 3 )) ok; echo next`,
	`(( 1 + + )); echo $?`,
	`echo $((2**-1))`,
	`echo $((09))`,
	`x="1+2"; echo $((x*2))`,
	`x=x; echo $((x))`,
	`let a=5 b=a*2; echo $a $b; let c=0; echo $?`,
	`((0)); echo $?; ((5)); echo $?`,
	`let x=1/0; echo $?`,
	`i=0; while ((i<3)); do echo $i; ((i++)); done`,
	`for ((i=0;i<3;i++)); do echo c$i; done`,
	`echo $[3*4]`,
	`a=(1 2 3); echo $((a[1]+a[2]))`,
	// control flow
	`if true; then echo yes; else echo no; fi`,
	`if false; then echo 1; elif true; then echo 2; else echo 3; fi`,
	`if false; then echo 1; fi; echo $?`,
	`for i in a b; do for j in 1 2; do echo $i$j; done; done`,
	`for i in 1 2 3 4; do if [ $i = 3 ]; then break; fi; echo $i; done`,
	`for i in 1 2 3; do for j in 1 2 3; do if [ $j = 2 ]; then continue 2; fi; echo $i$j; done; done`,
	`for i in 1 2 3; do for j in 1 2; do break 2; done; echo no; done; echo out`,
	`n=0; until [ $n -ge 3 ]; do n=$((n+1)); done; echo $n`,
	`case abc in a*) echo starts-a;; *) echo other;; esac`,
	`case x in y) echo y;; x|z) echo xz;& w) echo fell;; esac`,
	`case foo in f*) echo one;;& *o) echo two;; esac`,
	`x=hello; case $x in h?llo) echo match;; esac`,
	`break`,
	`continue 2`,
	`return`,
	`true && echo and; false || echo or; false && echo no; echo $?`,
	`! true; echo $?; ! false; echo $?`,
	`true | false; echo $?; false | true; echo $?`,
	`set -o pipefail; false | true; echo $?`,
	`f() { return 3; }; f; echo $?`,
	`f() { echo a; return; echo b; }; f`,
	`function g { echo g; }; g`,
	`f() { echo "$FUNCNAME"; }; f`,
	`set -e; true; false; echo notreached`,
	`set -e; false || true; echo reached`,
	`set -u; echo $undefined_var; echo after`,
	`echo ${x?custom message}`,
	`echo ${x:?}`,
	`exit 3; echo no`,
	`(exit 4); echo $?`,
	`(echo sub; exit 1); echo $?`,
	`x=1; (x=2; echo $x); echo $x`,
	`{ echo a; echo b; } | cat`,
	`echo $(echo nested $(echo deep))`,
	"echo `echo back`",
	`x=$(printf 'a\n\n\n'); echo "[$x]"`,
	`x=$(exit 3); echo $?`,
	`echo $BASH_SUBSHELL $(echo $BASH_SUBSHELL)`,
	`exit abc`,
	`exit 300`,
	`logout`,
	// test and [[
	`[ 1 -eq 1 ] && echo eq; [ a = b ]; echo $?`,
	`[ a`,
	`[ 1 -eq a ]`,
	`test a b c`,
	`[ a = ]`,
	`[ -z "" ] && echo empty; [ -n "x" ] && echo nonempty`,
	`test; echo $?; [ ]; echo $?; [ x ]; echo $?`,
	`[ ! -z x ]; echo $?`,
	`[ 1 -lt 2 -a 3 -gt 2 ]; echo $?; [ 1 -gt 2 -o 3 -gt 2 ]; echo $?`,
	`[ \( 1 -eq 1 \) ]; echo $?`,
	`[[ abc == a* ]] && echo glob; [[ abc == "a*" ]] || echo literal`,
	`[[ abc =~ ^a(b)c$ ]] && echo ${BASH_REMATCH[0]} ${BASH_REMATCH[1]}`,
	`[[ 3+4 -eq 7 ]] && echo arith`,
	`[[ a < b ]] && echo less`,
	`[[ -n x && ! -z x ]] && echo both`,
	`[[ 1 -eq 1a ]]`,
	`[ 08 -eq 8 ] && echo ok`,
	// printf
	`printf '%s-%d\n' a 1 b 2 c`,
	`printf '%5.2f|%-5s|%05d|%x|%X|%o\n' 3.14159 ab 42 255 255 8`,
	`printf '%c%c\n' hello world`,
	`printf '%b\n' 'a\tb'`,
	`printf '%d\n' 5a`,
	`printf '%d\n' "'A"`,
	`printf '%q\n' 'a b' "it's" ''`,
	`printf -v v '%s+%s' x y; echo $v`,
	`printf '%.3s|%10.4s|\n' abcdef abcdefgh`,
	`printf '%*d|%-*d|\n' 5 1 4 2`,
	`printf`,
	`printf '%z\n'`,
	`printf '%s %d\n' a`,
	`printf '%i %u\n' -1 -1`,
	`printf 'no newline'`,
	`printf '%#x %#o %+d % d\n' 255 8 5 5`,
	`printf '%e %g %G\n' 1234.5 0.0001 0.000001234`,
	// read
	`read a b <<< "one two three"; echo "$a|$b"`,
	`read -r line <<< 'back\slash'; echo "$line"`,
	`read line <<< 'back\slash'; echo "$line"`,
	`read -a arr <<< "x y z"; echo ${arr[2]} ${#arr[@]}`,
	`printf 'l1\nl2\n' | while read l; do echo "got $l"; done`,
	`read x < /dev/null; echo $?`,
	`read -n 2 c <<< "abcdef"; echo $c`,
	`echo "a b" | { read x y; echo $y; }`,
	// here-docs and redirections
	"cat_() { while read -r l; do echo \"$l\"; done; }; x=v; cat_ <<EOF\nval $x\nEOF",
	"while read -r l; do echo \"[$l]\"; done <<'EOF'\nno $expansion\nEOF",
	"while read -r l; do echo \"[$l]\"; done <<-EOF\n\tindented\n\tEOF",
	`echo out 2>&1`,
	`{ echo to-stderr >&2; } 2>&1`,
	`echo x >&3`,
	`echo x > /`,
	`echo x > /nonexistent/dir/file`,
	`read x < /nonexistent; echo $?`,
	`echo gone > /dev/null; echo $?`,
	`echo err >&2`,
	`{ echo a; echo b >&2; } 2>/dev/null`,
	// functions and misc builtins
	`f() { echo "$@"; }; f 1 "2 3" 4`,
	`f() { f2() { echo inner; }; }; f; f2`,
	`type cd; type if; type nosuch`,
	`type -t cd; type -t if; type -t f; f() { :; }; type -t f`,
	`command -v cd; command -v if; command -v nosuch; echo $?`,
	`f() { echo hi; }; type f`,
	`f() { echo hi; if true; then echo a; fi; for i in 1 2; do echo $i; done; }; declare -f f`,
	`hash`,
	`alias`,
	`alias x=y; alias x; unalias x; alias x`,
	`unalias nosuch`,
	`eval 'echo evaluated; x=7'; echo $x`,
	`eval "echo )"`,
	`source`,
	`source /nonexistent`,
	`shift 5; echo $?`,
	`local x`,
	`cd a b`,
	`cd /nonexistent-dir`,
	`set -- x y; echo $@; set --; echo $#`,
	`set -o | head -3`,
	`umask; umask -S; umask 077; umask`,
	`getopts ab: opt -a; echo $opt`,
	`while getopts "ab:c" o -a -b val -c; do echo "$o ${OPTARG:-}"; done`,
	`kill -l | head -2`,
	`kill -9 999999`,
	`kill -ZZ 1`,
	`trap 'echo trapped' EXIT; echo body`,
	`trap 'echo t' INT; trap`,
	`builtin echo via-builtin; builtin nosuch`,
	`enable -n echo; type echo; enable echo; type echo`,
	`shopt -s nullglob; shopt nullglob; shopt -u nullglob; shopt nullglob; echo $?`,
	`shopt -q extglob; echo $?`,
	`shopt nosuchopt`,
	`unset -v nosuch; echo $?`,
	`x=1; unset x; echo ${x-unset}`,
	`a=(1 2 3); unset 'a[1]'; echo ${a[@]} ${!a[@]}`,
	`mapfile -t lines <<< $'a\nb\nc'; echo ${#lines[@]} ${lines[1]}`,
	`echo {a,b}{1,2} x{1..3} {3..1} {a..c} {01..03}`,
	`echo {a,b`,
	`x=; echo ${x:-a}{1,2}`,
	`foo_not_a_cmd`,
	`foo_not_a_cmd; echo $?`,
	`./nonexistent`,
	`/nonexistent/cmd`,
	`x=1 y=$(exit 3); echo $?`,
	`z=$(exit 4) true; echo $?`,
	`echo $((x=4)) $x`,
	`: ${y:=5}; echo $y`,
	`echo "${undefined[@]}" end`,
	`a=(); echo ${#a[@]} "${a[@]}" end`,
	`printf '%s\n' "${arr[@]:-empty}"`,
	`s=abcdef; echo ${s:2} ${s:(-3):2} ${#s}`,
	`x=aaa; echo ${x/a/b} ${x//a/b} ${x/#a/b} ${x/%a/b}`,
	`words="a b c"; set -- $words; echo $2`,
	`echo "$(echo "quoted $(echo inner)")"`,
	`n=3; echo $(( n > 2 )) $(( n == 3 && 1 ))`,
	`echo $(( 3 > 2 ? 10 : 20 ))`,
	`echo ${x@Q}; x="a'b"; echo ${x@Q}`,
	`echo $((16#ff)) $((64#@))`,
	`i=5; echo $((i++ + ++i)) $i`,
	`echo */ 2>&1 | head -1 > /dev/null; echo done`,
	`declare -F`,
	`f() { :; }; declare -F`,
	`readonly ro=1; unset ro`,
	`x=(a b); x=c; echo ${x[@]}`,
	`set -x; echo traced; set +x; echo untraced`,
	`echo a; echo )`,
	`if true; then echo x`,
	`echo "unterminated`,
	`echo ${unterminated`,
	`fi`,
	`done`,
	`echo a; ;`,
	`echo |`,
	`&& echo`,
	`case x in`,
	`echo <`,
	"echo a\necho b; fi",
	"echo a\nif true; then\necho \"abc\n",
	`f() { foo_missing; }; f`,
	`eval foo_missing2`,
	"while read l; do echo $l; done <<EOF\nabc",
	"while read l; do echo $l; done <<EOF\nabc\ndef\n",
	"echo start\nwhile read l; do echo $l; done <<END",
}

// hostBash runs a script with the host's bash, in an empty temp dir, as `bash -c`.
func hostBash(t *testing.T, dir, script string) (string, string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "/bin/bash", "-c", script)
	cmd.Args[0] = "bash"
	cmd.Dir = dir
	cmd.Env = []string{"HOME=" + dir, "PATH=/usr/bin:/bin", "LC_ALL=C.UTF-8", "USER=root", "TERM=dumb"}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.Stdin = strings.NewReader("")
	err := cmd.Run()
	st := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		st = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("host bash: %v", err)
	}
	return out.String(), errb.String(), st
}

func hostBashVersionOK() bool {
	out, err := exec.Command("/bin/bash", "-c", "echo $BASH_VERSION").Output()
	return err == nil && strings.HasPrefix(string(out), "5.2.")
}

func TestDifferentialBash(t *testing.T) {
	if !hostBashVersionOK() {
		t.Skip("the host has no bash 5.2 to compare with")
	}
	for _, script := range diffScripts {
		t.Run(script, func(t *testing.T) {
			dir := t.TempDir()
			wantOut, wantErr, wantSt := hostBash(t, dir, script)
			s := newTestShell(t, testOpts{})
			gotOut, gotErr, gotSt := run(t, s, script)
			if gotOut != wantOut || gotErr != wantErr || gotSt != wantSt {
				t.Errorf("script %q\nbash: out=%q err=%q status=%d\nlure: out=%q err=%q status=%d",
					script, wantOut, wantErr, wantSt, gotOut, gotErr, gotSt)
			}
		})
	}
}

func TestMain(m *testing.M) {
	os.Exit(m.Run())
}

// diffScripts2 widen the comparison: expansions, IFS, arrays, patterns, arithmetic.
var diffScripts2 = []string{
	`set -- "a b" c; for x in "$@"; do echo "[$x]"; done; for x in "$*"; do echo "[$x]"; done; for x in $*; do echo "[$x]"; done`,
	`IFS=-; set -- a b c; echo "$*"; echo $*`,
	`IFS=; x="a b"; for w in $x; do echo "[$w]"; done`,
	`x="  lead  trail  "; echo "[$x]" [$x]`,
	`IFS=: read -r a b c <<< "x:y:z:w"; echo "$a|$b|$c"`,
	`read -r a <<< "  spaced  "; echo "[$a]"; IFS= read -r b <<< "  spaced  "; echo "[$b]"`,
	`while IFS= read -r l; do echo "[$l]"; done <<< $'a\n\nb'`,
	`arr=(x y z); for i in "${!arr[@]}"; do echo "$i=${arr[i]}"; done`,
	`arr=(a b c d e); echo "${arr[@]:1:2}" "${arr[@]: -2}"`,
	`arr=(one two); arr[5]=six; echo "${#arr[@]} ${!arr[*]}"; declare -p arr`,
	`a=(x y); b=("${a[@]}" z); echo ${#b[@]} ${b[2]}`,
	`a=("x y" z); printf '[%s]\n' "${a[@]}"; printf '[%s]\n' ${a[@]}`,
	`s="Hello World"; echo ${s,,} ${s^^} ${s,} ${s^}`,
	`s=abcabc; echo ${s#*b} ${s##*b} ${s%b*} ${s%%b*}`,
	`p=/usr/local/bin/tool.tar.gz; echo ${p##*/} ${p%/*} ${p##*.} ${p%%.*}`,
	`v1=a; v2=b; echo ${!v*}; for n in ${!v@}; do echo $n; done`,
	`ref=target; target=value; echo ${!ref}`,
	`x=5; echo ${x:-1} ${x:+set} ${y:-unset} ${y:+no}`,
	`echo ${#HOME} > /dev/null; x=hello; echo ${#x} ${x:1} ${x::2} ${x:(-2)}`,
	`case "a.txt" in *.txt) echo txt;; *.sh) echo sh;; esac`,
	`case Z in [a-z]) echo lower;; [A-Z]) echo upper;; esac`,
	`case 5 in [[:digit:]]) echo digit;; esac`,
	"shopt -s extglob\ncase foo.c in @(*.c|*.h)) echo src;; esac; x=aaa; echo ${x//+(a)/b}",
	`[[ foo =~ ^f(o+)$ ]] && echo ${#BASH_REMATCH[@]} ${BASH_REMATCH[1]}`,
	`[[ "a b" == "a b" ]] && echo eq; [[ x != y ]] && echo ne`,
	`[[ -z "" && -n a ]] && echo ok; [[ ! 1 -gt 2 ]] && echo not`,
	`[[ 10 -gt 9 ]] && echo num; [[ 10 > 9 ]] || echo lexical`,
	`echo $(( 7 & 3 )) $(( 7 | 8 )) $(( 7 ^ 2 )) $(( ~0 )) $(( !0 )) $(( 1, 2 ))`,
	`x=10; (( x -= 3, x *= 2 )); echo $x; (( x /= 4 )); echo $x; (( x %= 2 )); echo $x`,
	`x=3; y=$(( x << 2 | 1 )); echo $y $(( y >> 1 ))`,
	`echo $(( 10 > 5 && 3 < 1 )) $(( 0 || 5 )) $(( 2 == 2 ))`,
	`i=0; echo $(( i++ )) $i $(( ++i )) $i $(( i-- )) $(( --i ))`,
	`echo $(( -2 ** 2 )) $(( 2 ** 3 ** 2 )) $(( 9223372036854775807 + 1 ))`,
	`x=010; echo $(( x + 1 )) $(( 10#$x + 1 ))`,
	`echo $((0x10 + 0X10 + 8#17 + 36#z))`,
	`a=(3 4); echo $(( a[0] * a[1] )); (( a[1]++ )); echo ${a[1]}`,
	`n=5; f=1; while (( n > 1 )); do (( f *= n-- )); done; echo $f`,
	`echo {1..10..3} {z..w} {a..e..2} {-2..2}`,
	`echo pre{A,B}post {x,{y,z}}`,
	`echo {1,2}{a,b} {,x}y`,
	`printf '%s|' {01..5}; echo`,
	`f() { echo "$#:$*"; shift 2; echo "$#:$*"; }; f a b c d`,
	`f() { local -a arr=(1 2); echo ${arr[1]}; }; f; echo "[${arr[1]}]"`,
	`f() { declare g=local; }; f; echo "[${g}]"; h() { declare -g g2=global; }; h; echo $g2`,
	`outer() { local v=o; inner; echo $v; }; inner() { v=changed; }; outer`,
	`f() { return 7; }; if f; then echo yes; else echo "no $?"; fi`,
	`f() { echo start; false; echo end; }; set -e; f; echo after`,
	`set -e; if false; then :; fi; false && true; echo survived`,
	`trap 'echo exiting $?' EXIT; false`,
	`trap 'echo one' EXIT; trap 'echo two' EXIT; true`,
	`trap - EXIT; trap`,
	`x=$(false); echo $?; y=$(true; false); echo $?`,
	`echo "$(echo "a\"b")" "$(echo 'c d')"`,
	"echo `echo \\`echo inner\\``",
	`echo $(( $(echo 3) + 4 ))`,
	"v=$(cat <<EOF\nline1\nline2\nEOF\n); echo \"$v\"",
	`echo -e "a\\nb"; echo "a\nb"; echo 'a\nb'`,
	`printf '%b' 'x\ny\c never'; echo`,
	`printf '%s\n' a b c | while read x; do echo "<$x>"; done`,
	`printf '%-3s|%3s|\n' ab cd ef gh`,
	`printf '%03d %.1f %5.1e\n' 7 2.25 12345`,
	`printf '%x %o %X\n' 3735928559 511 48879`,
	`printf "%s\n" "$(printf '%d' 42)"`,
	`printf '[%c]' a b c; echo`,
	`echo $((RANDOM < 32768)) $(( ${#RANDOM} > 0 ))`,
	`declare -a x; x[2]=c; x[0]=a; echo ${x[*]} ${#x[*]}; declare -p x`,
	`declare -A h=([one]=1 [two]=2); echo ${h[one]} ${h[two]}; unset 'h[one]'; echo ${#h[@]}`,
	`declare -i i=10; i=i*2+1; echo $i; declare -i j; j=abc; echo $j`,
	`declare -x XV=1; export -p | while read l; do case $l in *" XV="*) echo $l;; esac; done`,
	`readonly zz=1; readonly -p | while read l; do case $l in *zz*) echo $l;; esac; done`,
	`unset x; declare -p x`,
	`x=1; declare +x x; declare -p x`,
	`f() { :; }; unset -f f; type f`,
	`echo a > /dev/null; echo $_`,
	`echo $_`,
	`echo $(( ))`,
	`true a b c; echo $_`,
	`echo "$0"`,
	`shift; echo $?`,
	`set -- 1 2 3; shift 3; echo $# $?`,
	`set -- x; echo ${1} ${2:-none} ${10:-ten}`,
	`eval 'x=1; y=2'; echo $((x+y))`,
	`cmd='echo from var'; $cmd; eval $cmd`,
	`a='b c'; eval "echo $a"`,
	`command echo hi; command -v echo; command -V echo`,
	`type -t echo true printf [[ if`,
	`type -a echo`,
	`alias ll='ls -l'; alias; alias ll`,
	`hash -r; hash echo; echo $?`,
	`umask 027; umask; umask -S; umask u=rwx,g=,o=; umask`,
	`getopts "ab" o -c; echo "$o $?"`,
	`OPTIND=1; while getopts ":a:" o -a; do echo "$o $OPTARG"; done`,
	`kill -l 9; kill -l KILL; kill -l SIGTERM`,
	`echo $(( $$ > 0 )) $(( $PPID > 0 )) $(( $BASHPID == $$ ))`,
	`(echo $(( $BASHPID != $$ )))`,
	`echo $BASH_VERSION ${BASH_VERSINFO[@]}`,
	`echo $HOSTTYPE $MACHTYPE $OSTYPE`,
	`echo $SHLVL`,
	`exec 2>/dev/null; echo to-out; echo to-err >&2`,
	`{ echo a; echo b; } > /dev/null; echo $?`,
	`echo x | { read y; echo "got $y"; }`,
	`if [ -n "$(echo x)" ]; then echo nonempty; fi`,
	`for i in 1 2 3; do :; done; echo $i`,
	`for ((i=0; i<2; i++)); do for ((j=0; j<2; j++)); do echo -n "$i$j "; done; done; echo`,
	`i=0; until false; do ((i++)); [ $i -ge 3 ] && break; done; echo $i`,
	`while :; do break; done; echo $?`,
	`select x in a b; do echo $x; break; done <<< 2`,
	`f() { for a; do echo "arg $a"; done; }; f x y`,
	`echo "${undefined:-$(echo default)}"`,
	`x=; echo ${x:=now}; echo $x`,
	`f() { echo ${1:?need arg}; }; f; echo after`,
	`echo ${#*} ${#@}`,
	`set -- a b; echo "${@:2}" "${*:1:1}"`,
	`printf -v out '%s,' a b c; echo "${out%,}"`,
	`x=abc; y=${x/b/$'\n'}; echo "$y"`,
	`echo \\ \' \" \$ \*`,
	`echo 'it'\''s' "a"'b'c`,
	`echo $"translated"`,
	`echo a#b #comment`,
	"echo a\\\nb",
	`: > /dev/null; echo $?`,
	`let "a=5*5" "b=a+1"; echo $a $b`,
	`((x = 5 > 3)); echo $x`,
	`echo $(( 5 > 3 ? 4 > 2 ? 1 : 2 : 3 ))`,
	`echo $((1?2:3)) $((0?2:3))`,
	`x=7; echo $(( x == 7 ? x++ : x-- )) $x`,
	`unset a; a[1]=x; a+=(y); echo ${!a[@]}`,
	`str="a-b-c"; IFS=- read -ra parts <<< "$str"; echo ${#parts[@]} ${parts[2]}`,
	`mapfile -t arr < /dev/null; echo ${#arr[@]}`,
	`echo "$((1+1))" "$[2+2]" '$((3+3))'`,
	`x=1; [ $x = 1 -a $x != 2 ] && echo and`,
	`[ "" ] || echo empty-false; [ " " ] && echo space-true`,
	`[ -e /dev/null ] && echo devnull; [ -d / ] && echo root`,
	`test 5 -ge 5 && test 3 -le 4 && test 1 -ne 2 && echo cmp`,
	`[ abc \> abb ] && echo gt; [ abc \< abd ] && echo lt`,
	`[ -n ] && echo n1; [ -z ] && echo z1; [ ! ] && echo b1`,
	`test -t 0; echo $?`,
	`[ 1 -eq 1 ] || [ 2 -eq 2 ] && echo chain`,
}

func TestDifferentialBash2(t *testing.T) {
	if !hostBashVersionOK() {
		t.Skip("the host has no bash 5.2 to compare with")
	}
	for _, script := range diffScripts2 {
		t.Run(script, func(t *testing.T) {
			dir := t.TempDir()
			wantOut, wantErr, wantSt := hostBash(t, dir, script)
			s := newTestShell(t, testOpts{})
			gotOut, gotErr, gotSt := run(t, s, script)
			if gotOut != wantOut || gotErr != wantErr || gotSt != wantSt {
				t.Errorf("script %q\nbash: out=%q err=%q status=%d\nlure: out=%q err=%q status=%d",
					script, wantOut, wantErr, wantSt, gotOut, gotErr, gotSt)
			}
		})
	}
}
