package mail

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// A lease names the instance that took it: host/pid/random. A process
// releases its own leases when it stops, and, when it starts, those of the
// processes of the same host that died without doing so; a message claimed
// by a process that died elsewhere waits for its lease to end.

// ownInstances holds the names of the outboxes of this process: a holder
// with this process's pid is dead only if it is none of them.
var ownInstances sync.Map

// instanceHost is the host part of an instance name.
func instanceHost(instance string) string {
	host, _, _ := strings.Cut(instance, "/")
	return host
}

// ReleaseClaims makes the messages this instance holds (its unfinished
// claims) free for any worker at once, rather than at the end of their
// lease. Run calls it when it stops.
func (o *Outbox) ReleaseClaims(ctx context.Context) error {
	return o.release(ctx, o.opts.Instance)
}

// release frees the unfinished claims of instance.
func (o *Outbox) release(ctx context.Context, instance string) error {
	res, err := o.db.ExecContext(ctx, o.db.Rebind(`UPDATE mail_outbox SET locked_until = NULL, locked_by = ''
		WHERE locked_by = ? AND locked_until IS NOT NULL AND sent_at IS NULL AND failed_at IS NULL`), instance)
	if err != nil {
		return fmt.Errorf("mail: release the claims of %s: %w", instance, err)
	}
	if n, err := res.RowsAffected(); err == nil && n > 0 {
		o.log.Info("mail: claims released", "instance", instance, "messages", n)
		o.Kick()
	}
	return nil
}

// ReleaseStale frees the claims of the processes of this host that are no
// longer running (a crash, a kill): their messages need not wait for the
// end of the lease. Run calls it when it starts.
func (o *Outbox) ReleaseStale(ctx context.Context) error {
	host := instanceHost(o.opts.Instance)
	var holders []string
	err := o.db.SelectContext(ctx, &holders, o.db.Rebind(`SELECT DISTINCT locked_by FROM mail_outbox
		WHERE locked_by <> '' AND locked_by <> ? AND locked_until > ? AND sent_at IS NULL AND failed_at IS NULL`),
		o.opts.Instance, o.now())
	if err != nil {
		return fmt.Errorf("mail: list the claims: %w", err)
	}
	for _, h := range holders {
		parts := strings.Split(h, "/")
		if len(parts) != 3 || parts[0] != host {
			continue
		}
		pid, err := strconv.Atoi(parts[1])
		// A holder with this process's pid that is none of its outboxes is
		// a previous run of it (a restarted container): dead.
		if err != nil || pid <= 0 {
			continue
		}
		if pid == os.Getpid() {
			if _, mine := ownInstances.Load(h); mine {
				continue
			}
		} else if processRunning(pid) {
			continue
		}
		if err := o.release(ctx, h); err != nil {
			return err
		}
	}
	return nil
}

// processRunning reports whether a process with this pid exists; a
// process of another user counts as running.
func processRunning(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	err = p.Signal(syscall.Signal(0))
	return err == nil || !errors.Is(err, os.ErrProcessDone) && !errors.Is(err, syscall.ESRCH)
}
