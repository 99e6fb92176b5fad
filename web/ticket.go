package web

import (
	"encoding/json"
	"errors"
	"time"
)

// An authorization ticket carries an authorization request through the
// login and consent pages: the original query and when the request first
// arrived, which OpenID Connect needs for prompt=login and max_age. It is
// sealed (encrypted and authenticated) with the instance secrets, so it can
// neither be read nor forged, and it expires.
type authTicket struct {
	Query       string `json:"q"`
	RequestedAt int64  `json:"t"`
	Expires     int64  `json:"e"`
}

const (
	ticketPurpose = "authorize-ticket"
	ticketTTL     = 30 * time.Minute
)

var errTicket = errors.New("web: invalid or expired authorization ticket")

func (s *Server) sealTicket(query string, requestedAt time.Time) string {
	t := authTicket{Query: query, RequestedAt: requestedAt.Unix(), Expires: s.Now().Add(ticketTTL).Unix()}
	b, _ := json.Marshal(t)
	return s.Secrets.Seal(ticketPurpose, b)
}

func (s *Server) openTicket(raw string) (authTicket, error) {
	var t authTicket
	if raw == "" || len(raw) > 8192 {
		return t, errTicket
	}
	b, err := s.Secrets.Open(ticketPurpose, raw)
	if err != nil {
		return t, errTicket
	}
	if err := json.Unmarshal(b, &t); err != nil || s.Now().Unix() > t.Expires {
		return t, errTicket
	}
	return t, nil
}
