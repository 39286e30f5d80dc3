package asciicast

import (
	"context"
	"errors"
	"io"
	"time"
)

// PlayOptions control playback timing.
type PlayOptions struct {
	// Speed divides every pause (2 plays twice as fast). <= 0 means 1.
	Speed float64
	// MaxWait caps any single pause after the speed is applied; 0 means no cap.
	MaxWait time.Duration
	// Sleep waits for d or until ctx ends; nil means a real timer (tests replace it).
	Sleep func(ctx context.Context, d time.Duration) error
}

// Play writes the output events of a recording to w, pausing between them as recorded.
// Input, marker and resize events are not shown: a replay shows what the attacker saw.
func Play(ctx context.Context, r io.Reader, w io.Writer, opt PlayOptions) error {
	rd, err := NewReader(r)
	if err != nil {
		return err
	}
	speed := opt.Speed
	if speed <= 0 {
		speed = 1
	}
	sleep := opt.Sleep
	if sleep == nil {
		sleep = sleepCtx
	}
	last := 0.0
	for {
		ev, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if ev.Type != Output {
			continue
		}
		gap := ev.Time - last
		last = ev.Time
		if gap > 0 {
			d := time.Duration(gap / speed * float64(time.Second))
			if opt.MaxWait > 0 && d > opt.MaxWait {
				d = opt.MaxWait
			}
			if err := sleep(ctx, d); err != nil {
				return err
			}
		}
		if _, err := io.WriteString(w, ev.Data); err != nil {
			return err
		}
	}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
