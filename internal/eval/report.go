package eval

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode"
	"unicode/utf8"
)

// Summary holds the figures over a set of lines. Means are over all lines; a line that could not
// be run on a server (NotRun) counts with similarity 0 and no exit agreement, so an unreachable
// server can never look like a perfect score.
type Summary struct {
	Lines       int     `json:"lines"`
	Cosine      float64 `json:"cosine"`
	JaroWinkler float64 `json:"jaro_winkler"`
	Levenshtein float64 `json:"levenshtein"`
	// Mean is the mean of the three similarity means.
	Mean              float64 `json:"mean"`
	ExactMatches      int     `json:"exact_matches"`
	ExactMatchRate    float64 `json:"exact_match_rate"`
	ExitAgreements    int     `json:"exit_agreements"`
	ExitAgreementRate float64 `json:"exit_agreement_rate"`
	// Errors counts lines that could not be run on one of the servers.
	Errors int `json:"errors"`
	// TimedOut counts commands still running at the timeout, per server.
	TimedOut map[string]int `json:"timed_out,omitempty"`
	Latency  struct {
		Reference LatencyStats `json:"reference"`
		Target    LatencyStats `json:"target"`
	} `json:"latency_ms"`
}

// LatencyStats are round-trip times in milliseconds over the commands a server ran.
type LatencyStats struct {
	Count int     `json:"count"`
	P50   float64 `json:"p50"`
	P90   float64 `json:"p90"`
	Max   float64 `json:"max"`
}

// GroupSummary is the Summary of the lines of one corpus group.
type GroupSummary struct {
	Group string `json:"group"`
	Summary
}

// Summarize computes the figures over lines.
func Summarize(lines []LineResult) Summary {
	var s Summary
	s.Lines = len(lines)
	var refLat, tgtLat []float64
	for _, l := range lines {
		s.Cosine += l.Cosine
		s.JaroWinkler += l.JaroWinkler
		s.Levenshtein += l.Levenshtein
		if l.Exact {
			s.ExactMatches++
		}
		if l.ExitAgree {
			s.ExitAgreements++
		}
		if l.Error != "" {
			s.Errors++
		}
		for name, side := range map[string]Side{"reference": l.Reference, "target": l.Target} {
			if side.TimedOut {
				if s.TimedOut == nil {
					s.TimedOut = map[string]int{}
				}
				s.TimedOut[name]++
			}
		}
		if !l.Reference.NotRun {
			refLat = append(refLat, l.Reference.LatencyMS)
		}
		if !l.Target.NotRun {
			tgtLat = append(tgtLat, l.Target.LatencyMS)
		}
	}
	if n := float64(len(lines)); n > 0 {
		s.Cosine /= n
		s.JaroWinkler /= n
		s.Levenshtein /= n
		s.Mean = (s.Cosine + s.JaroWinkler + s.Levenshtein) / 3
		s.ExactMatchRate = float64(s.ExactMatches) / n
		s.ExitAgreementRate = float64(s.ExitAgreements) / n
	}
	s.Latency.Reference = latencyStats(refLat)
	s.Latency.Target = latencyStats(tgtLat)
	return s
}

// latencyStats uses the nearest-rank percentile: the smallest value with at least p% of the
// values at or below it.
func latencyStats(ms []float64) LatencyStats {
	if len(ms) == 0 {
		return LatencyStats{}
	}
	sorted := slices.Clone(ms)
	slices.Sort(sorted)
	rank := func(p float64) float64 {
		i := int(math.Ceil(p*float64(len(sorted)))) - 1
		return sorted[max(0, min(i, len(sorted)-1))]
	}
	return LatencyStats{Count: len(sorted), P50: rank(0.5), P90: rank(0.9), Max: sorted[len(sorted)-1]}
}

func summarizeGroups(lines []LineResult) []GroupSummary {
	var order []string
	byGroup := map[string][]LineResult{}
	for _, l := range lines {
		if _, ok := byGroup[l.Group]; !ok {
			order = append(order, l.Group)
		}
		byGroup[l.Group] = append(byGroup[l.Group], l)
	}
	if len(order) == 1 && order[0] == "" {
		return nil // a corpus without groups
	}
	out := make([]GroupSummary, 0, len(order))
	for _, g := range order {
		out = append(out, GroupSummary{Group: g, Summary: Summarize(byGroup[g])})
	}
	return out
}

// WorstFirst returns the Index of every line that is not a perfect match (a similarity below 1,
// or exit statuses that disagree, or not run), ordered by the mean of the three similarities,
// lowest first; among equal means, lines whose exit statuses disagree come first, then corpus
// order.
func WorstFirst(lines []LineResult) []int {
	var bad []LineResult
	for _, l := range lines {
		if !l.Exact || !l.ExitAgree || l.Error != "" {
			bad = append(bad, l)
		}
	}
	slices.SortStableFunc(bad, func(a, b LineResult) int {
		if a.Mean != b.Mean {
			if a.Mean < b.Mean {
				return -1
			}
			return 1
		}
		if a.ExitAgree != b.ExitAgree {
			if !a.ExitAgree {
				return -1
			}
			return 1
		}
		return a.Index - b.Index
	})
	out := make([]int, len(bad))
	for i, l := range bad {
		out[i] = l.Index
	}
	return out
}

// Diff limits: a diff shows at most diffMaxLines changed lines of at most diffWidth runes each.
const (
	diffMaxLines = 8
	diffWidth    = 160
	// Above this many table cells the line diff compares line by line instead of aligning.
	diffMaxCells = 1 << 20
)

// ShortDiff describes how text b (the target's) differs from a (the reference's), line by line:
// "- " lines are only in the reference, "+ " lines only in the target, aligned by a longest
// common subsequence of lines. Lines with control characters or trailing blanks are shown quoted,
// so invisible differences show.
func ShortDiff(a, b string) []string {
	if a == b {
		return []string{"  (same output)"}
	}
	la, lb := strings.SplitAfter(a, "\n"), strings.SplitAfter(b, "\n")
	if la[len(la)-1] == "" {
		la = la[:len(la)-1]
	}
	if lb[len(lb)-1] == "" {
		lb = lb[:len(lb)-1]
	}
	// Drop the common head and tail, then align the middle.
	for len(la) > 0 && len(lb) > 0 && la[0] == lb[0] {
		la, lb = la[1:], lb[1:]
	}
	for len(la) > 0 && len(lb) > 0 && la[len(la)-1] == lb[len(lb)-1] {
		la, lb = la[:len(la)-1], lb[:len(lb)-1]
	}
	var ops []string
	if len(la)*len(lb) > diffMaxCells {
		for _, l := range la {
			ops = append(ops, "- "+showLine(l))
		}
		for _, l := range lb {
			ops = append(ops, "+ "+showLine(l))
		}
	} else {
		ops = lcsDiff(la, lb)
	}
	if len(ops) > diffMaxLines {
		more := len(ops) - diffMaxLines
		ops = append(ops[:diffMaxLines], fmt.Sprintf("  ... %d more changed line(s)", more))
	}
	return ops
}

func lcsDiff(a, b []string) []string {
	// l[i][j] is the length of the longest common subsequence of a[i:] and b[j:].
	l := make([][]int32, len(a)+1)
	for i := range l {
		l[i] = make([]int32, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				l[i][j] = l[i+1][j+1] + 1
			} else {
				l[i][j] = max(l[i+1][j], l[i][j+1])
			}
		}
	}
	var ops []string
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			i++
			j++
		case j == len(b) || i < len(a) && l[i+1][j] >= l[i][j+1]:
			ops = append(ops, "- "+showLine(a[i]))
			i++
		default:
			ops = append(ops, "+ "+showLine(b[j]))
			j++
		}
	}
	return ops
}

// showLine prints one output line for a diff: plain when that is unambiguous, Go-quoted when it
// is empty or holds control characters or trailing blanks, marked when it has no final newline; cut to
// diffWidth runes.
func showLine(l string) string {
	noNewline := !strings.HasSuffix(l, "\n")
	l = strings.TrimSuffix(l, "\n")
	plain := l != "" && utf8.ValidString(l) && !strings.HasSuffix(l, " ") && !strings.HasSuffix(l, "\t") &&
		strings.IndexFunc(l, func(r rune) bool { return unicode.IsControl(r) }) < 0
	if !plain {
		l = strconv.Quote(l)
	}
	if utf8.RuneCountInString(l) > diffWidth {
		r := []rune(l)
		l = string(r[:diffWidth]) + "..."
	}
	if noNewline {
		l += "  (no newline at end)"
	}
	return l
}

// oneLine shortens a command line for progress and report lines.
func oneLine(s string, width int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > width {
		s = string([]rune(s)[:width]) + "..."
	}
	return s
}

func pct(x float64) string { return fmt.Sprintf("%.1f%%", 100*x) }

// exitText describes how a side ended, for the report.
func exitText(s Side) string {
	switch {
	case s.NotRun:
		return "not run"
	case s.TimedOut:
		return "timeout"
	case s.Signal != "":
		return "SIG" + s.Signal
	case s.ExitStatus < 0:
		return "none"
	}
	return strconv.Itoa(s.ExitStatus)
}

// FormatProgress is the stderr line printed after each corpus line.
func FormatProgress(p Progress) string {
	l := p.Line
	status := fmt.Sprintf("%.4f", l.Mean)
	if l.Error != "" {
		status = "ERROR"
	}
	exit := "exit " + exitText(l.Reference)
	if l.ExitAgree {
		exit += "="
	} else {
		exit += "!="
	}
	exit += exitText(l.Target)
	r := p.Running
	return fmt.Sprintf("eval [%d/%d] %s %-16s | running: cos %.4f jw %.4f lev %.4f exact %s exit %s | $ %s",
		p.Done, p.Total, status, exit, r.Cosine, r.JaroWinkler, r.Levenshtein, pct(r.ExactMatchRate),
		pct(r.ExitAgreementRate), oneLine(l.Command, 60))
}

// WriteText writes the human-readable report: the overall figures, the latencies, the figures
// per group, and the worst lines (at most worst of them) with a short diff each.
func WriteText(w io.Writer, res *Result, worst int) error {
	var b strings.Builder
	s := res.Summary
	corpus := res.Corpus
	if corpus == "" {
		corpus = "(corpus)"
	}
	norm := "none"
	if res.NormalizeVolatile {
		norm = "volatile values masked"
	}
	fmt.Fprintf(&b, "lure eval: %d lines of %s in %.1fs\n", s.Lines, corpus, res.Seconds)
	fmt.Fprintf(&b, "reference %s  target %s  user %s  normalisation: %s  (host keys not checked)\n",
		res.Reference, res.Target, res.User, norm)
	if res.Interrupted {
		b.WriteString("INTERRUPTED: the figures cover the lines run\n")
	}
	b.WriteString("\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "cosine\t%.4f\n", s.Cosine)
	fmt.Fprintf(tw, "jaro-winkler\t%.4f\n", s.JaroWinkler)
	fmt.Fprintf(tw, "levenshtein\t%.4f\n", s.Levenshtein)
	fmt.Fprintf(tw, "exact match\t%s\t(%d/%d)\n", pct(s.ExactMatchRate), s.ExactMatches, s.Lines)
	fmt.Fprintf(tw, "exit agreement\t%s\t(%d/%d)\n", pct(s.ExitAgreementRate), s.ExitAgreements, s.Lines)
	fmt.Fprintf(tw, "not run (errors)\t%d\n", s.Errors)
	if len(s.TimedOut) > 0 {
		fmt.Fprintf(tw, "timed out\treference %d, target %d\n", s.TimedOut["reference"], s.TimedOut["target"])
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	b.WriteString("\n")
	fmt.Fprintf(&b, "%-12s %6s %10s %10s %10s\n", "latency ms", "count", "p50", "p90", "max")
	for _, r := range []struct {
		name string
		l    LatencyStats
	}{{"reference", s.Latency.Reference}, {"target", s.Latency.Target}} {
		fmt.Fprintf(&b, "%-12s %6d %10.3f %10.3f %10.3f\n", r.name, r.l.Count, r.l.P50, r.l.P90, r.l.Max)
	}
	if len(res.Groups) > 0 {
		width := len("group")
		for _, g := range res.Groups {
			width = max(width, len(g.Group), len("(none)"))
		}
		fmt.Fprintf(&b, "\n%-*s %6s %8s %8s %8s %7s %7s\n", width, "group", "lines", "cosine", "jaro-w", "leven", "exact", "exit")
		for _, g := range res.Groups {
			name := g.Group
			if name == "" {
				name = "(none)"
			}
			fmt.Fprintf(&b, "%-*s %6d %8.4f %8.4f %8.4f %7s %7s\n", width, name, g.Lines, g.Cosine, g.JaroWinkler,
				g.Levenshtein, pct(g.ExactMatchRate), pct(g.ExitAgreementRate))
		}
	}
	b.WriteString("\n")
	if len(res.Worst) == 0 {
		b.WriteString("every line matched exactly, with the same exit status\n")
	} else {
		shown := min(worst, len(res.Worst))
		fmt.Fprintf(&b, "worst lines, lowest mean similarity first (%d of %d imperfect lines):\n", shown, len(res.Worst))
		byIndex := make(map[int]*LineResult, len(res.Lines))
		for i := range res.Lines {
			byIndex[res.Lines[i].Index] = &res.Lines[i]
		}
		for rank, idx := range res.Worst[:shown] {
			l := byIndex[idx]
			where := fmt.Sprintf("line %d", l.No)
			if l.Group != "" {
				where += ", " + l.Group
			}
			fmt.Fprintf(&b, "\n%2d. [%d/%d] %s  mean %.4f  cos %.4f jw %.4f lev %.4f  exit %s vs %s\n",
				rank+1, l.Index, s.Lines, where, l.Mean, l.Cosine, l.JaroWinkler, l.Levenshtein,
				exitText(l.Reference), exitText(l.Target))
			fmt.Fprintf(&b, "    $ %s\n", oneLine(l.Command, diffWidth))
			if l.Error != "" {
				fmt.Fprintf(&b, "    error: %s\n", l.Error)
				continue
			}
			for _, d := range ShortDiff(l.refText, l.tgtText) {
				fmt.Fprintf(&b, "    %s\n", d)
			}
		}
	}
	if res.MinScore != nil && res.Passed != nil {
		b.WriteString("\n")
		if *res.Passed {
			fmt.Fprintf(&b, "min-score %.4g: PASS\n", *res.MinScore)
		} else {
			fmt.Fprintf(&b, "min-score %.4g: FAIL (%s)\n", *res.MinScore, strings.Join(res.Below, ", "))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Below lists the figures of s under min: the three similarity means and the exit-status
// agreement rate (the exact-match rate is reported, not judged).
func (s Summary) Below(min float64) []string {
	var out []string
	for _, f := range []struct {
		name string
		v    float64
	}{
		{"cosine", s.Cosine}, {"jaro-winkler", s.JaroWinkler}, {"levenshtein", s.Levenshtein},
		{"exit agreement", s.ExitAgreementRate},
	} {
		if f.v < min {
			out = append(out, fmt.Sprintf("%s %.4f < %.4g", f.name, f.v, min))
		}
	}
	return out
}
