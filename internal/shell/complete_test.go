package shell

import (
	"reflect"
	"testing"
)

func TestComplete(t *testing.T) {
	s := newTestShell(t, testOpts{interactive: true})
	run(t, s, "mkdir_=1; echo > '/tmp/my file'; echo > /tmp/alpha1; echo > /tmp/alpha2; echo > /opt/app/zeta; myfunc() { :; }; alias myalias=ls")
	cases := []struct {
		line   string
		want   string
		wantOK bool
	}{
		{"unam", "uname ", true},   // program on PATH
		{"ech", "echo ", true},     // builtin (and /usr/bin/echo)
		{"myf", "myfunc ", true},   // function
		{"myal", "myalias ", true}, // alias
		{"hist", "history ", true}, // builtin only
		{"zzzz", "zzzz", false},    // nothing
		{"cat /etc/hostn", "cat /etc/hostname ", true},
		{"cat /et", "cat /etc/", true},
		{"cat /tmp/al", "cat /tmp/alpha", true}, // common prefix of two
		{"cat /tmp/my", `cat /tmp/my\ file `, true},
		{"ls /nope/x", "ls /nope/x", false},
		{"cd ~us", "cd ~user/", true},
		{"cat ~/", "cat ~/", false},
		{"echo x; unam", "echo x; uname ", true},
		{"echo x | gre", "echo x | grep ", true},
		{"/opt/app/ru", "/opt/app/run.sh ", true},
		{"/opt/app/no", "/opt/app/no", false}, // not executable
		{"cd /opt/a", "cd /opt/app/", true},
	}
	for _, c := range cases {
		got, pos, ok := s.Complete(c.line, len(c.line))
		if got != c.want || ok != c.wantOK || pos != len(c.want) && ok {
			t.Errorf("Complete(%q) = %q, %d, %v; want %q, %v", c.line, got, pos, ok, c.want, c.wantOK)
		}
	}
	// completion in the middle of a line keeps the rest
	got, pos, ok := s.Complete("cat /etc/hostn | wc", len("cat /etc/hostn"))
	if got != "cat /etc/hostname  | wc" || pos != len("cat /etc/hostname ") || !ok {
		t.Errorf("mid-line: %q %d %v", got, pos, ok)
	}
	if c := s.Completions("cat /tmp/al", len("cat /tmp/al")); !reflect.DeepEqual(c, []string{"/tmp/alpha1", "/tmp/alpha2"}) {
		t.Errorf("Completions = %q", c)
	}
}
