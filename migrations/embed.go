// Package migrations embeds Sésame's SQL migrations: one numbered folder of
// goose files per dialect (postgres/, sqlite/), kept in step by number.
package migrations

import "embed"

// FS holds postgres/*.sql and sqlite/*.sql.
//
//go:embed postgres/*.sql sqlite/*.sql
var FS embed.FS
