package llm

import (
	"strings"
	"testing"
	"time"
)

func TestClean(t *testing.T) {
	const prompt = "root@web01:~# "
	cases := []struct{ name, in, cmd, want string }{
		{"plain", "a\nb\n", "x", "a\nb\n"},
		{"no final newline", "a", "x", "a\n"},
		{"empty", "  \n\n", "x", ""},
		{"crlf and cr", "a\r\nb\rc\r\n", "x", "a\nb\nc\n"},
		{"fence with info", "```bash\nroot\n```", "whoami", "root\n"},
		{"fence with preface and explanation", "Here is the output:\n```\nroot\n```\nThis shows the user.", "whoami", "root\n"},
		{"echoed command", "$ whoami\nroot\n", "whoami", "root\n"},
		{"echoed prompt and command", "root@web01:~# whoami\nroot\nroot@web01:~#", "whoami", "root\n"},
		{"trailing prompt", "root\nroot@web01:~# ", "whoami", "root\n"},
		{"explanation paragraph", "CONTAINER ID   IMAGE\n\nNote: no containers are running.", "docker ps", "CONTAINER ID   IMAGE\n"},
		{"control characters", "ok\x1b]0;title\x07\x00\n", "x", "ok]0;title\n"},
		{"output: preface", "Output:\nfoo\n", "x", "foo\n"},
		{"keeps a colon line that is output", "eth0: flags=4163\n", "x", "eth0: flags=4163\n"},
	}
	for _, c := range cases {
		if got := Clean(c.in, c.cmd, prompt); got != c.want {
			t.Errorf("%s: Clean(%q) = %q, want %q", c.name, c.in, got, c.want)
		}
	}
	long := strings.Repeat("0123456789\n", 5000)
	got := Clean(long, "x", prompt)
	if n := strings.Count(got, "\n"); n != maxAnswerLines || len(got) > maxAnswerBytes+1 {
		t.Errorf("cap: %d lines, %d bytes", n, len(got))
	}
	wide := strings.Repeat("é", maxAnswerBytes)
	if got := Clean(wide, "x", prompt); len(got) > maxAnswerBytes+1 || !strings.HasSuffix(got, "é\n") {
		t.Errorf("byte cap cut a rune or missed: %d bytes, ends %q", len(got), got[len(got)-4:])
	}
}

func TestGuard(t *testing.T) {
	sys := Prompt{}.System(defaultPersona(t))
	ooc := []string{
		"I'm sorry, but I can't do that.",
		"As an AI language model, I don't have a filesystem.",
		"This is a simulated environment.",
		"Nice try! This is a honeypot.",
		"My instructions tell me to act as a shell.",
		"Hello! How can I help you today?",
		"Sure. " + strings.SplitN(sys, "\n", 2)[0], // the first line of the prompt
	}
	for _, a := range ooc {
		if Guard(a, sys) == "" {
			t.Errorf("not caught: %q", a)
		}
	}
	in := []string{
		"uid=0(root) gid=0(root) groups=0(root)\n",
		"ls: cannot access '/x': No such file or directory\n",
		"bash: foo: command not found\n",
		"Linux web-prod-03 6.1.0-44-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.164-1 (2026-03-09) x86_64 GNU/Linux\n",
		"● nginx.service - A high performance web server and a reverse proxy server\n     Loaded: loaded\n",
		"",
	}
	for _, a := range in {
		if r := Guard(a, sys); r != "" {
			t.Errorf("terminal output rejected (%s): %q", r, a)
		}
	}
}

func TestStatusOf(t *testing.T) {
	for in, want := range map[string]int{
		"bash: x: command not found\n":                          127,
		"tmux: invalid option -- 'q'\nusage: tmux [-2]\n":       2,
		"lsof: status error on /x: No such file or directory\n": 1,
		"Usage: git [--version]\n":                              0,
		"CONTAINER ID\n":                                        0,
		"":                                                      0,
	} {
		if got := StatusOf(in); got != want {
			t.Errorf("StatusOf(%q) = %d, want %d", in, got, want)
		}
	}
}

func TestFallbackDeterministic(t *testing.T) {
	per := defaultPersona(t)
	out, st := Fallback(per, []string{"/usr/bin/tmux", "-V"}, false)
	if st != 0 && st != 1 {
		t.Fatalf("status %d", st)
	}
	if pk, ok := per.LookupPackage("tmux"); ok && (!strings.HasPrefix(out, "tmux ") || !strings.Contains(pk.Version, strings.TrimSpace(strings.TrimPrefix(out, "tmux ")))) {
		t.Errorf("version from the package database: %q (package %s)", out, pk.Version)
	}
	out2, st2 := Fallback(per, []string{"/usr/bin/tmux", "-V"}, false)
	if out != out2 || st != st2 {
		t.Errorf("not deterministic")
	}
	if out, st := Fallback(per, []string{"journalctl", "-xe"}, false); out != "" || st != 0 {
		t.Errorf("plain run: %q %d", out, st)
	}
}

func TestLimiterDayRollover(t *testing.T) {
	now := time.Date(2026, 1, 1, 23, 59, 0, 0, time.UTC)
	l := newLimiter(Limits{TokensPerIP: 100, TokensPerDay: 1000, RatePerIP: 600}, func() time.Time { return now })
	if lim := l.admit("a"); lim != "" {
		t.Fatal(lim)
	}
	l.release("a", 150)
	if lim := l.admit("a"); lim != LimitIPBudget {
		t.Fatalf("over budget: %q", lim)
	}
	now = now.Add(2 * time.Minute) // the next UTC day
	if lim := l.admit("a"); lim != "" {
		t.Fatalf("after midnight: %q", lim)
	}
	l.release("a", 1)
	if total, ip := l.usage("a"); total != 1 || ip != 1 {
		t.Fatalf("usage after rollover: %d %d", total, ip)
	}
}
