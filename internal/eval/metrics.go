// Package eval owns lure's fidelity measurement: the similarity metrics that compare what lure
// prints with what a real Debian 12 server prints, the normalisation applied to both before
// comparing, the corpus format, and the runner behind `lure eval` that sends every corpus line as
// an SSH exec request to a reference server and to a target and reports the scores.
//
// Every metric is a similarity in [0, 1] where 1 means "the same". The definitions are written
// out in docs/eval.md; the comments here say how they are computed.
package eval

import (
	"math"
	"unicode"
	"unicode/utf8"
)

// MaxEditRunes is how many runes of each output the Levenshtein similarity looks at. The edit
// distance costs time proportional to the product of the two lengths, so a 50,000-rune listing
// against another would take seconds per line; the first MaxEditRunes runes of each side keep a
// line under about a tenth of a second. Cosine, Jaro-Winkler and exact match always see the whole
// output, so a difference past this prefix still lowers those.
const MaxEditRunes = 8192

// invalidRuneBase is where bytes that are not valid UTF-8 are mapped to: invalidRuneBase+b lies
// outside Unicode, so an invalid byte never equals a real character, and two different invalid
// bytes stay different (utf8's usual U+FFFD replacement would make them equal).
const invalidRuneBase = 0x110000

// Runes decodes s as UTF-8 into the units every character-level metric works on: one per
// character, and one per byte that is not valid UTF-8 (compared as that byte).
func Runes(s string) []rune {
	out := make([]rune, 0, len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			out = append(out, invalidRuneBase+rune(s[i]))
			i++
			continue
		}
		out = append(out, r)
		i += size
	}
	return out
}

// Tokens splits s into the tokens the cosine similarity counts: a word token is a maximal run of
// letters, digits and '_'; every other character that is not white space is a token of its own
// (so "-rw-r--r--" is 3 words and 6 dashes, and "a: b" is "a", ":", "b"); white space only
// separates. Punctuation is kept because in command output it carries structure (paths, the
// colons of "bash: line 1: x: command not found", the columns of ls -l). Tokens are
// case-sensitive. A byte that is not valid UTF-8 is a token of its own.
func Tokens(s string) []string {
	var toks []string
	start := -1 // start of the current word, -1 when not in one
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		valid := r != utf8.RuneError || size > 1 // an encoded U+FFFD is valid; a bad byte is not
		if valid && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_') {
			if start < 0 {
				start = i
			}
			i += size
			continue
		}
		if start >= 0 {
			toks = append(toks, s[start:i])
			start = -1
		}
		if !valid || !unicode.IsSpace(r) {
			toks = append(toks, s[i:i+size])
		}
		i += size
	}
	if start >= 0 {
		toks = append(toks, s[start:])
	}
	return toks
}

// Cosine is the cosine similarity of the token-count vectors of a and b (see Tokens): the dot
// product of the two count vectors divided by the product of their lengths. Two texts without
// tokens (both empty or only white space) score 1; one without tokens against one with scores 0.
// Counts are non-negative, so the result is in [0, 1]. Token order does not matter to this metric,
// which is why Jaro-Winkler and Levenshtein are reported beside it.
func Cosine(a, b string) float64 {
	ta, tb := Tokens(a), Tokens(b)
	if len(ta) == 0 && len(tb) == 0 {
		return 1
	}
	if len(ta) == 0 || len(tb) == 0 {
		return 0
	}
	ca := make(map[string]int, len(ta))
	for _, t := range ta {
		ca[t]++
	}
	cb := make(map[string]int, len(tb))
	for _, t := range tb {
		cb[t]++
	}
	var dot, na, nb float64
	for t, n := range ca {
		na += float64(n) * float64(n)
		if m, ok := cb[t]; ok {
			dot += float64(n) * float64(m)
		}
	}
	for _, m := range cb {
		nb += float64(m) * float64(m)
	}
	if dot == 0 {
		return 0
	}
	if equalCounts(ca, cb) {
		return 1 // exactly, rather than 0.9999999999999998 from rounding
	}
	return clamp01(dot / (math.Sqrt(na) * math.Sqrt(nb)))
}

func equalCounts(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for t, n := range a {
		if b[t] != n {
			return false
		}
	}
	return true
}

// Jaro is the Jaro similarity of a and b over runes (see Runes): with m the number of matching
// runes (equal runes at most max(len a, len b)/2 - 1 positions apart, each rune matched at most
// once, greedily from the left) and t half the number of matched runes that appear in a different
// order, it is (m/len a + m/len b + (m-t)/m) / 3, or 0 when m is 0. Two empty strings score 1.
func Jaro(a, b string) float64 {
	return jaroRunes(Runes(a), Runes(b))
}

// jaroRunes computes Jaro in time linear in the lengths. The textbook loop scans the whole match
// window for every rune, which is quadratic: for two 100 KiB outputs the window is 50,000 runes
// wide. Here each rune value keeps a cursor into the sorted positions where it occurs in b: the
// greedy rule takes the leftmost unmatched equal rune in the window, and because windows only move
// right, every position left of the cursor is either already matched or out of reach for good.
// The result is identical to the textbook loop (a test checks this against it).
func jaroRunes(a, b []rune) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 1
	}
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	window := max(len(a), len(b))/2 - 1
	if window < 0 {
		window = 0
	}
	positions := make(map[rune][]int)
	for j, r := range b {
		positions[r] = append(positions[r], j)
	}
	cursor := make(map[rune]int, len(positions))
	matchedA := make([]bool, len(a))
	matchedB := make([]bool, len(b))
	m := 0
	for i, r := range a {
		pos := positions[r]
		p := cursor[r]
		for p < len(pos) && pos[p] < i-window {
			p++
		}
		if p < len(pos) && pos[p] <= i+window {
			matchedA[i] = true
			matchedB[pos[p]] = true
			m++
			p++
		}
		cursor[r] = p
	}
	if m == 0 {
		return 0
	}
	// Transpositions: walk the matched runes of both strings in order and count the places where
	// they differ.
	half, j := 0, 0
	for i, r := range a {
		if !matchedA[i] {
			continue
		}
		for !matchedB[j] {
			j++
		}
		if r != b[j] {
			half++
		}
		j++
	}
	fm := float64(m)
	t := float64(half) / 2
	return clamp01((fm/float64(len(a)) + fm/float64(len(b)) + (fm-t)/fm) / 3)
}

// Jaro-Winkler parameters, as in Winkler (1990) and the jellyfish library the paper used.
const (
	winklerScale     = 0.1 // weight of each common prefix rune
	winklerMaxPrefix = 4   // prefix runes counted at most
	winklerThreshold = 0.7 // the prefix bonus applies only above this Jaro similarity
)

// JaroWinkler is the Jaro-Winkler similarity of a and b over the runes of the whole outputs:
// j + l*0.1*(1-j), where j is Jaro(a, b) and l the length of the common prefix, at most 4 runes.
// As in Winkler's original definition and in jellyfish (which the paper's figures were computed
// with), the prefix bonus is given only when j is above 0.7.
func JaroWinkler(a, b string) float64 {
	ra, rb := Runes(a), Runes(b)
	j := jaroRunes(ra, rb)
	if j <= winklerThreshold {
		return j
	}
	l := 0
	for l < winklerMaxPrefix && l < len(ra) && l < len(rb) && ra[l] == rb[l] {
		l++
	}
	return clamp01(j + float64(l)*winklerScale*(1-j))
}

// Levenshtein returns the edit distance (insertions, deletions and substitutions of one rune,
// each costing 1) between the first MaxEditRunes runes of a and of b, and whether either side was
// longer than that and so cut. It uses one row of the dynamic-programming table over the shorter
// string (O(min(n, m)) memory) after dropping the common prefix and suffix, which is exact and
// makes near-identical long outputs cheap.
func Levenshtein(a, b string) (dist int, truncated bool) {
	ra, rb := Runes(a), Runes(b)
	if len(ra) > MaxEditRunes {
		ra, truncated = ra[:MaxEditRunes], true
	}
	if len(rb) > MaxEditRunes {
		rb, truncated = rb[:MaxEditRunes], true
	}
	return levenshteinRunes(ra, rb), truncated
}

func levenshteinRunes(a, b []rune) int {
	for len(a) > 0 && len(b) > 0 && a[0] == b[0] {
		a, b = a[1:], b[1:]
	}
	for len(a) > 0 && len(b) > 0 && a[len(a)-1] == b[len(b)-1] {
		a, b = a[:len(a)-1], b[:len(b)-1]
	}
	if len(a) < len(b) {
		a, b = b, a
	}
	if len(b) == 0 {
		return len(a)
	}
	// row[j] is the distance between the current prefix of a and b[:j].
	row := make([]int, len(b)+1)
	for j := range row {
		row[j] = j
	}
	for i := 1; i <= len(a); i++ {
		diag := row[0] // distance(a[:i-1], b[:0])
		row[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			next := min(row[j]+1, row[j-1]+1, diag+cost)
			diag = row[j]
			row[j] = next
		}
	}
	return row[len(b)]
}

// LevenshteinSimilarity is 1 - distance / max(len a, len b), with the distance and both lengths
// taken over the first MaxEditRunes runes of each side (see Levenshtein). Two empty strings score
// 1. It also reports whether a side was cut.
func LevenshteinSimilarity(a, b string) (sim float64, truncated bool) {
	ra, rb := Runes(a), Runes(b)
	if len(ra) > MaxEditRunes {
		ra, truncated = ra[:MaxEditRunes], true
	}
	if len(rb) > MaxEditRunes {
		rb, truncated = rb[:MaxEditRunes], true
	}
	n := max(len(ra), len(rb))
	if n == 0 {
		return 1, truncated
	}
	d := levenshteinRunes(ra, rb)
	return clamp01(1 - float64(d)/float64(n)), truncated
}

// Scores are the similarities of one pair of outputs.
type Scores struct {
	Cosine      float64 `json:"cosine"`
	JaroWinkler float64 `json:"jaro_winkler"`
	Levenshtein float64 `json:"levenshtein"`
	// Exact is true when the two texts are byte for byte the same.
	Exact bool `json:"exact"`
	// LevenshteinTruncated is true when Levenshtein looked at only the first MaxEditRunes runes
	// of a side.
	LevenshteinTruncated bool `json:"levenshtein_truncated,omitempty"`
}

// Mean is the mean of the three similarities, the figure lines are ranked by.
func (s Scores) Mean() float64 {
	return (s.Cosine + s.JaroWinkler + s.Levenshtein) / 3
}

// Compare scores text b (the target's output) against a (the reference's). All metrics are
// symmetric, so the order only matters for reading.
func Compare(a, b string) Scores {
	if a == b {
		// Every metric is 1 for identical texts; skip the work (and Levenshtein's cut).
		return Scores{Cosine: 1, JaroWinkler: 1, Levenshtein: 1, Exact: true}
	}
	lev, cut := LevenshteinSimilarity(a, b)
	return Scores{
		Cosine:               Cosine(a, b),
		JaroWinkler:          JaroWinkler(a, b),
		Levenshtein:          lev,
		LevenshteinTruncated: cut,
	}
}

func clamp01(x float64) float64 {
	switch {
	case x < 0 || math.IsNaN(x):
		return 0
	case x > 1:
		return 1
	}
	return x
}
