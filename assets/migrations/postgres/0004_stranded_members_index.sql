-- warden schema, version 4 (PostgreSQL): an index for the "no member without a way to sign in"
-- post-condition. Every write checks it before and after; without this partial index each
-- check scans every user (16 ms at 100k users), with it the check reads only the few active
-- members that have no password.

CREATE INDEX users_without_password
    ON users(username_key)
    WHERE kind = 'member' AND status = 'active' AND password_hash IS NULL;
