package commands

import (
	"os"
	"os/exec"
	"testing"
)

// Differential tests of awk against Debian's real mawk 1.3.4 (the host's /usr/bin/mawk):
// each program runs once with the real program in a temporary tree and once with the
// emulation over the same tree mirrored into the vfs; stdout, stderr and the exit status
// must be identical.

// needMawk skips (loudly) when mawk is missing outside CI and fails in CI, where the
// Makefile installs it.
func needMawk(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("mawk"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("mawk is required in CI (apt-get install mawk): %v", err)
		}
		t.Skipf("SKIPPING awk differential tests: mawk is not installed on this host (apt-get install mawk): %v", err)
	}
}

const awkPara = "name: a\nuid: 1\n\n\n\nname: b\nuid: 2\n\nname: c\n"

const awkLog = `192.168.1.10 - - [10/Oct/2023:13:55:36 +0000] "GET /index.html HTTP/1.1" 200 2326
10.0.0.5 - - [10/Oct/2023:13:55:37 +0000] "POST /login HTTP/1.1" 401 512
192.168.1.10 - - [10/Oct/2023:13:55:38 +0000] "GET /admin HTTP/1.1" 403 199
172.16.0.2 - - [10/Oct/2023:13:55:39 +0000] "GET /index.html HTTP/1.1" 200 2326
10.0.0.5 - - [10/Oct/2023:13:55:40 +0000] "POST /login HTTP/1.1" 200 1024
192.168.1.10 - - [10/Oct/2023:13:55:41 +0000] "GET /favicon.ico HTTP/1.1" 404 0
`

const awkPS = `USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND
root           1  0.0  0.1 167700 11800 ?        Ss   10:00   0:02 /sbin/init
root         412  0.0  0.0  15420  6936 ?        Ss   10:00   0:00 sshd: /usr/sbin/sshd -D
www-data     733  1.5  2.3 254400 48012 ?        S    10:01   1:12 nginx: worker process
bob         1021 99.0 12.5 912000 256000 pts/0   R+   10:05  30:00 ./xmrig --donate-level 1
`

var awkCases = []diffCase{
	// typical one-liners
	{line: "awk '{print $1}' a.txt"},
	{line: "awk '{print $2 ,$3, $4, $5, $6, $7}' b.txt"},
	{line: "awk 'FNR == 2 {print $2;}' b.txt"},
	{line: "awk -F: '$3 == 0 {print $1}' /etc/passwd"},
	{line: "awk -F: '$3 >= 1000 {print $1}' /etc/passwd"},
	{line: "awk -F: '{print $1\":\"$NF}' /etc/passwd"},
	{line: "awk '{s+=$1} END {print s}' nums.txt"},
	{line: "awk '{s+=$1} END {print s/NR}' nums.txt"},
	{line: "awk 'NR>1{print $1}' | sort | uniq -c | sort -rn | head", stdin: awkLog},
	{line: "awk '{print $1}' | sort | uniq -c | sort -rn", stdin: awkLog},
	{line: "awk '{print $9}' | sort | uniq -c", stdin: awkLog},
	{line: "awk '$9 == 200 {n++} END {print n+0}'", stdin: awkLog},
	{line: "awk '{a[$1]++} END {for (k in a) print k, a[k]}'", stdin: awkLog},
	{line: "awk '{bytes[$1]+=$10} END {for (ip in bytes) printf \"%-15s %8d\\n\", ip, bytes[ip]}'", stdin: awkLog},
	{line: "awk -F'\"' '{print $2}'", stdin: awkLog},
	{line: "awk '{print $NF}' b.txt"},
	{line: "awk '{print $(NF-1)}' b.txt"},
	{line: "awk 'NR==2' a.txt"},
	{line: "awk 'NR>3' a.txt"},
	{line: "awk 'NR%2==0' a.txt"},
	{line: "awk 'END {print NR}' a.txt"},
	{line: "awk 'END {print}' a.txt"},
	{line: "awk '/beta/' a.txt"},
	{line: "awk '!/beta/' a.txt"},
	{line: "awk '/beta/,/delta/' a.txt"},
	{line: "awk 'NR==2,NR==4 {print NR\": \"$0}' a.txt"},
	{line: "awk '/alpha/,/alpha/' a.txt"},
	{line: "awk 'length > 5' a.txt"},
	{line: "awk 'length($0) > 4 {print length}' a.txt"},
	{line: "awk '{print length()}' b.txt"},
	{line: "awk '{ print NF \":\" $0 }' b.txt"},
	{line: "awk 'NF' b.txt"},
	{line: "awk '!seen[$0]++' nums.txt"},
	{line: "awk '{print NR, FNR, FILENAME}' a.txt b.txt"},
	{line: "awk 'FNR==1{print FILENAME}' a.txt b.txt csv.txt"},
	{line: "awk '$2 ~ /^[0-9]+$/ {print $1}'", stdin: awkPS},
	{line: "awk '$3 > 50 {print $2, $11}'", stdin: awkPS},
	{line: "awk 'NR>1 && $1==\"root\" {print $2}'", stdin: awkPS},
	{line: "awk '{ $1 = \"\"; print }' b.txt"},
	{line: "awk '{ $1 = $1; print }' tabs.txt"},
	{line: "awk 'BEGIN{OFS=\"-\"} { $1 = $1; print }' b.txt"},
	{line: "awk -v OFS=, '{$2=\"X\"; print}' b.txt"},
	{line: "awk '{ $5 = \"new\"; print; print NF }' b.txt"},
	{line: "awk '{ NF = 2; print }' b.txt"},
	{line: "awk '{ NF++; $NF = \"end\"; print }' b.txt"},
	{line: "awk '{ $0 = \"x y z\"; print $2, NF }' b.txt"},
	{line: "awk '{ $3 = \"\"; print; print NF }' b.txt"},
	{line: "awk -F: -v OFS=: '{ $2 = \"*\"; print }' csv.txt"},
	{line: "awk -F, '{print $2}'", stdin: "a,b,c\n1,,3\n,x\n"},
	{line: "awk -F '\\t' '{print $2}' tabs.txt"},
	{line: "awk -F'\\t' '{print NF}' tabs.txt"},
	{line: "awk -Ft '{print $1}'", stdin: "atb\n"},
	{line: "awk -F '[:,]' '{print $3, $5}' csv.txt"},
	{line: "awk -F 'o+' '{print $1 \"|\" $2}' b.txt"},
	{line: "awk -F '' '{print $1, $3, NF}' b.txt"},
	{line: "awk -F . '{print $2}'", stdin: "a.b.c\n"},
	{line: "awk -F '|' '{print $2}'", stdin: "a|b|c\n"},
	{line: "awk 'BEGIN{FS=\":\"} {print $1}' csv.txt"},
	{line: "awk '{FS=\":\"} {print $1}' csv.txt"},
	{line: "awk 'BEGIN { RS = \"\" } { print NR \": \" $1, NF }'", stdin: awkPara},
	{line: "awk 'BEGIN { RS = \"\"; FS = \"\\n\" } { print $1 \"|\" $2 }'", stdin: awkPara},
	{line: "awk 'BEGIN { RS = \";\" } { print NR\": \"$0 }'", stdin: "a;b;c\n"},
	{line: "awk 'BEGIN { RS = \"[0-9]+\" } { print NR\": \"$0 }'", stdin: "a1b22c333d"},
	{line: "awk 'BEGIN { RS = \"ab\" } { print \"<\" $0 \">\" }'", stdin: "xabyabz"},
	{line: "awk 'BEGIN { ORS = \"|\" } { print }' a.txt"},
	{line: "awk 'BEGIN { OFS = \"\\t\" } { print $1, $2 }' b.txt"},
	// printf and number output
	{line: "awk '{printf \"%s=%d\\n\", $1, NR}' a.txt"},
	{line: "awk 'BEGIN{printf \"%5.2f|%-5d|%05d|%x|%X|%o|%e|%E|%g|%G|%c|%c|%%\\n\", 3.14159, 42, 42, 255, 255, 8, 12345.678, 0.00012, 0.0001, 1e20, 65, \"hello\"}'"},
	{line: "awk 'BEGIN{printf \"%d|%d|%d|%i|%x|%u\\n\", 2^31, -2^31, 2^53, \"3abc\", -1, -1}'"},
	{line: "awk 'BEGIN{printf \"%5s|%-5s|%.2s|%05s|% s|%.s\\n\", \"ab\", \"ab\", \"abcdef\", \"ab\", \"\", \"abc\"}'"},
	{line: "awk 'BEGIN{printf \"%*d|%-*d|%.*f\\n\", 5, 42, 4, 7, 2, 3.14159}'"},
	{line: "awk 'BEGIN{printf \"%#x|%#o|%+d|% d|%+.3e|%#.3g|%010.3f\\n\", 255, 8, 5, 5, 12345, 1, -3.14159}'"},
	{line: "awk 'BEGIN{printf \"%hd|%ld|%hu\\n\", 70000, -1, 70000}'"},
	{line: "awk 'BEGIN{printf \"%d %s\\n\", 1}'"},
	{line: "awk 'BEGIN{printf \"%z\\n\", 1}'"},
	{line: "awk 'BEGIN{printf \"%5.1f%%|%5%\\n\", 99.55}'"},
	{line: "awk 'BEGIN{x = sprintf(\"%9000s\", \"a\"); print length(x)}'"},
	{line: "awk 'BEGIN{print 1/3, 100/3, 1e6, 1e7, 123456789, 2^31, 2^31-1, -2^31, 0.1+0.2, 1e-5, 3.0, -0}'"},
	{line: "awk 'BEGIN{OFMT=\"%.2f\"; x=3.14159; print x, x \"\"; CONVFMT=\"%.3f\"; print x \"\", 17 \"\"}'"},
	{line: "awk 'BEGIN{print 1e300*1e300, -1e300*1e300, log(-1), log(0), sqrt(-1), exp(1), atan2(0,-1), sin(0), cos(0), int(-3.7), int(3.7)}'"},
	{line: "awk 'BEGIN{print 1/0}'"},
	{line: "awk 'BEGIN{print 1%0, 7%3, -7%3, 7.5%2}'"},
	{line: "awk 'BEGIN{print 2^3^2, -2^2, 2^-1, 2^0.5}'"},
	{line: "awk 'BEGIN{print \"0x1A\"+0, \"1e3\"+0, \" 12 \"+0, \".5\"+0, \"+3\"+0, \"-\"+0, \"inf\"+0, \"nan\"+0, \"abc\"+0}'"},
	{line: "awk '{print $1+0}' nums.txt"},
	{line: "awk '{print ($1 > 5)}' nums.txt"},
	{line: "awk '{print ($1 < \"5\")}' nums.txt"},
	{line: "awk '$1 == 10' nums.txt"},
	{line: "awk '$1 == \"10\"' nums.txt"},
	{line: "awk 'BEGIN{print (\"10\" < \"9\"), (10 < 9), (\"abc\" < \"abd\"), (x < 1), (x == \"\"), (x == 0)}'"},
	{line: "awk '{print ($1 == $2)}'", stdin: "1 1.0\n1e1 10\nabc abc\n0x10 16\n 2  2 \n"},
	{line: "awk -v x=010 'BEGIN{print x+0, (x == 10), (x == \"010\")}'"},
	// strings
	{line: "awk 'BEGIN{s=\"hello world\"; print length(s), index(s,\"o\"), index(s,\"\"), substr(s,7), substr(s,0,3), substr(s,-1,3), substr(s,1.5,2), substr(s,5,100), toupper(s), tolower(\"ABC\")}'"},
	{line: "awk 'BEGIN{print substr(\"hello\", 2, -1) \"|\" substr(\"\", 1) \"|\" substr(\"abc\", \"x\") \"|\" substr(12345, 2, 3)}'"},
	{line: "awk 'BEGIN{n = split(\"a:b:c\", arr, \":\"); print n, arr[1], arr[3]}'"},
	{line: "awk 'BEGIN{n = split(\"  a  b   c \", arr); print n, arr[1] arr[2] arr[3]}'"},
	{line: "awk 'BEGIN{n = split(\"a1b22c\", arr, /[0-9]+/); for (i=1; i<=n; i++) print i, arr[i]}'"},
	{line: "awk 'BEGIN{n = split(\"abc\", arr, \"\"); print n, arr[1], arr[2], arr[3]}'"},
	{line: "awk 'BEGIN{n = split(\"\", arr); print n, length(arr)}'"},
	{line: "awk 'BEGIN{n = split(\"a.b.c\", arr, \".\"); print n, arr[2]}'"},
	{line: "awk '{n = split($0, w); print n, w[n]}' b.txt"},
	{line: "awk '{gsub(/a/, \"A\"); print}' a.txt"},
	{line: "awk '{sub(/a/, \"[&]\"); print}' a.txt"},
	{line: "awk '{gsub(/a/, \"\\\\&\"); print}' a.txt"},
	{line: "awk '{n = gsub(/[aeiou]/, \"<&&>\"); print n, $0}' b.txt"},
	{line: "awk 'BEGIN{s = \"abc\"; gsub(/x*/, \"-\", s); print s; t = \"abc\"; gsub(/b*/, \"-\", t); print t; u=\"aaa\"; print gsub(/^a/, \"X\", u), u}'"},
	{line: "awk 'BEGIN{s = \"foo.bar.baz\"; gsub(\".\", \"-\", s); print s; s = \"foo.bar\"; gsub(/\\./, \"-\", s); print s; s=\"a.b\"; gsub(\"\\\\.\", \"!\", s); print s}'"},
	{line: "awk '{sub(/^ +/, \"\"); sub(/ +$/, \"\"); print \"[\" $0 \"]\"}'", stdin: "  padded  \nnone\n   \n"},
	{line: "awk '{ $2 = toupper($2); gsub(/o/, \"0\", $1); print }' b.txt"},
	{line: "awk 'BEGIN{print match(\"foobar\", /o+/), RSTART, RLENGTH; print match(\"foobar\", \"z\"), RSTART, RLENGTH}'"},
	{line: "awk 'match($0, /[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+/) {print substr($0, RSTART, RLENGTH)}'", stdin: awkLog},
	{line: "awk 'BEGIN{print index(\"abc\", \"c\"), length(12.50), length(1e10)}'"},
	{line: "awk 'BEGIN { x = \"A\"; x++; print x; y = \"3x\"; y += 1; print y }'"},
	{line: "awk 'BEGIN { s = \"a\" \"b\" 1 + 2 \"c\"; print s; print 1 \" \" 2, 3 4 }'"},
	{line: "awk 'BEGIN { print 1==1, 2<1, \"a\"~/a/, \"a\"!~/a/ }'"},
	{line: "awk 'BEGIN{a = \"x\"; print a ~ \"x\" == 1; print 1 ~ 1 ~ 1}'"},
	// regex dialect
	{line: "awk '/a{2}/' ", stdin: "aa\na{2}\n"},
	{line: "awk '/^[[:alpha:]]+$/' words.txt"},
	{line: "awk '/[[:digit:]]/' csv.txt"},
	{line: "awk '/^(alpha|gamma)$/' a.txt"},
	{line: "awk '/e.*a/' a.txt"},
	{line: "awk '/^.e/' a.txt"},
	{line: "awk '/ta$/' a.txt"},
	{line: "awk '/[]a]/' a.txt"},
	{line: "awk '/[^a-z]/' a.txt"},
	{line: "awk '/a|/' a.txt"},
	{line: "awk '/(/' a.txt"},
	{line: "awk '/a)/' ", stdin: "a)\n"},
	{line: "awk '/[[:foo:]]/' a.txt"},
	{line: "awk '/[abc/' a.txt"},
	{line: "awk '$0 ~ \"^a\"' a.txt"},
	{line: "awk 'BEGIN{r=\"^b\"} $0 ~ r' a.txt"},
	{line: "awk '{ if ($0 ~ /\\./) print \"dot\"; else print \"no\" }' nums.txt"},
	{line: "awk '/\\// {print}'", stdin: "a/b\nc\n"},
	{line: "awk '{gsub(/\\t/, \"<TAB>\"); print}' tabs.txt"},
	{line: "awk '/a+b?c*/ {print NR}' a.txt"},
	// arrays
	{line: "awk 'BEGIN{a[1]; a[\"x\"]=2; a[2]=3; delete a[1]; for (k in a) print k, a[k]; print length(a), (1 in a), (\"x\" in a)}'"},
	{line: "awk 'BEGIN{for (i = 0; i < 100; i++) a[i] = i*i; n = 0; for (k in a) { n++; if (n <= 10) print k, a[k] } print n}'"},
	{line: "awk 'BEGIN{for (i = 0; i < 1000; i++) a[\"k\" i] = i; n = 0; for (k in a) if (n++ < 15) print k}'"},
	{line: "awk 'BEGIN{a[1,2] = 3; for (k in a) { split(k, p, SUBSEP); print p[1], p[2] } if ((1,2) in a) print \"yes\"}'"},
	{line: "awk 'BEGIN{a[\"x\"]=1; delete a; print length(a); a[\"y\"]; print length(a)}'"},
	{line: "awk '{c[$1]++} END{for (w in c) print w, c[w]}' words.txt"},
	{line: "awk '{ for (i = 1; i <= NF; i++) freq[$i]++ } END { for (w in freq) printf \"%s %d\\n\", w, freq[w] }' b.txt words.txt"},
	{line: "awk 'BEGIN{split(\"c b a\", x); for (k in x) print k, x[k]; x[10]=1; x[\"a\"]=2; for (k in x) print k}'"},
	{line: "awk 'BEGIN{a[01]=1; a[\"01\"]=2; a[1.0]=3; a[0.5]=4; for (k in a) print k, a[k]}'"},
	{line: "awk 'BEGIN { x[1]; for (k in x) delete x[k]; print length(x) }'"},
	{line: "awk 'BEGIN { n = split(\"5 3 9 1\", v); for (i = 1; i <= n; i++) for (j = i+1; j <= n; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t } for (i = 1; i <= n; i++) printf \"%s \", v[i]; print \"\" }'"},
	// control flow and functions
	{line: "awk 'BEGIN { for (i = 1; i <= 5; i++) { if (i == 2) continue; if (i == 4) break; print i } }'"},
	{line: "awk 'BEGIN { i = 0; while (i < 3) print i++; do { print \"do\", i-- } while (i > 1) }'"},
	{line: "awk 'BEGIN { if (1) print \"a\"; else print \"b\"; if (0) print \"c\"; else if (1) print \"d\" }'"},
	{line: "awk 'BEGIN { x = 5; print (x > 3 ? \"big\" : \"small\"), (x ? x : 0) }'"},
	{line: "awk 'function fact(n) { return n <= 1 ? 1 : n * fact(n-1) } BEGIN { print fact(10), fact(20) }'"},
	{line: "awk 'function fib(n) { return n < 2 ? n : fib(n-1) + fib(n-2) } BEGIN { print fib(20) }'"},
	{line: "awk 'function f(a, b) { a[1] = \"set\"; b = 5; return } BEGIN { f(arr, x); print arr[1], x \"|\" }'"},
	{line: "awk 'function add(a, b) { return a + b } BEGIN { print add(1, 2), add(1), add() }'"},
	{line: "awk 'function g(x,   tmp) { tmp = x * 2; return tmp } BEGIN { tmp = 7; print g(3), tmp }'"},
	{line: "awk 'function max(a, b) { return a > b ? a : b } { m = max(m, $1 + 0) } END { print m }' nums.txt"},
	{line: "awk 'function p(s) { print \"[\" s \"]\" } { p($1) }' a.txt"},
	{line: "awk '{ if (NR == 3) next; print }' a.txt"},
	{line: "awk 'NR == 2 { exit } { print } END { print \"end\", NR }' a.txt"},
	{line: "awk 'BEGIN { exit 3 } END { print \"end\" }'"},
	{line: "awk 'BEGIN { print \"x\"; exit } { print } END { print \"done\" }' a.txt"},
	{line: "awk '{ print; exit 4 }' a.txt"},
	{line: "awk 'END { exit 5 } { }' a.txt"},
	{line: "awk 'FNR == 2 { nextfile } { print FILENAME, $0 }' a.txt b.txt"},
	{line: "awk 'BEGIN { while (1) { if (++n > 5) break }; print n }'"},
	{line: "awk 'BEGIN { for (;;) { n++; if (n == 3) break }; print n }'"},
	// getline, files, commands
	{line: "awk 'BEGIN { while ((getline line < \"a.txt\") > 0) n++; print n, NR; print close(\"a.txt\"), close(\"nope\") }'"},
	{line: "awk 'BEGIN { getline; print \"first:\", $0, NR }' a.txt"},
	{line: "awk 'NR == 1 { getline; print \"now\", $0, NR } END { print NR }' a.txt"},
	{line: "awk 'NR == 1 { getline x; print \"x=\" x, $0, NR }' a.txt"},
	{line: "awk 'BEGIN { print (getline line < \"/nonexistent\") }'"},
	{line: "awk 'BEGIN { \"echo hello\" | getline x; print x; close(\"echo hello\") }'"},
	{line: "awk 'BEGIN { while ((\"cat a.txt\" | getline l) > 0) n++; print n }'"},
	{line: "awk 'BEGIN { cmd = \"sort\"; print \"b\" | cmd; print \"a\" | cmd; close(cmd); print \"after\" }'"},
	{line: "awk 'BEGIN { print \"a\"; print \"b\" | \"cat\"; print \"c\" }'"},
	{line: "awk 'BEGIN { print \"x\" > \"out.txt\"; print \"y\" >> \"out.txt\"; close(\"out.txt\"); while ((getline l < \"out.txt\") > 0) print \"read\", l }'"},
	{line: "awk '{ print > \"copy.txt\" } END { close(\"copy.txt\"); system(\"cat copy.txt\") }' a.txt"},
	{line: "awk 'BEGIN { r = system(\"echo sys\"); print \"rc\", r }'"},
	{line: "awk 'BEGIN { r = system(\"false\"); print \"rc\", r }'"},
	{line: "awk 'BEGIN { print \"to stderr\" > \"/dev/stderr\" }'"},
	{line: "awk 'BEGIN { print \"to stdout\" > \"/dev/stdout\" }'"},
	{line: "awk 'BEGIN { printf \"%s\\n\", \"x\" > \"/nonexistent/dir/f\" }'"},
	{line: "awk '{print}' nofile.txt"},
	{line: "awk '{print}' a.txt nofile.txt"},
	{line: "awk '{print}' -", stdin: "from stdin\n"},
	{line: "awk '{print v, $0}' v=1 a.txt v=2 b.txt"},
	{line: "awk 'END{print v}' v=hello", stdin: "x\n"},
	{line: "awk -v 'msg=a\\tb' 'BEGIN { print msg }'"},
	{line: "awk -f prog.awk a.txt"},
	{line: "awk 'BEGIN { print ARGC; for (i = 0; i < ARGC; i++) print i, ARGV[i] }' a.txt x=1 b.txt"},
	{line: "awk 'BEGIN { ARGV[1] = \"b.txt\" } { print }' a.txt"},
	{line: "awk 'BEGIN { print ENVIRON[\"HOME\"], length(ENVIRON[\"NOPE\"]) }'"},
	{line: "awk 'BEGIN { srand(1); a = rand(); srand(1); b = rand(); print (a == b), (a < 1), (a >= 0); print srand(7), srand() > 0 }'"},
	{line: "awk 'BEGIN { srand(42); print rand(), rand(); srand(0); print rand() }'"},
	{line: "awk 'BEGIN { printf \"%d\\n\", int(rand() * 0) }'"},
	// command line and errors
	{line: "awk"},
	{line: "awk -W version"},
	{line: "awk -Wv"},
	{line: "awk --version"},
	{line: "awk -x 'BEGIN{}'"},
	{line: "awk -f"},
	{line: "awk -W junk 'BEGIN { print 1 }'"},
	{line: "awk -v 1x=2 'BEGIN{}'"},
	{line: "awk -- '{print $1}' b.txt"},
	{line: "awk 'BEGIN{print }}'"},
	{line: "awk 'BEGIN{print \"abc}'"},
	{line: "awk 'BEGIN{print substr(\"hello\",2)'"},
	{line: "awk 'BEGIN { x = ; }'"},
	{line: "awk '{print $1'"},
	{line: "awk 'BEGIN { if (1) { print \"a\" } ; else print \"b\" }'"},
	{line: "awk 'BEGIN { print 1 +* 2 }'"},
	{line: "awk 'BEGIN { a = 1 & 2 }'"},
	{line: "awk 'BEGIN { x[1]=1; x=2 }'"},
	{line: "awk 'BEGIN { print length(x); x[1] }'"},
	{line: "awk 'BEGIN { f() }'"},
	{line: "awk 'function f(a){a[1]=1} BEGIN { x=1; f(x) }'"},
	{line: "awk 'BEGIN { next }'"},
	{line: "awk 'BEGIN { return 1 }'"},
	{line: "awk 'BEGIN { break }'"},
	{line: "awk 'BEGIN { printf }'"},
	{line: "awk 'BEGIN { print 2**3 }'"},
	{line: "awk 'BEGIN { x = 4; y = x++ /2/ 1; print y }'"},
	{line: "awk 'BEGIN { print substr(\"abc\") }'"},
	{line: "awk 'BEGIN { $-1 = 2 }'"},
	{line: "awk 'BEGIN { NF = -1 }'"},
	{line: "awk 'BEGIN { CONVFMT = \"%d%d\"; x = 0.5; print x \"\" }'"},
	{line: "awk 'BEGIN { print @ }'"},
	{line: "awk '# only a comment'"},
	{line: "awk ''", stdin: "x\n"},
	{line: "awk 'BEGIN { print 1 } # trailing comment'"},
	{line: "awk 'BEGIN { print \\\n 1 }'"},
	{line: "awk 'BEGIN { getline x < \"a.txt\"; print x }'"},
	{line: "awk 'BEGIN{ printf(\"%d %s\\n\", 1, \"x\") }'"},
	{line: "awk 'BEGIN { print length }'"},
	{line: "awk '{ print length, NF }' b.txt"},
	{line: "awk 'BEGIN { x = 1; x += x++; print x; y = 2; y ^= 3; print y; z = 7; z %= 4; print z; w = 9; w /= 2; print w }'"},
	{line: "awk 'BEGIN { print -\"3x\", +\"4\", !\"\", !\"a\", !0, !\"0\" }'"},
	{line: "awk '{ print !$1 }'", stdin: "0\n1\n\nabc\n0.0\n"},
	{line: "awk 'BEGIN { print 1,2 > \"/dev/stderr\"; print (1,2) > \"/dev/stdout\" }'"},
	{line: "awk 'BEGIN { print 1 > 2 ? \"out_a.txt\" : \"out_b.txt\"; close(\"out_a.txt\"); getline l < \"out_a.txt\"; print l }'"},
	{line: "awk '{ printf \"%-10s|%5.1f\\n\", $1, $3 }'", stdin: awkPS},
	{line: "awk 'NR > 1 { cpu[$1] += $3 } END { for (u in cpu) print u, cpu[u] }'", stdin: awkPS},
	{line: "awk 'BEGIN { while ((\"cat /etc/passwd\" | getline) > 0) if ($0 ~ /^root/) print \"found\" }'"},
	{line: "awk -F: 'BEGIN { while ((getline < \"/etc/passwd\") > 0) if ($3 == 0) print $1 }'"},
	{line: "awk 'BEGIN { \"date +%Y\" | getline y; print (y > 2000) }'"},
	{line: "awk 'BEGIN { printf \"%c%c%c\\n\", 72, 105, 33 }'"},
	{line: "awk '{ printf \"%c\", $0 }'", stdin: "65\n66\nxyz\n"},
	{line: "awk 'BEGIN { s = sprintf(\"%s-%s\", \"a\"); print s }'"},
	{line: "awk 'BEGIN { print toupper(substr(\"hello\", 1, 1)) substr(\"hello\", 2) }'"},
	{line: "awk '{ line[NR] = $0 } END { for (i = NR; i > 0; i--) print line[i] }' a.txt"},
	{line: "awk 'BEGIN { x[\"a\"] = 1; f(x); print x[\"a\"], x[\"b\"] } function f(arr) { arr[\"b\"] = 2; arr[\"a\"]++ }'"},
	{line: "awk 'function r(n) { return n ? r(n - 1) + 1 : 0 } BEGIN { print r(500) }'"},
	{line: "awk '{ $0 = toupper($0) } /ALPHA/' a.txt"},
	{line: "awk 'BEGIN { FS = \",\" } { for (i = NF; i > 0; i--) printf \"%s%s\", $i, (i > 1 ? OFS : ORS) }'", stdin: "a,b,c\nd,e\n"},
	{line: "awk 'BEGIN { printf \"[%s]\\n\", FILENAME } END { print FILENAME }'", stdin: "x\n"},
	{line: "awk 'BEGIN { print \"-\" > \"/dev/stderr\"; exit 1 }'"},
	{line: "awk 'BEGIN { print systime() > 1000000000 }'"},
	{line: "awk 'BEGIN { print strftime(\"%Y-%m-%d\", 0, 1), mktime(\"2020 01 02 03 04 05\") > 0 }'"},
	{line: "awk 'BEGIN { printf \"%s %s %s\\n\", \"a\", \"b\" }'"},
	{line: "awk 'BEGIN { print substr(\"hello\", 0), substr(\"hello\", -1), substr(\"hello\", 10) \"|\" }'"},
	{line: "awk 'BEGIN { print index(\"foo\", \"oo\"), index(\"\", \"a\"), index(\"abc\", \"abcd\") }'"},
	{line: "awk '{ sum = 0; for (i = 1; i <= NF; i++) sum += $i; print sum }'", stdin: "1 2 3\n4.5 5.5\nx 1\n"},
	{line: "awk 'BEGIN { x = \"abc\"; print x > \"/dev/null\"; print \"ok\" }'"},
	{line: "awk 'BEGIN { print length(\"\"), length(0), length(x) }'"},
	{line: "awk '{ print $1, $2 }' OFS=- b.txt"},
	{line: "awk 'BEGIN { getline; getline; print $0, NR } END { print \"end\", NR }' a.txt"},
	{line: "awk '{ print NR \":\" $0 }' RS=\"\"", stdin: awkPara},
	{line: "awk 'BEGIN { printf \"%.3s|%-8.3f|%08.3e\\n\", \"abcdef\", 2.5, 31415.9 }'"},
	{line: "awk 'BEGIN { print 100000 * 100000, 2147483647 + 1, 0.000001, 123456.7 }'"},
	{line: "awk 'BEGIN { print 1e16, 12345678901234567890, -1e-300 }'"},
	{line: "awk '{ print $1 * 2 }' nums.txt"},
	{line: "awk '{ print ($1 \"\") + 1 }' nums.txt"},
	{line: "awk 'BEGIN { print substr(\"x\", 1, 1e10), substr(\"abc\", -1e10, 2e10) }'"},
	{line: "awk 'BEGIN { $0 = \"a b\"; $1 = \"\"; print NF \"[\" $0 \"]\" }'"},
	{line: "awk 'BEGIN { $3 = \"c\"; print NF \"[\" $0 \"]\" }'"},
	{line: "awk 'BEGIN { $0 = 5; print $1 + 1, NF }'"},
}

func TestDiffAwk(t *testing.T) {
	needMawk(t)
	runDiffCases(t, withAwkProgFile(awkCases))
}

// withAwkProgFile prefixes the -f case with the creation of its program file on both sides.
func withAwkProgFile(cases []diffCase) []diffCase {
	out := make([]diffCase, len(cases))
	for i, c := range cases {
		if c.line == "awk -f prog.awk a.txt" {
			c.line = "echo '{ print NR \": \" $1 }' > prog.awk && awk -f prog.awk a.txt"
		}
		out[i] = c
	}
	return out
}
