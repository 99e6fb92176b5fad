// Package policies embeds the assets of Sésame's rights engine: the Casbin
// model (model.conf), the catalog of rights with their French and English
// labels and groups (catalog.json), and the default role templates offered
// when granting rights (templates.json). Extend the catalog by editing
// catalog.json; package rbac parses and validates these files at start.
//
// Package policies imports nothing of Sésame.
package policies

import _ "embed"

// Model is the Casbin model text (RBAC with domains, expiring rules).
//
//go:embed model.conf
var Model string

// Catalog is the JSON catalog of rights: {"groups": [...], "rights": [...]}.
//
//go:embed catalog.json
var Catalog []byte

// Templates is the JSON list of default role templates.
//
//go:embed templates.json
var Templates []byte
