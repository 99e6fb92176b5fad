package app

import (
	"context"

	"github.com/sesame-idp/sesame/account"
)

// securityNotices mails people the changes to the security of their
// access, through members' outbox settings. The account service is built
// before the outbox and members, hence the late binding.
type securityNotices struct{ a *App }

func (s securityNotices) Notify(ctx context.Context, n account.Notice) error {
	return s.a.Members.SecurityMail().Notify(ctx, n)
}
