package eval

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"net"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

const (
	testUser     = "root"
	testPassword = "eval-test-pw"
)

// reply is what a test server answers to one exec request.
type reply struct {
	stdout, stderr string
	status         int
	hang           bool // never answer: the client's timeout must cut it
	dropConn       bool // close the whole connection without an exit status
}

// startServer runs a small SSH server on 127.0.0.1 that answers exec requests with handle. It
// stops when the test ends.
func startServer(t *testing.T, handle func(cmd string) reply) string {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &ssh.ServerConfig{
		PasswordCallback: func(c ssh.ConnMetadata, pw []byte) (*ssh.Permissions, error) {
			if c.User() == testUser && string(pw) == testPassword {
				return nil, nil
			}
			return nil, errors.New("denied")
		},
	}
	cfg.AddHostKey(signer)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex
		conns []net.Conn
		wg    sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				serveConn(c, cfg, handle)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return ln.Addr().String()
}

func serveConn(c net.Conn, cfg *ssh.ServerConfig, handle func(string) reply) {
	defer c.Close()
	sc, chans, reqs, err := ssh.NewServerConn(c, cfg)
	if err != nil {
		return
	}
	closed := make(chan struct{})
	go func() { _ = sc.Wait(); close(closed) }()
	go ssh.DiscardRequests(reqs)
	var wg sync.WaitGroup
	defer wg.Wait()
	for nc := range chans {
		if nc.ChannelType() != "session" {
			_ = nc.Reject(ssh.UnknownChannelType, "no")
			continue
		}
		ch, creqs, err := nc.Accept()
		if err != nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer ch.Close()
			for req := range creqs {
				if req.Type != "exec" {
					_ = req.Reply(false, nil)
					continue
				}
				var p struct{ Command string }
				if err := ssh.Unmarshal(req.Payload, &p); err != nil {
					_ = req.Reply(false, nil)
					return
				}
				_ = req.Reply(true, nil)
				r := handle(p.Command)
				switch {
				case r.hang:
					<-closed
					return
				case r.dropConn:
					_, _ = ch.Write([]byte(r.stdout))
					_ = sc.Close()
					return
				}
				_, _ = ch.Write([]byte(r.stdout))
				_, _ = ch.Stderr().Write([]byte(r.stderr))
				_, _ = ch.SendRequest("exit-status", false, ssh.Marshal(struct{ Status uint32 }{uint32(r.status)}))
				return
			}
		}()
	}
}

// fakeShell keeps a little state (made directories) so that sequences can be checked, and lets
// the target variant answer some commands differently.
type fakeShell struct {
	mu     sync.Mutex
	dirs   []string
	target bool
}

func (f *fakeShell) handle(cmd string) reply {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case cmd == "uname -a":
		return reply{stdout: "Linux web01 6.1.0-28-amd64 #1 SMP x86_64 GNU/Linux\n"}
	case cmd == "whoami":
		return reply{stdout: "root\n"}
	case strings.HasPrefix(cmd, "mkdir "):
		d := strings.TrimPrefix(cmd, "mkdir /tmp/")
		if !slices.Contains(f.dirs, d) {
			f.dirs = append(f.dirs, d)
		}
		return reply{}
	case cmd == "ls /tmp":
		out := ""
		for _, d := range f.dirs {
			out += d + "\n"
		}
		return reply{stdout: out}
	case cmd == "cat /etc/issue":
		if f.target {
			return reply{stdout: "Debian GNU/Linux 12 \\n \\l\n"}
		}
		return reply{stdout: "Debian GNU/Linux 12 \\n \\l\n\n"}
	case cmd == "nosuch":
		if f.target {
			return reply{stderr: "-bash: nosuch: command not found\n", status: 1}
		}
		return reply{stderr: "bash: line 1: nosuch: command not found\n", status: 127}
	case cmd == "free -m":
		if f.target {
			return reply{stdout: "Mem: 512\n"}
		}
		return reply{stdout: "               total        used        free      shared  buff/cache   available\nMem:            1987         500        1200           8         300        1400\nSwap:              0           0           0\n"}
	case cmd == "sleep 100":
		if f.target {
			return reply{hang: true}
		}
		return reply{}
	case cmd == "exit 3":
		if f.target {
			return reply{stdout: "partial", dropConn: true}
		}
		return reply{status: 3}
	case cmd == "echo after":
		return reply{stdout: "after\n"}
	}
	return reply{stderr: "unexpected " + cmd + "\n", status: 99}
}

const testCorpus = `# test corpus
# @group basics
uname -a
whoami
# @group state
mkdir /tmp/x
ls /tmp
# @group differs
cat /etc/issue
nosuch
free -m
# @group broken
sleep 100
exit 3
echo after
`

// expected is what each line should score, computed from the fake servers' answers.
func expectedScores(t *testing.T) map[string]Scores {
	t.Helper()
	ref, tgt := &fakeShell{}, &fakeShell{target: true}
	out := map[string]Scores{}
	lines, err := ParseCorpus(strings.NewReader(testCorpus))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lines {
		a, b := ref.handle(l.Command), tgt.handle(l.Command)
		switch {
		case b.hang:
			b = reply{}
		case b.dropConn:
			b = reply{stdout: b.stdout}
		}
		out[l.Command] = Compare(a.stdout+a.stderr, b.stdout+b.stderr)
	}
	return out
}

func startPair(t *testing.T) (ref, tgt string) {
	return startServer(t, (&fakeShell{}).handle), startServer(t, (&fakeShell{target: true}).handle)
}

func writeCorpus(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "corpus.txt")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRunScoresLines(t *testing.T) {
	ref, tgt := startPair(t)
	lines, err := ParseCorpus(strings.NewReader(testCorpus))
	if err != nil {
		t.Fatal(err)
	}
	var progress []Progress
	res, err := Run(context.Background(), Config{
		Reference: ref, Target: tgt, User: testUser, Password: testPassword,
		Timeout: 500 * time.Millisecond, Progress: func(p Progress) { progress = append(progress, p) },
	}, lines)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Lines) != len(lines) || len(progress) != len(lines) {
		t.Fatalf("%d results and %d progress calls for %d lines", len(res.Lines), len(progress), len(lines))
	}
	want := expectedScores(t)
	byCmd := map[string]LineResult{}
	for i, l := range res.Lines {
		byCmd[l.Command] = l
		if l.Index != i+1 || l.Command != lines[i].Command || l.Group != lines[i].Group {
			t.Errorf("line %d: index %d command %q group %q, want %q %q", i+1, l.Index, l.Command, l.Group, lines[i].Command, lines[i].Group)
		}
		w := want[l.Command]
		if l.Cosine != w.Cosine || l.JaroWinkler != w.JaroWinkler || l.Levenshtein != w.Levenshtein || l.Exact != w.Exact {
			t.Errorf("%q: scores %+v, want %+v", l.Command, l.Scores, w)
		}
		if !near(l.Mean, w.Mean()) {
			t.Errorf("%q: mean %v, want %v", l.Command, l.Mean, w.Mean())
		}
		if progress[i].Done != i+1 || progress[i].Total != len(lines) || progress[i].Line.Command != l.Command {
			t.Errorf("progress %d = %+v", i, progress[i])
		}
	}
	// State: the directory made by one line is listed by the next, on both servers.
	if l := byCmd["ls /tmp"]; l.Reference.Stdout != "x\n" || !l.Exact {
		t.Errorf("ls after mkdir: reference %q exact %v", l.Reference.Stdout, l.Exact)
	}
	// Exit statuses.
	if l := byCmd["nosuch"]; l.Reference.ExitStatus != 127 || l.Target.ExitStatus != 1 || l.ExitAgree {
		t.Errorf("nosuch: exits %d/%d agree %v", l.Reference.ExitStatus, l.Target.ExitStatus, l.ExitAgree)
	}
	if l := byCmd["uname -a"]; !l.ExitAgree || l.Reference.ExitStatus != 0 {
		t.Errorf("uname -a: %+v", l)
	}
	// The hanging command is cut at the timeout, and the next lines still run.
	if l := byCmd["sleep 100"]; !l.Target.TimedOut || l.Target.ExitStatus != -1 || l.ExitAgree || l.Reference.TimedOut {
		t.Errorf("sleep 100: target %+v, agree %v", l.Target, l.ExitAgree)
	}
	if l := byCmd["exit 3"]; l.Target.Stdout != "partial" || l.Target.ExitStatus != -1 || l.Target.Error == "" || l.ExitAgree || l.Reference.ExitStatus != 3 {
		t.Errorf("exit 3 (connection dropped by the target): %+v", l)
	}
	if l := byCmd["echo after"]; !l.Exact || !l.ExitAgree || l.Error != "" {
		t.Errorf("line after a timeout and a dropped connection did not run cleanly: %+v", l)
	}
	// Latency is measured on both sides.
	for _, l := range res.Lines {
		if l.Reference.LatencyMS <= 0 || l.Target.LatencyMS <= 0 {
			t.Errorf("%q: latency %v/%v", l.Command, l.Reference.LatencyMS, l.Target.LatencyMS)
		}
	}
	if l := byCmd["sleep 100"]; l.Target.LatencyMS < 500 {
		t.Errorf("timed-out command latency %vms, want at least the timeout", l.Target.LatencyMS)
	}

	// Overall figures.
	s := res.Summary
	var sumCos float64
	exact, agree := 0, 0
	for _, l := range res.Lines {
		sumCos += l.Cosine
		if l.Exact {
			exact++
		}
		if l.ExitAgree {
			agree++
		}
	}
	if !near(s.Cosine, sumCos/float64(len(lines))) || s.ExactMatches != exact || s.ExitAgreements != agree || s.Lines != len(lines) {
		t.Errorf("summary %+v; want cosine %v exact %d agree %d", s, sumCos/float64(len(lines)), exact, agree)
	}
	if s.TimedOut["target"] != 1 || s.TimedOut["reference"] != 0 {
		t.Errorf("timed out %v", s.TimedOut)
	}
	if s.Latency.Target.Max < 500 || s.Latency.Reference.Count != len(lines) || s.Latency.Reference.P50 > s.Latency.Reference.P90 {
		t.Errorf("latency %+v", s.Latency)
	}
	if len(res.Groups) != 4 || res.Groups[0].Group != "basics" || res.Groups[0].Lines != 2 || res.Groups[0].Cosine != 1 {
		t.Errorf("groups %+v", res.Groups)
	}

	// Worst first: exactly the imperfect lines, by mean, exit disagreements first among equals.
	type ranked struct {
		idx   int
		mean  float64
		agree bool
	}
	var exp []ranked
	for _, l := range res.Lines {
		w := want[l.Command]
		agreeExit := l.Command != "nosuch" && l.Command != "sleep 100" && l.Command != "exit 3"
		if !w.Exact || !agreeExit {
			exp = append(exp, ranked{l.Index, w.Mean(), agreeExit})
		}
	}
	sort.SliceStable(exp, func(i, j int) bool {
		if exp[i].mean != exp[j].mean {
			return exp[i].mean < exp[j].mean
		}
		return !exp[i].agree && exp[j].agree
	})
	var wantOrder []int
	for _, r := range exp {
		wantOrder = append(wantOrder, r.idx)
	}
	if !slices.Equal(res.Worst, wantOrder) {
		t.Errorf("worst order %v, want %v", res.Worst, wantOrder)
	}
	// Spelled out: the empty-versus-"partial" line is worst, and free -m (rewritten) ranks
	// before cat /etc/issue (one blank line missing).
	if res.Worst[0] != 9 || slices.Index(res.Worst, 7) > slices.Index(res.Worst, 5) {
		t.Errorf("worst order %v: want 9 first and 7 (free -m) before 5 (cat /etc/issue)", res.Worst)
	}
}

func TestRunInterrupted(t *testing.T) {
	ref, tgt := startPair(t)
	lines, _ := ParseCorpus(strings.NewReader(testCorpus))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	res, err := Run(ctx, Config{
		Reference: ref, Target: tgt, User: testUser, Password: testPassword, Timeout: 5 * time.Second,
		Progress: func(p Progress) {
			if p.Done == 2 {
				cancel()
			}
		},
	}, lines)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Interrupted || len(res.Lines) != 2 || res.Summary.Lines != 2 {
		t.Errorf("interrupted %v after %d lines (summary %d)", res.Interrupted, len(res.Lines), res.Summary.Lines)
	}
}

// runCommand runs `lure eval` with args and returns its exit status, stdout and stderr.
func runCommand(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Command(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestCommandReportJSONAndMinScore(t *testing.T) {
	ref, tgt := startPair(t)
	corpus := writeCorpus(t, testCorpus)
	jsonPath := filepath.Join(t.TempDir(), "out.json")
	base := []string{"--corpus", corpus, "--reference", ref, "--target", tgt, "--user", testUser,
		"--password", testPassword, "--timeout", "400ms"}

	code, stdout, stderr := runCommand(t, append(base, "--json", jsonPath, "--min-score", "0.1")...)
	if code != 0 {
		t.Fatalf("exit %d with --min-score 0.1\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	// Progress: one line per command, in order, with running means.
	for i := 1; i <= 10; i++ {
		if !strings.Contains(stderr, "eval ["+strconv.Itoa(i)+"/10]") {
			t.Errorf("progress lacks line %d/10:\n%s", i, stderr)
		}
	}
	if strings.Count(stderr, "| running: cos ") != 10 {
		t.Errorf("progress lines without running means:\n%s", stderr)
	}
	// Report: figures, worst lines in order with their diffs, verdict.
	for _, want := range []string{"lure eval: 10 lines of " + corpus, "cosine", "jaro-winkler", "levenshtein",
		"exact match", "exit agreement", "latency ms", "worst lines", "$ free -m", "- Mem:            1987",
		"+ Mem: 512", "min-score 0.1: PASS", "basics", "differs"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("report lacks %q:\n%s", want, stdout)
		}
	}
	if i, j := strings.Index(stdout, "$ free -m"), strings.Index(stdout, "$ cat /etc/issue"); i < 0 || j < 0 || i > j {
		t.Errorf("free -m (worst) should be listed before cat /etc/issue:\n%s", stdout)
	}

	data, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Corpus   string   `json:"corpus"`
		MinScore *float64 `json:"min_score"`
		Passed   *bool    `json:"passed"`
		Summary  struct {
			Lines             int     `json:"lines"`
			Cosine            float64 `json:"cosine"`
			ExitAgreementRate float64 `json:"exit_agreement_rate"`
		} `json:"summary"`
		Worst []int `json:"worst"`
		Lines []struct {
			Index     int    `json:"index"`
			LineNo    int    `json:"line_no"`
			Group     string `json:"group"`
			Command   string `json:"command"`
			Exact     bool   `json:"exact"`
			ExitAgree bool   `json:"exit_agree"`
			Reference struct {
				Stdout     string  `json:"stdout"`
				Stderr     string  `json:"stderr"`
				ExitStatus int     `json:"exit_status"`
				LatencyMS  float64 `json:"latency_ms"`
			} `json:"reference"`
			Target struct {
				ExitStatus int  `json:"exit_status"`
				TimedOut   bool `json:"timed_out"`
			} `json:"target"`
			Cosine float64 `json:"cosine"`
		} `json:"lines"`
	}
	if err := json.Unmarshal(data, &res); err != nil {
		t.Fatalf("JSON output does not parse: %v\n%s", err, data)
	}
	if res.Corpus != corpus || res.Summary.Lines != 10 || len(res.Lines) != 10 || res.MinScore == nil || *res.MinScore != 0.1 || res.Passed == nil || !*res.Passed {
		t.Errorf("JSON header: corpus %q lines %d/%d min %v passed %v", res.Corpus, res.Summary.Lines, len(res.Lines), res.MinScore, res.Passed)
	}
	if l := res.Lines[5]; l.Command != "nosuch" || l.LineNo != 10 || l.Group != "differs" || l.Reference.ExitStatus != 127 ||
		l.Target.ExitStatus != 1 || l.ExitAgree || !strings.Contains(l.Reference.Stderr, "command not found") {
		t.Errorf("JSON line 6: %+v", l)
	}
	if l := res.Lines[7]; l.Command != "sleep 100" || !l.Target.TimedOut {
		t.Errorf("JSON line 8: %+v", l)
	}
	if len(res.Worst) != 5 || res.Worst[0] != 9 {
		t.Errorf("JSON worst %v", res.Worst)
	}

	// The same run with a bar it cannot reach fails with status 1 and says why.
	code, stdout, stderr = runCommand(t, append(base, "--min-score", "0.99", "--limit", "7")...)
	if code != 1 {
		t.Fatalf("exit %d with --min-score 0.99, want 1\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "min-score 0.99: FAIL") || !strings.Contains(stderr, "exit agreement") {
		t.Errorf("failure not explained:\nstdout:\n%s\nstderr:\n%s", stdout, stderr)
	}
	if !strings.Contains(stdout, "lure eval: 7 lines") {
		t.Errorf("--limit 7 not applied:\n%s", stdout)
	}

	// Without --min-score the status is 0 whatever the scores.
	if code, _, stderr := runCommand(t, append(base, "--limit", "6")...); code != 0 {
		t.Errorf("exit %d without --min-score: %s", code, stderr)
	}
}

func TestCommandJSONToStdout(t *testing.T) {
	ref, tgt := startPair(t)
	corpus := writeCorpus(t, "uname -a\nwhoami\n")
	code, stdout, stderr := runCommand(t, "--corpus", corpus, "--reference", ref, "--target", tgt,
		"--user", testUser, "--password", testPassword, "--json", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(stdout), &v); err != nil {
		t.Fatalf("stdout is not JSON with --json -: %v\n%s", err, stdout)
	}
	if !strings.Contains(stderr, "every line matched exactly") {
		t.Errorf("text report should go to stderr with --json -:\n%s", stderr)
	}
}

func TestCommandLoginFailure(t *testing.T) {
	ref, tgt := startPair(t)
	corpus := writeCorpus(t, "uname -a\n")
	code, _, stderr := runCommand(t, "--corpus", corpus, "--reference", ref, "--target", tgt,
		"--user", testUser, "--password", "wrong", "--timeout", "2s")
	if code != 2 || !strings.Contains(stderr, "cannot log in to the reference server") {
		t.Errorf("wrong password: exit %d, stderr %q", code, stderr)
	}
}

func TestCommandUsageErrors(t *testing.T) {
	corpus := writeCorpus(t, "uname -a\n")
	ok := []string{"--corpus", corpus, "--reference", "127.0.0.1:1", "--target", "127.0.0.1:2", "--user", "root", "--password", "x"}
	with := func(extra ...string) []string { return append(slices.Clone(ok), extra...) }
	without := func(flag string) []string {
		var out []string
		for i := 0; i < len(ok); i += 2 {
			if ok[i] != flag {
				out = append(out, ok[i], ok[i+1])
			}
		}
		return out
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{without("--corpus"), "--corpus is required"},
		{without("--reference"), "--reference is required"},
		{without("--target"), "--target is required"},
		{without("--user"), "--user is required"},
		{without("--password"), "--password is required"},
		{with("--timeout", "1ms"), "--timeout must be between"},
		{with("--timeout", "1h"), "--timeout must be between"},
		{with("--min-score", "1.5"), "must be a number between 0 and 1"},
		{with("--min-score", "abc"), "must be a number between 0 and 1"},
		{with("--limit", "-1"), "--limit must not be negative"},
		{with("--worst", "-1"), "--worst must not be negative"},
		{with("--target", "localhost"), "is not HOST:PORT"},
		{with("--target", "127.0.0.1:99999"), "port must be a number"},
		{with("--reference", ":22"), "has no host"},
		{with("extra"), "unexpected argument"},
		{with("--bogus"), "flag provided but not defined"},
		// Not loopback: refused before any connection is tried.
		{with("--target", "192.0.2.10:22"), "is not a loopback address"},
		{with("--reference", "[2001:db8::1]:22"), "is not a loopback address"},
		{[]string{"--corpus", filepath.Join(t.TempDir(), "missing.txt"), "--reference", "127.0.0.1:1", "--target", "127.0.0.1:2", "--user", "u", "--password", ""}, "reading the corpus"},
		{[]string{"--corpus", writeCorpus(t, "# only a comment\n"), "--reference", "127.0.0.1:1", "--target", "127.0.0.1:2", "--user", "u", "--password", ""}, "no command lines"},
		{with("--json", filepath.Join(t.TempDir(), "no", "such", "dir.json")), "--json"},
	} {
		code, _, stderr := runCommand(t, c.args...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, stderr, c.want)
		}
	}
	code, stdout, _ := runCommand(t, "--help")
	if code != 0 || !strings.Contains(stdout, "Usage: lure eval") || !strings.Contains(stdout, "--normalize-volatile") || !strings.Contains(stdout, "--min-score X") {
		t.Errorf("--help: exit %d\n%s", code, stdout)
	}
}

func TestCommandNormalizeVolatile(t *testing.T) {
	// Two servers that differ only in the clock and a load average: equal once masked.
	clock := func(t0 string) func(string) reply {
		return func(string) reply {
			return reply{stdout: " " + t0 + " up 1 day,  2:03,  1 user,  load average: 0.00, 0.01, 0.05\n"}
		}
	}
	now := time.Now().UTC()
	ref := startServer(t, clock(now.Format("15:04:05")))
	tgt := startServer(t, func(c string) reply {
		r := clock(now.Add(time.Second).Format("15:04:05"))(c)
		r.stdout = strings.Replace(r.stdout, "1 day,  2:03", "3 min", 1)
		r.stdout = strings.Replace(r.stdout, "0.00, 0.01, 0.05", "1.50, 0.70, 0.20", 1)
		return r
	})
	corpus := writeCorpus(t, "uptime\n")
	args := []string{"--corpus", corpus, "--reference", ref, "--target", tgt, "--user", testUser, "--password", testPassword}
	if code, stdout, _ := runCommand(t, append(args, "--min-score", "1")...); code != 1 || !strings.Contains(stdout, "normalisation: none") {
		t.Errorf("without masks the outputs should differ: exit %d\n%s", code, stdout)
	}
	code, stdout, stderr := runCommand(t, append(args, "--min-score", "1", "--normalize-volatile")...)
	if code != 0 || !strings.Contains(stdout, "every line matched exactly") {
		t.Errorf("with --normalize-volatile: exit %d\n%s\n%s", code, stdout, stderr)
	}
}
