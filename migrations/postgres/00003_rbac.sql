-- +goose Up
-- Casbin rules, one row per rule (see policies/model.conf):
--   p, subject, account, resource, right, expiry   (ptype 'p': v0..v4)
--   g, member, role, account                       (ptype 'g': v0..v2)
-- Unused fields hold ''. Enforcers load one account at a time, so both
-- kinds of rule are indexed by their account column.
CREATE TABLE casbin_rule (
    id     BIGSERIAL PRIMARY KEY,
    ptype  TEXT NOT NULL,
    v0     TEXT NOT NULL DEFAULT '',
    v1     TEXT NOT NULL DEFAULT '',
    v2     TEXT NOT NULL DEFAULT '',
    v3     TEXT NOT NULL DEFAULT '',
    v4     TEXT NOT NULL DEFAULT '',
    v5     TEXT NOT NULL DEFAULT ''
);
-- One copy of each rule; its prefix (ptype, v1, v0) serves "the p rules of
-- an account" and "the p rules of a member in an account".
CREATE UNIQUE INDEX casbin_rule_unique ON casbin_rule (ptype, v1, v0, v2, v3, v4, v5);
-- "The g rules of an account" and "of a member in an account".
CREATE INDEX casbin_rule_g_account ON casbin_rule (v2, v0) WHERE ptype = 'g';
-- Expiring grants, for the purge.
CREATE INDEX casbin_rule_p_expiry ON casbin_rule (v4) WHERE ptype = 'p' AND v4 <> '';

-- Role templates: named sets of rights offered when granting (e.g.
-- "Comptable" = billing:read billing:pay). rights is a JSON array.
CREATE TABLE role_templates (
    id          TEXT PRIMARY KEY,
    name_fr     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    rights      TEXT NOT NULL DEFAULT '[]',
    updated_at  TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE role_templates;
DROP TABLE casbin_rule;
