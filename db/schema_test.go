package db_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/db/dbtest"
)

// column is one column of a migrated schema: its table, name and type
// family.
type column struct{ table, name, family string }

// TestMigrationsAgree migrates an empty PostgreSQL and an empty SQLite
// database from scratch and checks that the two dialects' migrations give
// the same tables with the same columns, of the same type family.
func TestMigrationsAgree(t *testing.T) {
	ctx := context.Background()
	pg := dbtest.EmptyPostgres(t) // skips without a server
	lite := dbtest.EmptySQLite(t)
	for _, d := range []*db.DB{pg, lite} {
		if _, err := d.Migrate(ctx); err != nil {
			t.Fatalf("migrate %s: %v", d.Dialect, err)
		}
	}
	want := schema(t, pg, `SELECT table_name, column_name, data_type FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name <> 'goose_db_version'`)
	got := schema(t, lite, `SELECT m.name, p.name, p.type FROM sqlite_master m JOIN pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\_%' ESCAPE '\' AND m.name <> 'goose_db_version'`)
	if len(want) == 0 {
		t.Fatal("no table in the PostgreSQL schema")
	}
	for _, key := range slices.Sorted(maps.Keys(want)) {
		c, ok := got[key]
		switch {
		case !ok:
			t.Errorf("%s.%s (%s) exists on PostgreSQL only", want[key].table, want[key].name, want[key].family)
		case c.family != want[key].family:
			t.Errorf("%s.%s is %s on PostgreSQL, %s on SQLite", c.table, c.name, want[key].family, c.family)
		}
	}
	for _, key := range slices.Sorted(maps.Keys(got)) {
		if _, ok := want[key]; !ok {
			t.Errorf("%s.%s (%s) exists on SQLite only", got[key].table, got[key].name, got[key].family)
		}
	}
}

// schema runs query, which lists (table, column, declared type), and
// returns the columns by "table.column".
func schema(t *testing.T, d *db.DB, query string) map[string]column {
	t.Helper()
	rows, err := d.QueryContext(context.Background(), query)
	if err != nil {
		t.Fatalf("%s schema: %v", d.Dialect, err)
	}
	defer rows.Close()
	cols := map[string]column{}
	for rows.Next() {
		var table, name, typ string
		if err := rows.Scan(&table, &name, &typ); err != nil {
			t.Fatal(err)
		}
		family, err := typeFamily(typ)
		if err != nil {
			t.Errorf("%s: %s.%s: %v", d.Dialect, table, name, err)
		}
		cols[table+"."+name] = column{table, name, family}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return cols
}

// typeFamily maps a PostgreSQL data_type or an SQLite declared type to a
// coarse family; an unknown type is an error, so that a new type is
// classified on purpose rather than compared loosely.
func typeFamily(typ string) (string, error) {
	t := strings.ToLower(strings.TrimSpace(typ))
	if i := strings.IndexByte(t, '('); i >= 0 { // varchar(254), numeric(10,2)
		t = strings.TrimSpace(t[:i])
	}
	switch t {
	case "text", "character varying", "varchar", "character", "char", "clob":
		return "text", nil
	case "integer", "int", "bigint", "smallint":
		return "integer", nil
	case "timestamp with time zone", "timestamp without time zone", "timestamptz", "timestamp", "datetime":
		return "timestamp", nil
	case "boolean", "bool":
		return "bool", nil
	case "bytea", "blob":
		return "bytes", nil
	case "real", "double precision", "double", "float", "numeric":
		return "number", nil
	}
	return t, fmt.Errorf("type %q has no family", typ)
}
