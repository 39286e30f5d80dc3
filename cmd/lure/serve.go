package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/lure-sensor/lure/internal/artifact"
	"github.com/lure-sensor/lure/internal/auth"
	"github.com/lure-sensor/lure/internal/config"
	"github.com/lure-sensor/lure/internal/download"
	"github.com/lure-sensor/lure/internal/event"
	"github.com/lure-sensor/lure/internal/persona"
	"github.com/lure-sensor/lure/internal/proto/ssh"
	"github.com/lure-sensor/lure/internal/shell"
	"github.com/lure-sensor/lure/internal/shell/commands"
	"github.com/lure-sensor/lure/internal/store"
	"github.com/lure-sensor/lure/internal/vfs"
)

func runServe(ctx context.Context, args []string) int {
	fl := flag.NewFlagSet("serve", flag.ContinueOnError)
	configPath := fl.String("config", "", "YAML config `file`; without it the embedded defaults apply")
	dataDir := fl.String("data-dir", "", "override data_dir from the config")
	listen := fl.String("listen", "", "override ssh.listen (comma-separated HOST:PORT list)")
	fl.Usage = func() {
		fmt.Fprint(fl.Output(), `Usage: lure serve [--config FILE] [--data-dir DIR] [--listen HOST:PORT,...]

Runs the sensor: an SSH honeypot imitating a Debian 12 server. With no config file it listens on
0.0.0.0:2222, serves the embedded default persona and keeps all data in ./lure-data.
Stop it with Ctrl-C or SIGTERM: recordings, overlays and events are flushed first.

Flags:
`)
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fl.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "lure serve: unexpected argument %q (did you mean --config %s?)\n", fl.Arg(0), fl.Arg(0))
		return 2
	}
	cfg := config.Default()
	if *configPath != "" {
		var err error
		if cfg, err = config.Load(*configPath); err != nil {
			fmt.Fprintf(os.Stderr, "lure serve: %v\n", err)
			return 2
		}
	}
	if *dataDir != "" {
		cfg.DataDir = *dataDir
	}
	if *listen != "" {
		cfg.SSH.Listen = strings.Split(*listen, ",")
		for _, a := range cfg.SSH.Listen {
			if _, _, err := net.SplitHostPort(a); err != nil {
				fmt.Fprintf(os.Stderr, "lure serve: --listen: %q is not HOST:PORT\n", a)
				return 2
			}
		}
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: logLevel(cfg.Log.Level)}))
	if err := serve(ctx, cfg, log); err != nil {
		log.Error("lure stopped", "err", err)
		return 1
	}
	return 0
}

func logLevel(s string) slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return slog.LevelInfo
	}
	return l
}

// serve wires the rooms together: persona -> vfs overlays -> shell/commands behind the SSH
// frontend, and every event through the bus into the JSON log and the SQLite store.
func serve(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return fmt.Errorf("creating data_dir %s: %w", cfg.DataDir, err)
	}
	var p *persona.Persona
	var err error
	if cfg.Persona == "default" {
		p, err = persona.Default()
	} else {
		p, err = persona.Load(cfg.Persona)
	}
	if err != nil {
		return fmt.Errorf("loading persona %q: %w", cfg.Persona, err)
	}

	bus := event.NewBus(log)
	jsonLog, err := event.OpenJSONLog(filepath.Join(cfg.DataDir, "log", "lure.json"))
	if err != nil {
		return err
	}
	bus.Add(jsonLog, 0)
	db, err := store.OpenSQLite(filepath.Join(cfg.DataDir, "lure.db"))
	if err != nil {
		return err
	}
	if cfg.Analyst.Enabled {
		// Added before the store's sink, so the bus closes it first and the analyses still
		// queued at shutdown are saved while the store is open.
		bus.Add(newAnalyst(cfg, db, bus, log), 0)
	}
	bus.Add(store.Sink{S: db}, 0)
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if err := bus.Close(cctx); err != nil {
			log.Error("flushing events at shutdown", "err", err)
		}
		for name, st := range bus.Stats() {
			if st.Dropped > 0 || st.Failed > 0 {
				log.Warn("events lost by a sink during this run", "sink", name, "dropped", st.Dropped, "failed", st.Failed)
			}
		}
	}()

	if cfg.IPS.Enabled {
		stopIPS, err := startIPS(ctx, cfg, db, bus, log)
		if err != nil {
			return fmt.Errorf("starting the IPS: %w", err)
		}
		defer stopIPS() // before the bus drains: the API and the nftables table go first
	}

	overlays, err := vfs.NewManager(p.Image, filepath.Join(cfg.DataDir, "overlay"), vfs.Quotas{
		PerIP: int64(cfg.Overlay.PerIP), PerFile: int64(cfg.Overlay.PerFile), Total: int64(cfg.Overlay.Total),
	})
	if err != nil {
		return fmt.Errorf("opening overlays: %w", err)
	}
	overlays.SetLogger(log)
	defer func() {
		if err := overlays.Close(); err != nil {
			log.Error("saving attacker overlays at shutdown", "err", err)
		}
	}()
	artifacts, err := artifact.New(filepath.Join(cfg.DataDir, "downloads"), int64(cfg.Overlay.PerFile))
	if err != nil {
		return err
	}
	policy, err := auth.New(auth.Options{Dir: filepath.Join(cfg.DataDir, "auth"), Credentials: cfg.SSH.Credentials, Logger: log})
	if err != nil {
		return err
	}
	defer policy.Close()

	var fetcher commands.Net
	if cfg.Downloads.Enabled {
		fetcher = download.New(download.Options{
			Timeout: time.Duration(cfg.Downloads.Timeout), MaxBytes: int64(cfg.Downloads.MaxSize), RateLimit: int64(cfg.Downloads.Rate),
		})
		log.Warn("downloads are enabled: wget/curl in the fake shell will fetch URLs from the internet", "max_size", int64(cfg.Downloads.MaxSize), "rate", int64(cfg.Downloads.Rate))
	}

	responder, err := newResponder(ctx, cfg.LLM, p, db, log)
	if err != nil {
		return err
	}
	bus.Add(responder.Metrics(), 0)
	if cfg.Metrics.Listen != "" {
		if err := serveMetrics(ctx, cfg.Metrics.Listen, responder.Metrics(), bus, log); err != nil {
			return err
		}
	}
	defer responder.Wait() // answers reach the store before it closes
	defer func() {
		m := responder.Metrics().Snapshot()
		log.Info("llm responder totals", "lines", m.Lines, "answers", m.Answers, "limited", m.Limited, "failed", m.Failed, "rejected", m.Rejected, "calls", m.Calls, "tokens", m.Tokens, "mean_latency", m.MeanLatency)
	}()

	srv, err := ssh.New(ssh.Options{
		Config:    cfg.SSH,
		Sensor:    cfg.Sensor,
		DataDir:   cfg.DataDir,
		Persona:   p,
		Overlays:  overlays,
		Commands:  commands.Default(),
		Events:    bus,
		Artifacts: artifacts,
		Auth:      policy,
		ShellLimits: shell.Limits{
			Timeout: time.Duration(cfg.Shell.Timeout), MaxSteps: cfg.Shell.MaxSteps,
			MaxOutput: int64(cfg.Shell.MaxOutput), MaxVar: int64(cfg.Shell.MaxVar),
		},
		Net:       fetcher,
		Responder: responder,
		Logger:    log,
	})
	if err != nil {
		return err
	}
	log.Info("lure serving", "ssh", strings.Join(cfg.SSH.Listen, ","), "persona", p.Hostname, "data_dir", cfg.DataDir, "sensor", cfg.Sensor)
	err = srv.ListenAndServe(ctx)
	if ctx.Err() != nil {
		log.Info("shutting down: flushing recordings, overlays and events")
		return nil
	}
	return err
}
