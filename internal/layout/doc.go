// Package layout holds no code: its test enforces the import rules that
// the doc.go of every package states (DESIGN.md §2): imports flow one way,
// cmd → app → web → members → (account, rbac, oauth, mail, audit) → db,
// and what products import (productkit, rights) needs nothing of the
// server side.
package layout
