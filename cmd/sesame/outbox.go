package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/sesame-idp/sesame/app"
	"github.com/sesame-idp/sesame/events"
)

// outboxEntry is one message of an outbox, as the outbox commands show it.
type outboxEntry struct {
	ID        int64     `json:"id"`
	To        string    `json:"to"`
	Subject   string    `json:"subject,omitempty"`
	State     string    `json:"state"`
	Attempts  int       `json:"attempts"`
	LastError string    `json:"last_error,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	NextAt    time.Time `json:"next_attempt_at"`
}

// outboxKind is what the outbox commands need of one kind of outbox.
type outboxKind struct {
	list  func(ctx context.Context, a *app.App, all bool, limit int) ([]outboxEntry, error)
	retry func(ctx context.Context, a *app.App, ids []int64) (int64, error)
}

// outboxKinds are the outboxes the commands know, by name: adding a kind
// is one entry. The deliveries to products are added by init, one kind of
// app.EventOutboxes each.
var outboxKinds = map[string]outboxKind{
	"mail": {
		list: func(ctx context.Context, a *app.App, all bool, limit int) ([]outboxEntry, error) {
			ds, err := a.Outbox.List(ctx, all, limit)
			out := make([]outboxEntry, len(ds))
			for i, d := range ds {
				out[i] = outboxEntry{ID: d.ID, To: d.To, Subject: d.Subject, State: string(d.State), Attempts: d.Attempts,
					LastError: d.LastError, CreatedAt: d.CreatedAt, NextAt: d.NextAttemptAt}
			}
			return out, err
		},
		retry: func(ctx context.Context, a *app.App, ids []int64) (int64, error) { return a.Outbox.RetryNow(ctx, ids) },
	},
}

func init() {
	for name, kind := range app.EventOutboxes {
		outboxKinds[name] = eventsOutbox(kind)
	}
}

// eventsOutbox is the outbox of the deliveries of one kind to products:
// To is the client, Subject the person's ID (and the session's sid);
// a pending delivery whose last attempt failed is "failing".
func eventsOutbox(kind events.Kind) outboxKind {
	return outboxKind{
		list: func(ctx context.Context, a *app.App, all bool, limit int) ([]outboxEntry, error) {
			ds, err := a.Events.List(ctx, kind, all, limit)
			out := make([]outboxEntry, len(ds))
			for i, d := range ds {
				subject := d.Subject
				if d.SID != "" {
					subject += " sid " + d.SID
				}
				state := string(d.State)
				if d.State == events.StatePending && d.LastError != "" {
					state = "failing"
				}
				e := outboxEntry{ID: d.ID, To: d.ClientID, Subject: subject, State: state, Attempts: d.Attempts,
					LastError: d.LastError, CreatedAt: d.CreatedAt}
				if d.NextAttemptAt != nil {
					e.NextAt = *d.NextAttemptAt
				}
				out[i] = e
			}
			return out, err
		},
		retry: func(ctx context.Context, a *app.App, ids []int64) (int64, error) {
			return a.Events.RetryNow(ctx, kind, ids)
		},
	}
}

func outboxFlags(name string) (*flag.FlagSet, *config, *string) {
	cfg := loadConfig()
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	bindFlags(&cfg, fs, false)
	kind := fs.String("kind", "mail", "outbox: "+strings.Join(kindNames(), ", "))
	return fs, &cfg, kind
}

func kindNames() []string {
	var names []string
	for k := range outboxKinds {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

func lookupKind(name string) (outboxKind, error) {
	k, ok := outboxKinds[name]
	if !ok {
		return outboxKind{}, fmt.Errorf("outbox: unknown kind %q (known: %s)", name, strings.Join(kindNames(), ", "))
	}
	return k, nil
}

// outboxList prints the pending messages of an outbox (or all kept ones
// with --all), newest first.
func outboxList(ctx context.Context, args []string, _ io.Reader, stdout io.Writer) error {
	fs, cfg, kindName := outboxFlags("outbox list")
	all := fs.Bool("all", false, "also the messages sent or abandoned (kept 30 days)")
	limit := fs.Int("limit", 100, "at most this many messages")
	asJSON := fs.Bool("json", false, "print one JSON object")
	if err := fs.Parse(args); err != nil {
		return err
	}
	kind, err := lookupKind(*kindName)
	if err != nil {
		return err
	}
	a, err := openApp(ctx, *cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	entries, err := kind.list(ctx, a, *all, *limit)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(map[string]any{"kind": *kindName, "messages": entries})
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATE\tATTEMPTS\tCREATED\tNEXT ATTEMPT\tTO\tLAST ERROR")
	for _, e := range entries {
		fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%s\t%s\t%s\n", e.ID, e.State, e.Attempts,
			e.CreatedAt.Format(time.RFC3339), e.NextAt.Format(time.RFC3339), e.To, e.LastError)
	}
	return tw.Flush()
}

// outboxRetry makes pending messages due at once: those named, or all.
func outboxRetry(ctx context.Context, args []string, _ io.Reader, stdout io.Writer) error {
	fs, cfg, kindName := outboxFlags("outbox retry")
	all := fs.Bool("all", false, "every pending message")
	var ids stringList
	fs.Var(&ids, "id", "a message to retry now (repeatable)")
	asJSON := fs.Bool("json", false, "print one JSON object")
	if err := fs.Parse(args); err != nil {
		return err
	}
	kind, err := lookupKind(*kindName)
	if err != nil {
		return err
	}
	if *all == (len(ids) > 0) {
		return fmt.Errorf("outbox retry: give either --id N (repeatable) or --all")
	}
	var nums []int64
	for _, s := range ids {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			return fmt.Errorf("outbox retry: --id %q is not a message number", s)
		}
		nums = append(nums, n)
	}
	a, err := openApp(ctx, *cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	n, err := kind.retry(ctx, a, nums)
	if err != nil {
		return err
	}
	return output(stdout, *asJSON, map[string]any{"kind": *kindName, "retried": n},
		fmt.Sprintf("%d message(s) due now; sent, abandoned and in-flight messages are left alone", n))
}
