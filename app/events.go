package app

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/sesame-idp/sesame/account"
	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/events"
	"github.com/sesame-idp/sesame/oauth/sqlstore"
)

// buildEvents wires the delivery of logout tokens and rights-change events
// to the client registry, the signing keys, the sessions and the rights.
func (a *App) buildEvents() {
	a.Events = events.New(a.DB, events.Options{
		Issuer: a.Config.Issuer,
		Signer: a.OAuth.Keys,
		Client: func(ctx context.Context, id string) (events.Client, error) {
			fc, err := a.Clients.GetClient(ctx, id)
			if err != nil {
				return events.Client{}, err
			}
			c := fc.(*sqlstore.Client)
			return events.Client{BackchannelLogoutURI: c.BackchannelLogoutURI, EventsURI: c.EventsURI, Alg: c.IDTokenAlg()}, nil
		},
		Audience: a.audience,
		Rights:   a.Rights.FreshRights,
		Now:      a.Config.Now,
		Logger:   a.log,
		OnAttempt: func(k events.Kind, failed bool) {
			a.Metrics.OutboxAttempt(EventOutboxName(k), failed)
		},
	})
}

// EventOutboxes are the deliveries to products as outbox kinds, by the
// names the metrics and the outbox commands give them: "logout" for the
// logout tokens, "events" for the rights-change events.
var EventOutboxes = map[string]events.Kind{"logout": events.KindLogout, "events": events.KindRights}

// EventOutboxName is the outbox kind of the deliveries of k.
func EventOutboxName(k events.Kind) string {
	for name, kind := range EventOutboxes {
		if kind == k {
			return name
		}
	}
	return string(k)
}

// audience returns the clients subject is signed into: those its live
// browser sessions signed into, and those holding live tokens of it.
func (a *App) audience(ctx context.Context, subject string) ([]string, error) {
	fromSessions, err := a.Accounts.SessionClients(ctx, subject)
	if err != nil {
		return nil, err
	}
	fromTokens, err := a.Clients.LiveClients(ctx, subject)
	if err != nil {
		return nil, err
	}
	all := append(fromSessions, fromTokens...)
	slices.Sort(all)
	return slices.Compact(all), nil
}

// sessionEvents tells the products of a browser session that ended.
type sessionEvents struct{ a *App }

func (s sessionEvents) SessionEnded(ctx context.Context, e account.EndedSession) error {
	return s.a.Events.SessionEnded(ctx, e.MemberID, e.SID, e.Clients)
}

// rulesChanged tells the products of the members whose rights an admin's
// rule edit changed.
func (a *App) rulesChanged(ctx context.Context, accountID string, memberIDs []string) error {
	for _, m := range memberIDs {
		if err := a.Events.RightsChanged(ctx, accountID, m); err != nil {
			return err
		}
	}
	return nil
}

// expiryWatermark is the settings row holding the end of the last window
// of the grant-expiry scan.
const expiryWatermark = "events.grant_expiry_scanned_to"

// ExpiryScanInterval is how often each instance looks for grants that
// ended since the last scan.
const ExpiryScanInterval = time.Second

// scanExpiries emits a rights-change event for every member whose grant
// ended since the last scan of any instance. The window moves in the
// transaction that writes the events, on the condition that no other
// instance moved it first: each expiry is reported once (and the events
// are deduplicated besides).
func (a *App) scanExpiries(ctx context.Context) error {
	now := a.Config.Now().UTC().Truncate(time.Second)
	last, err := a.DB.Setting(ctx, expiryWatermark)
	if errors.Is(err, db.ErrNotFound) {
		_, err = a.DB.InitSetting(ctx, expiryWatermark, now.Format(time.RFC3339))
		return err
	}
	if err != nil {
		return err
	}
	from, err := time.Parse(time.RFC3339, last)
	if err != nil || !now.After(from) {
		return err
	}
	expired, err := a.Rights.ExpiredBetween(ctx, from, now)
	if err != nil {
		return err
	}
	// With nothing to report the window grows, up to a minute, rather than
	// write a row every second.
	if len(expired) == 0 && now.Sub(from) < time.Minute {
		return nil
	}
	return a.DB.InTx(ctx, func(ctx context.Context) error {
		won, err := a.DB.SwapSetting(ctx, expiryWatermark, last, now.Format(time.RFC3339))
		if err != nil || !won {
			return err
		}
		for _, g := range expired {
			if err := a.Events.RightsExpired(ctx, g.AccountID, g.MemberID, g.ExpiredAt); err != nil {
				return err
			}
		}
		return nil
	})
}
