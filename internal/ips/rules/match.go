package rules

import (
	"net/netip"
	"strings"
	"time"

	"github.com/lure-sensor/lure/internal/event"
)

// CommandBuffer is lure's sticky buffer for shell command lines (lure.command;): the input of
// cowrie.command.input events, as the attacker typed it.
const CommandBuffer = "lure.command"

// Buffer fields: the event fields the buffers are read from. A frontend that fills a field
// makes the buffer available to rules; HTTP frontends are expected to fill the http ones.
//
//	lure.command                  "input" of cowrie.command.input
//	(default buffer, pkt_data)    "payload"; for a command event its "input"
//	http.uri, http.uri.raw        "uri" (path and query as requested)
//	http.method                   "method"
//	http.header, http.header.raw  "headers" (the header block, "Name: value\r\n" lines)
//	http.user_agent               "user_agent"
//	http.host, http.host.raw      "host"
//	http.cookie                   "cookie"
//	http.request_body             "body"
//	http.request_line             "request_line"
//	http.protocol                 "http_version"
//	http.accept, http.referer, http.content_type   "accept", "referer", "content_type"
//	http.stat_code, http.stat_msg, http.response_body   "status", "status_msg", "response_body"
func bufferField(name string) string {
	switch name {
	case "":
		return "payload"
	case CommandBuffer:
		return "input"
	case "http.uri", "http.uri.raw":
		return "uri"
	case "http.method":
		return "method"
	case "http.header", "http.header.raw":
		return "headers"
	case "http.user_agent":
		return "user_agent"
	case "http.host", "http.host.raw":
		return "host"
	case "http.cookie":
		return "cookie"
	case "http.request_body":
		return "body"
	case "http.request_line":
		return "request_line"
	case "http.protocol":
		return "http_version"
	case "http.accept":
		return "accept"
	case "http.referer":
		return "referer"
	case "http.content_type":
		return "content_type"
	case "http.stat_code":
		return "status"
	case "http.stat_msg":
		return "status_msg"
	case "http.response_body":
		return "response_body"
	}
	return ""
}

// inspection is one event being matched: its buffers, read once, and their lowered copies
// made when a nocase content first needs them.
type inspection struct {
	e     event.Event
	src   netip.Addr
	dst   netip.Addr
	bufs  map[string]string
	lower map[string]string
}

func (in *inspection) buffer(name string) (string, bool) {
	if s, ok := in.bufs[name]; ok {
		return s, true
	}
	var s string
	var ok bool
	switch {
	case name == CommandBuffer && in.e.EventID != event.CommandInput:
	case name == "" && in.e.EventID == event.CommandInput:
		s, ok = in.e.Fields["input"].(string)
	default:
		switch v := in.e.Fields[bufferField(name)].(type) {
		case string:
			s, ok = v, true
		case []byte:
			s, ok = string(v), true
		}
	}
	if !ok {
		return "", false
	}
	if in.bufs == nil {
		in.bufs = map[string]string{}
	}
	in.bufs[name] = s
	return s, true
}

func (in *inspection) lowered(name, s string) string {
	if l, ok := in.lower[name]; ok {
		return l
	}
	l := string(lowerASCII([]byte(s)))
	if in.lower == nil {
		in.lower = map[string]string{}
	}
	in.lower[name] = l
	return l
}

// inspectable tells whether an event can carry a buffer: rules never run on events without
// one (a SYN, a login) so header-only rules do not fire on every connection event.
func inspectable(e event.Event) bool {
	if e.EventID == event.CommandInput {
		return true
	}
	for _, k := range []string{"payload", "uri", "method", "headers", "body", "request_line"} {
		if _, ok := e.Fields[k]; ok {
			return true
		}
	}
	return false
}

// group is a rule's matches on one buffer, in rule order.
type group struct {
	buffer  string
	matches []*Match
}

// compiled is a rule ready to run.
type compiled struct {
	*Rule
	groups []group
	never  bool // a flow option no event can have (to_client, ...)
}

func compile(r *Rule) *compiled {
	c := &compiled{Rule: r}
	for _, m := range r.Matches {
		found := false
		for i := range c.groups {
			if c.groups[i].buffer == m.Buffer {
				c.groups[i].matches = append(c.groups[i].matches, m)
				found = true
			}
		}
		if !found {
			c.groups = append(c.groups, group{buffer: m.Buffer, matches: []*Match{m}})
		}
	}
	for _, f := range r.Flow {
		// Every inspected event is a client's data on an established TCP connection.
		switch f {
		case "to_client", "from_server", "not_established", "only_frag":
			c.never = true
		}
	}
	return c
}

// header tells whether the rule's header accepts the event.
func (c *compiled) header(in *inspection) bool {
	if c.never {
		return false
	}
	switch c.Protocol {
	case "tcp", "ip", "any", "pkthdr":
	case "udp", "icmp":
		return false
	case "http1":
		if in.e.Protocol != "http" {
			return false
		}
	default:
		if in.e.Protocol != c.Protocol {
			return false
		}
	}
	fwd := c.Src.match(in.src) && c.SrcPorts.match(in.e.SrcPort) && c.Dst.match(in.dst) && c.DstPorts.match(in.e.DstPort)
	if fwd || !c.Both {
		return fwd
	}
	return c.Src.match(in.dst) && c.SrcPorts.match(in.e.DstPort) && c.Dst.match(in.src) && c.DstPorts.match(in.e.SrcPort)
}

// inspectBudget bounds the backtracking of one rule over one buffer (Suricata has the same
// kind of limit), so a crafted buffer cannot make a rule run for long.
const inspectBudget = 4096

func (c *compiled) payload(in *inspection) bool {
	for _, g := range c.groups {
		buf, ok := in.buffer(g.buffer)
		if !ok {
			return false
		}
		budget := inspectBudget
		if !matchSeq(g.matches, 0, buf, g.buffer, in, 0, &budget) {
			return false
		}
	}
	return true
}

// matchSeq matches ms[i:] in buf after the previous match ended at prevEnd, backtracking to
// later occurrences when a relative match after them fails.
func matchSeq(ms []*Match, i int, buf, name string, in *inspection, prevEnd int, budget *int) bool {
	if i == len(ms) {
		return true
	}
	if *budget--; *budget < 0 {
		return false
	}
	m := ms[i]
	if m.Pcre != nil {
		start := 0
		if m.Relative {
			start = prevEnd
		}
		if start > len(buf) {
			return m.Negate && matchSeq(ms, i+1, buf, name, in, prevEnd, budget)
		}
		if m.Negate {
			return !m.Pcre.MatchString(buf[start:]) && matchSeq(ms, i+1, buf, name, in, prevEnd, budget)
		}
		if i+1 == len(ms) {
			// Nothing after it depends on where it matched: any match will do.
			return m.Pcre.MatchString(buf[start:])
		}
		for _, loc := range m.Pcre.FindAllStringIndex(buf[start:], 16) {
			if matchSeq(ms, i+1, buf, name, in, start+loc[1], budget) {
				return true
			}
		}
		return false
	}
	hay := buf
	if m.Nocase {
		hay = in.lowered(name, buf)
	}
	lo, hi := 0, len(buf)
	switch {
	case m.StartsWith:
		hi = len(m.Content)
	case m.Relative:
		lo = prevEnd + m.Distance
		if m.Within > 0 {
			hi = prevEnd + m.Distance + m.Within
		}
	default:
		lo = m.Offset
		if m.Depth > 0 {
			hi = m.Offset + m.Depth
		}
	}
	lo, hi = max(lo, 0), min(hi, len(buf))
	content := string(m.Content)
	for pos := lo; pos <= hi-len(content); {
		j := strings.Index(hay[pos:hi], content)
		if j < 0 {
			break
		}
		start := pos + j
		end := start + len(content)
		if !m.EndsWith || end == len(buf) {
			if m.Negate {
				return false
			}
			if matchSeq(ms, i+1, buf, name, in, end, budget) {
				return true
			}
			if *budget < 0 {
				return false
			}
		}
		pos = start + 1
	}
	return m.Negate && matchSeq(ms, i+1, buf, name, in, prevEnd, budget)
}

// Hit is a rule that matched an event and passed its threshold.
type Hit struct {
	Rule *Rule
	// Evidence holds the ids of the events the hit stands on: this event, and for a rule
	// with a threshold or detection_filter the earlier matches it counted.
	Evidence []string
}

// Set runs rules over events. It keeps threshold state, so one goroutine uses it at a time.
type Set struct {
	rules    []*compiled // pass rules first: a matching pass rule stops the others
	track    map[trackKey]*trackState
	maxTrack int
}

type trackKey struct {
	gid, sid int
	filter   bool // detection_filter (else threshold)
	key      string
}

type trackState struct {
	first time.Time
	count int
	ids   []string
	span  time.Duration
}

// maxTracked bounds threshold and detection_filter state.
const maxTracked = 100000

// NewSet returns a set running rules.
func NewSet(rs []*Rule) *Set {
	s := &Set{track: map[trackKey]*trackState{}, maxTrack: maxTracked}
	for _, pass := range []bool{true, false} {
		for _, r := range rs {
			if (r.Action == "pass") == pass {
				s.rules = append(s.rules, compile(r))
			}
		}
	}
	return s
}

// Len is the number of rules in the set.
func (s *Set) Len() int { return len(s.rules) }

// Inspect runs every rule over e and calls hit for each that matches and passes its
// threshold. Pass rules give no hit: they silence the others for this event.
func (s *Set) Inspect(e event.Event, hit func(Hit)) {
	if len(s.rules) == 0 || !inspectable(e) {
		return
	}
	in := &inspection{e: e}
	in.src, _ = netip.ParseAddr(e.SrcIP)
	in.dst, _ = netip.ParseAddr(e.DstIP)
	in.src, in.dst = in.src.Unmap(), in.dst.Unmap()
	t := e.Time
	if t.IsZero() {
		t = time.Now()
	}
	for _, r := range s.rules {
		if !r.header(in) || !r.payload(in) {
			continue
		}
		if r.Action == "pass" {
			return
		}
		ev := []string{e.ID}
		if r.DetectionFilter != nil {
			ok, ids := s.count(r.Rule, true, r.DetectionFilter, e, t)
			if !ok {
				continue
			}
			ev = ids
		}
		if r.Threshold != nil {
			ok, ids := s.count(r.Rule, false, r.Threshold, e, t)
			if !ok {
				continue
			}
			ev = ids
		}
		hit(Hit{Rule: r.Rule, Evidence: ev})
	}
}

// count applies a threshold or detection_filter to one match and tells whether the rule
// alerts, with the ids counted in the current window.
func (s *Set) count(r *Rule, filter bool, th *Threshold, e event.Event, t time.Time) (bool, []string) {
	var key string
	switch th.Track {
	case "by_src":
		key = e.SrcIP
	case "by_dst":
		key = e.DstIP
	case "by_both":
		key = e.SrcIP + "|" + e.DstIP
	}
	k := trackKey{gid: r.GID, sid: r.SID, filter: filter, key: key}
	st := s.track[k]
	if st == nil {
		if len(s.track) >= s.maxTrack {
			s.sweep(t)
		}
		st = &trackState{first: t, span: th.Seconds}
		s.track[k] = st
	}
	if t.Sub(st.first) >= th.Seconds {
		st.first, st.count, st.ids = t, 0, st.ids[:0]
	}
	st.count++
	if e.ID != "" {
		if len(st.ids) == 16 {
			copy(st.ids, st.ids[1:])
			st.ids = st.ids[:15]
		}
		st.ids = append(st.ids, e.ID)
	}
	var ok bool
	switch {
	case filter: // detection_filter: every match past count within the window
		ok = st.count > th.Count
	case th.Type == "limit": // the first count matches of each window
		ok = st.count <= th.Count
	case th.Type == "threshold": // every count-th match
		ok = st.count%th.Count == 0
	case th.Type == "both": // once per window, at the count-th match
		ok = st.count == th.Count
	}
	return ok, append([]string(nil), st.ids...)
}

// sweep drops threshold state whose window ended; if none did, one arbitrary entry goes, so
// the table stays bounded under a flood of sources.
func (s *Set) sweep(t time.Time) {
	for k, st := range s.track {
		if t.Sub(st.first) >= st.span {
			delete(s.track, k)
		}
	}
	for k := range s.track {
		if len(s.track) < s.maxTrack {
			break
		}
		delete(s.track, k)
	}
}
