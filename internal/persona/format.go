package persona

import (
	"io/fs"
	"time"
)

// The persona file format, version 1.
//
//	persona.json          the manifest: facts and one record per filesystem entry
//	pack/<n>              content: the stored bytes of many files, concatenated in path
//	                      order and deflated together; an entry names its pack, offset
//	                      and length (files with equal content share one copy)
//
// Entries are sorted by path; every entry's parent directory is an entry too. Times are
// Unix nanoseconds; modes are Linux st_mode values, so the file reads the same on any
// host.
const (
	formatVersion = 1
	manifestName  = "persona.json"
	packPrefix    = "pack/"

	// Limits that keep a corrupt or hostile persona file from exhausting memory.
	maxManifestBytes = 256 << 20
	maxPackBytes     = 64 << 20
	maxEntries       = 4 << 20
)

type manifest struct {
	Format  int     `json:"format"`
	Facts   facts   `json:"facts"`
	Entries []entry `json:"entries"`
}

type facts struct {
	Hostname  string    `json:"hostname"`
	SSHBanner string    `json:"ssh_banner"`
	Kernel    Kernel    `json:"kernel"`
	Hardware  Hardware  `json:"hardware"`
	BootTime  time.Time `json:"boot_time"`
	Processes []Process `json:"processes"`
}

// entry is one filesystem entry as stored. Keys are short because there are tens of
// thousands of them.
type entry struct {
	Path   string  `json:"p"`
	Mode   uint32  `json:"m"` // Linux st_mode: type bits and permissions
	UID    uint32  `json:"u"`
	GID    uint32  `json:"g"`
	Owner  string  `json:"o,omitempty"`
	Group  string  `json:"gr,omitempty"`
	Size   int64   `json:"s"`
	MTime  int64   `json:"mt"`
	ATime  int64   `json:"at"`
	CTime  int64   `json:"ct"`
	Nlink  uint32  `json:"n"`
	Ino    uint64  `json:"i"`
	Rdev   uint64  `json:"rd,omitempty"` // major<<8|minor style: see mkdev
	Target string  `json:"l,omitempty"`  // symlink target
	MD5    string  `json:"md5,omitempty"`
	SHA1   string  `json:"sha1,omitempty"`
	SHA256 string  `json:"sha256,omitempty"`
	Blob   []int64 `json:"b,omitempty"` // stored content: pack number, offset, length
	Full   bool    `json:"f,omitempty"` // the stored content is the whole file
	// Dynamic names a generator for files whose content changes with time
	// (/proc/uptime): the blob, if any, is ignored.
	Dynamic string `json:"d,omitempty"`

	bi int // capture only: 1 + index of the content in capturer.blobs, 0 for none
}

// Linux st_mode type bits.
const (
	sIFMT   = 0o170000
	sIFSOCK = 0o140000
	sIFLNK  = 0o120000
	sIFREG  = 0o100000
	sIFBLK  = 0o060000
	sIFDIR  = 0o040000
	sIFCHR  = 0o020000
	sIFIFO  = 0o010000
	sISUID  = 0o4000
	sISGID  = 0o2000
	sISVTX  = 0o1000
)

// fileMode converts a Linux st_mode to an fs.FileMode; ok is false for unknown types.
func fileMode(m uint32) (fs.FileMode, bool) {
	mode := fs.FileMode(m & 0o777)
	switch m & sIFMT {
	case sIFREG:
	case sIFDIR:
		mode |= fs.ModeDir
	case sIFLNK:
		mode |= fs.ModeSymlink
	case sIFCHR:
		mode |= fs.ModeDevice | fs.ModeCharDevice
	case sIFBLK:
		mode |= fs.ModeDevice
	case sIFIFO:
		mode |= fs.ModeNamedPipe
	case sIFSOCK:
		mode |= fs.ModeSocket
	default:
		return 0, false
	}
	if m&sISUID != 0 {
		mode |= fs.ModeSetuid
	}
	if m&sISGID != 0 {
		mode |= fs.ModeSetgid
	}
	if m&sISVTX != 0 {
		mode |= fs.ModeSticky
	}
	return mode, true
}

// mkdev and devNumbers use the Linux (glibc) dev_t encoding.
func mkdev(major, minor uint32) uint64 {
	return uint64(minor&0xff) | uint64(major&0xfff)<<8 |
		uint64(minor&^0xff)<<12 | uint64(major&^0xfff)<<32
}

func devNumbers(dev uint64) (major, minor uint32) {
	major = uint32((dev>>8)&0xfff) | uint32((dev>>32)&^0xfff)
	minor = uint32(dev&0xff) | uint32((dev>>12)&^0xff)
	return major, minor
}
