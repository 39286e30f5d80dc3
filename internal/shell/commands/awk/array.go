package awk

import "strconv"

// Arrays are mawk's dual hash tables (array.w), reproduced node for node: "for (k in a)"
// walks the table buckets in order, each bucket's list front to back, and lookups move the
// node they find to the front of its list. Scripts print in that order, so the order is part
// of the output that must match. A table has integer lists (for keys that are integral
// numbers) and string lists (FNV-1 hashed), created on demand; split() fills a plain vector.

const (
	ayNull  = 0
	ayInt   = 1
	ayStr   = 2
	aySplit = 4

	startingHmask    = 63
	maxAveListLength = 12
	notAnIValue      = -maxInt - 1
)

type anode struct {
	slink, ilink *anode
	sval         string
	hasS         bool
	hval         uint32
	ival         int
	cell         cell
}

type dualLink struct{ slink, ilink *anode }

type array struct {
	typ   int
	size  int
	limit int
	hmask uint32
	table []dualLink
	split []cell
	bytes int // charged against the interpreter's memory budget
}

func hmaskToLimit(x uint32) int { return int(x+1) * maxAveListLength }

func fnv1(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}

// key is how a subscript addresses the table: an integral number uses the integer lists.
type akey struct {
	isInt bool
	ival  int
	s     string
}

func (in *interp) keyOf(c cell) akey {
	switch c.k {
	case kNum:
		if i := dToI(c.n); float64(i) == c.n {
			return akey{isInt: true, ival: i}
		}
		return akey{s: in.numToStrConv(c.n)}
	case kNoInit:
		return akey{s: ""}
	}
	return akey{s: c.s}
}

// find returns the cell for k, creating it when create is set (nil when absent).
func (in *interp) find(a *array, k akey, create bool) *cell {
	if a.size == 0 && !create {
		return nil
	}
	if k.isInt {
		if a.typ == aySplit {
			if k.ival >= 1 && k.ival <= a.size {
				return &a.split[k.ival-1]
			}
			if !create {
				return nil
			}
			in.convertSplit(a)
		} else if a.typ == ayNull {
			in.makeEmptyTable(a, ayInt)
		}
		if p := in.findByIval(a, k.ival, create); p != nil {
			return &p.cell
		}
		return nil
	}
	if p := in.findBySval(a, k.s, create); p != nil {
		return &p.cell
	}
	return nil
}

func (in *interp) findByIval(a *array, ival int, create bool) *anode {
	indx := uint32(ival) & a.hmask
	p := a.table[indx].ilink
	var q *anode
	for {
		if p == nil {
			if a.typ&ayStr != 0 {
				p = in.findBySval(a, strconv.Itoa(ival), create)
				if p == nil {
					return nil
				}
				indx = uint32(ival) & a.hmask
			} else if create {
				p = &anode{cell: cell{}}
				in.charge(a, 64)
				a.size++
				if a.size > a.limit {
					in.doubleTable(a)
					indx = a.hmask & uint32(ival)
				}
			} else {
				return nil
			}
			p.ival = ival
			a.typ |= ayInt
			break
		} else if p.ival == ival {
			if q == nil {
				return p
			}
			q.ilink = p.ilink
			break
		}
		q = p
		p = q.ilink
	}
	p.ilink = a.table[indx].ilink
	a.table[indx].ilink = p
	return p
}

func (in *interp) findBySval(a *array, s string, create bool) *anode {
	hval := fnv1(s)
	if a.typ&ayStr == 0 {
		in.addStringAssociations(a)
	}
	indx := hval & a.hmask
	p := a.table[indx].slink
	var q *anode
	for {
		if p == nil {
			if !create {
				return nil
			}
			p = &anode{sval: s, hasS: true, ival: notAnIValue, hval: hval}
			in.charge(a, 64+len(s))
			a.size++
			if a.size > a.limit {
				in.doubleTable(a)
				indx = hval & a.hmask
			}
			break
		} else if p.hval == hval && p.sval == s {
			if q == nil {
				return p
			}
			q.slink = p.slink
			break
		}
		q = p
		p = q.slink
	}
	p.slink = a.table[indx].slink
	a.table[indx].slink = p
	return p
}

func (in *interp) addStringAssociations(a *array) {
	if a.typ == ayNull {
		in.makeEmptyTable(a, ayStr)
		return
	}
	if a.typ == aySplit {
		in.convertSplit(a)
	}
	for i := uint32(0); i <= a.hmask; i++ {
		for p := a.table[i].ilink; p != nil; p = p.ilink {
			p.sval = strconv.Itoa(p.ival)
			p.hasS = true
			p.hval = fnv1(p.sval)
			p.slink = a.table[a.hmask&p.hval].slink
			a.table[a.hmask&p.hval].slink = p
		}
	}
	a.typ |= ayStr
}

func (in *interp) makeEmptyTable(a *array, typ int) {
	a.typ = typ
	a.hmask = startingHmask
	a.limit = hmaskToLimit(startingHmask)
	a.table = make([]dualLink, startingHmask+1)
	a.split = nil
}

func (in *interp) convertSplit(a *array) {
	cells := a.split
	a.hmask = startingHmask
	a.limit = hmaskToLimit(startingHmask)
	for a.size > a.limit {
		a.hmask = a.hmask<<1 + 1
		a.limit = hmaskToLimit(a.hmask)
	}
	a.table = make([]dualLink, a.hmask+1)
	j := uint32(1)
	for i := 0; i < a.size; i++ {
		p := &anode{ival: i + 1, cell: cells[i]}
		p.ilink = a.table[j].ilink
		a.table[j].ilink = p
		j = (j + 1) & a.hmask
	}
	a.typ = ayInt
	a.split = nil
}

func (in *interp) doubleTable(a *array) {
	old := a.hmask
	nm := old<<1 + 1
	t := make([]dualLink, nm+1)
	copy(t, a.table)
	a.table = t
	if a.typ&ayStr != 0 {
		for i, j := uint32(0), old+1; i <= old; i, j = i+1, j+1 {
			var keep, moved []*anode
			for p := a.table[i].slink; p != nil; p = p.slink {
				if p.hval&nm != i {
					moved = append(moved, p)
				} else {
					keep = append(keep, p)
				}
			}
			a.table[i].slink = chainS(keep)
			a.table[j].slink = chainS(moved)
		}
	}
	if a.typ&ayInt != 0 {
		for i, j := uint32(0), old+1; i <= old; i, j = i+1, j+1 {
			var keep, moved []*anode
			for p := a.table[i].ilink; p != nil; p = p.ilink {
				if uint32(p.ival)&nm != i {
					moved = append(moved, p)
				} else {
					keep = append(keep, p)
				}
			}
			a.table[i].ilink = chainI(keep)
			a.table[j].ilink = chainI(moved)
		}
	}
	a.hmask = nm
	a.limit = hmaskToLimit(nm)
}

func chainS(ns []*anode) *anode {
	for i := range ns {
		if i+1 < len(ns) {
			ns[i].slink = ns[i+1]
		} else {
			ns[i].slink = nil
		}
	}
	if len(ns) == 0 {
		return nil
	}
	return ns[0]
}

func chainI(ns []*anode) *anode {
	for i := range ns {
		if i+1 < len(ns) {
			ns[i].ilink = ns[i+1]
		} else {
			ns[i].ilink = nil
		}
	}
	if len(ns) == 0 {
		return nil
	}
	return ns[0]
}

// remove deletes key k (mawk's array_delete).
func (in *interp) remove(a *array, k akey) {
	if a.size == 0 {
		return
	}
	if k.isInt {
		if a.typ == aySplit {
			if k.ival >= 1 && k.ival <= a.size {
				in.convertSplit(a)
			} else {
				return
			}
		}
		ap := in.findByIval(a, k.ival, false)
		if ap == nil {
			return
		}
		// findByIval left it at the front of its integer list.
		a.table[uint32(ap.ival)&a.hmask].ilink = ap.ilink
		if ap.hasS {
			indx := ap.hval & a.hmask
			var q *anode
			p := a.table[indx].slink
			for p != ap {
				q = p
				p = q.slink
			}
			if q != nil {
				q.slink = p.slink
			} else {
				a.table[indx].slink = p.slink
			}
		}
		in.uncharge(a, 64+len(ap.sval)+cellSize(ap.cell))
		a.size--
		if a.size == 0 {
			in.clear(a)
		}
		return
	}
	ap := in.findBySval(a, k.s, false)
	if ap == nil {
		return
	}
	a.table[ap.hval&a.hmask].slink = ap.slink
	if ap.ival != notAnIValue {
		indx := uint32(ap.ival) & a.hmask
		var q *anode
		p := a.table[indx].ilink
		for p != ap {
			q = p
			p = q.ilink
		}
		if q != nil {
			q.ilink = p.ilink
		} else {
			a.table[indx].ilink = p.ilink
		}
	}
	in.uncharge(a, 64+len(ap.sval)+cellSize(ap.cell))
	a.size--
	if a.size == 0 {
		in.clear(a)
	}
}

// clear empties a (delete a) and gives its memory back to the budget.
func (in *interp) clear(a *array) {
	in.mem -= a.bytes
	*a = array{}
}

func cellSize(c cell) int { return len(c.s) }

// loadSplit makes a a split vector holding parts (mawk's array_load).
func (in *interp) loadSplit(a *array, parts []string) {
	in.clear(a)
	*a = array{typ: aySplit, size: len(parts), limit: len(parts)&^3 + 4}
	a.split = make([]cell, len(parts))
	for i, s := range parts {
		a.split[i] = maybe(s)
		in.charge(a, 32+len(s))
	}
}

// keys lists the keys in mawk's loop order (array_loop_vector).
func (in *interp) keys(a *array) []string {
	if a.size == 0 {
		return nil
	}
	if a.typ&ayStr == 0 {
		in.addStringAssociations(a)
	}
	out := make([]string, 0, a.size)
	for i := uint32(0); i <= a.hmask; i++ {
		for p := a.table[i].slink; p != nil; p = p.slink {
			out = append(out, p.sval)
		}
	}
	return out
}
