package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/lure-sensor/lure/internal/config"
	"github.com/lure-sensor/lure/internal/event"
	"github.com/lure-sensor/lure/internal/ips"
	"github.com/lure-sensor/lure/internal/ips/detect"
	"github.com/lure-sensor/lure/internal/ips/enforce"
	"github.com/lure-sensor/lure/internal/store"
)

// policyFrom turns the ips config section into the decider's policy.
func policyFrom(c config.IPS) (ips.Policy, error) {
	p := ips.Policy{
		DryRun: c.DryRun, BanDuration: time.Duration(c.BanDuration), EscalationFactor: c.EscalationFactor,
		EscalationWindow: time.Duration(c.EscalationWindow), MaxBanDuration: time.Duration(c.MaxBanDuration),
		SynOnlyDuration: time.Duration(c.SynOnlyDuration), MaxActive: c.MaxDecisions,
	}
	for _, a := range c.Allowlist {
		pfx, err := config.ParsePrefix(a)
		if err != nil {
			return p, fmt.Errorf("ips.allowlist: %w", err)
		}
		p.Allowlist = append(p.Allowlist, pfx)
	}
	return p, nil
}

// bouncerKeys returns the configured bouncer keys or, when there are none, the key in
// DATA_DIR/ips/bouncer.key, generated on first use: a default key must never be a constant
// that anyone could read in the source.
func bouncerKeys(cfg config.Config, log *slog.Logger) ([]string, string, error) {
	if len(cfg.IPS.LAPI.BouncerKeys) > 0 {
		return cfg.IPS.LAPI.BouncerKeys, "", nil
	}
	path := filepath.Join(cfg.DataDir, "ips", "bouncer.key")
	if b, err := os.ReadFile(path); err == nil {
		if k := strings.TrimSpace(string(b)); len(k) >= 16 {
			return []string{k}, path, nil
		}
		return nil, path, fmt.Errorf("bouncer key file %s holds no key of at least 16 characters; delete it to have lure generate one", path)
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, path, fmt.Errorf("reading the bouncer key: %w", err)
	}
	var raw [24]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return nil, path, err
	}
	k := hex.EncodeToString(raw[:])
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, path, fmt.Errorf("creating %s: %w", filepath.Dir(path), err)
	}
	if err := os.WriteFile(path, []byte(k+"\n"), 0o600); err != nil {
		return nil, path, fmt.Errorf("writing the bouncer key: %w", err)
	}
	log.Info("IPS: generated a bouncer API key; give it to your bouncers as api_key", "file", path)
	return []string{k}, path, nil
}

// exemptPorts are the configured exempt ports plus every port lure's SSH frontend and decoys
// listen on: the honeypot keeps seeing a banned source.
func exemptPorts(cfg config.Config) []int {
	ports := append([]int{}, cfg.IPS.NFTables.ExemptPorts...)
	listen := append(append([]string{}, cfg.SSH.Listen...), cfg.IPS.Detect.Scan.Decoys...)
	for _, a := range listen {
		if _, p, err := net.SplitHostPort(a); err == nil {
			if n, err := strconv.Atoi(p); err == nil && n > 0 {
				ports = append(ports, n)
			}
		}
	}
	return ports
}

// startIPS wires the IPS room: the decider over the store, the enforcers, the bouncer API and
// the engine on the bus. An enforcer that cannot start (no CAP_NET_ADMIN, the API's port taken)
// is reported and left out; the sensor keeps running. stop ends the API and the sync loop and
// removes the nftables table.
func startIPS(ctx context.Context, cfg config.Config, db *store.SQLite, bus *event.Bus, log *slog.Logger) (stop func(), err error) {
	c := cfg.IPS
	policy, err := policyFrom(c)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	var closers []func()
	stop = func() {
		cancel()
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}
	var enforcers []ips.Enforcer
	if c.NFTables.Enabled {
		nft, err := enforce.NewNFTables(enforce.NFTablesOptions{ExemptPorts: exemptPorts(cfg)})
		if err != nil {
			log.Warn("IPS: the local nftables enforcer is off; the sensor keeps running", "err", err)
		} else {
			enforcers = append(enforcers, nft)
			closers = append(closers, func() {
				if err := nft.Close(); err != nil {
					log.Error("IPS: removing table inet lure at shutdown", "err", err)
				}
			})
			log.Info("IPS: nftables enforcer on (table inet lure)", "exempt_ports", exemptPorts(cfg))
		}
	}
	if c.Webhook.URL != "" {
		wh := enforce.NewWebhook(enforce.WebhookOptions{URL: c.Webhook.URL, Queue: c.Webhook.Queue, Retries: c.Webhook.Retries, Timeout: time.Duration(c.Webhook.Timeout), Logger: log})
		enforcers = append(enforcers, wh)
		closers = append(closers, func() {
			cctx, ccancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer ccancel()
			if err := wh.Close(cctx); err != nil {
				log.Warn("IPS webhook", "err", err)
			}
		})
		log.Info("IPS: webhook on: decisions are POSTed as JSON", "url", c.Webhook.URL)
	}
	detectors, err := detect.New(c.Detect, log)
	if err != nil {
		stop()
		return nil, err
	}
	decider, err := ips.NewDecider(ctx, policy, db, enforcers, log)
	if err != nil {
		stop()
		return nil, err
	}
	go decider.Run(ctx, time.Second)

	if c.LAPI.Listen != "" {
		keys, keyFile, err := bouncerKeys(cfg, log)
		if err != nil {
			stop()
			return nil, err
		}
		api := enforce.NewLAPI(enforce.LAPIOptions{Source: db, BouncerKeys: keys, FeedKeys: c.Feed.Keys, Logger: log})
		ready := make(chan string, 1)
		done := make(chan struct{})
		go func() {
			defer close(done)
			if err := api.ListenAndServe(ctx, c.LAPI.Listen, ready); err != nil {
				log.Error("IPS: the bouncer API is not running; the sensor keeps running (change ips.lapi.listen, or set it to \"\" to turn the API off)", "err", err)
			}
		}()
		closers = append(closers, func() { <-done })
		if addr, ok := <-ready; ok {
			args := []any{"url", "http://" + addr + "/", "keys", len(keys)}
			if keyFile != "" {
				args = append(args, "key_file", keyFile)
			}
			if len(c.Feed.Keys) > 0 {
				args = append(args, "feed", "http://"+addr+"/v1/feed/blocklist.txt")
			}
			log.Info("IPS: CrowdSec-compatible bouncer API listening", args...)
		}
	}
	bus.Add(ips.NewEngine(ips.EngineOptions{Detectors: detectors, Decider: decider, Events: bus, Sensor: cfg.Sensor, Logger: log}), 0)
	closers = append(closers, startScanFrontends(ctx, cfg, bus, log))
	log.Info("IPS on", "detectors", len(detectors), "dry_run", c.DryRun, "ban", time.Duration(c.BanDuration).String(), "allowlist", allowlistString(policy.Allowlist), "active_decisions", len(decider.Active(false)))
	return stop, nil
}

func allowlistString(p []netip.Prefix) string {
	s := make([]string, len(p))
	for i, x := range p {
		s[i] = x.String()
	}
	return strings.Join(s, ",")
}
