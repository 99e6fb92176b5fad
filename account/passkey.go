package account

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"time"
	"unicode/utf8"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/sesame-idp/sesame/audit"
	"github.com/sesame-idp/sesame/db"
)

// Authentication methods (RFC 8176) of a passkey: "hwk" for a key bound to
// its device, "swk" for one that may be copied to other devices (synced
// passkeys, whose backup-eligible flag is set).
const (
	AMRHardwareKey = "hwk"
	AMRSoftwareKey = "swk"
)

const (
	// passkeyPurpose seals the state of a ceremony in the page.
	passkeyPurpose = "passkey-ceremony"
	// passkeyTimeout bounds a ceremony, from the page to the answer.
	passkeyTimeout = 5 * time.Minute
	// MaxPasskeyName bounds the name a person gives a passkey, in runes.
	MaxPasskeyName = 60
	// maxPasskeys bounds how many passkeys one person registers.
	maxPasskeys = 20
	// maxCeremonyResponse bounds what a browser may send back, in bytes.
	maxCeremonyResponse = 64 << 10
)

// ErrPasskeysUnavailable means the issuer's host cannot be a WebAuthn
// relying party (an IP address) or no sealer is configured.
var ErrPasskeysUnavailable = errors.New("account: passkeys unavailable at this address")

// Passkey is one of a person's registered WebAuthn credentials.
type Passkey struct {
	ID         string
	Name       string
	CreatedAt  time.Time
	LastUsedAt *time.Time
	// Synced is true for a passkey that may be copied to other devices.
	Synced bool

	credential webauthn.Credential
}

// Ceremony is a WebAuthn ceremony begun by Sésame: the options the page
// hands to navigator.credentials (JSON), and its state, sealed, which the
// page sends back with the browser's answer.
type Ceremony struct {
	Options json.RawMessage
	State   string
}

// newWebAuthn returns the relying party of issuer, or nil when its host
// cannot be one: WebAuthn needs a domain name (localhost included) and a
// secure context (https, or http on localhost).
func newWebAuthn(issuer string) *webauthn.WebAuthn {
	u, err := url.Parse(issuer)
	if err != nil || u.Hostname() == "" {
		return nil
	}
	if u.Scheme != "https" && !(u.Scheme == "http" && u.Hostname() == "localhost") {
		return nil
	}
	timeouts := webauthn.TimeoutConfig{Enforce: true, Timeout: passkeyTimeout, TimeoutUVD: passkeyTimeout}
	w, err := webauthn.New(&webauthn.Config{
		RPID:          u.Hostname(),
		RPDisplayName: TOTPIssuer,
		RPOrigins:     []string{u.Scheme + "://" + u.Host},
		Timeouts:      webauthn.TimeoutsConfig{Login: timeouts, Registration: timeouts},
	})
	if err != nil {
		return nil
	}
	return w
}

// PasskeysAvailable reports whether people can register and use passkeys
// at this issuer.
func (s *Service) PasskeysAvailable() bool { return s.webauthn != nil && s.sealer != nil }

// passkeyUser is a person as go-webauthn sees them. The user handle is the
// person's ID: random, and revealing nothing of them.
type passkeyUser struct {
	p     person
	creds []webauthn.Credential
}

func (u passkeyUser) WebAuthnID() []byte                         { return []byte(u.p.ID) }
func (u passkeyUser) WebAuthnName() string                       { return u.p.label() }
func (u passkeyUser) WebAuthnDisplayName() string                { return u.p.label() }
func (u passkeyUser) WebAuthnCredentials() []webauthn.Credential { return u.creds }

func (s *Service) passkeyUser(ctx context.Context, personID string) (passkeyUser, []Passkey, error) {
	p, err := s.personOf(ctx, personID)
	if err != nil {
		return passkeyUser{}, nil, err
	}
	return s.passkeyUserOf(ctx, p)
}

// passkeyUserOf is passkeyUser for a person already read.
func (s *Service) passkeyUserOf(ctx context.Context, p person) (passkeyUser, []Passkey, error) {
	keys, err := s.Passkeys(ctx, p.ID)
	if err != nil {
		return passkeyUser{}, nil, err
	}
	u := passkeyUser{p: p}
	for _, k := range keys {
		u.creds = append(u.creds, k.credential)
	}
	return u, keys, nil
}

// Passkeys returns the passkeys of personID, oldest first.
func (s *Service) Passkeys(ctx context.Context, personID string) ([]Passkey, error) {
	t := tablesOf(personID)
	rows, err := s.db.QueryxContext(ctx, s.db.Rebind(`SELECT id, name, credential, created_at, last_used_at
		FROM `+t.passkeys+` WHERE `+t.id+` = ? ORDER BY created_at, id`), personID)
	if err != nil {
		return nil, fmt.Errorf("account: passkeys of %s: %w", personID, err)
	}
	defer rows.Close()
	var keys []Passkey
	for rows.Next() {
		var k Passkey
		var cred string
		var lastUsed sql.NullTime
		if err := rows.Scan(&k.ID, &k.Name, &cred, &k.CreatedAt, &lastUsed); err != nil {
			return nil, fmt.Errorf("account: passkeys of %s: %w", personID, err)
		}
		if err := json.Unmarshal([]byte(cred), &k.credential); err != nil {
			return nil, fmt.Errorf("account: passkey %s: stored credential: %w", k.ID, err)
		}
		k.CreatedAt = k.CreatedAt.UTC()
		if lastUsed.Valid {
			at := lastUsed.Time.UTC()
			k.LastUsedAt = &at
		}
		k.Synced = k.credential.Flags.BackupEligible
		keys = append(keys, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("account: passkeys of %s: %w", personID, err)
	}
	return keys, nil
}

// ceremonyState is what travels sealed between the beginning and the end
// of a ceremony.
type ceremonyState struct {
	PersonID string               `json:"p"`
	Session  webauthn.SessionData `json:"s"`
}

func (s *Service) sealCeremony(personID string, data *webauthn.SessionData, options any) (Ceremony, error) {
	opts, err := json.Marshal(options)
	if err != nil {
		return Ceremony{}, fmt.Errorf("account: passkey options: %w", err)
	}
	state, err := json.Marshal(ceremonyState{PersonID: personID, Session: *data})
	if err != nil {
		return Ceremony{}, fmt.Errorf("account: passkey ceremony: %w", err)
	}
	return Ceremony{Options: opts, State: s.sealer.Seal(passkeyPurpose, state)}, nil
}

// openCeremony returns the ceremony state sealed for personID, or
// ErrInvalidCode.
func (s *Service) openCeremony(personID, sealed string) (webauthn.SessionData, error) {
	if sealed == "" || len(sealed) > 8192 {
		return webauthn.SessionData{}, ErrInvalidCode
	}
	b, err := s.sealer.Open(passkeyPurpose, sealed)
	var st ceremonyState
	if err != nil || json.Unmarshal(b, &st) != nil || st.PersonID != personID {
		return webauthn.SessionData{}, ErrInvalidCode
	}
	return st.Session, nil
}

// spendChallenge records the challenge of a finished ceremony, in the
// transaction ctx carries: a second use of it finds the row and fails.
func (s *Service) spendChallenge(ctx context.Context, data webauthn.SessionData) error {
	now := s.now()
	if _, err := s.db.ExecContext(ctx, s.db.Rebind(`DELETE FROM passkey_challenges WHERE expires_at < ?`), now); err != nil {
		return err
	}
	expires := data.Expires
	if expires.IsZero() || expires.Before(now) {
		expires = now.Add(passkeyTimeout)
	}
	res, err := s.db.ExecContext(ctx, s.db.Rebind(`INSERT INTO passkey_challenges (challenge, expires_at) VALUES (?, ?)
		ON CONFLICT (challenge) DO NOTHING`), data.Challenge, expires.UTC())
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrInvalidCode
	}
	return nil
}

// BeginPasskeyRegistration starts the registration of a new passkey by
// personID. The browser is told to make a discoverable credential (a
// passkey) and not to register again one the person already has.
func (s *Service) BeginPasskeyRegistration(ctx context.Context, personID string) (Ceremony, error) {
	if !s.PasskeysAvailable() {
		return Ceremony{}, ErrPasskeysUnavailable
	}
	u, _, err := s.passkeyUser(ctx, personID)
	if err != nil {
		return Ceremony{}, err
	}
	creation, data, err := s.webauthn.BeginRegistration(u,
		webauthn.WithExclusions(webauthn.Credentials(u.creds).CredentialDescriptors()),
		webauthn.WithResidentKeyRequirement(protocol.ResidentKeyRequirementPreferred),
		webauthn.WithAuthenticatorSelection(protocol.AuthenticatorSelection{
			ResidentKey: protocol.ResidentKeyRequirementPreferred, UserVerification: protocol.VerificationPreferred,
		}),
	)
	if err != nil {
		return Ceremony{}, fmt.Errorf("account: begin passkey registration: %w", err)
	}
	return s.sealCeremony(personID, data, creation.Response)
}

// FinishPasskeyRegistration checks the browser's answer (response, the
// JSON of the PublicKeyCredential) to the ceremony state and keeps the
// passkey under name. When it is the person's first second factor, it
// returns their first recovery codes (shown once). A wrong, replayed or
// late answer gives ErrInvalidCode; an empty or too long name
// ErrInvalidName.
func (s *Service) FinishPasskeyRegistration(ctx context.Context, personID, name, state, response, ip string) (Passkey, []string, error) {
	if !s.PasskeysAvailable() {
		return Passkey{}, nil, ErrPasskeysUnavailable
	}
	name, err := passkeyName(name)
	if err != nil {
		return Passkey{}, nil, err
	}
	data, err := s.openCeremony(personID, state)
	if err != nil {
		return Passkey{}, nil, err
	}
	if response == "" || len(response) > maxCeremonyResponse {
		return Passkey{}, nil, ErrInvalidCode
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes([]byte(response))
	if err != nil {
		return Passkey{}, nil, fmt.Errorf("%w: %v", ErrInvalidCode, err)
	}
	u, _, err := s.passkeyUser(ctx, personID)
	if err != nil {
		return Passkey{}, nil, err
	}
	cred, err := s.webauthn.CreateCredential(u, data, parsed)
	if err != nil {
		return Passkey{}, nil, fmt.Errorf("%w: %v", ErrInvalidCode, err)
	}
	stored, err := json.Marshal(cred)
	if err != nil {
		return Passkey{}, nil, fmt.Errorf("account: passkey credential: %w", err)
	}
	k := Passkey{ID: randomID("pk_"), Name: name, CreatedAt: s.now(), Synced: cred.Flags.BackupEligible, credential: *cred}
	var codes []string
	t := tablesOf(personID)
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		// What the person had is read under the lock, so that two
		// registrations at once cannot both count as the first factor (the
		// second would replace the recovery codes the first showed).
		f, err := s.lockedFactors(ctx, personID)
		if err != nil {
			return err
		}
		if f.Passkeys >= maxPasskeys {
			return ErrTooManyPasskeys
		}
		if err := s.spendChallenge(ctx, data); err != nil {
			return err
		}
		_, err = s.db.ExecContext(ctx, s.db.Rebind(`INSERT INTO `+t.passkeys+` (id, `+t.id+`, credential_id, name, credential, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`), k.ID, personID, base64.RawURLEncoding.EncodeToString(cred.ID), name, string(stored), k.CreatedAt)
		if err != nil {
			if errors.Is(db.Translate(err), db.ErrAlreadyExists) {
				return ErrInvalidCode // the same credential, already registered
			}
			return err
		}
		if !f.Any() {
			if codes, err = s.newRecoveryCodes(ctx, personID); err != nil {
				return err
			}
		}
		if err := s.trail.Record(ctx, audit.Event{AccountID: u.p.AccountID, ActorID: personID, ActorEmail: u.p.Email,
			Action: audit.SecondFactorAdded, Target: personID, Detail: "passkey: " + name, IP: ip, CreatedAt: s.now()}); err != nil {
			return err
		}
		return s.NotifyFactorChange(ctx, NoticeFactorAdded, personID, FactorPasskey, name, ip)
	})
	if err != nil {
		if errors.Is(err, ErrInvalidCode) || errors.Is(err, ErrTooManyPasskeys) {
			return Passkey{}, nil, err
		}
		return Passkey{}, nil, fmt.Errorf("account: register passkey of %s: %w", personID, err)
	}
	return k, codes, nil
}

// BeginPasskeySignIn starts the second step of personID's sign-in with one
// of their passkeys; ErrNoSecondFactor when they have none.
func (s *Service) BeginPasskeySignIn(ctx context.Context, personID string) (Ceremony, error) {
	if !s.PasskeysAvailable() {
		return Ceremony{}, ErrPasskeysUnavailable
	}
	u, keys, err := s.passkeyUser(ctx, personID)
	if err != nil {
		return Ceremony{}, err
	}
	if len(keys) == 0 {
		return Ceremony{}, ErrNoSecondFactor
	}
	assertion, data, err := s.webauthn.BeginLogin(u, webauthn.WithUserVerification(protocol.VerificationPreferred))
	if err != nil {
		return Ceremony{}, fmt.Errorf("account: begin passkey sign-in: %w", err)
	}
	return s.sealCeremony(personID, data, assertion.Response)
}

// verifyPasskey checks the browser's answer to a sign-in ceremony and, in
// one transaction, spends its challenge and notes the passkey's use and
// new signature counter. It returns the authentication method, AMRHardwareKey
// or AMRSoftwareKey; ErrInvalidCode for anything wrong.
func (s *Service) verifyPasskey(ctx context.Context, p person, state, response string) (string, error) {
	personID := p.ID
	if !s.PasskeysAvailable() {
		return "", ErrInvalidCode
	}
	data, err := s.openCeremony(personID, state)
	if err != nil {
		return "", err
	}
	if len(response) > maxCeremonyResponse {
		return "", ErrInvalidCode
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes([]byte(response))
	if err != nil {
		return "", ErrInvalidCode
	}
	u, keys, err := s.passkeyUserOf(ctx, p)
	if err != nil {
		return "", err
	}
	cred, err := s.webauthn.ValidateLogin(u, data, parsed)
	if err != nil {
		return "", ErrInvalidCode
	}
	if cred.Authenticator.CloneWarning {
		// The counter went backwards: a copy of the key signed this.
		s.log.Warn("passkey signature counter went backwards; refused", "person", personID)
		return "", ErrInvalidCode
	}
	var id string
	for _, k := range keys {
		if string(k.credential.ID) == string(cred.ID) {
			id = k.ID
		}
	}
	stored, err := json.Marshal(cred)
	if err != nil {
		return "", fmt.Errorf("account: passkey credential: %w", err)
	}
	t := tablesOf(personID)
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.spendChallenge(ctx, data); err != nil {
			return err
		}
		res, err := s.db.ExecContext(ctx, s.db.Rebind(`UPDATE `+t.passkeys+` SET credential = ?, last_used_at = ?
			WHERE id = ? AND `+t.id+` = ?`), string(stored), s.now(), id, personID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrInvalidCode // removed meanwhile
		}
		return nil
	})
	if err != nil {
		if errors.Is(err, ErrInvalidCode) {
			return "", err
		}
		return "", fmt.Errorf("account: passkey sign-in of %s: %w", personID, err)
	}
	if cred.Flags.BackupEligible {
		return AMRSoftwareKey, nil
	}
	return AMRHardwareKey, nil
}

// passkeyName trims and checks the name a person gives a passkey: a
// display name (cleanName) of 1 to MaxPasskeyName characters.
func passkeyName(name string) (string, error) {
	name, err := cleanName(name)
	if err != nil || name == "" || utf8.RuneCountInString(name) > MaxPasskeyName {
		return "", ErrInvalidName
	}
	return name, nil
}

// RenamePasskey gives passkey id of personID a new name; ErrInvalidName
// for an empty or too long one, ErrNotFound when the passkey is not theirs.
func (s *Service) RenamePasskey(ctx context.Context, personID, id, name string) error {
	name, err := passkeyName(name)
	if err != nil {
		return err
	}
	t := tablesOf(personID)
	res, err := s.db.ExecContext(ctx, s.db.Rebind(`UPDATE `+t.passkeys+` SET name = ? WHERE id = ? AND `+t.id+` = ?`), name, id, personID)
	if err != nil {
		return fmt.Errorf("account: rename passkey %s: %w", id, db.Translate(err))
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("account: rename passkey %s of %s: %w", id, personID, ErrNotFound)
	}
	return nil
}
