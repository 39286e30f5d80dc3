package main

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/lure-sensor/lure/internal/config"
	"github.com/lure-sensor/lure/internal/event"
	"github.com/lure-sensor/lure/internal/proto/nflog"
	"github.com/lure-sensor/lure/internal/proto/tcp"
)

// startScanFrontends starts what feeds the port-scan detector: the decoy TCP ports and the
// NFLOG reader of SYNs. Neither stops the sensor when it cannot run (a port in use, no
// CAP_NET_ADMIN): it says so and the rest runs. stop closes them and removes table
// inet lure_scan.
func startScanFrontends(ctx context.Context, cfg config.Config, bus event.Emitter, log *slog.Logger) (stop func()) {
	sc := cfg.IPS.Detect.Scan
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	stop = func() { cancel(); wg.Wait() }
	if !sc.Enabled {
		return stop
	}
	if len(sc.Decoys) > 0 {
		d, err := tcp.Listen(ctx, tcp.Options{Listen: sc.Decoys, Sensor: cfg.Sensor, Events: bus, Logger: log})
		if err != nil {
			log.Warn("IPS: no decoy TCP port is listening; connect scans are seen on the SSH port only", "err", err)
		} else {
			wg.Add(1)
			go func() { defer wg.Done(); d.Serve(ctx) }()
			addrs := make([]string, 0, len(d.Addrs()))
			for _, a := range d.Addrs() {
				addrs = append(addrs, a.String())
			}
			log.Info("IPS: decoy TCP ports listening (connections are closed at once)", "listen", strings.Join(addrs, ","))
		}
	}
	if sc.NFLog.Enabled {
		r, err := nflog.Start(nflog.Options{Group: uint16(sc.NFLog.Group), Sensor: cfg.Sensor, Events: bus, Logger: log, Window: time.Duration(sc.Window), MaxPorts: max(64, 2*sc.Ports)})
		switch {
		case errors.Is(err, nflog.ErrNoNetAdmin):
			log.Warn("IPS: SYN-only scans (nmap -sS) are not seen: "+nflog.ErrNoNetAdmin.Error()+"; the sensor keeps running", "err", err)
		case err != nil:
			log.Warn("IPS: SYN-only scans (nmap -sS) are not seen; the sensor keeps running", "err", err)
		default:
			wg.Add(1)
			go func() { defer wg.Done(); r.Run(ctx) }()
			log.Info("IPS: logging inbound SYNs to NFLOG for scan detection (table inet "+nflog.TableName+")", "group", sc.NFLog.Group)
		}
	}
	return stop
}
