package vfs

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Manager hands out one overlay per source IP, persisted under a data directory. Each IP's
// overlay lives in one file whose name is the hex SHA-256 of the IP, so nothing an attacker
// sends ever becomes part of a host path. Safe for concurrent use.
type Manager struct {
	img Image
	dir string
	q   Quotas
	log *slog.Logger
	now func() time.Time

	mu     sync.Mutex
	recs   map[string]*ipRecord // by file key
	total  int64                // bytes across all IPs, live and on disk
	seq    uint64               // orders uses within one run, where clocks may tie
	closed bool
}

// ipRecord is what the manager knows of one source IP.
type ipRecord struct {
	key    string
	ip     string // empty for records found on disk and not yet loaded
	usage  int64
	last   time.Time // last Acquire or Release, for LRU eviction
	seq    uint64
	refs   int
	live   *overlay // in memory while in use (and while being persisted)
	gen    uint64   // bumped when the last user leaves, to spot a racing Acquire
	onDisk bool
}

// NewManager loads overlays from dir (created if missing). Only each overlay file's small
// header is read here; an IP's content is loaded when it connects again.
func NewManager(img Image, dir string, q Quotas) (*Manager, error) {
	if img == nil {
		img = NewMemImage()
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create overlay directory %s: %w", dir, err)
	}
	m := &Manager{
		img:  img,
		dir:  dir,
		q:    q.withDefaults(),
		log:  slog.Default().With("component", "vfs"),
		now:  time.Now,
		recs: make(map[string]*ipRecord),
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read overlay directory %s: %w", dir, err)
	}
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, tempPrefix) {
			// Left by a crash mid-write; the previous complete file is still in place.
			_ = os.Remove(filepath.Join(dir, name))
			continue
		}
		key, ok := strings.CutSuffix(name, fileSuffix)
		if !ok || !validKey(key) || !e.Type().IsRegular() {
			continue
		}
		h, err := readHeader(filepath.Join(dir, name))
		if err != nil {
			m.log.Warn("skipping unreadable overlay file", "file", filepath.Join(dir, name), "err", err)
			continue
		}
		m.recs[key] = &ipRecord{key: key, usage: h.usage, last: h.last, onDisk: true}
		m.total += h.usage
	}
	return m, nil
}

// fileKey names the overlay of ip on disk. Equivalent spellings of one address (an
// IPv4-mapped IPv6 address and the IPv4 address) share one overlay.
func fileKey(ip string) string {
	if a, err := netip.ParseAddr(ip); err == nil {
		ip = a.Unmap().String()
	}
	sum := sha256.Sum256([]byte(ip))
	return hex.EncodeToString(sum[:])
}

func validKey(k string) bool {
	if len(k) != 64 {
		return false
	}
	_, err := hex.DecodeString(k)
	return err == nil && strings.ToLower(k) == k
}

func (m *Manager) file(key string) string { return filepath.Join(m.dir, key+fileSuffix) }

// Acquire returns the FS for a source IP. Concurrent sessions of one IP share its overlay;
// each gets its own FS handle. Each Acquire must be paired with a Release.
func (m *Manager) Acquire(ip string) (*FS, error) {
	key := fileKey(ip)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, errors.New("vfs: overlay manager is closed")
	}
	rec := m.recs[key]
	if rec == nil {
		rec = &ipRecord{key: key}
		m.recs[key] = rec
	}
	rec.ip = ip
	if rec.live == nil {
		ov := newOverlay(m.img, m.q)
		if rec.onDisk {
			st, err := readState(m.file(key), m.readLimit())
			if err == nil {
				err = ov.restore(st)
			}
			if err != nil {
				// Start afresh rather than refuse the session; the file is replaced when
				// this IP's sessions end.
				m.log.Warn("discarding unreadable overlay", "src_ip", ip, "file", m.file(key), "err", err)
				ov = newOverlay(m.img, m.q)
			}
		}
		m.total += ov.usage - rec.usage
		rec.usage = ov.usage
		ov.charge = func(delta int64) error { return m.charge(key, delta) }
		rec.live = ov
	}
	rec.refs++
	m.touch(rec)
	f := &FS{ov: rec.live}
	ov := rec.live
	f.release = func() error { return m.release(rec, ov) }
	return f, nil
}

// SetLogger sets where the manager reports evictions and unreadable or unwritable
// overlay files (default: slog.Default()).
func (m *Manager) SetLogger(l *slog.Logger) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.log = l
}

func (m *Manager) touch(rec *ipRecord) {
	m.seq++
	rec.seq = m.seq
	rec.last = m.now()
}

// readLimit bounds how much an overlay file may decompress to: the quotas plus room for
// metadata, so a damaged file cannot exhaust memory.
func (m *Manager) readLimit() int64 {
	return 2*m.q.PerIP + int64(m.q.Entries)*8192 + 1<<20
}

// charge accounts delta bytes for key against the total quota. When the total would be
// exceeded, the overlays of the least recently used IPs that are not in use are deleted
// until the bytes fit; if they still do not, ENOSPC.
func (m *Manager) charge(key string, delta int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	rec := m.recs[key]
	if delta > 0 && m.total+delta > m.q.Total {
		var victims []*ipRecord
		for _, r := range m.recs {
			if r.key != key && r.refs == 0 && r.live == nil && r.usage > 0 {
				victims = append(victims, r)
			}
		}
		sort.Slice(victims, func(i, j int) bool {
			if !victims[i].last.Equal(victims[j].last) {
				return victims[i].last.Before(victims[j].last)
			}
			return victims[i].seq < victims[j].seq
		})
		for _, v := range victims {
			if m.total+delta <= m.q.Total {
				break
			}
			if err := os.Remove(m.file(v.key)); err != nil && !errors.Is(err, os.ErrNotExist) {
				m.log.Error("cannot evict overlay", "file", m.file(v.key), "err", err)
				continue
			}
			m.log.Info("evicted least recently used overlay to stay within the total quota",
				"file", m.file(v.key), "bytes", v.usage, "last_used", v.last)
			m.total -= v.usage
			delete(m.recs, v.key)
		}
		if m.total+delta > m.q.Total {
			return syscall.ENOSPC
		}
	}
	m.total += delta
	if rec != nil {
		rec.usage += delta
	}
	return nil
}

// TotalUsage returns the bytes held by all overlays, in use or on disk.
func (m *Manager) TotalUsage() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.total
}

// release ends one use of rec's overlay ov and persists it when nobody uses it any more.
func (m *Manager) release(rec *ipRecord, ov *overlay) error {
	m.mu.Lock()
	rec.refs--
	m.touch(rec)
	if rec.refs > 0 {
		m.mu.Unlock()
		return nil
	}
	rec.gen++
	gen, last, ip := rec.gen, rec.last, rec.ip
	m.mu.Unlock()

	// Persist outside the manager lock: writers hold the overlay lock and then take the
	// manager lock to charge bytes, so the reverse order here could deadlock.
	onDisk, err := m.persist(rec.key, ip, ov, last)

	m.mu.Lock()
	defer m.mu.Unlock()
	if err != nil {
		m.log.Error("cannot save overlay; keeping it in memory", "src_ip", ip, "file", m.file(rec.key), "err", err)
		return fmt.Errorf("save overlay of %s: %w", ip, err)
	}
	if rec.refs == 0 && rec.gen == gen && rec.live == ov {
		rec.live = nil
		rec.onDisk = onDisk
		if !onDisk && rec.usage == 0 {
			delete(m.recs, rec.key)
		}
	}
	return nil
}

// Close persists every overlay still in use, for shutdown. Acquire fails afterwards;
// sessions still running may go on, and their Release saves again.
func (m *Manager) Close() error {
	m.mu.Lock()
	m.closed = true
	type job struct {
		rec *ipRecord
		ov  *overlay
	}
	var jobs []job
	for _, r := range m.recs {
		if r.live != nil {
			jobs = append(jobs, job{r, r.live})
		}
	}
	m.mu.Unlock()
	var errs []error
	for _, j := range jobs {
		m.mu.Lock()
		last, ip := j.rec.last, j.rec.ip
		m.mu.Unlock()
		if _, err := m.persist(j.rec.key, ip, j.ov, last); err != nil {
			errs = append(errs, fmt.Errorf("save overlay of %s: %w", ip, err))
		}
	}
	return errors.Join(errs...)
}

// persist writes ov to its file when it changed since the last save, or removes the file
// when the overlay holds nothing. It reports whether a file remains.
func (m *Manager) persist(key, ip string, ov *overlay, last time.Time) (bool, error) {
	ov.persistMu.Lock()
	defer ov.persistMu.Unlock()
	ov.mu.Lock()
	dirty := ov.dirty
	ov.dirty = false
	var st diskState
	if dirty {
		st = ov.snapshot()
	}
	usage := ov.usage
	ov.mu.Unlock()
	file := m.file(key)
	if !dirty {
		_, err := os.Stat(file)
		return err == nil, nil
	}
	if len(st.Nodes) == 0 {
		if err := os.Remove(file); err != nil && !errors.Is(err, os.ErrNotExist) {
			return true, err
		}
		return false, nil
	}
	st.IP = ip
	if err := writeState(m.dir, file, st, header{usage: usage, last: last}); err != nil {
		ov.mu.Lock()
		ov.dirty = true
		ov.mu.Unlock()
		return false, err
	}
	return true, nil
}
