package enforce

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/google/nftables"
	"github.com/google/nftables/binaryutil"
	"github.com/google/nftables/expr"
	"golang.org/x/sys/unix"

	"github.com/lure-sensor/lure/internal/ips"
)

// NFTables is the local enforcer: table inet lure holds sets of banned IPv4 and IPv6 addresses
// and ranges whose elements carry their own timeouts (so bans lift without lure's help), and an
// input chain that drops their packets except to the exempt ports, where the honeypot keeps
// collecting. Single addresses and ranges live in separate sets because an interval set
// refuses overlapping elements (a range over an address already banned). The table is removed
// by Close.
//
//	table inet lure {
//	  set exempt { type inet_service; elements = { 2222 } }
//	  set ban4 { type ipv4_addr; flags timeout }
//	  set ban6 { type ipv6_addr; flags timeout }
//	  set range4 { type ipv4_addr; flags interval, timeout }
//	  set range6 { type ipv6_addr; flags interval, timeout }
//	  chain input {
//	    type filter hook input priority filter - 10; policy accept;
//	    meta l4proto tcp tcp dport @exempt return
//	    meta nfproto ipv4 ip saddr @ban4 drop
//	    meta nfproto ipv6 ip6 saddr @ban6 drop
//	    meta nfproto ipv4 ip saddr @range4 drop
//	    meta nfproto ipv6 ip6 saddr @range6 drop
//	  }
//	}
type NFTables struct {
	mu     sync.Mutex
	conn   *nftables.Conn
	table  *nftables.Table
	ban4   *nftables.Set
	ban6   *nftables.Set
	range4 *nftables.Set
	range6 *nftables.Set
	in     map[netip.Prefix]time.Time // what this process put in the sets, and until when
	closed bool
}

// NFTablesOptions configures the enforcer.
type NFTablesOptions struct {
	ExemptPorts []int
	// NetNSFd, when not zero, is the network namespace to work in (tests); zero is lure's own.
	NetNSFd int
}

// ErrNoNetAdmin is returned by NewNFTables when lure may not change the firewall.
var ErrNoNetAdmin = errors.New("lure lacks CAP_NET_ADMIN, so it cannot create its nftables table (run it as root or grant it cap_net_admin; bouncers still enforce its bans)")

// NewNFTables creates table inet lure (replacing one a previous run left behind).
func NewNFTables(o NFTablesOptions) (*NFTables, error) {
	var opts []nftables.ConnOption
	if o.NetNSFd != 0 {
		opts = append(opts, nftables.WithNetNSFd(o.NetNSFd))
	}
	c, err := nftables.New(opts...)
	if err != nil {
		return nil, fmt.Errorf("nftables: opening netlink: %w", err)
	}
	n := &NFTables{conn: c, table: &nftables.Table{Family: nftables.TableFamilyINet, Name: "lure"}, in: map[netip.Prefix]time.Time{}}
	// Adding then deleting in one batch removes a leftover table without failing when there
	// is none.
	c.AddTable(n.table)
	c.DelTable(n.table)
	if err := c.Flush(); err != nil {
		return nil, nftErr("removing a leftover table inet lure", err)
	}
	c.AddTable(n.table)
	exempt := &nftables.Set{Table: n.table, Name: "exempt", KeyType: nftables.TypeInetService}
	var ports []nftables.SetElement
	for _, p := range o.ExemptPorts {
		ports = append(ports, nftables.SetElement{Key: binaryutil.BigEndian.PutUint16(uint16(p))})
	}
	if err := c.AddSet(exempt, ports); err != nil {
		return nil, fmt.Errorf("nftables: exempt ports set: %w", err)
	}
	n.ban4 = &nftables.Set{Table: n.table, Name: "ban4", KeyType: nftables.TypeIPAddr, HasTimeout: true}
	n.ban6 = &nftables.Set{Table: n.table, Name: "ban6", KeyType: nftables.TypeIP6Addr, HasTimeout: true}
	n.range4 = &nftables.Set{Table: n.table, Name: "range4", KeyType: nftables.TypeIPAddr, Interval: true, HasTimeout: true}
	n.range6 = &nftables.Set{Table: n.table, Name: "range6", KeyType: nftables.TypeIP6Addr, Interval: true, HasTimeout: true}
	for _, s := range []*nftables.Set{n.ban4, n.ban6, n.range4, n.range6} {
		if err := c.AddSet(s, nil); err != nil {
			return nil, fmt.Errorf("nftables: set %s: %w", s.Name, err)
		}
	}
	policy := nftables.ChainPolicyAccept
	chain := c.AddChain(&nftables.Chain{Name: "input", Table: n.table, Type: nftables.ChainTypeFilter,
		Hooknum: nftables.ChainHookInput, Priority: nftables.ChainPriorityRef(*nftables.ChainPriorityFilter - 10), Policy: &policy})
	c.AddRule(&nftables.Rule{Table: n.table, Chain: chain, Exprs: []expr.Any{
		&expr.Meta{Key: expr.MetaKeyL4PROTO, Register: 1},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte{unix.IPPROTO_TCP}},
		&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseTransportHeader, Offset: 2, Len: 2},
		&expr.Lookup{SourceRegister: 1, SetName: exempt.Name, SetID: exempt.ID},
		&expr.Verdict{Kind: expr.VerdictReturn},
	}})
	for _, r := range []struct {
		proto       byte
		set         *nftables.Set
		offset, len uint32
	}{{unix.NFPROTO_IPV4, n.ban4, 12, 4}, {unix.NFPROTO_IPV6, n.ban6, 8, 16}, {unix.NFPROTO_IPV4, n.range4, 12, 4}, {unix.NFPROTO_IPV6, n.range6, 8, 16}} {
		c.AddRule(&nftables.Rule{Table: n.table, Chain: chain, Exprs: []expr.Any{
			&expr.Meta{Key: expr.MetaKeyNFPROTO, Register: 1},
			&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte{r.proto}},
			&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: r.offset, Len: r.len},
			&expr.Lookup{SourceRegister: 1, SetName: r.set.Name, SetID: r.set.ID},
			&expr.Verdict{Kind: expr.VerdictDrop},
		}})
	}
	if err := c.Flush(); err != nil {
		return nil, nftErr("creating table inet lure", err)
	}
	return n, nil
}

func nftErr(what string, err error) error {
	if errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.EACCES) {
		return fmt.Errorf("nftables: %s: %w", what, ErrNoNetAdmin)
	}
	return fmt.Errorf("nftables: %s: %w", what, err)
}

// Name implements ips.Enforcer.
func (n *NFTables) Name() string { return "nftables" }

// elements turns a decision into its set's elements, with the time left: one address, or the
// interval [first, last+1) of a range.
func (n *NFTables) elements(d ips.Decision, now time.Time) (*nftables.Set, netip.Prefix, []nftables.SetElement, error) {
	var p netip.Prefix
	switch d.Scope {
	case "Ip":
		a, err := netip.ParseAddr(d.Value)
		if err != nil {
			return nil, p, nil, fmt.Errorf("decision %d: %q is not an address", d.ID, d.Value)
		}
		a = a.Unmap()
		p = netip.PrefixFrom(a, a.BitLen())
	case "Range":
		var err error
		if p, err = netip.ParsePrefix(d.Value); err != nil {
			return nil, p, nil, fmt.Errorf("decision %d: %q is not a range", d.ID, d.Value)
		}
		p = p.Masked()
	default:
		return nil, p, nil, nil // other scopes (usernames, countries) are not addresses
	}
	left := d.Until.Sub(now).Truncate(time.Millisecond)
	if left <= 0 {
		return nil, p, nil, nil
	}
	start := p.Addr()
	els := []nftables.SetElement{{Key: start.AsSlice(), Timeout: left}}
	if p.IsSingleIP() {
		if start.Is6() {
			return n.ban6, p, els, nil
		}
		return n.ban4, p, els, nil
	}
	set := n.range4
	if start.Is6() {
		set = n.range6
	}
	// The end of the interval is the address after the last one; past the top of the address
	// space the interval stays open, as nft writes it.
	last := lastAddr(p)
	if next := last.Next(); next.IsValid() {
		els = append(els, nftables.SetElement{Key: next.AsSlice(), IntervalEnd: true})
	}
	return set, p, els, nil
}

func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

// Ban implements ips.Enforcer: the element gets the decision's remaining time. A longer
// decision for an address already in the set replaces its element (elements cannot be
// extended in place).
func (n *NFTables) Ban(_ context.Context, d ips.Decision) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return errors.New("nftables: the enforcer is closed")
	}
	now := time.Now()
	set, p, els, err := n.elements(d, now)
	if err != nil || els == nil {
		return err
	}
	if until, ok := n.in[p]; ok && until.After(now) {
		if !d.Until.After(until) {
			return nil
		}
		if err := n.conn.SetDeleteElements(set, els); err == nil {
			if err := n.conn.Flush(); err != nil && !errors.Is(err, syscall.ENOENT) {
				return nftErr("replacing "+p.String(), err)
			}
		}
	}
	if err := n.conn.SetAddElements(set, els); err != nil {
		return fmt.Errorf("nftables: adding %s: %w", p, err)
	}
	if err := n.conn.Flush(); err != nil {
		return nftErr("adding "+p.String()+" to "+set.Name, err)
	}
	n.in[p] = d.Until
	// Forget what has expired, so the map stays as small as the sets.
	for q, u := range n.in {
		if !u.After(now) {
			delete(n.in, q)
		}
	}
	return nil
}

// Unban implements ips.Enforcer. An element that has already expired is no error.
func (n *NFTables) Unban(_ context.Context, d ips.Decision) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return nil
	}
	set, p, els, err := n.elements(ips.Decision{ID: d.ID, Scope: d.Scope, Value: d.Value, Until: time.Now().Add(time.Hour)}, time.Now())
	if err != nil || els == nil {
		return err
	}
	delete(n.in, p)
	for i := range els {
		els[i].Timeout = 0
	}
	if err := n.conn.SetDeleteElements(set, els); err != nil {
		return fmt.Errorf("nftables: removing %s: %w", p, err)
	}
	if err := n.conn.Flush(); err != nil && !errors.Is(err, syscall.ENOENT) {
		return nftErr("removing "+p.String(), err)
	}
	return nil
}

// Banned lists the prefixes in the kernel's sets now (for tests and `lure decisions ls`).
func (n *NFTables) Banned() ([]netip.Prefix, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []netip.Prefix
	for _, s := range []*nftables.Set{n.ban4, n.ban6, n.range4, n.range6} {
		els, err := n.conn.GetSetElements(s)
		if err != nil {
			return nil, nftErr("reading set "+s.Name, err)
		}
		if !s.Interval {
			for _, e := range els {
				if a, ok := netip.AddrFromSlice(e.Key); ok {
					out = append(out, netip.PrefixFrom(a, a.BitLen()))
				}
			}
			continue
		}
		// Elements come back in no fixed order; pair each start with the end above it.
		var starts, ends []netip.Addr
		for _, e := range els {
			a, ok := netip.AddrFromSlice(e.Key)
			if !ok {
				continue
			}
			if e.IntervalEnd {
				ends = append(ends, a)
			} else {
				starts = append(starts, a)
			}
		}
		slices.SortFunc(starts, func(a, b netip.Addr) int { return a.Compare(b) })
		slices.SortFunc(ends, func(a, b netip.Addr) int { return a.Compare(b) })
		for _, st := range starts {
			end := netip.Addr{}
			for _, e := range ends {
				if e.Compare(st) > 0 {
					end = e
					break
				}
			}
			out = append(out, prefixBetween(st, end))
		}
	}
	return out, nil
}

// prefixBetween is the prefix [start, end) when it is one; an open end means the top.
func prefixBetween(start, end netip.Addr) netip.Prefix {
	for bits := 0; bits <= start.BitLen(); bits++ {
		p := netip.PrefixFrom(start, bits)
		if p.Masked().Addr() != start {
			continue
		}
		next := lastAddr(p).Next()
		if next == end || (!end.IsValid() && !next.IsValid()) {
			return p
		}
	}
	return netip.PrefixFrom(start, start.BitLen())
}

// Close removes table inet lure.
func (n *NFTables) Close() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return nil
	}
	n.closed = true
	n.conn.DelTable(n.table)
	if err := n.conn.Flush(); err != nil {
		return nftErr("removing table inet lure", err)
	}
	return nil
}
