package detect

import (
	"fmt"

	"github.com/lure-sensor/lure/internal/event"
	"github.com/lure-sensor/lure/internal/ips"
	"github.com/lure-sensor/lure/internal/ips/rules"
)

// Signature runs a rule set over events and raises an alert for every rule that matches and
// passes its threshold, scenario "lure/sig-SID". Rules inspect buffers only events from an
// established connection carry (command lines, HTTP requests), so its alerts have Handshake.
type Signature struct {
	set *rules.Set
}

// NewSignature returns the detector running rs.
func NewSignature(rs []*rules.Rule) *Signature {
	return &Signature{set: rules.NewSet(rs)}
}

// Name implements ips.Detector.
func (d *Signature) Name() string { return "signature" }

// Rules is the number of rules the detector runs.
func (d *Signature) Rules() int { return d.set.Len() }

// Observe implements ips.Detector.
func (d *Signature) Observe(e event.Event, raise func(ips.Alert)) {
	if e.EventID == event.TCPSyn {
		return // no buffer, and a forged source must never reach a full ban this way
	}
	src, ok := source(e)
	if !ok {
		return
	}
	d.set.Inspect(e, func(h rules.Hit) {
		r := h.Rule
		f := map[string]any{"sid": r.SID, "rev": r.Rev, "gid": r.GID, "msg": r.Msg, "action": r.Action}
		if r.Classtype != "" {
			f["classtype"] = r.Classtype
		}
		if r.Priority > 0 {
			f["priority"] = r.Priority
		}
		if len(r.References) > 0 {
			f["references"] = r.References
		}
		if in, ok := e.Fields["input"].(string); ok && e.EventID == event.CommandInput {
			f["input"] = in
		}
		raise(ips.Alert{
			Time:      eventTime(e),
			Detector:  d.Name(),
			Scenario:  fmt.Sprintf("lure/sig-%d", r.SID),
			Source:    src,
			Reason:    fmt.Sprintf("%s (sid %d, %s:%d)", r.Msg, r.SID, r.File, r.Line),
			Evidence:  h.Evidence,
			Handshake: true,
			Fields:    f,
		})
	})
}
