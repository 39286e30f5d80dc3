package rules

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// stickyBuffer maps Suricata's sticky buffer keywords (and lure's own) to buffer names.
// "" is the default payload.
func stickyBuffer(k string) (string, bool) {
	switch k {
	case "pkt_data":
		return "", true
	case CommandBuffer:
		return CommandBuffer, true
	case "http.uri", "http.uri.raw", "http.method", "http.header", "http.header.raw", "http.user_agent",
		"http.request_body", "http.host", "http.host.raw", "http.cookie", "http.request_line", "http.protocol",
		"http.accept", "http.referer", "http.content_type", "http.stat_code", "http.stat_msg", "http.response_body":
		return k, true
	}
	return "", false
}

// legacyModifier maps Snort-style content modifiers (after the content) to buffers.
func legacyModifier(k string) (string, bool) {
	switch k {
	case "http_uri":
		return "http.uri", true
	case "http_raw_uri":
		return "http.uri.raw", true
	case "http_method":
		return "http.method", true
	case "http_header":
		return "http.header", true
	case "http_raw_header":
		return "http.header.raw", true
	case "http_user_agent":
		return "http.user_agent", true
	case "http_client_body":
		return "http.request_body", true
	case "http_host":
		return "http.host", true
	case "http_raw_host":
		return "http.host.raw", true
	case "http_cookie":
		return "http.cookie", true
	case "http_stat_code":
		return "http.stat_code", true
	case "http_stat_msg":
		return "http.stat_msg", true
	}
	return "", false
}

// optParser applies options to a rule in order: modifiers refer to the last content, and a
// sticky buffer applies to the contents and pcres after it.
type optParser struct {
	r      *Rule
	buffer string
	last   *Match // last content, for its modifiers
	seen   map[string]bool
}

func (p *optParser) option(k, v string, hasVal bool) error {
	if p.seen == nil {
		p.seen = map[string]bool{}
	}
	once := func() error {
		if p.seen[k] {
			return fmt.Errorf("given twice")
		}
		p.seen[k] = true
		return nil
	}
	needVal := func() error {
		if !hasVal || v == "" {
			return fmt.Errorf("needs a value")
		}
		return nil
	}
	noVal := func() error {
		if hasVal {
			return fmt.Errorf("takes no value")
		}
		return nil
	}
	if b, ok := stickyBuffer(k); ok {
		if err := noVal(); err != nil {
			return err
		}
		p.buffer, p.last = b, nil
		return nil
	}
	if b, ok := legacyModifier(k); ok {
		if err := noVal(); err != nil {
			return err
		}
		m, err := p.content()
		if err != nil {
			return err
		}
		m.Buffer = b
		return nil
	}
	switch k {
	case "msg":
		if err := firstErr(once(), needVal()); err != nil {
			return err
		}
		s, err := unquote(v)
		if err != nil {
			return err
		}
		p.r.Msg = s
	case "sid", "rev", "gid", "priority":
		if err := firstErr(once(), needVal()); err != nil {
			return err
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return fmt.Errorf("%q is not a non-negative whole number", v)
		}
		switch k {
		case "sid":
			if n == 0 {
				return fmt.Errorf("must be positive")
			}
			p.r.SID = n
		case "rev":
			p.r.Rev = n
		case "gid":
			p.r.GID = n
		case "priority":
			if n < 1 || n > 255 {
				return fmt.Errorf("%d is outside 1-255", n)
			}
			p.r.Priority = n
		}
	case "classtype":
		if err := firstErr(once(), needVal()); err != nil {
			return err
		}
		if strings.ContainsAny(v, " \t\",") {
			return fmt.Errorf("%q is not a class name", v)
		}
		p.r.Classtype = v
	case "reference":
		if err := needVal(); err != nil {
			return err
		}
		typ, val, ok := strings.Cut(v, ",")
		if !ok || strings.TrimSpace(typ) == "" || strings.TrimSpace(val) == "" {
			return fmt.Errorf("%q: want TYPE,VALUE such as url,example.test/advisory", v)
		}
		p.r.References = append(p.r.References, strings.TrimSpace(typ)+","+strings.TrimSpace(val))
	case "metadata":
		if err := needVal(); err != nil {
			return err
		}
		for _, m := range strings.Split(v, ",") {
			if m = strings.TrimSpace(m); m != "" {
				p.r.Metadata = append(p.r.Metadata, m)
			}
		}
	case "target":
		if err := needVal(); err != nil {
			return err
		}
		if v != "src_ip" && v != "dest_ip" {
			return fmt.Errorf("%q: want src_ip or dest_ip", v)
		}
	case "flow":
		if err := firstErr(once(), needVal()); err != nil {
			return err
		}
		for _, f := range strings.Split(v, ",") {
			f = strings.TrimSpace(f)
			switch f {
			case "to_server", "from_client", "to_client", "from_server", "established", "not_established",
				"stateless", "only_stream", "no_stream", "only_frag", "no_frag":
				p.r.Flow = append(p.r.Flow, f)
			default:
				return fmt.Errorf("unknown flow option %q", f)
			}
		}
	case "content":
		if err := needVal(); err != nil {
			return err
		}
		m, s := p.match(v)
		b, err := decodeContent(s)
		if err != nil {
			return err
		}
		if len(b) == 0 {
			return fmt.Errorf("empty content")
		}
		m.Content = b
		p.r.Matches = append(p.r.Matches, m)
		p.last = m
	case "nocase", "startswith", "endswith", "fast_pattern", "rawbytes":
		m, err := p.content()
		if err != nil {
			return err
		}
		if k == "fast_pattern" { // a prefilter hint for Suricata; lure needs none
			return nil
		}
		if err := noVal(); err != nil {
			return err
		}
		switch k {
		case "nocase":
			m.Nocase = true
			m.Content = lowerASCII(m.Content)
		case "startswith":
			if m.hasOffset || m.Depth > 0 || m.Relative {
				return fmt.Errorf("cannot be combined with offset, depth, distance or within")
			}
			m.StartsWith = true
		case "endswith":
			m.EndsWith = true
		}
	case "offset", "depth", "distance", "within":
		m, err := p.content()
		if err != nil {
			return err
		}
		if err := needVal(); err != nil {
			return err
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("%q is not a whole number (byte_extract variables are not supported)", v)
		}
		if m.StartsWith {
			return fmt.Errorf("cannot be combined with startswith")
		}
		if k != "distance" && n < 0 {
			return fmt.Errorf("%d is negative", n)
		}
		switch k {
		case "offset":
			m.Offset, m.hasOffset = n, true
		case "depth":
			if n < len(m.Content) {
				return fmt.Errorf("depth %d is shorter than the content (%d bytes): it can never match", n, len(m.Content))
			}
			m.Depth = n
		case "distance":
			m.Distance, m.Relative = n, true
		case "within":
			if n < len(m.Content) {
				return fmt.Errorf("within %d is shorter than the content (%d bytes): it can never match", n, len(m.Content))
			}
			m.Within, m.Relative = n, true
		}
	case "pcre":
		if err := needVal(); err != nil {
			return err
		}
		m, s := p.match(v)
		if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
			return fmt.Errorf("want a quoted \"/regex/flags\", found %s", v)
		}
		re, buf, rel, err := compilePCRE(s[1 : len(s)-1])
		if err != nil {
			return err
		}
		m.Pcre, m.Relative = re, rel
		if buf != "-" {
			m.Buffer = buf
		}
		p.r.Matches = append(p.r.Matches, m)
		p.last = nil
	case "threshold", "detection_filter":
		if err := firstErr(once(), needVal()); err != nil {
			return err
		}
		th, err := parseThreshold(v, k == "threshold")
		if err != nil {
			return err
		}
		if k == "threshold" {
			p.r.Threshold = th
		} else {
			p.r.DetectionFilter = th
		}
	default:
		return fmt.Errorf("unsupported keyword (lure's subset: msg, sid, rev, gid, classtype, priority, reference, metadata, target, flow, content with nocase/offset/depth/distance/within/startswith/endswith, pcre, threshold, detection_filter, sticky buffers %s and http.*)", CommandBuffer)
	}
	return nil
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// match starts a content or pcre on the current buffer; a leading ! negates it. It returns the
// value without the !.
func (p *optParser) match(v string) (*Match, string) {
	m := &Match{Buffer: p.buffer, Raw: v}
	if strings.HasPrefix(v, "!") {
		m.Negate, v = true, strings.TrimSpace(v[1:])
	}
	return m, v
}

// content returns the content a modifier applies to.
func (p *optParser) content() (*Match, error) {
	if p.last == nil {
		return nil, fmt.Errorf("modifier without a content before it")
	}
	return p.last, nil
}

// decodeContent reads a quoted content: text with \" \; \\ \| escapes and |hex| sections.
func decodeContent(s string) ([]byte, error) {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return nil, fmt.Errorf("want a quoted string, found %s", s)
	}
	s = s[1 : len(s)-1]
	var out []byte
	hex := false
	var nib []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if hex {
			switch {
			case c == '|':
				if len(nib)%2 != 0 {
					return nil, fmt.Errorf("hex section has an odd number of digits")
				}
				for j := 0; j < len(nib); j += 2 {
					out = append(out, unhex(nib[j])<<4|unhex(nib[j+1]))
				}
				nib, hex = nib[:0], false
			case c == ' ' || c == '\t':
			case isHex(c):
				nib = append(nib, c)
			default:
				return nil, fmt.Errorf("%q is not a hex digit in a |..| section", c)
			}
			continue
		}
		switch c {
		case '|':
			hex = true
		case '\\':
			if i+1 >= len(s) {
				return nil, fmt.Errorf("content ends with a lone backslash")
			}
			i++
			switch s[i] {
			case '"', ';', '\\', '|', ':':
				out = append(out, s[i])
			default:
				return nil, fmt.Errorf("unknown escape \\%c in content (escape only \" ; \\ |, write other bytes as |hex|)", s[i])
			}
		case '"', ';':
			return nil, fmt.Errorf("unescaped %c in content (write \\%c)", c, c)
		default:
			out = append(out, c)
		}
	}
	if hex {
		return nil, fmt.Errorf("hex section is not closed with |")
	}
	return out, nil
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

func lowerASCII(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return out
}

// parseThreshold reads "type limit, track by_src, count 1, seconds 60" (type only for
// threshold).
func parseThreshold(v string, withType bool) (*Threshold, error) {
	th := &Threshold{}
	seen := map[string]bool{}
	for _, part := range strings.Split(v, ",") {
		f := strings.Fields(part)
		if len(f) != 2 {
			return nil, fmt.Errorf("%q: want NAME VALUE pairs separated by commas", strings.TrimSpace(part))
		}
		if seen[f[0]] {
			return nil, fmt.Errorf("%s given twice", f[0])
		}
		seen[f[0]] = true
		switch f[0] {
		case "type":
			if !withType {
				return nil, fmt.Errorf("detection_filter takes no type")
			}
			if f[1] != "limit" && f[1] != "threshold" && f[1] != "both" {
				return nil, fmt.Errorf("type %q: want limit, threshold or both", f[1])
			}
			th.Type = f[1]
		case "track":
			switch f[1] {
			case "by_src", "by_dst", "by_rule", "by_both":
			default:
				return nil, fmt.Errorf("track %q: want by_src, by_dst, by_rule or by_both", f[1])
			}
			th.Track = f[1]
		case "count", "seconds":
			n, err := strconv.Atoi(f[1])
			if err != nil || n < 1 {
				return nil, fmt.Errorf("%s %q: want a positive whole number", f[0], f[1])
			}
			if f[0] == "count" {
				th.Count = n
			} else {
				th.Seconds = time.Duration(n) * time.Second
			}
		default:
			return nil, fmt.Errorf("unknown setting %q (want type, track, count, seconds)", f[0])
		}
	}
	for _, k := range []string{"track", "count", "seconds"} {
		if !seen[k] {
			return nil, fmt.Errorf("%s is missing", k)
		}
	}
	if withType && !seen["type"] {
		return nil, fmt.Errorf("type is missing")
	}
	return th, nil
}

// compilePCRE compiles "/re/flags" as RE2. It returns the buffer a flag selects ("-": none)
// and whether the match is relative (R). PCRE features RE2 lacks are refused with a reason.
func compilePCRE(s string) (*regexp.Regexp, string, bool, error) {
	end := strings.LastIndexByte(s, '/')
	if len(s) < 2 || s[0] != '/' || end <= 0 {
		return nil, "", false, fmt.Errorf("%q: want /regex/flags", s)
	}
	pat, flags := s[1:end], s[end+1:]
	var prefix string
	anchored, relative := false, false
	buf := "-"
	setBuf := func(b string) error {
		if buf != "-" && buf != b {
			return fmt.Errorf("flags select two buffers")
		}
		buf = b
		return nil
	}
	for _, f := range flags {
		var err error
		switch f {
		case 'i', 's', 'm':
			prefix += string(f)
		case 'G':
			prefix += "U"
		case 'A':
			anchored = true
		case 'E', 'B', 'O', 'Q':
			// E: RE2's $ already means the end of the text without m; B, O, Q tune
			// Suricata's inspection and change nothing here.
		case 'R':
			relative = true
		case 'U':
			err = setBuf("http.uri")
		case 'I':
			err = setBuf("http.uri.raw")
		case 'P':
			err = setBuf("http.request_body")
		case 'H':
			err = setBuf("http.header")
		case 'D':
			err = setBuf("http.header.raw")
		case 'M':
			err = setBuf("http.method")
		case 'C':
			err = setBuf("http.cookie")
		case 'V':
			err = setBuf("http.user_agent")
		case 'W':
			err = setBuf("http.host")
		case 'Z':
			err = setBuf("http.host.raw")
		case 'S':
			err = setBuf("http.stat_code")
		case 'Y':
			err = setBuf("http.stat_msg")
		case 'x':
			return nil, "", false, fmt.Errorf("flag x (extended, whitespace ignored) is not supported by RE2; remove the whitespace and the flag")
		default:
			return nil, "", false, fmt.Errorf("unknown pcre flag %q", f)
		}
		if err != nil {
			return nil, "", false, err
		}
	}
	pat, err := toRE2(pat)
	if err != nil {
		return nil, "", false, err
	}
	if anchored {
		pat = `\A(?:` + pat + `)`
	}
	if prefix != "" {
		pat = "(?" + prefix + ")" + pat
	}
	re, err := regexp.Compile(pat)
	if err != nil {
		return nil, "", false, fmt.Errorf("not a valid RE2 expression (lure runs pcre as Go's RE2): %v", err)
	}
	return re, buf, relative, nil
}

// toRE2 refuses PCRE features RE2 does not have, naming them, and rewrites the few escapes
// that have an exact RE2 form (\Z, \h, \e).
func toRE2(p string) (string, error) {
	refuse := func(what string) (string, error) {
		return "", fmt.Errorf("%s is not supported: lure runs pcre as RE2, which has no backtracking features; rewrite the expression without it", what)
	}
	var b strings.Builder
	inClass := false
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c == '\\' && i+1 < len(p) {
			n := p[i+1]
			switch {
			case n >= '1' && n <= '9':
				return refuse(fmt.Sprintf("the back-reference \\%c", n))
			case n == 'k' || (n == 'g' && !inClass):
				return refuse(fmt.Sprintf("the back-reference \\%c", n))
			case n == 'G' || n == 'K' || n == 'R' || n == 'X':
				return refuse(fmt.Sprintf("\\%c", n))
			case n == 'Z' && !inClass:
				b.WriteString(`(?:\n?\z)`)
			case n == 'h':
				if inClass {
					b.WriteString(`\t `)
				} else {
					b.WriteString(`[\t ]`)
				}
			case n == 'e':
				b.WriteString(`\x1b`)
			default:
				b.WriteByte(c)
				b.WriteByte(n)
			}
			i++
			continue
		}
		if inClass {
			if c == ']' {
				inClass = false
			}
			b.WriteByte(c)
			continue
		}
		switch c {
		case '[':
			inClass = true
			b.WriteByte(c)
			// A ] right after [ or [^ is a literal.
			if i+1 < len(p) && p[i+1] == '^' {
				b.WriteByte('^')
				i++
			}
			if i+1 < len(p) && p[i+1] == ']' {
				b.WriteByte(']')
				i++
			}
			continue
		case '(':
			rest := p[i+1:]
			for _, x := range []struct{ pre, what string }{
				{"?=", "the lookahead (?=...)"}, {"?!", "the negative lookahead (?!...)"},
				{"?<=", "the lookbehind (?<=...)"}, {"?<!", "the negative lookbehind (?<!...)"},
				{"?>", "the atomic group (?>...)"}, {"?|", "the branch reset group (?|...)"},
				{"?#", "the comment (?#...)"}, {"?(", "the conditional (?(...)...)"},
				{"?R", "recursion (?R)"}, {"?&", "the subroutine call (?&name)"}, {"?P=", "the named back-reference (?P=name)"},
				{"?P>", "the subroutine call (?P>name)"}, {"*", "the verb (*...)"},
			} {
				if strings.HasPrefix(rest, x.pre) {
					return refuse(x.what)
				}
			}
			if len(rest) > 1 && rest[0] == '?' && (rest[1] >= '0' && rest[1] <= '9' || rest[1] == '+' || rest[1] == '-' && len(rest) > 2 && rest[2] >= '0' && rest[2] <= '9') {
				return refuse("recursion (?N)")
			}
		case '*', '+', '?', '}':
			if i+1 < len(p) && p[i+1] == '+' {
				return refuse(fmt.Sprintf("the possessive quantifier %c+", c))
			}
		}
		b.WriteByte(c)
	}
	return b.String(), nil
}
