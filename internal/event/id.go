package event

import (
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"sync/atomic"
)

// idSource makes event ids: a random per-process prefix and a counter, so ids are unique
// across restarts and sensors without a random read per event.
type idSource struct {
	prefix string
	n      atomic.Uint64
}

func newIDSource() *idSource {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("event: no randomness for event ids: " + err.Error())
	}
	return &idSource{prefix: hex.EncodeToString(b[:]) + "-"}
}

func (s *idSource) next() string {
	return s.prefix + strconv.FormatUint(s.n.Add(1), 36)
}
