package awk

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"strings"
	"testing"
	"time"
)

// testEnv runs programs over an in-memory file map; commands run by the program are
// answered by a stub that echoes its command line (no host program ever runs).
type testEnv struct {
	files map[string][]byte
	out   bytes.Buffer
	err   bytes.Buffer
}

func (te *testEnv) env(ctx context.Context, stdin string) *Env {
	if te.files == nil {
		te.files = map[string][]byte{}
	}
	return &Env{
		Ctx:    ctx,
		Stdin:  strings.NewReader(stdin),
		Stdout: &te.out,
		Stderr: &te.err,
		ReadFile: func(name string) ([]byte, error) {
			if b, ok := te.files[name]; ok {
				return b, nil
			}
			return nil, fs.ErrNotExist
		},
		WriteFile: func(name string, data []byte, appendData bool) error {
			if strings.HasPrefix(name, "/nonexistent/") {
				return fs.ErrNotExist
			}
			if appendData {
				te.files[name] = append(te.files[name], data...)
			} else {
				te.files[name] = append([]byte(nil), data...)
			}
			return nil
		},
		Run: func(ctx context.Context, cmdline string, stdin io.Reader, stdout, stderr io.Writer) int {
			in, _ := io.ReadAll(stdin)
			io.WriteString(stdout, "ran["+cmdline+"]"+string(in))
			return 3
		},
		ErrText: func(err error) string {
			if errors.Is(err, fs.ErrNotExist) {
				return "No such file or directory"
			}
			return err.Error()
		},
		Now: func() time.Time { return time.Unix(1700000000, 0) },
	}
}

func run(t testing.TB, stdin string, args ...string) (string, string, int) {
	t.Helper()
	return runWithin(t, 10*time.Second, stdin, args...)
}

// runWithin is run with a wall-time limit of its own: tests of the memory cap give the cap
// time to be reached on a loaded machine under -race, so the deadline never answers first.
func runWithin(t testing.TB, limit time.Duration, stdin string, args ...string) (string, string, int) {
	t.Helper()
	te := &testEnv{}
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	st := Main(te.env(ctx, stdin), append([]string{"awk"}, args...))
	return te.out.String(), te.err.String(), st
}

func TestBasics(t *testing.T) {
	for _, tc := range []struct {
		args       []string
		stdin, out string
		status     int
	}{
		{[]string{"{print $2}"}, "a b c\nd e\n", "b\ne\n", 0},
		{[]string{"-F:", "{print $NF}"}, "a:b:c\n", "c\n", 0},
		{[]string{"{s+=$1} END{print s}"}, "1\n2\n3.5\n", "6.5\n", 0},
		{[]string{"BEGIN{print 2^31, 2^31-1, 0.1}"}, "", "2.14748e+09 2147483647 0.1\n", 0},
		{[]string{"BEGIN{print length(\"abc\"), substr(\"hello\",2,3), index(\"abc\",\"c\")}"}, "", "3 ell 3\n", 0},
		{[]string{"BEGIN{x=\"aaa\"; print gsub(/a/,\"&b\",x), x}"}, "", "3 ababab\n", 0},
		{[]string{"BEGIN{printf \"%5.2f|%-3d|%c\\n\", 3.14159, 7, 65}"}, "", " 3.14|7  |A\n", 0},
		{[]string{"BEGIN{exit 7}"}, "", "", 7},
		{[]string{"BEGIN{print \"x\" | \"cmd\"}"}, "", "ran[cmd]x\n", 0},
		{[]string{"BEGIN{print system(\"c\")}"}, "", "ran[c]3\n", 0},
		{[]string{"BEGIN{\"c\" | getline v; print v}"}, "", "ran[c]\n", 0},
		{[]string{"BEGIN{print 1 > \"/f\"; close(\"/f\"); getline l < \"/f\"; print l}"}, "", "1\n", 0},
	} {
		out, _, st := run(t, tc.stdin, tc.args...)
		if out != tc.out || st != tc.status {
			t.Errorf("%q: got %q status %d, want %q status %d", tc.args, out, st, tc.out, tc.status)
		}
	}
}

func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		prog, err string
	}{
		{"BEGIN{print }}", "awk: line 1: extra '}'\nawk: line 1: syntax error at or near end of line\n"},
		{"BEGIN{printf \"%d\"}", "awk: run time error: not enough arguments passed to printf(\"%d\")\n\tFILENAME=\"\" FNR=0 NR=0\n"},
		{"BEGIN{ f() }", "awk: line 2: function f never defined\n"},
		{"/a|/", "awk: line 1: regular expression compile failed (missing operand)\na|\n"},
	} {
		_, errOut, st := run(t, "", tc.prog)
		if errOut != tc.err || st != 2 {
			t.Errorf("%q: got %q status %d, want %q status 2", tc.prog, errOut, st, tc.err)
		}
	}
}

// TestLoopEndsOnCancel shows that an endless program stops when the session's context ends.
func TestLoopEndsOnCancel(t *testing.T) {
	for _, prog := range []string{"BEGIN{while(1);}", "BEGIN{for(;;) x++}", "function f(){ while(1) {} } BEGIN{f()}", "BEGIN{do {} while (1)}"} {
		te := &testEnv{}
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		done := make(chan int, 1)
		go func() { done <- Main(te.env(ctx, ""), []string{"awk", prog}) }()
		select {
		case st := <-done:
			if st == 0 {
				t.Errorf("%s: cancelled loop returned 0", prog)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("%s: did not stop after its context was cancelled", prog)
		}
		cancel()
	}
}

// TestMemoryCap shows that growing strings, arrays and fields fail as mawk does when
// memory runs out, instead of taking the sensor's memory.
func TestMemoryCap(t *testing.T) {
	for _, prog := range []string{
		`BEGIN{s="x"; while(1) s = s s}`,
		`BEGIN{while(1) a[i++] = "some text"}`,
		`BEGIN{s = sprintf("%1000s", ""); while(1) a[i++] = s}`,
		`BEGIN{$100000000 = 1}`,
		`BEGIN{NF = 2000000000}`,
		`function f(n) { return f(n+1) } BEGIN{f(1)}`,
		`BEGIN{printf "%2000000000d", 1}`,
		`BEGIN{while(1) print "xxxxxxxxxxxxxxxxxxxxxxxx" > "/big"}`,
	} {
		_, errOut, st := runWithin(t, 5*time.Minute, "", prog)
		if st != 2 || !strings.Contains(errOut, "out of memory") {
			t.Errorf("%s: status %d, stderr %q", prog, st, errOut)
		}
	}
}

type failWriter struct{ n int }

func (w *failWriter) Write(b []byte) (int, error) {
	w.n++
	return 0, errors.New("broken pipe")
}

// TestStopsOnWriteFailure: a closed stdout ends the program as SIGPIPE would.
func TestStopsOnWriteFailure(t *testing.T) {
	te := &testEnv{}
	env := te.env(context.Background(), "")
	fw := &failWriter{}
	env.Stdout = fw
	st := Main(env, []string{"awk", `BEGIN{while(1) print "y"}`})
	if st != 141 {
		t.Fatalf("status %d, want 141", st)
	}
	if fw.n != 1 {
		t.Fatalf("%d writes after the failure, want 1", fw.n)
	}
}

func TestRegexDialect(t *testing.T) {
	for _, tc := range []struct {
		re, s      string
		start, end int
		ok         bool
	}{
		{"a{2}", "aa a{2}", 3, 7, true},
		{"o+", "foobar", 1, 3, true},
		{"a|ab", "xab", 1, 3, true},
		{"(a|ab)(c|bcd)", "abcd", 0, 4, true},
		{"^b", "ab", 0, 0, false},
		{"b$", "ab", 1, 2, true},
		{"a^", "a^", 0, 0, false},
		{"[]a]+", "x]a]", 1, 4, true},
		{"[^a-c]", "abcd", 3, 4, true},
		{"[[:digit:]]+", "ab123c", 2, 5, true},
		{"x*", "abc", 0, 0, true},
		{"\\.", "a.b", 1, 2, true},
		{"a)", "a)", 0, 2, true},
		{"", "abc", 0, 0, true},
	} {
		re, err := compileRegex(tc.re)
		if err != nil {
			t.Errorf("%q: %v", tc.re, err)
			continue
		}
		s, e, ok := re.Match(tc.s, false, nil)
		if ok != tc.ok || (ok && (s != tc.start || e != tc.end)) {
			t.Errorf("%q on %q: got %d,%d,%v want %d,%d,%v", tc.re, tc.s, s, e, ok, tc.start, tc.end, tc.ok)
		}
	}
	for re, msg := range map[string]string{"a|": "missing operand", "(": "missing ')'", "*a": "missing operand", "^*": "syntax error ^* or ^+", "[[:nope:]]": "bad class -- [], [^] or ["} {
		if _, err := compileRegex(re); err == nil || err.Error() != msg {
			t.Errorf("%q: error %v, want %q", re, err, msg)
		}
	}
}

// awkSeeds are programs for the fuzz corpus: typical one-liners and odd syntax.
var awkSeeds = []string{
	`{print $1}`, `{print $2 ,$3, $4}`, `FNR == 2 {print $2;}`, `-F: $3 == 0 {print $1}`,
	`{s+=$1} END {print s}`, `NR>1{print $1}`, `{a[$1]++} END{for(k in a) print k, a[k]}`,
	`BEGIN{printf "%5.2f %d %s %c %x\n", 3.14, 42, "s", 65, 255}`, `{gsub(/a+/, "[&]"); print}`,
	`BEGIN{n=split("a:b:c", x, ":"); print n, x[3]}`, `function f(n){return n<2?n:f(n-1)+f(n-2)} BEGIN{print f(15)}`,
	`/re/,/end/`, `BEGIN{while(i<10) i++; print i}`, `BEGIN { getline line < "/f"; print line }`,
	`BEGIN{x = y = 3; print x y}`, `{ $3 = ""; NF = 5; print }`, `BEGIN { RS="" } { print NR, NF }`,
	`BEGIN{print substr("hello", -1, 3), index("ab", "b"), match("xyz", /y+/), RSTART, RLENGTH}`,
	`BEGIN { print 1 > 2 ? "a" : "b" }`, `BEGIN{ x = 4; y = x++ /2/ 1; print y }`, `{print}}`,
	`BEGIN{print length}`, `/[[:alpha:]]+$/{print NR}`, `BEGIN{srand(1); print rand()}`,
	`BEGIN { "cmd" | getline; print; close("cmd") }`, `BEGIN { print "x" | "sort" }`,
}

func FuzzAwk(f *testing.F) {
	for _, s := range awkSeeds {
		f.Add(s, "a b c\n1 2 3\n\nx:y:z\n")
	}
	f.Fuzz(func(t *testing.T, prog, input string) {
		if len(prog) > 4096 || len(input) > 1<<16 {
			return
		}
		te := &testEnv{files: map[string][]byte{"/f": []byte("file line\n")}}
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		start := time.Now()
		in := newInterp(te.env(ctx, input))
		in.main([]string{"awk", prog})
		if d := time.Since(start); d > 10*time.Second {
			t.Fatalf("program ran %v past its 200ms context: %q", d, prog)
		}
	})
}

func BenchmarkSmallProgram(b *testing.B) {
	var input strings.Builder
	for i := 0; i < 20; i++ {
		input.WriteString("host")
		input.WriteString(string(rune('a' + i%5)))
		input.WriteString(" 10.0.0.1 GET /index.html 200 1234\n")
	}
	data := input.String()
	prog := `{ bytes[$1] += $6; n++ } $5 == 200 { ok++ } END { for (h in bytes) printf "%s %d\n", h, bytes[h]; print n, ok }`
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		te := &testEnv{}
		Main(te.env(context.Background(), data), []string{"awk", prog})
	}
}
