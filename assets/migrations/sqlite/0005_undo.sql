-- warden schema, version 5 (SQLite): the newest change kept with its ids, so that anyone may
-- undo it later (`warden undo`, `U` in the console). The audit record names what changed and
-- carries no ids; this row restores the change exactly. One row at most: only the newest
-- change can be undone, and each write replaces it. No password hash or token digest is ever
-- in it.

CREATE TABLE undo_changes (
    audit_id INTEGER PRIMARY KEY REFERENCES audit(id),
    changes  TEXT NOT NULL
);
