package vfs

// Default quotas.
const (
	DefaultPerIP   = 16 << 20
	DefaultPerFile = 4 << 20
	DefaultTotal   = 1 << 30
	DefaultEntries = 65536
)

// Quotas bound what attackers may store. A zero field takes its default.
type Quotas struct {
	PerIP   int64 // bytes of overlay content per source IP (default 16 MiB)
	PerFile int64 // bytes per file (default 4 MiB)
	Total   int64 // bytes across all IPs (default 1 GiB); the least recently used IP's overlay is evicted first
	// Entries bounds the overlay entries (files, directories, symlinks, whiteouts) per IP
	// (default 65536), so empty files cannot exhaust memory; past it, creating fails with
	// ENOSPC as on a disk out of inodes.
	Entries int
}

// DefaultQuotas returns the quotas used for zero fields.
func DefaultQuotas() Quotas {
	return Quotas{PerIP: DefaultPerIP, PerFile: DefaultPerFile, Total: DefaultTotal, Entries: DefaultEntries}
}

func (q Quotas) withDefaults() Quotas {
	d := DefaultQuotas()
	if q.PerIP <= 0 {
		q.PerIP = d.PerIP
	}
	if q.PerFile <= 0 {
		q.PerFile = d.PerFile
	}
	if q.Total <= 0 {
		q.Total = d.Total
	}
	if q.Entries <= 0 {
		q.Entries = d.Entries
	}
	return q
}
