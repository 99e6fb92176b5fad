package rbac

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sesame-idp/sesame/audit"
	"github.com/sesame-idp/sesame/db"
)

// Actor is the platform admin behind a change, for the audit trail.
type Actor struct {
	ID    string
	Email string
	IP    string
}

// Rule is one Casbin rule of an account, as admin pages show and edit it.
// A "p" rule grants Action ("product:action" or "*") on Object ("*" or a
// resource) to Subject (a member ID or a role "role:NAME") until ExpiresAt;
// a "g" rule gives Role to Subject. The account is implied.
type Rule struct {
	PType     string     `json:"ptype"`
	Subject   string     `json:"subject"`
	Role      string     `json:"role,omitempty"`
	Object    string     `json:"object,omitempty"`
	Action    string     `json:"action,omitempty"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

// OwnerRule reports whether the rule is one of the owner's role: the
// grant of role:owner to a member, or a right of role:owner. Such rules
// change only with the ownership; AddRule and RemoveRule refuse them.
func (r Rule) OwnerRule() bool {
	return r.Subject == ownerRole || r.Role == ownerRole
}

// values returns the Casbin fields of the rule in accountID.
func (r Rule) values(accountID string) []string {
	if r.PType == "g" {
		return []string{r.Subject, r.Role, accountID}
	}
	return []string{r.Subject, accountID, r.Object, r.Action, formatExpiry(r.ExpiresAt)}
}

// line renders the rule as Casbin's CSV line, e.g.
// "p, m1, id482913, example.cm, domain:dns, ".
func (r Rule) line(accountID string) string {
	return r.PType + ", " + strings.Join(r.values(accountID), ", ")
}

// validate checks a rule an admin submits and normalizes its resource.
func (r Rule) validate() (Rule, error) {
	if r.Subject == "" || len(r.Subject) > maxIDLen {
		return r, invalidf(ReasonBadSubject, r.Subject, "%w: rule subject must be 1 to %d characters", ErrInvalidSubject, maxIDLen)
	}
	if strings.HasPrefix(r.Subject, rolePrefix) {
		if err := checkRole(r.Subject); err != nil {
			return r, err
		}
	}
	switch r.PType {
	case "g":
		if r.Object != "" || r.Action != "" || r.ExpiresAt != nil {
			return r, invalidf(ReasonRuleShape, "g", "%w: a g rule has a subject and a role only", ErrInvalidRight)
		}
		if err := checkRole(r.Role); err != nil {
			return r, err
		}
	case "p":
		if r.Role != "" {
			return r, invalidf(ReasonRuleShape, "p", "%w: a p rule has no role", ErrInvalidRight)
		}
		if r.Action != "*" {
			right, err := ParseRight(r.Action)
			if err != nil {
				return r, err
			}
			if right.Resource != "" {
				return r, invalidf(ReasonResourceInAction, r.Action, "%w: put the resource of %q in the object", ErrInvalidRight, r.Action)
			}
		}
		switch r.Object {
		case "":
			r.Object = anyResource
		case anyResource:
		default:
			res, err := normalizeResource(r.Object)
			if err != nil {
				return r, err
			}
			if r.Action != "*" && !catalogIndex[r.Action].Narrowable {
				return r, invalidf(ReasonNotNarrowable, r.Action, "%w: %s cannot be narrowed to a resource", ErrInvalidRight, r.Action)
			}
			r.Object = res
		}
		if r.ExpiresAt != nil {
			t := r.ExpiresAt.UTC().Truncate(time.Second)
			r.ExpiresAt = &t
		}
	default:
		return r, invalidf(ReasonRuleShape, r.PType, "%w: rule type %q, want p or g", ErrInvalidRight, r.PType)
	}
	return r, nil
}

func checkRole(role string) error {
	name, ok := strings.CutPrefix(role, rolePrefix)
	if !ok || name == "" || len(role) > maxIDLen {
		return invalidf(ReasonBadRole, role, "%w: role %q must be %sNAME", ErrInvalidSubject, clip(role), rolePrefix)
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return invalidf(ReasonBadRole, role, "%w: role %q: use lower-case letters, digits, '-' and '_'", ErrInvalidSubject, clip(role))
		}
	}
	return nil
}

// Policies returns every rule of an account as stored, expired grants
// included, oldest first.
func (s *Service) Policies(ctx context.Context, accountID string) ([]Rule, error) {
	if err := checkID("account", accountID); err != nil {
		return nil, fmt.Errorf("rbac: policies: %w", err)
	}
	rows, err := selectAccountRules(ctx, s.d, accountID)
	if err != nil {
		return nil, fmt.Errorf("rbac: policies of %s: %w", accountID, err)
	}
	out := make([]Rule, 0, len(rows))
	for _, r := range rows {
		if r.PType == "g" {
			out = append(out, Rule{PType: "g", Subject: r.V0, Role: r.V1})
			continue
		}
		out = append(out, Rule{PType: "p", Subject: r.V0, Object: r.V2, Action: r.V3, ExpiresAt: parseExpiry(r.V4)})
	}
	return out, nil
}

// AddRule adds a rule to an account, records it in the audit trail under
// actor (action audit.PolicyChanged) and applies it everywhere. An
// identical rule is db.ErrAlreadyExists; a malformed one ErrInvalidRight,
// ErrUnknownRight or ErrInvalidSubject; a rule of the owner's role
// ErrOwnerRule.
func (s *Service) AddRule(ctx context.Context, actor Actor, accountID string, r Rule) error {
	return s.editRule(ctx, actor, accountID, r, true)
}

// RemoveRule removes a rule from an account (the rule must be given exactly
// as Policies lists it; otherwise db.ErrNotFound), audited like AddRule.
func (s *Service) RemoveRule(ctx context.Context, actor Actor, accountID string, r Rule) error {
	return s.editRule(ctx, actor, accountID, r, false)
}

func (s *Service) editRule(ctx context.Context, actor Actor, accountID string, r Rule, add bool) error {
	verb := "remove"
	if add {
		verb = "add"
	}
	if err := checkID("account", accountID); err != nil {
		return fmt.Errorf("rbac: %s rule: %w", verb, err)
	}
	r, err := r.validate()
	if err != nil {
		return fmt.Errorf("rbac: %s rule: %w", verb, err)
	}
	if r.OwnerRule() {
		return fmt.Errorf("rbac: %s rule %q: %w", verb, r.line(accountID), ErrOwnerRule)
	}
	err = s.d.InTx(ctx, func(ctx context.Context) error {
		var n int64
		var err error
		if add {
			n, err = insertRules(ctx, s.d, r.PType, [][]string{r.values(accountID)})
		} else {
			n, err = deleteRule(ctx, s.d, r.PType, r.values(accountID))
		}
		switch {
		case err != nil:
			return err
		case n == 0 && add:
			return db.ErrAlreadyExists
		case n == 0:
			return db.ErrNotFound
		}
		err = s.trail.Record(ctx, audit.Event{
			AccountID: accountID, ActorID: actor.ID, ActorEmail: actor.Email, IP: actor.IP,
			Action: audit.PolicyChanged, Target: r.Subject, Detail: verb + " " + r.line(accountID),
		})
		if err != nil {
			return err
		}
		if err := s.tellRuleChange(ctx, accountID, r); err != nil {
			return err
		}
		return s.changed(ctx, accountID)
	})
	s.Invalidate(accountID)
	if err != nil {
		if !errors.Is(err, db.ErrNotFound) && !errors.Is(err, db.ErrAlreadyExists) {
			err = db.Translate(err)
		}
		return fmt.Errorf("rbac: %s rule %q in %s: %w", verb, r.line(accountID), accountID, err)
	}
	return nil
}
