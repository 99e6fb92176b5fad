package panel

import (
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
)

// Domain is a domain name of an account and its DNS zone.
type Domain struct {
	Name    string   `json:"name"`
	Records []Record `json:"records"`
}

// Record is one DNS record of a zone.
type Record struct {
	ID    int    `json:"id"`
	Type  string `json:"type"`
	Name  string `json:"name"`
	Value string `json:"value"`
	TTL   int    `json:"ttl"`
}

// Server is a rented server.
type Server struct {
	Name    string `json:"name"`
	Plan    string `json:"plan"`
	IP      string `json:"ip"`
	Power   string `json:"power"` // "on" or "off"
	Reboots int    `json:"reboots"`
}

// Mailbox is a professional email address.
type Mailbox struct {
	Address string `json:"address"`
	QuotaMB int    `json:"quota_mb"`
}

// Domain returns the domain part of the address.
func (m Mailbox) Domain() string {
	_, d, _ := strings.Cut(m.Address, "@")
	return d
}

// account holds the fake resources of one customer account.
type account struct {
	domains   []*Domain
	servers   []*Server
	mailboxes []*Mailbox
	nextID    int
}

// Errors of the store; handlers map them to 404, 400 and 409.
var (
	errNotFound = errors.New("demo: not found")
	errExists   = errors.New("demo: already exists")
	errFull     = errors.New("demo: limit reached")
)

// Limits keep the in-memory store small whatever clients send.
const (
	maxRecords   = 50
	maxMailboxes = 50
)

// store keeps every account's resources in memory. An account's resources
// are seeded the first time it is seen, deterministically from its ID:
// every account has the domain "example.cm", the server "web-01" and the
// mailbox "contact@example.cm", plus a few more derived from the ID.
type store struct {
	mu       sync.Mutex
	accounts map[string]*account
}

func newStore() *store { return &store{accounts: map[string]*account{}} }

// with runs f on the account's resources under the store's lock.
func (s *store) with(accountID string, f func(a *account) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.accounts[accountID]
	if !ok {
		a = seed(accountID)
		s.accounts[accountID] = a
	}
	return f(a)
}

// Domains returns a copy of the account's domains.
func (s *store) Domains(accountID string) []Domain {
	var out []Domain
	s.with(accountID, func(a *account) error {
		for _, d := range a.domains {
			out = append(out, Domain{Name: d.Name, Records: slices.Clone(d.Records)})
		}
		return nil
	})
	return out
}

// Domain returns a copy of one domain of the account.
func (s *store) Domain(accountID, name string) (Domain, error) {
	var out Domain
	err := s.with(accountID, func(a *account) error {
		d := a.domain(name)
		if d == nil {
			return errNotFound
		}
		out = Domain{Name: d.Name, Records: slices.Clone(d.Records)}
		return nil
	})
	return out, err
}

func (a *account) domain(name string) *Domain {
	for _, d := range a.domains {
		if d.Name == name {
			return d
		}
	}
	return nil
}

// AddRecord adds a checked record to a zone and returns it with its ID.
func (s *store) AddRecord(accountID, domain string, r Record) (Record, error) {
	err := s.with(accountID, func(a *account) error {
		d := a.domain(domain)
		if d == nil {
			return errNotFound
		}
		if len(d.Records) >= maxRecords {
			return errFull
		}
		a.nextID++
		r.ID = a.nextID
		d.Records = append(d.Records, r)
		return nil
	})
	return r, err
}

// DeleteRecord removes a record from a zone.
func (s *store) DeleteRecord(accountID, domain string, id int) error {
	return s.with(accountID, func(a *account) error {
		d := a.domain(domain)
		if d == nil {
			return errNotFound
		}
		i := slices.IndexFunc(d.Records, func(r Record) bool { return r.ID == id })
		if i < 0 {
			return errNotFound
		}
		d.Records = slices.Delete(d.Records, i, i+1)
		return nil
	})
}

// Servers returns a copy of the account's servers.
func (s *store) Servers(accountID string) []Server {
	var out []Server
	s.with(accountID, func(a *account) error {
		for _, v := range a.servers {
			out = append(out, *v)
		}
		return nil
	})
	return out
}

// DeleteServer removes a server from the account.
func (s *store) DeleteServer(accountID, name string) error {
	return s.with(accountID, func(a *account) error {
		i := slices.IndexFunc(a.servers, func(v *Server) bool { return v.Name == name })
		if i < 0 {
			return errNotFound
		}
		a.servers = slices.Delete(a.servers, i, i+1)
		return nil
	})
}

// Power applies action ("reboot", "stop" or "start") to a server and
// returns its new state.
func (s *store) Power(accountID, name, action string) (Server, error) {
	var out Server
	err := s.with(accountID, func(a *account) error {
		i := slices.IndexFunc(a.servers, func(v *Server) bool { return v.Name == name })
		if i < 0 {
			return errNotFound
		}
		v := a.servers[i]
		switch action {
		case "reboot":
			v.Power = "on"
			v.Reboots++
		case "stop":
			v.Power = "off"
		case "start":
			v.Power = "on"
		default:
			return errNotFound
		}
		out = *v
		return nil
	})
	return out, err
}

// Mailboxes returns a copy of the account's mailboxes.
func (s *store) Mailboxes(accountID string) []Mailbox {
	var out []Mailbox
	s.with(accountID, func(a *account) error {
		for _, m := range a.mailboxes {
			out = append(out, *m)
		}
		return nil
	})
	return out
}

// AddMailbox creates a checked address on one of the account's domains.
func (s *store) AddMailbox(accountID, address string) (Mailbox, error) {
	m := Mailbox{Address: address, QuotaMB: 5120}
	err := s.with(accountID, func(a *account) error {
		if a.domain(m.Domain()) == nil {
			return &inputError{"err_domain"}
		}
		if slices.ContainsFunc(a.mailboxes, func(x *Mailbox) bool { return x.Address == address }) {
			return errExists
		}
		if len(a.mailboxes) >= maxMailboxes {
			return errFull
		}
		a.mailboxes = append(a.mailboxes, &m)
		return nil
	})
	return m, err
}

// DeleteMailbox removes an address.
func (s *store) DeleteMailbox(accountID, address string) error {
	return s.with(accountID, func(a *account) error {
		i := slices.IndexFunc(a.mailboxes, func(x *Mailbox) bool { return x.Address == address })
		if i < 0 {
			return errNotFound
		}
		a.mailboxes = slices.Delete(a.mailboxes, i, i+1)
		return nil
	})
}

// seed builds an account's resources from its ID, always the same for the
// same ID.
func seed(accountID string) *account {
	h := fnv.New64a()
	h.Write([]byte(accountID))
	rng := rand.New(rand.NewPCG(h.Sum64(), 0x5e5a3e))
	a := &account{}
	names := []string{"atelier", "boutique", "cabinet", "studio", "maison", "jardin", "voyage", "cuisine"}
	tlds := []string{".cm", ".fr", ".com", ".net"}
	suffix := strings.Map(func(r rune) rune {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			return r
		}
		return -1
	}, strings.ToLower(accountID))
	if len(suffix) > 20 {
		suffix = suffix[:20]
	}
	domains := []string{"example.cm"}
	for len(domains) < 3 {
		d := names[rng.IntN(len(names))]
		if suffix != "" {
			d += "-" + suffix
		}
		d += tlds[rng.IntN(len(tlds))]
		if !slices.Contains(domains, d) {
			domains = append(domains, d)
		}
	}
	for _, name := range domains {
		d := &Domain{Name: name}
		for _, r := range []Record{
			{Type: "A", Name: "@", Value: fmt.Sprintf("192.0.2.%d", 1+rng.IntN(254)), TTL: 3600},
			{Type: "AAAA", Name: "@", Value: fmt.Sprintf("2001:db8::%x", 1+rng.IntN(0xfffe)), TTL: 3600},
			{Type: "CNAME", Name: "www", Value: name + ".", TTL: 3600},
			{Type: "MX", Name: "@", Value: "10 mail." + name + ".", TTL: 3600},
			{Type: "TXT", Name: "@", Value: "v=spf1 mx -all", TTL: 3600},
		} {
			a.nextID++
			r.ID = a.nextID
			d.Records = append(d.Records, r)
		}
		a.domains = append(a.domains, d)
	}
	plans := []string{"VPS S", "VPS M", "VPS L", "Dédié XL"}
	for _, name := range []string{"web-01", []string{"web-02", "db-01", "mail-01"}[rng.IntN(3)], "backup-01"} {
		power := "on"
		if rng.IntN(4) == 0 && name != "web-01" {
			power = "off"
		}
		a.servers = append(a.servers, &Server{
			Name: name, Plan: plans[rng.IntN(len(plans))], IP: fmt.Sprintf("198.51.100.%d", 1+rng.IntN(254)), Power: power,
		})
	}
	for _, addr := range []string{"contact@example.cm", "factures@example.cm", "equipe@" + domains[1]} {
		a.mailboxes = append(a.mailboxes, &Mailbox{Address: addr, QuotaMB: 5120})
	}
	return a
}
