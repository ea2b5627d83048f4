-- warden schema, version 6 (PostgreSQL): groups looked up by name. A group is named by its name (and
-- stage only when the name is in several), but the unique index leads with the stage, so each
-- lookup read every group of the tenant: at 1,000 groups, importing 142,708 memberships spent
-- most of its 18 s there.

CREATE INDEX groups_by_name ON groups(tenant_id, name_key);
