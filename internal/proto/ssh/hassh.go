package ssh

import (
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"strings"
)

// msgKexInit is SSH_MSG_KEXINIT.
const msgKexInit = 20

// maxKexPacket bounds the first binary packet (RFC 4253 requires support for 35000 bytes).
const maxKexPacket = 35000

// maxPreKex bounds what is buffered before the client's KEXINIT is parsed.
const maxPreKex = 64 << 10

// KexInit holds the name-lists of an SSH_MSG_KEXINIT.
type KexInit struct {
	Kex         []string
	HostKey     []string
	EncCS       []string
	EncSC       []string
	MacCS       []string
	MacSC       []string
	CompCS      []string
	CompSC      []string
	LangCS      []string
	LangSC      []string
	FirstFollow bool
}

// HASSHAlgorithms is the string HASSH hashes: "kex;enc_c2s;mac_c2s;comp_c2s", each list
// comma-joined as sent.
func (k KexInit) HASSHAlgorithms() string {
	return strings.Join(k.Kex, ",") + ";" + strings.Join(k.EncCS, ",") + ";" +
		strings.Join(k.MacCS, ",") + ";" + strings.Join(k.CompCS, ",")
}

// HASSH is the client fingerprint: the hex MD5 of HASSHAlgorithms.
func (k KexInit) HASSH() string {
	sum := md5.Sum([]byte(k.HASSHAlgorithms()))
	return hex.EncodeToString(sum[:])
}

var errBadKexInit = errors.New("ssh: malformed KEXINIT")

// ParseKexInit parses the payload of an SSH_MSG_KEXINIT (message number included).
// It never panics on hostile input.
func ParseKexInit(payload []byte) (KexInit, error) {
	var k KexInit
	if len(payload) < 1+16 || payload[0] != msgKexInit {
		return k, errBadKexInit
	}
	rest := payload[17:]
	lists := []*[]string{&k.Kex, &k.HostKey, &k.EncCS, &k.EncSC, &k.MacCS, &k.MacSC, &k.CompCS, &k.CompSC, &k.LangCS, &k.LangSC}
	for _, l := range lists {
		if len(rest) < 4 {
			return k, errBadKexInit
		}
		n := binary.BigEndian.Uint32(rest)
		rest = rest[4:]
		if uint64(n) > uint64(len(rest)) {
			return k, errBadKexInit
		}
		s := string(rest[:n])
		rest = rest[n:]
		if s == "" {
			*l = []string{}
		} else {
			*l = strings.Split(s, ",")
		}
	}
	if len(rest) < 1 {
		return k, errBadKexInit
	}
	k.FirstFollow = rest[0] != 0
	// The reserved uint32 that follows is not needed; tolerate clients that omit it.
	return k, nil
}

// wireSniffer reads the client's first bytes as they pass: the identification line, then
// the first binary packet, which is the unencrypted KEXINIT. It sees exactly what the
// client sent, whatever the SSH library does with it afterwards.
type wireSniffer struct {
	buf       []byte
	gotVer    bool
	done      bool
	onVersion func(string)
	onKex     func(KexInit)
}

// feed takes the next bytes read from the client.
func (w *wireSniffer) feed(p []byte) {
	if w.done {
		return
	}
	if len(w.buf)+len(p) > maxPreKex {
		w.finish()
		return
	}
	w.buf = append(w.buf, p...)
	for !w.gotVer {
		i := strings.IndexByte(string(w.buf), '\n')
		if i < 0 {
			return
		}
		line := strings.TrimRight(string(w.buf[:i]), "\r")
		w.buf = w.buf[i+1:]
		if strings.HasPrefix(line, "SSH-") {
			w.gotVer = true
			if w.onVersion != nil {
				w.onVersion(line)
			}
		}
	}
	if len(w.buf) < 5 {
		return
	}
	plen := binary.BigEndian.Uint32(w.buf)
	if plen < 5 || plen > maxKexPacket {
		w.finish()
		return
	}
	if uint64(len(w.buf)) < 4+uint64(plen) {
		return
	}
	pkt := w.buf[4 : 4+plen]
	pad := int(pkt[0])
	if pad+1 <= len(pkt) {
		if k, err := ParseKexInit(pkt[1 : len(pkt)-pad]); err == nil && w.onKex != nil {
			w.onKex(k)
		}
	}
	w.finish()
}

func (w *wireSniffer) finish() {
	w.done = true
	w.buf = nil
}
