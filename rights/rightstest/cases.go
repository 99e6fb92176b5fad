// Package rightstest holds the table of checks that every implementation
// of "does this holder have this right on this resource" must answer the
// same way: package rights itself, the check API of package rbac and
// productkit.Identity.Allows run it in their tests.
//
// It imports nothing of Sésame, not even package rights, so that the tests
// of any package may use it.
package rightstest

import "strings"

// Case is one check: may someone holding Held do Right on Resource?
// Held uses rights of the catalog in policies/ only, so that package rbac
// can store them; a held right that does not parse covers nothing.
type Case struct {
	Name     string
	Held     []string
	Right    string
	Resource string
	Allowed  bool
}

// Cases is the shared table.
var Cases = []Case{
	{Name: "whole right covers a resource", Held: []string{"domain:dns"}, Right: "domain:dns", Resource: "example.cm", Allowed: true},
	{Name: "whole right covers the whole product", Held: []string{"domain:dns"}, Right: "domain:dns", Allowed: true},
	{Name: "narrowed right covers its resource", Held: []string{"domain:dns:example.cm"}, Right: "domain:dns", Resource: "example.cm", Allowed: true},
	{Name: "resource compared without case", Held: []string{"domain:dns:example.cm"}, Right: "domain:dns", Resource: "Example.CM", Allowed: true},
	{Name: "held resource compared without case", Held: []string{"domain:dns:EXAMPLE.cm"}, Right: "domain:dns", Resource: "example.CM", Allowed: true},
	{Name: "trailing dot of an absolute name", Held: []string{"domain:dns:example.cm"}, Right: "domain:dns", Resource: "example.cm.", Allowed: true},
	{Name: "held resource with trailing dot", Held: []string{"domain:dns:example.cm."}, Right: "domain:dns", Resource: "example.cm", Allowed: true},
	{Name: "two trailing dots", Held: []string{"domain:dns"}, Right: "domain:dns", Resource: "example.cm..", Allowed: false},
	{Name: "lone dot", Held: []string{"domain:dns"}, Right: "domain:dns", Resource: ".", Allowed: false},
	{Name: "narrowed right does not cover another resource", Held: []string{"domain:dns:example.cm"}, Right: "domain:dns", Resource: "example.org", Allowed: false},
	{Name: "narrowed right does not cover a subdomain", Held: []string{"domain:dns:example.cm"}, Right: "domain:dns", Resource: "www.example.cm", Allowed: false},
	{Name: "narrowed right does not cover the whole product", Held: []string{"domain:dns:example.cm"}, Right: "domain:dns", Allowed: false},
	{Name: "right naming its resource", Held: []string{"domain:dns:example.cm"}, Right: "domain:dns:Example.cm", Allowed: true},
	{Name: "right naming its resource, whole right held", Held: []string{"domain:dns"}, Right: "domain:dns:example.cm", Allowed: true},
	{Name: "right and request name the same resource", Held: []string{"domain:dns"}, Right: "domain:dns:example.cm", Resource: "EXAMPLE.CM", Allowed: true},
	{Name: "right and request name different resources", Held: []string{"domain:dns"}, Right: "domain:dns:example.cm", Resource: "example.org", Allowed: false},
	{Name: "other action", Held: []string{"domain:dns"}, Right: "domain:manage", Resource: "example.cm", Allowed: false},
	{Name: "other product", Held: []string{"domain:read"}, Right: "server:read", Resource: "example.cm", Allowed: false},
	{Name: "one of several held rights", Held: []string{"server:read:vps-1", "domain:read", "domain:dns:example.cm"}, Right: "domain:dns", Resource: "example.cm", Allowed: true},
	{Name: "nothing held", Right: "domain:dns", Resource: "example.cm", Allowed: false},
	{Name: "unicode resource matches its punycode", Held: []string{"domain:dns:xn--caf-dma.cm"}, Right: "domain:dns", Resource: "Café.cm", Allowed: true},
	{Name: "unicode held resource", Held: []string{"domain:dns:café.cm"}, Right: "domain:dns", Resource: "xn--caf-dma.cm", Allowed: true},
	{Name: "unicode resource differs from its ascii look-alike", Held: []string{"domain:dns:cafe.cm"}, Right: "domain:dns", Resource: "café.cm", Allowed: false},
	{Name: "invalid internationalized name", Held: []string{"domain:dns"}, Right: "domain:dns", Resource: "caf\u00e9\u200d.cm", Allowed: false},
	{Name: "underscore label", Held: []string{"domain:dns"}, Right: "domain:dns", Resource: "_dmarc.example.cm", Allowed: true},
	{Name: "empty resource label", Held: []string{"domain:dns"}, Right: "domain:dns", Resource: "example..cm", Allowed: false},
	{Name: "label starting with a dash", Held: []string{"domain:dns"}, Right: "domain:dns", Resource: "-x.cm", Allowed: false},
	{Name: "space in a resource", Held: []string{"domain:dns"}, Right: "domain:dns", Resource: "exa mple.cm", Allowed: false},
	{Name: "colon in a resource", Held: []string{"domain:dns"}, Right: "domain:dns:a:b", Allowed: false},
	{Name: "label of 63 characters", Held: []string{"domain:dns"}, Right: "domain:dns", Resource: strings.Repeat("a", 63) + ".cm", Allowed: true},
	{Name: "label of 64 characters", Held: []string{"domain:dns"}, Right: "domain:dns", Resource: strings.Repeat("a", 64) + ".cm", Allowed: false},
	{Name: "resource of 253 characters", Held: []string{"domain:dns"}, Right: "domain:dns", Resource: strings.Repeat("a.", 125) + "cmr", Allowed: true},
	{Name: "resource of 255 characters", Held: []string{"domain:dns"}, Right: "domain:dns", Resource: strings.Repeat("a.", 126) + "cmr", Allowed: false},
	{Name: "wildcard resource", Held: []string{"domain:dns"}, Right: "domain:dns", Resource: "*", Allowed: false},
	{Name: "wildcard label", Held: []string{"domain:dns"}, Right: "domain:dns", Resource: "*.example.cm", Allowed: false},
	{Name: "wildcard resource in the right", Held: []string{"domain:dns"}, Right: "domain:dns:*", Allowed: false},
	{Name: "wildcard action", Held: []string{"domain:dns"}, Right: "domain:*", Resource: "example.cm", Allowed: false},
	{Name: "wildcard right", Held: []string{"domain:dns"}, Right: "*", Allowed: false},
	{Name: "held wildcard covers nothing", Held: []string{"*", "domain:*", "*:*"}, Right: "domain:dns", Resource: "example.cm", Allowed: false},
	{Name: "held malformed right covers nothing", Held: []string{"domain:dns:", "domain"}, Right: "domain:dns", Resource: "example.cm", Allowed: false},
	{Name: "upper-case right", Held: []string{"domain:dns"}, Right: "Domain:DNS", Resource: "example.cm", Allowed: false},
	{Name: "empty right", Held: []string{"domain:dns"}, Right: "", Resource: "example.cm", Allowed: false},
	{Name: "right without action", Held: []string{"domain:dns"}, Right: "domain", Resource: "example.cm", Allowed: false},
	{Name: "empty resource in the right", Held: []string{"domain:dns"}, Right: "domain:dns:", Allowed: false},
}
