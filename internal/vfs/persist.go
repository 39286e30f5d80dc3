package vfs

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strings"
	"time"
)

// On-disk format of one IP's overlay: a fixed header, so the manager can account for
// every IP at start-up without decoding content, then the gzip-compressed gob of diskState.
const (
	fileMagic  = "LUREOVL1"
	headerSize = len(fileMagic) + 8 + 8
	fileSuffix = ".ovl"
	tempPrefix = ".tmp-"
	// stateVersion changes when diskState changes incompatibly.
	stateVersion = 1
)

type header struct {
	usage int64
	last  time.Time
}

// diskState is an overlay as saved. Nodes are in pre-order, so a node's parent always
// comes before it.
type diskState struct {
	Version int
	IP      string // for the operator reading the file; never used to name anything
	NextIno uint64
	Nodes   []diskNode
}

type diskNode struct {
	Path  string
	White bool
	Src   string
	Meta  *Meta
	Own   bool
	Data  []byte
}

// snapshot captures the overlay's meaningful nodes. Called with o.mu held. File contents
// are shared, not copied: the overlay never changes a content slice in place.
func (o *overlay) snapshot() diskState {
	st := diskState{Version: stateVersion, NextIno: o.nextIno}
	var walk func(p string, n *onode) bool
	// walk reports whether anything at or under n needs saving, so pure pass-through
	// chains (left by reads of metadata or undone changes) are not written.
	walk = func(p string, n *onode) bool {
		i := len(st.Nodes)
		d := diskNode{Path: p, White: n.white, Src: n.src, Own: n.own, Data: n.data}
		if n.meta != nil {
			// Metadata changes in place, so the encoder (running unlocked) gets a copy.
			m := *n.meta
			d.Meta = &m
		}
		st.Nodes = append(st.Nodes, d)
		needed := n.white || n.meta != nil || n.own
		names := make([]string, 0, len(n.kids))
		for name := range n.kids {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			if walk(joinPath(p, name), n.kids[name]) {
				needed = true
			}
		}
		if !needed {
			st.Nodes = st.Nodes[:i]
		}
		return needed
	}
	walk("/", o.root)
	return st
}

// restore rebuilds an overlay saved by snapshot, checking that the tree is well formed.
func (o *overlay) restore(st diskState) error {
	if st.Version != stateVersion {
		return fmt.Errorf("overlay format version %d, want %d", st.Version, stateVersion)
	}
	nodes := map[string]*onode{}
	var usage int64
	entries := 0
	maxIno := uint64(overlayInoBase)
	for i, d := range st.Nodes {
		if !strings.HasPrefix(d.Path, "/") || path.Clean(d.Path) != d.Path || len(d.Path) >= pathMax {
			return fmt.Errorf("node %d: bad path %q", i, d.Path)
		}
		if d.Src != "" && (!strings.HasPrefix(d.Src, "/") || path.Clean(d.Src) != d.Src) {
			return fmt.Errorf("node %d: bad image path %q", i, d.Src)
		}
		if !d.White && d.Meta == nil && d.Src == "" {
			return fmt.Errorf("node %d (%s): neither metadata nor image source", i, d.Path)
		}
		n := &onode{white: d.White, src: d.Src, meta: d.Meta, own: d.Own, data: d.Data}
		if n.meta != nil {
			n.meta.Name = ""
			if n.meta.Ino > maxIno {
				maxIno = n.meta.Ino
			}
		}
		if d.Path == "/" {
			if i != 0 || d.White {
				return fmt.Errorf("node %d: misplaced root", i)
			}
			if n.meta == nil && n.src != "/" {
				return errors.New("root without metadata")
			}
			nodes["/"] = n
			continue
		}
		if i == 0 {
			return errors.New("first node is not the root")
		}
		name := path.Base(d.Path)
		if len(name) > nameMax {
			return fmt.Errorf("node %d: name too long", i)
		}
		parent := nodes[path.Dir(d.Path)]
		if parent == nil || parent.white {
			return fmt.Errorf("node %d (%s): no parent directory before it", i, d.Path)
		}
		if _, dup := nodes[d.Path]; dup {
			return fmt.Errorf("node %d (%s): duplicate", i, d.Path)
		}
		if parent.kids == nil {
			parent.kids = make(map[string]*onode)
		}
		parent.kids[name] = n
		nodes[d.Path] = n
		entries++
		usage += nodeBytes(n)
	}
	if root := nodes["/"]; root != nil {
		o.root = root
	}
	o.usage, o.entries, o.nextIno = usage, entries, maxIno
	o.dirty = false
	return nil
}

func writeHeader(w io.Writer, h header) error {
	var b [headerSize]byte
	copy(b[:], fileMagic)
	binary.BigEndian.PutUint64(b[8:], uint64(h.usage))
	binary.BigEndian.PutUint64(b[16:], uint64(h.last.UnixNano()))
	_, err := w.Write(b[:])
	return err
}

func parseHeader(r io.Reader) (header, error) {
	var b [headerSize]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return header{}, fmt.Errorf("read header: %w", err)
	}
	if string(b[:8]) != fileMagic {
		return header{}, errors.New("not an overlay file (bad magic)")
	}
	usage := int64(binary.BigEndian.Uint64(b[8:]))
	if usage < 0 {
		return header{}, errors.New("negative usage in header")
	}
	return header{usage: usage, last: time.Unix(0, int64(binary.BigEndian.Uint64(b[16:])))}, nil
}

// readHeader reads only the header of the overlay file at file (a name the manager made).
func readHeader(file string) (header, error) {
	f, err := os.Open(file)
	if err != nil {
		return header{}, err
	}
	defer f.Close()
	return parseHeader(f)
}

// readState loads the overlay file at file (a name the manager made), decompressing at
// most limit bytes.
func readState(file string, limit int64) (diskState, error) {
	f, err := os.Open(file)
	if err != nil {
		return diskState{}, err
	}
	defer f.Close()
	br := bufio.NewReader(f)
	if _, err := parseHeader(br); err != nil {
		return diskState{}, err
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		return diskState{}, fmt.Errorf("decompress: %w", err)
	}
	defer zr.Close()
	var st diskState
	if err := gob.NewDecoder(io.LimitReader(zr, limit)).Decode(&st); err != nil {
		return diskState{}, fmt.Errorf("decode: %w", err)
	}
	return st, nil
}

// writeState saves st to file atomically: a private temporary file in dir, synced, then
// renamed over the old one, so a crash leaves either the old or the new overlay.
func writeState(dir, file string, st diskState, h header) (err error) {
	tmp, err := os.CreateTemp(dir, tempPrefix+"*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(0o600); err != nil {
		return err
	}
	bw := bufio.NewWriter(tmp)
	if err := writeHeader(bw, h); err != nil {
		return err
	}
	zw := gzip.NewWriter(bw)
	if err := gob.NewEncoder(zw).Encode(st); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), file)
}
