package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/ory/fosite"
)

// kind describes one table of stored requests. Its fields are constants of
// this package, never input, so table names may be spliced into SQL.
type kind struct {
	table string
	what  string           // for error messages
	token fosite.TokenType // whose expiry fills expires_at
	// inactive is returned, with the request, for a row whose active
	// column is false; nil for tables without that column.
	inactive error
	// linked is true for the table that also records the signature of the
	// access token issued together with each row (refresh tokens).
	linked bool
}

var (
	codes         = kind{"oauth_codes", "authorization code", fosite.AuthorizeCode, fosite.ErrInvalidatedAuthorizeCode, false}
	accessTokens  = kind{"oauth_access_tokens", "access token", fosite.AccessToken, fosite.ErrInactiveToken, false}
	refreshTokens = kind{"oauth_refresh_tokens", "refresh token", fosite.RefreshToken, fosite.ErrInactiveToken, true}
	pkceRequests  = kind{"oauth_pkce", "PKCE request", fosite.AuthorizeCode, nil, false}
	oidcSessions  = kind{"oauth_oidc", "OpenID Connect session", fosite.AuthorizeCode, nil, false}
)

// requestRow is one stored request, as the tables hold it.
type requestRow struct {
	Signature         string       `db:"signature"`
	RequestID         string       `db:"request_id"`
	RequestedAt       time.Time    `db:"requested_at"`
	ClientID          string       `db:"client_id"`
	Scopes            string       `db:"scopes"`
	GrantedScopes     string       `db:"granted_scopes"`
	RequestedAudience string       `db:"requested_audience"`
	GrantedAudience   string       `db:"granted_audience"`
	Form              string       `db:"form"`
	Session           string       `db:"session"`
	Subject           string       `db:"subject"`
	Active            bool         `db:"active"`
	ExpiresAt         sql.NullTime `db:"expires_at"`
	// Client is loaded with the request, in the same query.
	Client clientRow `db:"c"`
}

const requestColumns = `signature, request_id, requested_at, client_id, scopes, granted_scopes,
	requested_audience, granted_audience, form, session, subject, expires_at`

const joinedRequestColumns = `r.signature, r.request_id, r.requested_at, r.client_id, r.scopes, r.granted_scopes,
	r.requested_audience, r.granted_audience, r.form, r.session, r.subject, r.expires_at`

// rowFrom flattens r for storage under signature in a table of kind k.
func rowFrom(k kind, signature string, r fosite.Requester) (requestRow, error) {
	if r == nil || r.GetClient() == nil {
		return requestRow{}, errors.New("request without a client")
	}
	row := requestRow{
		Signature:         signature,
		RequestID:         r.GetID(),
		RequestedAt:       r.GetRequestedAt().UTC().Truncate(time.Microsecond),
		ClientID:          r.GetClient().GetID(),
		Scopes:            jsonList(r.GetRequestedScopes()),
		GrantedScopes:     jsonList(r.GetGrantedScopes()),
		RequestedAudience: jsonList(r.GetRequestedAudience()),
		GrantedAudience:   jsonList(r.GetGrantedAudience()),
		Form:              r.GetRequestForm().Encode(),
		Session:           "null",
	}
	if sess := r.GetSession(); sess != nil {
		b, err := json.Marshal(sess)
		if err != nil {
			return requestRow{}, fmt.Errorf("encode session: %w", err)
		}
		row.Session = string(b)
		row.Subject = sess.GetSubject()
		if exp := sess.GetExpiresAt(k.token); !exp.IsZero() {
			row.ExpiresAt = sql.NullTime{Time: exp.UTC().Truncate(time.Microsecond), Valid: true}
		}
	}
	return row, nil
}

// createRequest stores r under signature; accessSignature is recorded in
// tables that link a row to its access token.
func (s *Store) createRequest(ctx context.Context, k kind, signature, accessSignature string, r fosite.Requester) error {
	row, err := rowFrom(k, signature, r)
	if err != nil {
		return fail("create "+k.what, err)
	}
	cols := requestColumns
	marks := "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?"
	args := []any{row.Signature, row.RequestID, row.RequestedAt, row.ClientID, row.Scopes, row.GrantedScopes,
		row.RequestedAudience, row.GrantedAudience, row.Form, row.Session, row.Subject, row.ExpiresAt}
	if k.linked {
		cols += ", access_signature"
		marks += ", ?"
		args = append(args, accessSignature)
	}
	_, err = s.exec(ctx, `INSERT INTO `+k.table+` (`+cols+`) VALUES (`+marks+`)`, args...)
	return fail("create "+k.what, err)
}

// getRequest loads the request stored under signature, with its client,
// decoding its session into session (the prototype fosite passes in, which
// fosite expects to be filled in place; nil leaves the request without a
// session). For an inactive row it returns the request together with
// k.inactive.
func (s *Store) getRequest(ctx context.Context, k kind, signature string, session fosite.Session) (fosite.Requester, error) {
	cols := joinedRequestColumns + ", " + joinedClientColumns
	if k.inactive != nil {
		cols += ", r.active"
	}
	var row requestRow
	err := s.db.GetContext(ctx, &row, s.db.Rebind(`SELECT `+cols+` FROM `+k.table+` r
		JOIN oauth_clients c ON c.id = r.client_id WHERE r.signature = ?`), signature)
	if err != nil {
		return nil, fail("get "+k.what, err)
	}
	req, err := toRequest(row, session)
	if err != nil {
		return nil, fail("get "+k.what, err)
	}
	if k.inactive != nil && !row.Active {
		return req, fmt.Errorf("sqlstore: get %s: %w", k.what, k.inactive)
	}
	return req, nil
}

// toRequest rebuilds a fosite request from row and its client.
func toRequest(row requestRow, session fosite.Session) (*fosite.Request, error) {
	client, err := row.Client.client()
	if err != nil {
		return nil, err
	}
	form, err := url.ParseQuery(row.Form)
	if err != nil {
		return nil, fmt.Errorf("decode form: %w", err)
	}
	req := &fosite.Request{
		ID:          row.RequestID,
		RequestedAt: row.RequestedAt.UTC(),
		Client:      client,
		Form:        form,
	}
	for _, l := range []struct {
		dst *fosite.Arguments
		src string
	}{
		{&req.RequestedScope, row.Scopes},
		{&req.GrantedScope, row.GrantedScopes},
		{&req.RequestedAudience, row.RequestedAudience},
		{&req.GrantedAudience, row.GrantedAudience},
	} {
		if err := json.Unmarshal([]byte(l.src), l.dst); err != nil {
			return nil, fmt.Errorf("decode list: %w", err)
		}
	}
	if session != nil {
		if err := json.Unmarshal([]byte(row.Session), session); err != nil {
			return nil, fmt.Errorf("decode session: %w", err)
		}
		req.Session = session
	}
	return req, nil
}

// deleteRequest removes the row stored under signature; removing a row that
// is not there is not an error.
func (s *Store) deleteRequest(ctx context.Context, k kind, signature string) error {
	_, err := s.exec(ctx, `DELETE FROM `+k.table+` WHERE signature = ?`, signature)
	return fail("delete "+k.what, err)
}

// jsonList encodes a list of strings as a JSON array, never null.
func jsonList(l []string) string {
	if len(l) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(l) // cannot fail for strings
	return string(b)
}
