package eval

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseCorpus(t *testing.T) {
	in := "# header comment\r\n" +
		"uname -a\r\n" +
		"\n" +
		"   # indented comment\n" +
		"# @group recon\n" +
		"cat /proc/cpuinfo | grep name | wc -l\n" +
		"#@groupies is a comment\n" +
		"  echo '#not a comment'  \n" +
		"# @group   mirai  \n" +
		"/bin/busybox ECCHI\n"
	got, err := ParseCorpus(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []Line{
		{No: 2, Group: "", Command: "uname -a"},
		{No: 6, Group: "recon", Command: "cat /proc/cpuinfo | grep name | wc -l"},
		{No: 8, Group: "recon", Command: "  echo '#not a comment'  "},
		{No: 10, Group: "mirai", Command: "/bin/busybox ECCHI"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ParseCorpus =\n%+v\nwant\n%+v", got, want)
	}
}

func TestParseCorpusErrors(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", "no command lines"},
		{"# only\n\n  \n", "no command lines"},
		{"ls\n# @group two words\nid\n", "line 2"},
		{"ls\n# @group\nid\n", "a group name is one word"},
		{"ls\necho a\x00b\n", "line 2: contains a NUL byte"},
		{"ls\n" + strings.Repeat("x", MaxLineBytes+10) + "\n", "line 2: longer than"},
	} {
		_, err := ParseCorpus(strings.NewReader(c.in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseCorpus(%.40q) error %v, want %q", c.in, err, c.want)
		}
	}
	// The longest allowed line is fine.
	if _, err := ParseCorpus(strings.NewReader(strings.Repeat("x", MaxLineBytes) + "\n")); err != nil {
		t.Errorf("a line of exactly MaxLineBytes: %v", err)
	}
}

func TestShortDiff(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want []string
	}{
		{"same\n", "same\n", []string{"  (same output)"}},
		{"a\nb\nc\n", "a\nB\nc\n", []string{"- b", "+ B"}},
		{"a\nb\n", "a\nb\nextra\n", []string{"+ extra"}},
		{"a\n\n", "a\n", []string{`- ""`}},
		{"x\n", "x", []string{"- x", "+ x  (no newline at end)"}},
		{"tab\there\n", "trail \n", []string{`- "tab\there"`, `+ "trail "`}},
		{"1\n2\n3\n4\n5\n", "1\n3\n5\n", []string{"- 2", "- 4"}},
	} {
		if got := ShortDiff(c.a, c.b); !reflect.DeepEqual(got, c.want) {
			t.Errorf("ShortDiff(%q, %q) = %q, want %q", c.a, c.b, got, c.want)
		}
	}
	// Long diffs are cut, and say how much was left out.
	a := strings.Repeat("old line\n", 20)
	b := strings.Repeat("new line\n", 20)
	got := ShortDiff(a, b)
	if len(got) != diffMaxLines+1 || !strings.Contains(got[len(got)-1], "32 more changed line(s)") {
		t.Errorf("long diff = %q", got)
	}
	// Very long lines are cut to diffWidth runes.
	got = ShortDiff(strings.Repeat("é", 500)+"\n", "")
	if n := len([]rune(got[0])); n != 2+diffWidth+3 {
		t.Errorf("long line shown with %d runes: %q", n, got[0])
	}
}

func TestLatencyStats(t *testing.T) {
	var ms []float64
	for i := 100; i >= 1; i-- {
		ms = append(ms, float64(i))
	}
	got := latencyStats(ms)
	if got != (LatencyStats{Count: 100, P50: 50, P90: 90, Max: 100}) {
		t.Errorf("latencyStats(1..100) = %+v", got)
	}
	if got := latencyStats([]float64{7}); got != (LatencyStats{Count: 1, P50: 7, P90: 7, Max: 7}) {
		t.Errorf("latencyStats(7) = %+v", got)
	}
	if got := latencyStats(nil); got != (LatencyStats{}) {
		t.Errorf("latencyStats(nil) = %+v", got)
	}
}

func TestSummaryCountsNotRunAsZero(t *testing.T) {
	lines := []LineResult{
		scoreLine(1, Line{Command: "a"}, Side{Stdout: "x"}, Side{Stdout: "x"}, nil),
		scoreLine(2, Line{Command: "b"}, Side{ExitStatus: -1, NotRun: true, Error: "refused"}, Side{ExitStatus: -1, NotRun: true, Error: "refused"}, nil),
	}
	s := Summarize(lines)
	if s.Cosine != 0.5 || s.ExitAgreementRate != 0.5 || s.Errors != 1 || s.ExactMatches != 1 {
		t.Errorf("summary %+v: a line run on neither server must count as 0, not as a match", s)
	}
	if lines[1].Error == "" || !strings.Contains(lines[1].Error, "reference: refused") {
		t.Errorf("error %q", lines[1].Error)
	}
	if w := WorstFirst(lines); !reflect.DeepEqual(w, []int{2}) {
		t.Errorf("WorstFirst = %v", w)
	}
	if below := s.Below(0.6); len(below) != 4 {
		t.Errorf("Below(0.6) = %v, want all four figures", below)
	}
	if below := s.Below(0.5); len(below) != 0 {
		t.Errorf("Below(0.5) = %v, want none (equal is not below)", below)
	}
}
