// Package rules owns lure's Suricata/Snort rule subset: the parser (header, addresses and
// ports with variables, lists, ranges and negation; msg, sid, rev, gid, classtype, priority,
// reference, metadata; content with nocase/offset/depth/distance/within/startswith/endswith
// and |hex| bytes; pcre as RE2; flow; threshold; detection_filter; sticky buffers), the
// matcher that runs a rule set over events, and the rule file shipped inside lure.
//
// Rules inspect buffers, not packets: each event offers the buffers its frontend filled in
// (see Buffers), and a rule matches when its header accepts the event's addresses, ports and
// protocol and every content and pcre matches in its buffer. A rule that uses a buffer the
// event lacks does not match it.
package rules

import (
	"fmt"
	"net/netip"
	"regexp"
	"strings"
	"time"
)

// Rule is one parsed rule.
type Rule struct {
	Action   string // alert, drop, reject, rejectsrc, rejectdst, rejectboth, pass
	Protocol string // tcp, udp, icmp, ip, any, or an application protocol (http, ssh, ...)
	Src, Dst addrSpec
	SrcPorts portSpec
	DstPorts portSpec
	Both     bool // <>: either direction

	Msg        string
	SID, Rev   int
	GID        int
	Classtype  string
	Priority   int
	References []string // "url,example.test/x", "cve,2021-44228"
	Metadata   []string
	Flow       []string // the flow options as written: to_server, established, ...

	Matches         []*Match
	Threshold       *Threshold // threshold: limits how often the rule alerts
	DetectionFilter *Threshold // detection_filter: the rule alerts only past a rate

	File string // where the rule came from, for the operator
	Line int
	Text string // the rule as written
}

// Match is one content or pcre option with its modifiers.
type Match struct {
	Buffer string // sticky buffer name, "" for the default payload
	Negate bool

	Content  []byte // content: the bytes (lowered when Nocase)
	Nocase   bool
	Offset   int
	Depth    int // 0: none
	Distance int
	Within   int // 0: none
	// Relative is set by distance, within or pcre's R: the match is anchored after the
	// previous one in the same buffer.
	Relative   bool
	StartsWith bool
	EndsWith   bool
	hasOffset  bool

	Pcre *regexp.Regexp // pcre: the compiled RE2 expression
	Raw  string         // the option's value as written, for messages
}

// Threshold is a threshold or detection_filter option.
type Threshold struct {
	Type    string // limit, threshold, both; "" for detection_filter
	Track   string // by_src, by_dst, by_rule, by_both
	Count   int
	Seconds time.Duration
}

// Vars are rule variables by name without the $ ($HOME_NET is "HOME_NET").
type Vars map[string]string

// DefaultVars returns Suricata's usual variables with $HOME_NET and $EXTERNAL_NET given. The
// port groups are those of suricata.yaml's defaults.
func DefaultVars(homeNet, externalNet string) Vars {
	return Vars{
		"HOME_NET": homeNet, "EXTERNAL_NET": externalNet,
		"HTTP_SERVERS": "$HOME_NET", "SMTP_SERVERS": "$HOME_NET", "SQL_SERVERS": "$HOME_NET",
		"DNS_SERVERS": "$HOME_NET", "TELNET_SERVERS": "$HOME_NET", "SSH_SERVERS": "$HOME_NET",
		"HTTP_PORTS": "80", "SHELLCODE_PORTS": "!80", "ORACLE_PORTS": "1521", "SSH_PORTS": "22",
		"FTP_PORTS": "21", "FILE_DATA_PORTS": "[$HTTP_PORTS,110,143]", "TELNET_PORTS": "23",
	}
}

// ParseError is a rule that could not be loaded: the operator reads where and why.
type ParseError struct {
	File   string
	Line   int
	SID    int // 0 when unknown
	Reason string
}

func (e *ParseError) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	if e.SID > 0 {
		return fmt.Sprintf("%s: rule sid %d skipped: %s", loc, e.SID, e.Reason)
	}
	return fmt.Sprintf("%s: rule skipped: %s", loc, e.Reason)
}

// knownAction tells whether a is a rule action Suricata knows.
func knownAction(a string) bool {
	switch a {
	case "alert", "drop", "reject", "rejectsrc", "rejectdst", "rejectboth", "pass":
		return true
	}
	return false
}

// knownProtocol tells whether p is an accepted header protocol. Transport ones match every
// event (lure's frontends are all TCP); application ones match events of that protocol.
func knownProtocol(p string) bool {
	switch p {
	case "tcp", "udp", "icmp", "ip", "any", "pkthdr",
		"http", "http1", "ssh", "telnet", "ftp", "tls", "smtp", "dns":
		return true
	}
	return false
}

// Parse reads one rule. vars resolves $VARIABLES (nil: DefaultVars("any", "any")).
func Parse(text string, vars Vars) (*Rule, error) {
	if vars == nil {
		vars = DefaultVars("any", "any")
	}
	r := &Rule{Text: text, GID: 1}
	s := strings.TrimSpace(text)
	open := strings.IndexByte(s, '(')
	if open < 0 || !strings.HasSuffix(s, ")") {
		return r, fmt.Errorf("want ACTION PROTO SRC SPORT -> DST DPORT (OPTIONS); found no option list in parentheses")
	}
	head := strings.Fields(s[:open])
	if len(head) != 7 {
		return r, fmt.Errorf("the header %q has %d parts; want ACTION PROTO SRC SPORT -> DST DPORT", strings.TrimSpace(s[:open]), len(head))
	}
	r.Action, r.Protocol = strings.ToLower(head[0]), strings.ToLower(head[1])
	if !knownAction(r.Action) {
		return r, fmt.Errorf("unknown action %q (want alert, drop, reject, pass)", head[0])
	}
	if !knownProtocol(r.Protocol) {
		return r, fmt.Errorf("unknown protocol %q", head[1])
	}
	switch head[4] {
	case "->":
	case "<>":
		r.Both = true
	default:
		return r, fmt.Errorf("direction %q: want -> or <>", head[4])
	}
	var err error
	if r.Src, err = parseAddr(head[2], vars, 0); err != nil {
		return r, fmt.Errorf("source address: %w", err)
	}
	if r.SrcPorts, err = parsePort(head[3], vars, 0); err != nil {
		return r, fmt.Errorf("source port: %w", err)
	}
	if r.Dst, err = parseAddr(head[5], vars, 0); err != nil {
		return r, fmt.Errorf("destination address: %w", err)
	}
	if r.DstPorts, err = parsePort(head[6], vars, 0); err != nil {
		return r, fmt.Errorf("destination port: %w", err)
	}
	opts, err := splitOptions(s[open+1 : len(s)-1])
	if err != nil {
		return r, err
	}
	p := optParser{r: r}
	for _, o := range opts {
		if err := p.option(o.key, o.val, o.hasVal); err != nil {
			return r, fmt.Errorf("%s: %w", o.key, err)
		}
	}
	if r.SID <= 0 {
		return r, fmt.Errorf("no sid: every rule needs a positive sid")
	}
	if r.Msg == "" {
		return r, fmt.Errorf("no msg: the operator needs to read what the rule saw")
	}
	for _, m := range r.Matches {
		if m.Pcre == nil && (m.hasOffset || m.Depth > 0) && m.Relative {
			return r, fmt.Errorf("content %s mixes offset/depth with distance/within; use one pair", m.Raw)
		}
	}
	return r, nil
}

type option struct {
	key, val string
	hasVal   bool
}

// splitOptions cuts "k:v; k; k:"v;x";" into options. A ';' ends an option unless it is
// escaped (\;) or inside double quotes.
func splitOptions(s string) ([]option, error) {
	var out []option
	var cur strings.Builder
	inQuote, esc := false, false
	flush := func() error {
		o := strings.TrimSpace(cur.String())
		cur.Reset()
		if o == "" {
			return nil
		}
		k, v, has := strings.Cut(o, ":")
		k = strings.ToLower(strings.TrimSpace(k))
		if k == "" {
			return fmt.Errorf("option %q has no keyword", o)
		}
		out = append(out, option{key: k, val: strings.TrimSpace(v), hasVal: has})
		return nil
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case esc:
			esc = false
		case c == '\\':
			esc = true
		case c == '"':
			inQuote = !inQuote
		case c == ';' && !inQuote:
			if err := flush(); err != nil {
				return nil, err
			}
			continue
		}
		cur.WriteByte(c)
	}
	if inQuote {
		return nil, fmt.Errorf("unterminated quoted string in the options")
	}
	if strings.TrimSpace(cur.String()) != "" {
		return nil, fmt.Errorf("the last option %q does not end with ';'", strings.TrimSpace(cur.String()))
	}
	return out, nil
}

// unquote removes surrounding quotes and Suricata's escapes (\" \; \\ \:).
func unquote(v string) (string, error) {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return "", fmt.Errorf("want a quoted string, found %s", v)
	}
	v = v[1 : len(v)-1]
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' && i+1 < len(v) {
			i++
		}
		b.WriteByte(v[i])
	}
	return b.String(), nil
}

// addrSpec is an address, a negation, or a list; the zero value with any set matches all.
type addrSpec struct {
	any    bool
	neg    bool
	prefix netip.Prefix
	list   []addrSpec
}

func (a addrSpec) match(ip netip.Addr) bool {
	var m bool
	switch {
	case a.any:
		m = true
	case a.list != nil:
		m = matchList(a.list, func(x addrSpec) bool { return x.neg }, func(x addrSpec) bool { return x.match(ip) })
	default:
		m = ip.IsValid() && a.prefix.Contains(ip.Unmap())
	}
	return m != a.neg
}

// matchList applies Suricata's list rule: some positive element matches (or there is none)
// and no negated element matches (a negated element's match means the address is excluded).
func matchList[T any](list []T, neg func(T) bool, match func(T) bool) bool {
	pos, hit := false, false
	for _, x := range list {
		if neg(x) {
			if !match(x) { // a negated element that does not match names an excluded value
				return false
			}
			continue
		}
		pos = true
		if match(x) {
			hit = true
		}
	}
	return hit || !pos
}

const maxVarDepth = 8

func parseAddr(s string, vars Vars, depth int) (addrSpec, error) {
	if depth > maxVarDepth {
		return addrSpec{}, fmt.Errorf("variables nest too deep (a loop?)")
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return addrSpec{}, fmt.Errorf("empty address")
	}
	if s[0] == '!' {
		a, err := parseAddr(s[1:], vars, depth)
		a.neg = !a.neg
		return a, err
	}
	if s[0] == '[' {
		if s[len(s)-1] != ']' {
			return addrSpec{}, fmt.Errorf("list %q does not end with ]", s)
		}
		parts, err := splitList(s[1 : len(s)-1])
		if err != nil {
			return addrSpec{}, err
		}
		out := addrSpec{list: []addrSpec{}}
		for _, p := range parts {
			a, err := parseAddr(p, vars, depth)
			if err != nil {
				return addrSpec{}, err
			}
			out.list = append(out.list, a)
		}
		return out, nil
	}
	if s[0] == '$' {
		v, ok := vars[s[1:]]
		if !ok {
			return addrSpec{}, fmt.Errorf("undefined variable %s", s)
		}
		return parseAddr(v, vars, depth+1)
	}
	if strings.EqualFold(s, "any") {
		return addrSpec{any: true}, nil
	}
	if p, err := netip.ParsePrefix(s); err == nil {
		return addrSpec{prefix: p.Masked()}, nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return addrSpec{}, fmt.Errorf("%q is not an address, CIDR, list, variable or any", s)
	}
	a = a.Unmap()
	return addrSpec{prefix: netip.PrefixFrom(a, a.BitLen())}, nil
}

// portSpec is a port range, a negation, or a list.
type portSpec struct {
	any    bool
	neg    bool
	lo, hi int
	list   []portSpec
}

func (p portSpec) match(port int) bool {
	var m bool
	switch {
	case p.any:
		m = true
	case p.list != nil:
		m = matchList(p.list, func(x portSpec) bool { return x.neg }, func(x portSpec) bool { return x.match(port) })
	default:
		m = port >= p.lo && port <= p.hi
	}
	return m != p.neg
}

func parsePort(s string, vars Vars, depth int) (portSpec, error) {
	if depth > maxVarDepth {
		return portSpec{}, fmt.Errorf("variables nest too deep (a loop?)")
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return portSpec{}, fmt.Errorf("empty port")
	}
	if s[0] == '!' {
		p, err := parsePort(s[1:], vars, depth)
		p.neg = !p.neg
		return p, err
	}
	if s[0] == '[' {
		if s[len(s)-1] != ']' {
			return portSpec{}, fmt.Errorf("list %q does not end with ]", s)
		}
		parts, err := splitList(s[1 : len(s)-1])
		if err != nil {
			return portSpec{}, err
		}
		out := portSpec{list: []portSpec{}}
		for _, x := range parts {
			p, err := parsePort(x, vars, depth)
			if err != nil {
				return portSpec{}, err
			}
			out.list = append(out.list, p)
		}
		return out, nil
	}
	if s[0] == '$' {
		v, ok := vars[s[1:]]
		if !ok {
			return portSpec{}, fmt.Errorf("undefined variable %s", s)
		}
		return parsePort(v, vars, depth+1)
	}
	if strings.EqualFold(s, "any") {
		return portSpec{any: true}, nil
	}
	lo, hi, isRange := strings.Cut(s, ":")
	num := func(x string, def int) (int, error) {
		if x == "" && isRange {
			return def, nil
		}
		n := 0
		if x == "" || len(x) > 5 {
			return 0, fmt.Errorf("%q is not a port", s)
		}
		for _, c := range x {
			if c < '0' || c > '9' {
				return 0, fmt.Errorf("%q is not a port, range, list, variable or any", s)
			}
			n = n*10 + int(c-'0')
		}
		if n > 65535 {
			return 0, fmt.Errorf("port %d is above 65535", n)
		}
		return n, nil
	}
	l, err := num(lo, 0)
	if err != nil {
		return portSpec{}, err
	}
	h := l
	if isRange {
		if h, err = num(hi, 65535); err != nil {
			return portSpec{}, err
		}
		if h < l {
			return portSpec{}, fmt.Errorf("range %q ends before it starts", s)
		}
	}
	return portSpec{lo: l, hi: h}, nil
}

// splitList cuts a list's inside at top-level commas (nested [...] stay whole).
func splitList(s string) ([]string, error) {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '[':
			depth++
		case ']':
			depth--
			if depth < 0 {
				return nil, fmt.Errorf("unbalanced ] in list")
			}
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	if depth != 0 {
		return nil, fmt.Errorf("unbalanced [ in list")
	}
	out = append(out, s[start:])
	for _, x := range out {
		if strings.TrimSpace(x) == "" {
			return nil, fmt.Errorf("empty element in list [%s]", s)
		}
	}
	return out, nil
}

// Check parses every variable as an address group (names ending in _NET or _SERVERS) or a
// port group (names ending in _PORTS), so a bad $HOME_NET is one clear error at start rather
// than every rule failing.
func (v Vars) Check() error {
	for name, val := range v {
		var err error
		switch {
		case strings.HasSuffix(name, "_NET") || strings.HasSuffix(name, "_SERVERS"):
			_, err = parseAddr(val, v, 0)
		case strings.HasSuffix(name, "_PORTS"):
			_, err = parsePort(val, v, 0)
		}
		if err != nil {
			return fmt.Errorf("rule variable $%s = %q: %w", name, val, err)
		}
	}
	return nil
}
