package panel

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	// The PostgreSQL driver of the revocation store.
	_ "github.com/lib/pq"

	"github.com/sesame-idp/sesame/productkit"
)

// revocations returns the panel's revocation store: cfg.Revocations, or a
// PostgreSQL one in the table <product>_panel_revocations when
// cfg.DatabaseURL is set, or one in memory.
func revocations(cfg Config) (productkit.RevocationStore, error) {
	switch {
	case cfg.Revocations != nil:
		return cfg.Revocations, nil
	case cfg.DatabaseURL == "":
		return productkit.NewMemoryRevocations(0, cfg.Now), nil
	case !strings.HasPrefix(cfg.DatabaseURL, "postgres://") && !strings.HasPrefix(cfg.DatabaseURL, "postgresql://"):
		return nil, fmt.Errorf("demo: the database URL must be a postgres:// URL")
	}
	db, err := sql.Open("postgres", cfg.DatabaseURL)
	if err != nil {
		return nil, fmt.Errorf("demo: open the database: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	store, err := productkit.NewPostgresRevocations(ctx, productkit.PostgresConfig{
		DB: db, Table: cfg.Product + "_panel_revocations", Now: cfg.Now,
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	return store, nil
}
