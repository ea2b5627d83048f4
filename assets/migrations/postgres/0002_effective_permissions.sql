-- warden schema, version 2 (PostgreSQL): the effective_permissions view, the same rows as on
-- SQLite (`IS NOT DISTINCT FROM` where SQLite writes `IS`).
--
-- Another application reading the store gets the engine's answer without linking warden:
--   SELECT permission, stage, app FROM effective_permissions
--   WHERE tenant = 'default' AND username = 'alice';
-- One row per atom a user holds, at its widest scope (an atom covered by a wider one of the same
-- permission is left out); stage and app are NULL for "any". Semantics as SPEC §2: only active
-- users; direct assignments and group roles (at the group's stage and the role's app); role
-- inclusion; grant scope intersected with assignment scope; implication closure. UNION (not
-- UNION ALL) in the recursive parts makes them stop on repeats, so even a cyclic store cannot
-- loop. The view is computed for every user each time it is read: filter on username.

CREATE VIEW effective_permissions AS
WITH RECURSIVE
    sources(user_id, role_id, stage_id, app_id) AS (
        SELECT a.user_id, a.role_id, a.stage_id, a.app_id
        FROM assignments a
        UNION
        SELECT m.user_id, gr.role_id, g.stage_id, r.app_id
        FROM group_members m
        JOIN groups g ON g.id = m.group_id
        JOIN group_roles gr ON gr.group_id = g.id
        JOIN roles r ON r.id = gr.role_id
    ),
    reach(user_id, role_id, stage_id, app_id) AS (
        SELECT user_id, role_id, stage_id, app_id FROM sources
        UNION
        SELECT reach.user_id, i.included_id, reach.stage_id, reach.app_id
        FROM reach JOIN role_includes i ON i.role_id = reach.role_id
    ),
    granted(user_id, permission_id, stage_id, app_id) AS (
        SELECT reach.user_id, g.permission_id,
               COALESCE(reach.stage_id, g.stage_id), COALESCE(reach.app_id, g.app_id)
        FROM reach JOIN role_grants g ON g.role_id = reach.role_id
        WHERE (reach.stage_id IS NULL OR g.stage_id IS NULL OR reach.stage_id = g.stage_id)
          AND (reach.app_id IS NULL OR g.app_id IS NULL OR reach.app_id = g.app_id)
    ),
    held(user_id, permission_id, stage_id, app_id) AS (
        SELECT user_id, permission_id, stage_id, app_id FROM granted
        UNION
        SELECT held.user_id, im.implied_id, held.stage_id, held.app_id
        FROM held JOIN implications im ON im.permission_id = held.permission_id
    )
SELECT t.name AS tenant, u.username AS username, p.key AS permission,
       s.name AS stage, a.key AS app
FROM held h
JOIN users u ON u.id = h.user_id AND u.status = 'active'
JOIN tenants t ON t.id = u.tenant_id
JOIN permissions p ON p.id = h.permission_id
LEFT JOIN stages s ON s.id = h.stage_id
LEFT JOIN apps a ON a.id = h.app_id
WHERE NOT EXISTS (
    SELECT 1 FROM held w
    WHERE w.user_id = h.user_id AND w.permission_id = h.permission_id
      AND (w.stage_id IS NULL OR w.stage_id = h.stage_id)
      AND (w.app_id IS NULL OR w.app_id = h.app_id)
      AND NOT (w.stage_id IS NOT DISTINCT FROM h.stage_id
             AND w.app_id IS NOT DISTINCT FROM h.app_id)
);
