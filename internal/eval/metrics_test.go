package eval

import (
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) < 5e-5 }

func TestJaroWinklerKnownValues(t *testing.T) {
	for _, c := range []struct {
		a, b      string
		jaro, jw  float64
		checkJaro bool
	}{
		// Winkler (1990) and the Wikipedia examples.
		{"MARTHA", "MARHTA", 0.9444, 0.9611, true},
		{"DWAYNE", "DUANE", 0.8222, 0.84, true},
		{"DIXON", "DICKSONX", 0.7667, 0.8133, true},
		// Jaro 2/3 is below the 0.7 boost threshold: the common prefix "AB" adds nothing.
		{"ABCD", "ABXY", 0.6667, 0.6667, true},
		{"", "", 1, 1, true},
		{"abc", "", 0, 0, true},
		{"abc", "xyz", 0, 0, true},
		{"same", "same", 1, 1, true},
	} {
		if c.checkJaro {
			if got := Jaro(c.a, c.b); !near(got, c.jaro) {
				t.Errorf("Jaro(%q, %q) = %.4f, want %.4f", c.a, c.b, got, c.jaro)
			}
		}
		if got := JaroWinkler(c.a, c.b); !near(got, c.jw) {
			t.Errorf("JaroWinkler(%q, %q) = %.4f, want %.4f", c.a, c.b, got, c.jw)
		}
	}
}

func TestLevenshteinKnownValues(t *testing.T) {
	for _, c := range []struct {
		a, b string
		d    int
	}{
		{"kitten", "sitting", 3},
		{"flaw", "lawn", 2},
		{"saturday", "sunday", 3},
		{"", "abc", 3},
		{"abc", "", 3},
		{"", "", 0},
		{"abc", "abc", 0},
		{"héllo", "hello", 1}, // runes, not bytes: é is one substitution
		{"\xff", "\xfe", 1},   // invalid bytes compare as themselves
	} {
		if got, cut := Levenshtein(c.a, c.b); got != c.d || cut {
			t.Errorf("Levenshtein(%q, %q) = %d (cut %v), want %d", c.a, c.b, got, cut, c.d)
		}
	}
	if got, _ := LevenshteinSimilarity("kitten", "sitting"); !near(got, 1-3.0/7) {
		t.Errorf("LevenshteinSimilarity(kitten, sitting) = %v, want %v", got, 1-3.0/7)
	}
	if got, _ := LevenshteinSimilarity("", ""); got != 1 {
		t.Errorf("LevenshteinSimilarity of two empty strings = %v, want 1", got)
	}
}

func TestLevenshteinCut(t *testing.T) {
	prefix := strings.Repeat("x", MaxEditRunes)
	a, b := prefix+"AAAA", prefix+"BBBBBBBB"
	sim, cut := LevenshteinSimilarity(a, b)
	if !cut || sim != 1 {
		t.Errorf("difference past MaxEditRunes: similarity %v cut %v, want 1 and true", sim, cut)
	}
	// The other metrics still see it.
	if s := Compare(a, b); s.Cosine >= 1 || s.JaroWinkler >= 1 || s.Exact || !s.LevenshteinTruncated {
		t.Errorf("Compare past the cut = %+v, want cosine and Jaro-Winkler below 1, truncated", s)
	}
	if _, cut := LevenshteinSimilarity(prefix, prefix[1:]+"y"); cut {
		t.Error("strings of exactly MaxEditRunes runes reported as cut")
	}
}

func TestTokens(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"-rw-r--r-- 1 root root", []string{"-", "rw", "-", "r", "-", "-", "r", "-", "-", "1", "root", "root"}},
		{"bash: line 1: foo: command not found\n", []string{"bash", ":", "line", "1", ":", "foo", ":", "command", "not", "found"}},
		{"  héllo\twörld_2  ", []string{"héllo", "wörld_2"}},
		{"a\xffb", []string{"a", "\xff", "b"}},
		{"", nil},
		{" \n\t", nil},
	} {
		if got := Tokens(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Tokens(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestCosineKnownValues(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want float64
	}{
		{"a b", "a c", 0.5},
		{"a a b", "a b b", 0.8},
		{"x y z", "z y x", 1}, // order does not matter to cosine
		{"", "", 1},
		{" \n", "", 1}, // no tokens on either side
		{"a", "", 0},
		{"a", "b", 0},
		{"Root", "root", 0}, // case-sensitive
	} {
		if got := Cosine(c.a, c.b); !near(got, c.want) {
			t.Errorf("Cosine(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

func TestCompare(t *testing.T) {
	s := Compare("Linux host 6.1.0\n", "Linux host 6.1.0\n")
	if !s.Exact || s.Mean() != 1 {
		t.Errorf("identical texts: %+v", s)
	}
	s = Compare("kitten", "sitting")
	if s.Exact {
		t.Error("different texts reported as exact")
	}
	if want := (Cosine("kitten", "sitting") + JaroWinkler("kitten", "sitting") + (1 - 3.0/7)) / 3; !near(s.Mean(), want) {
		t.Errorf("Mean = %v, want %v", s.Mean(), want)
	}
}

// naiveJaro is the textbook quadratic Jaro, used to check the linear one.
func naiveJaro(a, b []rune) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 1
	}
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	w := max(len(a), len(b))/2 - 1
	if w < 0 {
		w = 0
	}
	ma, mb := make([]bool, len(a)), make([]bool, len(b))
	m := 0
	for i := range a {
		for j := max(0, i-w); j < min(len(b), i+w+1); j++ {
			if !mb[j] && a[i] == b[j] {
				ma[i], mb[j] = true, true
				m++
				break
			}
		}
	}
	if m == 0 {
		return 0
	}
	var ra, rb []rune
	for i := range a {
		if ma[i] {
			ra = append(ra, a[i])
		}
	}
	for j := range b {
		if mb[j] {
			rb = append(rb, b[j])
		}
	}
	half := 0
	for k := range ra {
		if ra[k] != rb[k] {
			half++
		}
	}
	fm := float64(m)
	return (fm/float64(len(a)) + fm/float64(len(b)) + (fm-float64(half)/2)/fm) / 3
}

// naiveLevenshtein fills the whole table, used to check the one-row version.
func naiveLevenshtein(a, b []rune) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
		}
	}
	return d[len(a)][len(b)]
}

// checkMetricProperties asserts what must hold for any pair: bounds, symmetry, identity, and
// agreement with the reference implementations.
func checkMetricProperties(t *testing.T, a, b string) {
	t.Helper()
	metrics := []struct {
		name string
		f    func(a, b string) float64
	}{
		{"Cosine", Cosine},
		{"Jaro", Jaro},
		{"JaroWinkler", JaroWinkler},
		{"LevenshteinSimilarity", func(a, b string) float64 { s, _ := LevenshteinSimilarity(a, b); return s }},
	}
	for _, m := range metrics {
		ab, ba := m.f(a, b), m.f(b, a)
		if ab < 0 || ab > 1 || math.IsNaN(ab) {
			t.Fatalf("%s(%q, %q) = %v, out of [0, 1]", m.name, a, b, ab)
		}
		if ab != ba {
			t.Fatalf("%s not symmetric: (%q, %q) = %v, reversed = %v", m.name, a, b, ab, ba)
		}
		if got := m.f(a, a); got != 1 {
			t.Fatalf("%s(%q, itself) = %v, want 1", m.name, a, got)
		}
		if a == b && ab != 1 {
			t.Fatalf("%s of equal strings = %v", m.name, ab)
		}
	}
	ra, rb := Runes(a), Runes(b)
	if got, want := Jaro(a, b), naiveJaro(ra, rb); math.Abs(got-want) > 1e-12 {
		t.Fatalf("Jaro(%q, %q) = %v, textbook version gives %v", a, b, got, want)
	}
	if len(ra) <= MaxEditRunes && len(rb) <= MaxEditRunes && len(ra)*len(rb) <= 1<<20 {
		d, _ := Levenshtein(a, b)
		if want := naiveLevenshtein(ra, rb); d != want {
			t.Fatalf("Levenshtein(%q, %q) = %d, full table gives %d", a, b, d, want)
		}
		if lo, hi := abs(len(ra)-len(rb)), max(len(ra), len(rb)); d < lo || d > hi {
			t.Fatalf("Levenshtein(%q, %q) = %d, outside [%d, %d]", a, b, d, lo, hi)
		}
	}
	if s := Compare(a, b); s.Exact != (a == b) {
		t.Fatalf("Compare(%q, %q).Exact = %v", a, b, s.Exact)
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func TestMetricPropertiesRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []rune("ab c\n:-é\x00")
	gen := func() string {
		n := rng.IntN(24)
		var sb strings.Builder
		for range n {
			sb.WriteRune(alphabet[rng.IntN(len(alphabet))])
		}
		if rng.IntN(8) == 0 {
			sb.WriteByte(0xff) // an invalid byte now and then
		}
		return sb.String()
	}
	for range 3000 {
		checkMetricProperties(t, gen(), gen())
	}
}

func TestLevenshteinTriangle(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	gen := func() string {
		b := make([]byte, rng.IntN(12))
		for i := range b {
			b[i] = "abc"[rng.IntN(3)]
		}
		return string(b)
	}
	for range 2000 {
		x, y, z := gen(), gen(), gen()
		xy, _ := Levenshtein(x, y)
		yz, _ := Levenshtein(y, z)
		xz, _ := Levenshtein(x, z)
		if xz > xy+yz {
			t.Fatalf("triangle inequality broken: d(%q,%q)=%d > %d + %d", x, z, xz, xy, yz)
		}
	}
}

func FuzzMetrics(f *testing.F) {
	for _, s := range [][2]string{
		{"MARTHA", "MARHTA"}, {"DWAYNE", "DUANE"}, {"kitten", "sitting"}, {"", ""}, {"", "x"},
		{"bash: line 1: foo: command not found\n", "-bash: foo: command not found\n"},
		{"\xff\xfe", "\xfe\xff"}, {"héllo wörld", "hello world"}, {"aaaa", "aaab"},
		{"total 0\ndrwx------ 2 root root 40 Nov 26 05:40 .ssh\n", "total 4\n"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		if len(a) > 4096 || len(b) > 4096 {
			return // keep each input cheap for the quadratic reference implementations
		}
		checkMetricProperties(t, a, b)
	})
}

func BenchmarkJaroWinkler100KiB(b *testing.B) {
	x := strings.Repeat("drwxr-xr-x 2 root root 4096 Jan  1 00:00 bin\n", 2300)
	y := strings.Replace(x, "root", "daemon", 50)
	b.ResetTimer()
	for b.Loop() {
		JaroWinkler(x, y)
	}
}

func BenchmarkLevenshteinCap(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 6))
	gen := func() string {
		r := make([]byte, MaxEditRunes)
		for i := range r {
			r[i] = byte('a' + rng.IntN(26))
		}
		return string(r)
	}
	x, y := gen(), gen()
	b.ResetTimer()
	for b.Loop() {
		LevenshteinSimilarity(x, y)
	}
}
