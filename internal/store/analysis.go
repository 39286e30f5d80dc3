package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lure-sensor/lure/internal/event"
)

// Analysis is what the analyst concluded about one session, as the store keeps it. The store
// does not interpret Doc (the analyst's whole result as JSON); it indexes the fields that
// lists and filters need.
type Analysis struct {
	Session string
	Created time.Time
	Risk    int    // 0-100
	Source  string // which analyst produced it: "rules" or "llm"
	Summary string
	Doc     json.RawMessage
}

// AnalysisStore is the narrow part of a store the analyst and `lure sessions` need: keeping
// one analysis per session, reading it back, and listing sessions with their risk.
type AnalysisStore interface {
	// SaveAnalysis stores a, replacing an earlier analysis of the same session.
	SaveAnalysis(ctx context.Context, a Analysis) error
	// Analysis returns the analysis of a session; ok is false when there is none.
	Analysis(ctx context.Context, session string) (a Analysis, ok bool, err error)
	// ListSessions lists sessions newest first with their risk, filtered by q.
	ListSessions(ctx context.Context, q SessionQuery) ([]SessionRisk, error)
	// Session returns one session's summary; ok is false when the id is unknown.
	Session(ctx context.Context, id string) (s Session, ok bool, err error)
	// Events returns a session's events in order.
	Events(ctx context.Context, session string) ([]event.Event, error)
}

// SessionQuery selects sessions for ListSessions.
type SessionQuery struct {
	Limit int    // at most this many (0: 100)
	SrcIP string // only from this source address ("": all)
}

// SessionRisk is a session's summary with the risk of its analysis.
type SessionRisk struct {
	Session
	Analysed bool // false until the analyst has looked at the session
	Risk     int
}

var _ AnalysisStore = (*SQLite)(nil)

// analysisSchema is created on every open, so databases made before the analyst existed gain
// the table without losing anything.
const analysisSchema = `
CREATE TABLE IF NOT EXISTS analyses (
	session TEXT PRIMARY KEY,
	created TEXT NOT NULL,
	risk    INTEGER NOT NULL,
	source  TEXT NOT NULL,
	summary TEXT NOT NULL,
	doc     TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS analyses_risk ON analyses(risk);
`

// SaveAnalysis implements AnalysisStore.
func (s *SQLite) SaveAnalysis(ctx context.Context, a Analysis) error {
	if a.Session == "" {
		return errors.New("saving an analysis: it names no session")
	}
	doc := string(a.Doc)
	if doc == "" {
		doc = "{}"
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO analyses(session, created, risk, source, summary, doc) VALUES (?,?,?,?,?,?)
		ON CONFLICT(session) DO UPDATE SET created=excluded.created, risk=excluded.risk, source=excluded.source, summary=excluded.summary, doc=excluded.doc`,
		a.Session, event.FormatTime(a.Created), a.Risk, a.Source, a.Summary, doc)
	if err != nil {
		return fmt.Errorf("saving the analysis of session %s: %w", a.Session, err)
	}
	return nil
}

// Analysis implements AnalysisStore.
func (s *SQLite) Analysis(ctx context.Context, session string) (Analysis, bool, error) {
	var a Analysis
	var created, doc string
	err := s.db.QueryRowContext(ctx, `SELECT session, created, risk, source, summary, doc FROM analyses WHERE session=?`, session).
		Scan(&a.Session, &created, &a.Risk, &a.Source, &a.Summary, &doc)
	if errors.Is(err, sql.ErrNoRows) {
		return Analysis{}, false, nil
	}
	if err != nil {
		return Analysis{}, false, fmt.Errorf("reading the analysis of session %s: %w", session, err)
	}
	a.Created, a.Doc = parseTS(created), json.RawMessage(doc)
	return a, true, nil
}

const sessionColumns = `s.id, s.src_ip, s.src_port, s.protocol, s.sensor, s.start, s.end, s.username, s.password, s.client, s.hassh, s.commands`

func scanSession(sc interface{ Scan(...any) error }, extra ...any) (Session, error) {
	var x Session
	var start, end string
	dest := append([]any{&x.ID, &x.SrcIP, &x.SrcPort, &x.Protocol, &x.Sensor, &start, &end, &x.Username, &x.Password, &x.Client, &x.HASSH, &x.Commands}, extra...)
	if err := sc.Scan(dest...); err != nil {
		return Session{}, err
	}
	x.Start, x.End = parseTS(start), parseTS(end)
	return x, nil
}

// ListSessions implements AnalysisStore.
func (s *SQLite) ListSessions(ctx context.Context, q SessionQuery) ([]SessionRisk, error) {
	if q.Limit <= 0 {
		q.Limit = 100
	}
	var where []string
	var args []any
	if q.SrcIP != "" {
		where, args = append(where, "s.src_ip=?"), append(args, q.SrcIP)
	}
	query := `SELECT ` + sessionColumns + `, a.risk FROM sessions s LEFT JOIN analyses a ON a.session = s.id`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += ` ORDER BY s.start DESC, s.id LIMIT ?`
	args = append(args, q.Limit)
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("listing sessions: %w", err)
	}
	defer rows.Close()
	out := []SessionRisk{}
	for rows.Next() {
		var risk sql.NullInt64
		x, err := scanSession(rows, &risk)
		if err != nil {
			return nil, fmt.Errorf("listing sessions: %w", err)
		}
		out = append(out, SessionRisk{Session: x, Analysed: risk.Valid, Risk: int(risk.Int64)})
	}
	return out, rows.Err()
}

// Session implements AnalysisStore.
func (s *SQLite) Session(ctx context.Context, id string) (Session, bool, error) {
	x, err := scanSession(s.db.QueryRowContext(ctx, `SELECT `+sessionColumns+` FROM sessions s WHERE s.id=?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, false, nil
	}
	if err != nil {
		return Session{}, false, fmt.Errorf("reading session %s: %w", id, err)
	}
	return x, true, nil
}
