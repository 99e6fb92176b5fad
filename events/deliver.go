package events

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/sesame-idp/sesame/db"
)

// maxErrorLen bounds the error text kept with a delivery.
const maxErrorLen = 500

// job is a claimed delivery.
type job struct {
	ID        int64     `db:"id"`
	JTI       string    `db:"jti"`
	Kind      Kind      `db:"kind"`
	ClientID  string    `db:"client_id"`
	URI       string    `db:"uri"`
	Alg       string    `db:"alg"`
	Subject   string    `db:"subject"`
	SID       string    `db:"sid"`
	AccountID string    `db:"account_id"`
	EventAt   time.Time `db:"event_at"`
	CreatedAt time.Time `db:"created_at"`
	Attempts  int       `db:"attempts"`
	lease     time.Time
}

const jobColumns = `id, jti, kind, client_id, uri, alg, subject, sid, account_id, event_at, created_at, attempts`

// Run delivers due rows until ctx ends: at start, when kicked (after a
// commit of this instance, or on PostgreSQL a NOTIFY of any instance), and
// every PollInterval, with Options.Workers deliveries at once. When ctx ends it
// lets the attempts in progress finish (Timeout at most), releases its
// claims and returns.
func (s *Service) Run(ctx context.Context) {
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Go(func() { s.listen(ctx) })
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if _, err := s.queue.Release(rctx); err != nil {
			s.log.Warn("events: releasing this instance's claims", "err", err)
		}
	}()
	s.wake.Loop(ctx, s.opts.PollInterval, func(ctx context.Context) {
		if _, err := s.DeliverDue(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("events: delivery pass failed", "err", err)
		}
	})
}

// DeliverDue delivers the rows that are due, Options.Workers at a time,
// and returns how many were delivered. The error is the database's.
func (s *Service) DeliverDue(ctx context.Context) (int, error) {
	var (
		mu        sync.Mutex
		delivered int
		firstErr  error
		wg        sync.WaitGroup
	)
	for range s.opts.Workers {
		wg.Go(func() {
			for ctx.Err() == nil {
				j, err := s.claim(ctx)
				if errors.Is(err, db.ErrNotFound) {
					return
				}
				if err == nil {
					var ok bool
					ok, err = s.deliver(ctx, j)
					if ok {
						mu.Lock()
						delivered++
						mu.Unlock()
					}
				}
				if err != nil {
					mu.Lock()
					firstErr = cmpErr(firstErr, err)
					mu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	return delivered, firstErr
}

func cmpErr(old, err error) error {
	if old != nil {
		return old
	}
	return err
}

func (s *Service) claim(ctx context.Context) (job, error) {
	var j job
	l, err := s.queue.Claim(ctx, s.now(), jobColumns, &j)
	if err != nil {
		return job{}, err
	}
	j.lease = l
	j.EventAt, j.CreatedAt = j.EventAt.UTC(), j.CreatedAt.UTC()
	return j, nil
}

// attemptError is the outcome of a failed attempt.
type attemptError struct {
	status    int // HTTP status, 0 when no answer
	permanent bool
	msg       string
}

func (e *attemptError) Error() string { return e.msg }

// deliver makes one attempt at j and records its outcome; ok reports a
// delivery. The error is the database's.
func (s *Service) deliver(ctx context.Context, j job) (ok bool, err error) {
	detached := context.WithoutCancel(ctx)
	actx, cancel := context.WithTimeout(detached, s.opts.Timeout)
	defer cancel()
	aerr := s.attempt(actx, j)
	if s.opts.OnAttempt != nil {
		s.opts.OnAttempt(j.Kind, aerr != nil)
	}
	// The outcome is recorded within the lease's slack beyond the attempt
	// (leaseSlack), so that no other instance claims the row meanwhile.
	mctx, mcancel := context.WithTimeout(detached, markTimeout)
	defer mcancel()
	if aerr == nil {
		return true, s.markDelivered(mctx, j)
	}
	return false, s.markFailed(mctx, j, aerr)
}

// leaseSlack is how long a claim outlives its attempt's timeout;
// markTimeout bounds the recording of the outcome within it.
const (
	leaseSlack  = 20 * time.Second
	markTimeout = 15 * time.Second
)

// attempt signs j's token and posts it.
func (s *Service) attempt(ctx context.Context, j job) *attemptError {
	tok, err := s.token(ctx, j)
	if err != nil {
		return &attemptError{msg: "sign: " + err.Error()}
	}
	var req *http.Request
	if j.Kind == KindLogout {
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, j.URI, strings.NewReader(url.Values{"logout_token": {tok}}.Encode()))
		if err == nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	} else {
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, j.URI, strings.NewReader(tok))
		if err == nil {
			req.Header.Set("Content-Type", "application/secevent+jwt")
			req.Header.Set("Accept", "application/json")
		}
	}
	if err != nil {
		return &attemptError{permanent: true, msg: "request: " + err.Error()}
	}
	resp, err := s.http.Do(req)
	if err != nil {
		return &attemptError{msg: err.Error()}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	e := &attemptError{status: resp.StatusCode, permanent: resp.StatusCode == http.StatusBadRequest,
		msg: fmt.Sprintf("HTTP %d", resp.StatusCode)}
	var refusal struct {
		Err         string `json:"err"`
		Error       string `json:"error"`
		Description string `json:"description"`
		ErrorDesc   string `json:"error_description"`
	}
	if json.Unmarshal(body, &refusal) == nil {
		code, desc := cmpStr(refusal.Err, refusal.Error), cmpStr(refusal.Description, refusal.ErrorDesc)
		if code != "" {
			e.msg += ": " + code
		}
		if desc != "" {
			e.msg += ": " + desc
		}
	}
	return e
}

func cmpStr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// token signs the claims of j at each attempt, with j's jti and an exp
// TokenLifetime from now. A logout token's iat is the time of the change,
// not of the attempt: a product ends the sessions and tokens of a sub
// issued at or before iat, and a late retry must not end a session opened
// since. A security event token's iat is the attempt's (its
// event_timestamp says when the rights changed).
func (s *Service) token(ctx context.Context, j job) (string, error) {
	now := s.opts.Now().UTC().Unix()
	iat := now
	if j.Kind == KindLogout {
		// Never in the future, were this instance's clock behind the
		// writer's.
		iat = min(j.EventAt.Unix(), now)
	}
	claims := map[string]any{
		"iss": s.opts.Issuer,
		"aud": j.ClientID,
		"iat": iat,
		"exp": now + int64(TokenLifetime/time.Second),
		"jti": j.JTI,
	}
	if j.Kind == KindLogout {
		claims["sub"] = j.Subject
		if j.SID != "" {
			claims["sid"] = j.SID
		}
		claims["events"] = map[string]any{EventBackchannelLogout: map[string]any{}}
		return s.opts.Signer.SignJWT(j.Alg, "logout+jwt", claims)
	}
	rights, err := s.opts.Rights(ctx, j.AccountID, j.Subject)
	if err != nil {
		return "", err
	}
	if rights == nil {
		rights = []string{}
	}
	claims["sub_id"] = map[string]any{"format": "opaque", "id": j.Subject}
	claims["events"] = map[string]any{EventTokenClaimsChange: map[string]any{
		"event_timestamp": j.EventAt.Unix(),
		"claims":          map[string]any{"rights": rights},
	}}
	return s.opts.Signer.SignJWT(j.Alg, "secevent+jwt", claims)
}

// markDelivered records a delivery. It retries a few times: while the mark
// is missing the token goes out again once the lease ends.
func (s *Service) markDelivered(ctx context.Context, j job) error {
	var err error
	for try, wait := 0, 100*time.Millisecond; try < 5; try, wait = try+1, wait*2 {
		if try > 0 {
			select {
			case <-time.After(wait):
			case <-ctx.Done():
				return fmt.Errorf("events: mark %d delivered: %w", j.ID, ctx.Err())
			}
		}
		_, err = s.db.ExecContext(ctx, s.db.Rebind(`UPDATE event_deliveries
			SET delivered_at = ?, locked_until = NULL, locked_by = '', last_status = 200, last_error = ''
			WHERE id = ? AND delivered_at IS NULL`), s.now(), j.ID)
		if err == nil {
			return s.endBackoff(ctx, j.URI)
		}
	}
	s.log.Error("events: delivered but not recorded; it will be sent again when its lease ends", "id", j.ID, "client", j.ClientID, "err", err)
	return fmt.Errorf("events: mark %d delivered: %w", j.ID, err)
}

// markFailed records a failed attempt and schedules the next one, or fails
// the row for good (a 400, or out of attempts). It changes nothing when the
// lease was lost to another worker meanwhile.
func (s *Service) markFailed(ctx context.Context, j job, e *attemptError) error {
	now := s.now()
	msg := e.msg
	if len(msg) > maxErrorLen {
		msg = msg[:maxErrorLen]
	}
	abandon := e.permanent || j.Attempts >= s.opts.MaxAttempts || now.Sub(j.CreatedAt) >= s.opts.RetryWindow
	next := now.Add(s.backoff(j.Attempts))
	res, err := s.db.ExecContext(ctx, s.db.Rebind(`UPDATE event_deliveries
		SET last_error = ?, last_status = ?, next_attempt_at = ?, locked_until = NULL, locked_by = '', failed_at = ?
		WHERE id = ? AND locked_until = ? AND delivered_at IS NULL`),
		msg, e.status, next, sql.NullTime{Time: now, Valid: abandon}, j.ID, j.lease)
	if err != nil {
		return fmt.Errorf("events: record failure of %d: %w", j.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	if !e.permanent && !abandon {
		if err := s.postpone(ctx, j, next); err != nil {
			return err
		}
	}
	if abandon {
		s.log.Error("events: delivery failed for good", "id", j.ID, "client", j.ClientID, "kind", j.Kind, "attempts", j.Attempts, "err", msg)
	} else {
		s.log.Warn("events: delivery failed, will retry", "id", j.ID, "client", j.ClientID, "kind", j.Kind,
			"attempts", j.Attempts, "next_attempt_at", next, "err", msg)
	}
	return nil
}

// postpone makes the other deliveries due to the URI j failed to reach
// wait until j's next attempt: a product that is down or hangs then costs
// one failed attempt per backoff step rather than one per waiting token,
// and the tokens to other products are not held up behind it.
func (s *Service) postpone(ctx context.Context, j job, next time.Time) error {
	now := s.now()
	_, err := s.db.ExecContext(ctx, s.db.Rebind(`UPDATE event_deliveries SET next_attempt_at = ?
		WHERE uri = ? AND id <> ? AND delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at < ?
			AND (locked_until IS NULL OR locked_until <= ?)`), next, j.URI, j.ID, next, now)
	if err != nil {
		return fmt.Errorf("events: postpone the deliveries to %s: %w", j.ClientID, err)
	}
	return nil
}

// endBackoff makes the deliveries waiting for uri due now: it has just
// answered, so it is probably back.
func (s *Service) endBackoff(ctx context.Context, uri string) error {
	now := s.now()
	_, err := s.db.ExecContext(ctx, s.db.Rebind(`UPDATE event_deliveries SET next_attempt_at = ?
		WHERE uri = ? AND delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at > ?`), now, uri, now)
	if err != nil {
		return fmt.Errorf("events: end the backoff of %s: %w", uri, err)
	}
	return nil
}
