package events

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/sesame-idp/sesame/db"
)

// row is what is written for one delivery.
type row struct {
	kind      Kind
	clientID  string
	uri       string
	alg       string
	subject   string
	sid       string
	accountID string
	eventAt   time.Time
	dedupe    string // "" for none
}

// SessionEnded writes one logout token naming subject and sid for each of
// clients that registered a back-channel logout URI: the session sid of
// subject ended (sign-out, a password change, an admin ending it). Call it
// in the transaction that ends the session.
func (s *Service) SessionEnded(ctx context.Context, subject, sid string, clients []string) error {
	return s.emit(ctx, KindLogout, clients, row{subject: subject, sid: sid})
}

// SignedOutEverywhere writes a logout token naming subject and no sid for
// each client subject is signed into (Options.Audience): the person's
// login account was disabled or deleted, or its password reset. Call it in
// that transaction, before the sessions and tokens are deleted.
func (s *Service) SignedOutEverywhere(ctx context.Context, subject string) error {
	clients, err := s.opts.Audience(ctx, subject)
	if err != nil {
		return fmt.Errorf("events: clients of %s: %w", subject, err)
	}
	return s.emit(ctx, KindLogout, clients, row{subject: subject})
}

// Withdrawn runs withdraw, which ends what subject allowed clientID, and
// writes in the same transaction a logout token naming subject and no sid
// for that client alone: the product ends the person's sessions there too
// instead of trusting tokens Sésame no longer stands behind.
func (s *Service) Withdrawn(ctx context.Context, subject, clientID string, withdraw func(ctx context.Context) error) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		if err := withdraw(ctx); err != nil {
			return err
		}
		return s.emit(ctx, KindLogout, []string{clientID}, row{subject: subject})
	})
}

// RightsChanged writes a token-claims-change event for each client subject
// is signed into that registered an events URI: subject's rights in
// accountID changed. Call it in the transaction of the change.
func (s *Service) RightsChanged(ctx context.Context, accountID, subject string) error {
	clients, err := s.opts.Audience(ctx, subject)
	if err != nil {
		return fmt.Errorf("events: clients of %s: %w", subject, err)
	}
	return s.emit(ctx, KindRights, clients, row{subject: subject, accountID: accountID})
}

// RightsExpired is RightsChanged for a grant of subject that expired at
// at. Several instances may report one expiry: it is written once.
func (s *Service) RightsExpired(ctx context.Context, accountID, subject string, at time.Time) error {
	clients, err := s.opts.Audience(ctx, subject)
	if err != nil {
		return fmt.Errorf("events: clients of %s: %w", subject, err)
	}
	at = at.UTC().Truncate(time.Second)
	return s.emit(ctx, KindRights, clients, row{subject: subject, accountID: accountID, eventAt: at,
		dedupe: fmt.Sprintf("expiry %s %s %d", accountID, subject, at.Unix())})
}

// emit writes one row of kind per client of clients that registered the
// URI of that kind, in ctx's transaction, and wakes the delivery loop once
// it commits.
func (s *Service) emit(ctx context.Context, kind Kind, clients []string, r row) error {
	if len(clients) == 0 {
		return nil
	}
	r.kind = kind
	if r.eventAt.IsZero() {
		r.eventAt = s.now()
	}
	return s.db.InTx(ctx, func(ctx context.Context) error {
		n := 0
		for _, id := range clients {
			c, err := s.opts.Client(ctx, id)
			if errors.Is(err, db.ErrNotFound) {
				continue // deleted since
			}
			if err != nil {
				return fmt.Errorf("events: client %s: %w", id, err)
			}
			r.clientID, r.alg, r.uri = id, c.Alg, c.BackchannelLogoutURI
			if kind == KindRights {
				r.uri = c.EventsURI
			}
			if r.uri == "" {
				continue
			}
			if err := s.insert(ctx, r); err != nil {
				return err
			}
			n++
		}
		if n == 0 {
			return nil
		}
		s.db.AfterCommit(ctx, s.Kick)
		return s.notify(ctx)
	})
}

func (s *Service) insert(ctx context.Context, r row) error {
	now := s.now()
	dedupe := sql.NullString{String: r.dedupe, Valid: r.dedupe != ""}
	if dedupe.Valid {
		dedupe.String += " " + r.clientID
	}
	_, err := s.db.ExecContext(ctx, s.db.Rebind(`INSERT INTO event_deliveries
		(jti, dedupe_key, kind, client_id, uri, alg, subject, sid, account_id, event_at, attempts, next_attempt_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?) ON CONFLICT DO NOTHING`),
		newJTI(), dedupe, string(r.kind), r.clientID, r.uri, r.alg, r.subject, r.sid, r.accountID, r.eventAt.UTC(), now, now)
	if err != nil {
		return fmt.Errorf("events: write %s for %s: %w", r.kind, r.clientID, err)
	}
	return nil
}
