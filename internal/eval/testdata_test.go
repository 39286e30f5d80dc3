package eval

import (
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The corpora live in the repository's testdata/corpus; these tests keep them well formed.

func readCorpusFile(t *testing.T, name string) ([]Line, string) {
	t.Helper()
	path := filepath.Join("..", "..", "testdata", "corpus", name)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines, err := ParseCorpus(strings.NewReader(string(data)))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return lines, string(data)
}

func groupsOf(lines []Line) []string {
	var out []string
	for _, l := range lines {
		if len(out) == 0 || out[len(out)-1] != l.Group {
			out = append(out, l.Group)
		}
	}
	return out
}

func TestCorpusAttacker(t *testing.T) {
	lines, text := readCorpusFile(t, "attacker.txt")
	if len(lines) < 300 {
		t.Errorf("attacker.txt has %d command lines, want at least 300", len(lines))
	}
	checkCorpus(t, "attacker.txt", lines, text)
	groups := groupsOf(lines)
	for _, want := range []string{"dshield-top", "mdrfckr", "mirai", "recon", "persistence", "dropper", "files", "syntax", "errors"} {
		found := false
		for _, g := range groups {
			found = found || g == want
		}
		if !found {
			t.Errorf("attacker.txt has no group %q (groups: %v)", want, groups)
		}
	}
	// Password changes come last: a reconnect after them would need the new password.
	if last := lines[len(lines)-1]; last.Group != "passwords" {
		t.Errorf("the last group is %q, want passwords", last.Group)
	}
	for _, l := range lines {
		if strings.Contains(l.Command, "chpasswd") && l.Group != "passwords" {
			t.Errorf("line %d changes a password outside the last group: %s", l.No, l.Command)
		}
	}
}

func TestCorpusCI(t *testing.T) {
	all, _ := readCorpusFile(t, "attacker.txt")
	ci, text := readCorpusFile(t, "ci.txt")
	if len(ci) < 60 || len(ci) > 120 {
		t.Errorf("ci.txt has %d lines, want a subset of about 80", len(ci))
	}
	checkCorpus(t, "ci.txt", ci, text)
	// Same lines in the same order and groups: state built by one line is what the next expects.
	j := 0
	for _, l := range ci {
		for j < len(all) && (all[j].Command != l.Command || all[j].Group != l.Group) {
			j++
		}
		if j == len(all) {
			t.Fatalf("ci.txt line %d (%q, group %s) is not in attacker.txt after the previous CI line", l.No, l.Command, l.Group)
		}
		j++
	}
	if got, want := groupsOf(ci), groupsOf(all); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("ci.txt groups %v, want every group of attacker.txt %v", got, want)
	}
}

var (
	ipv4Literal = regexp.MustCompile(`\b\d{1,3}(?:\.\d{1,3}){3}\b`)
	urlHost     = regexp.MustCompile(`\b(?:https?|ftp|tftp)://([^/:\s'"]+)`)
)

// documentation and local addresses, the only ones a corpus line may name.
var allowedPrefixes = []netip.Prefix{
	netip.MustParsePrefix("192.0.2.0/24"),    // RFC 5737 TEST-NET-1
	netip.MustParsePrefix("198.51.100.0/24"), // TEST-NET-2
	netip.MustParsePrefix("203.0.113.0/24"),  // TEST-NET-3
	netip.MustParsePrefix("127.0.0.0/8"),
	netip.MustParsePrefix("0.0.0.0/32"),
}

func checkCorpus(t *testing.T, name string, lines []Line, text string) {
	t.Helper()
	for _, l := range lines {
		if l.Group == "" {
			t.Errorf("%s:%d: line before any \"# @group\": %s", name, l.No, l.Command)
		}
		for _, ip := range ipv4Literal.FindAllString(l.Command, -1) {
			a, err := netip.ParseAddr(ip)
			ok := err == nil
			if ok {
				ok = false
				for _, p := range allowedPrefixes {
					ok = ok || p.Contains(a)
				}
			}
			if !ok {
				t.Errorf("%s:%d: address %s is not an RFC 5737 documentation or loopback address: %s", name, l.No, ip, l.Command)
			}
		}
		for _, m := range urlHost.FindAllStringSubmatch(l.Command, -1) {
			host := m[1]
			if _, err := netip.ParseAddr(host); err == nil {
				continue // checked above
			}
			if host != "example.com" && !strings.HasSuffix(host, ".example.com") && !strings.HasSuffix(host, ".example") {
				t.Errorf("%s:%d: host %q is not an example.com name: %s", name, l.No, host, l.Command)
			}
		}
	}
	// Every group says where its lines come from: a "# @group" line is followed by a comment.
	raw := strings.Split(text, "\n")
	for i, l := range raw {
		if strings.HasPrefix(strings.TrimSpace(l), "# @group") && name == "attacker.txt" {
			if i+1 >= len(raw) || !strings.HasPrefix(strings.TrimSpace(raw[i+1]), "#") {
				t.Errorf("%s:%d: group without a source comment after it", name, i+1)
			}
		}
	}
}
