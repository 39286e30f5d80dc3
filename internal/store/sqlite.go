package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/lure-sensor/lure/internal/event"

	_ "modernc.org/sqlite" // the pure-Go SQLite driver
)

// SQLite is the embedded store: one file in the data dir.
type SQLite struct {
	db *sql.DB
}

const schema = `
PRAGMA journal_mode=WAL;
PRAGMA synchronous=NORMAL;
CREATE TABLE IF NOT EXISTS events (
	id        INTEGER PRIMARY KEY AUTOINCREMENT,
	eventid   TEXT NOT NULL,
	ts        TEXT NOT NULL,
	session   TEXT NOT NULL,
	src_ip    TEXT NOT NULL,
	src_port  INTEGER NOT NULL,
	dst_ip    TEXT NOT NULL,
	dst_port  INTEGER NOT NULL,
	sensor    TEXT NOT NULL,
	protocol  TEXT NOT NULL,
	message   TEXT NOT NULL,
	fields    TEXT NOT NULL,
	uuid      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS events_session ON events(session, id);
CREATE INDEX IF NOT EXISTS events_src ON events(src_ip, ts);
CREATE TABLE IF NOT EXISTS sessions (
	id        TEXT PRIMARY KEY,
	src_ip    TEXT NOT NULL,
	src_port  INTEGER NOT NULL,
	protocol  TEXT NOT NULL,
	sensor    TEXT NOT NULL,
	start     TEXT NOT NULL,
	end       TEXT NOT NULL DEFAULT '',
	username  TEXT NOT NULL DEFAULT '',
	password  TEXT NOT NULL DEFAULT '',
	client    TEXT NOT NULL DEFAULT '',
	hassh     TEXT NOT NULL DEFAULT '',
	commands  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS sessions_start ON sessions(start);
`

// OpenSQLite opens or creates the database at path (e.g. DATA_DIR/lure.db).
func OpenSQLite(path string) (*SQLite, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("creating store directory: %w", err)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		return nil, fmt.Errorf("opening SQLite store %s: %w", path, err)
	}
	db.SetMaxOpenConns(1) // one writer; SQLite serialises writes anyway
	if _, err := db.Exec(schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("preparing SQLite store %s (is it a lure database?): %w", path, err)
	}
	// Databases made before events had ids lack the column; add it so nothing stored is lost.
	var has int
	if err := db.QueryRow(`SELECT COUNT(*) FROM pragma_table_info('events') WHERE name='uuid'`).Scan(&has); err == nil && has == 0 {
		if _, err := db.Exec(`ALTER TABLE events ADD COLUMN uuid TEXT NOT NULL DEFAULT ''`); err != nil {
			db.Close()
			return nil, fmt.Errorf("upgrading SQLite store %s (adding event ids): %w", path, err)
		}
	}
	if _, err := db.Exec(decisionSchema); err != nil {
		db.Close()
		return nil, fmt.Errorf("preparing the decisions table of SQLite store %s: %w", path, err)
	}
	if _, err := db.Exec(analysisSchema); err != nil {
		db.Close()
		return nil, fmt.Errorf("preparing the analyses table of SQLite store %s: %w", path, err)
	}
	return &SQLite{db: db}, nil
}

// WriteEvents implements Store: events and the session summaries they update, in one transaction.
func (s *SQLite) WriteEvents(ctx context.Context, batch []event.Event) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	ins, err := tx.PrepareContext(ctx, `INSERT INTO events(uuid, eventid, ts, session, src_ip, src_port, dst_ip, dst_port, sensor, protocol, message, fields) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`)
	if err != nil {
		return err
	}
	defer ins.Close()
	for _, e := range batch {
		fields, err := json.Marshal(e.Fields)
		if err != nil {
			return fmt.Errorf("encoding fields of %s: %w", e.EventID, err)
		}
		ts := event.FormatTime(e.Time)
		if _, err := ins.ExecContext(ctx, e.ID, e.EventID, ts, e.Session, e.SrcIP, e.SrcPort, e.DstIP, e.DstPort, e.Sensor, e.Protocol, e.Message, string(fields)); err != nil {
			return err
		}
		if err := summarise(ctx, tx, e, ts); err != nil {
			return err
		}
	}
	return tx.Commit()
}

func str(m map[string]any, k string) string {
	v, _ := m[k].(string)
	return v
}

func summarise(ctx context.Context, tx *sql.Tx, e event.Event, ts string) error {
	var q string
	var args []any
	switch e.EventID {
	case event.SessionConnect:
		q = `INSERT OR IGNORE INTO sessions(id, src_ip, src_port, protocol, sensor, start) VALUES (?,?,?,?,?,?)`
		args = []any{e.Session, e.SrcIP, e.SrcPort, e.Protocol, e.Sensor, ts}
	case event.SessionClosed:
		q, args = `UPDATE sessions SET end=? WHERE id=?`, []any{ts, e.Session}
	case event.LoginSuccess:
		q, args = `UPDATE sessions SET username=?, password=? WHERE id=?`, []any{str(e.Fields, "username"), str(e.Fields, "password"), e.Session}
	case event.ClientVersion:
		q, args = `UPDATE sessions SET client=? WHERE id=?`, []any{str(e.Fields, "version"), e.Session}
	case event.ClientKex:
		q, args = `UPDATE sessions SET hassh=? WHERE id=?`, []any{str(e.Fields, "hassh"), e.Session}
	case event.CommandInput:
		q, args = `UPDATE sessions SET commands=commands+1 WHERE id=?`, []any{e.Session}
	default:
		return nil
	}
	_, err := tx.ExecContext(ctx, q, args...)
	return err
}

func parseTS(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}

// Sessions implements Store.
func (s *SQLite) Sessions(ctx context.Context, limit int) ([]Session, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, src_ip, src_port, protocol, sensor, start, end, username, password, client, hassh, commands FROM sessions ORDER BY start DESC LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Session{}
	for rows.Next() {
		var x Session
		var start, end string
		if err := rows.Scan(&x.ID, &x.SrcIP, &x.SrcPort, &x.Protocol, &x.Sensor, &start, &end, &x.Username, &x.Password, &x.Client, &x.HASSH, &x.Commands); err != nil {
			return nil, err
		}
		x.Start, x.End = parseTS(start), parseTS(end)
		out = append(out, x)
	}
	return out, rows.Err()
}

// Events implements Store.
func (s *SQLite) Events(ctx context.Context, session string) ([]event.Event, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT uuid, eventid, ts, session, src_ip, src_port, dst_ip, dst_port, sensor, protocol, message, fields FROM events WHERE session=? ORDER BY id`, session)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []event.Event{}
	for rows.Next() {
		var e event.Event
		var ts, fields string
		if err := rows.Scan(&e.ID, &e.EventID, &ts, &e.Session, &e.SrcIP, &e.SrcPort, &e.DstIP, &e.DstPort, &e.Sensor, &e.Protocol, &e.Message, &fields); err != nil {
			return nil, err
		}
		e.Time = parseTS(ts)
		if err := json.Unmarshal([]byte(fields), &e.Fields); err != nil {
			return nil, fmt.Errorf("event fields of session %s: %w", session, err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Close implements Store.
func (s *SQLite) Close() error { return s.db.Close() }
