//! Creating a store: the schema, then in one audited transaction the default tenant and stages,
//! the built-in catalog (permissions, implications, built-in roles), and the first
//! Administrator, mapped to the OS account that ran `init` as the peer operator.

use crate::catalog::{ADMINISTRATORS, Catalog};
use crate::model::validate;
use crate::model::*;
use crate::service::error::Error;
use crate::service::operator::{Operator, SignIn};
use crate::store::{AuditDraft, Location, Store, StoreOptions, Tx};

/// Who the first Administrator is.
#[derive(Clone, Debug)]
pub struct InitRequest {
    pub admin: String,
    pub email: Option<String>,
    pub os_account: String,
}

/// What `init` created.
#[derive(Clone, Debug, serde::Serialize)]
pub struct InitReport {
    pub store: String,
    pub tenant: String,
    pub stages: Vec<String>,
    pub permissions: usize,
    pub roles: Vec<String>,
    pub administrator: String,
    pub peer_os_account: String,
}

/// Creates and fills a new store; it appears at `location` whole, or (on any failure, or if
/// the process is killed meanwhile) not at all.
pub fn create_store(
    location: &Location,
    options: StoreOptions,
    request: &InitRequest,
    clock: &dyn Clock,
) -> Result<(Store, InitReport, Operator), Error> {
    let (draft, report, operator) = seeded_draft(location, options, request, clock)?;
    Ok((draft.publish()?, report, operator))
}

/// A draft of a new store (see [`Store::create_draft`]) holding what `init` puts in one, for
/// callers that fill it further before publishing it (`demo`). On failure nothing is left.
pub fn seeded_draft(
    location: &Location,
    options: StoreOptions,
    request: &InitRequest,
    clock: &dyn Clock,
) -> Result<(Store, InitReport, Operator), Error> {
    // Check the input before anything touches the disk.
    let admin = validate::username(&request.admin)?;
    let email = request.email.as_deref().map(validate::email).transpose()?;
    let catalog = Catalog::builtin().map_err(Error::Usage)?;
    let mut store = Store::create_draft(location, options)?;
    let now = clock.now();
    let result = store.write(|tx| seed(tx, &catalog, &admin, email, &request.os_account, now));
    match result {
        Ok((mut report, operator)) => {
            report.store = location.describe();
            Ok((store, report, operator))
        }
        Err(e) => {
            store.discard_new();
            Err(e)
        }
    }
}

fn seed(
    tx: &mut Tx<'_>,
    catalog: &Catalog,
    admin: &str,
    email: Option<String>,
    os_account: &str,
    now: Timestamp,
) -> Result<(InitReport, Operator), Error> {
    let mut changes: Vec<Change> = Vec::new();
    let mut apply = |tx: &mut Tx<'_>, mut change: Change| -> Result<Change, Error> {
        tx.apply(&mut change, now)?;
        changes.push(change.clone());
        Ok(change)
    };

    let Change::AddTenant { id: tenant_id, .. } = apply(
        tx,
        Change::AddTenant {
            id: TenantId(0),
            name: catalog.tenant.clone(),
        },
    )?
    else {
        unreachable_change()?
    };

    let mut stage_ids = std::collections::BTreeMap::new();
    for (i, name) in catalog.stages.iter().enumerate() {
        let position = i64::try_from(i).unwrap_or(i64::MAX) + 1;
        if let Change::AddStage { id, .. } = apply(
            tx,
            Change::AddStage {
                id: StageId(0),
                name: name.clone(),
                position,
            },
        )? {
            stage_ids.insert(name.to_lowercase(), Named::new(id, name.clone()));
        }
    }

    let mut permission_ids = std::collections::BTreeMap::new();
    for p in &catalog.permissions {
        if let Change::AddPermission { id, .. } = apply(
            tx,
            Change::AddPermission {
                id: PermissionId(0),
                key: p.key.clone(),
                fields: PermissionFields {
                    name: p.name.clone(),
                    section: p.section.clone(),
                    description: p.description.clone(),
                },
                app: None,
                builtin: true,
            },
        )? {
            permission_ids.insert(p.key.clone(), Named::new(id, p.key.clone()));
        }
    }
    let lookup = |key: &str| {
        permission_ids
            .get(key)
            .cloned()
            .ok_or_else(|| Error::Usage(format!("catalog: unknown permission {key}")))
    };
    for p in &catalog.permissions {
        for implied in &p.implies {
            apply(
                tx,
                Change::Imply {
                    permission: lookup(&p.key)?,
                    implied: lookup(implied)?,
                },
            )?;
        }
    }

    let mut admin_role = None;
    for role in &catalog.roles {
        let mut grants = Vec::new();
        for (perm, stage) in catalog.role_grants(role) {
            let stage = match stage {
                Some(s) => Some(
                    stage_ids
                        .get(&s.to_lowercase())
                        .cloned()
                        .ok_or_else(|| Error::Usage(format!("catalog: unknown stage {s}")))?,
                ),
                None => None,
            };
            grants.push(NamedGrant {
                permission: lookup(perm)?,
                scope: NamedScope {
                    scope: Scope::new(stage.as_ref().map(|s| s.id), None),
                    stage: stage.map(|s| s.name),
                    app: None,
                },
            });
        }
        if let Change::AddRole { id, key, .. } = apply(
            tx,
            Change::AddRole {
                id: RoleId(0),
                key: role.key.clone(),
                fields: RoleFields {
                    name: role.name.clone(),
                    description: role.description.clone(),
                },
                kind: RoleKind::Organization,
                app: None,
                builtin: true,
                grants,
                includes: Vec::new(),
            },
        )? {
            if key == ADMINISTRATORS {
                admin_role = Some(Named::new(id, key));
            }
        }
    }
    let admin_role =
        admin_role.ok_or_else(|| Error::Usage("catalog: no Administrators role".into()))?;

    let tenant = Named::new(tenant_id, catalog.tenant.clone());
    let Change::AddUser { id: admin_id, .. } = apply(
        tx,
        Change::AddUser {
            id: UserId(0),
            tenant,
            fields: UserFields {
                username: admin.to_string(),
                email,
                display_name: String::new(),
                kind: UserKind::Member,
                external_id: None,
            },
            status: UserStatus::Active,
        },
    )?
    else {
        unreachable_change()?
    };
    let admin_named = Named::new(admin_id, admin.to_string());
    apply(
        tx,
        Change::Assign {
            user: admin_named.clone(),
            role: admin_role,
            scope: NamedScope::organization(),
        },
    )?;
    apply(
        tx,
        Change::MapPeer {
            os_account: os_account.to_string(),
            user: admin_named,
        },
    )?;
    tx.set_meta("created_at", &now.rfc3339())?;
    tx.set_meta("created_by", concat!("warden ", env!("CARGO_PKG_VERSION")))?;

    let operator = Operator {
        user: admin_id,
        username: admin.to_string(),
        sign_in: SignIn::Peer {
            os_account: os_account.to_string(),
        },
    };
    let summary = format!(
        "create the store: tenant {}, stages {}, {} catalog permissions, built-in roles {}, administrator {admin} (peer: OS account {os_account})",
        catalog.tenant,
        catalog.stages.join(", "),
        catalog.permissions.len(),
        catalog
            .roles
            .iter()
            .map(|r| r.name.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    );
    let detail = serde_json::json!({ "changes": changes }).to_string();
    tx.append_audit(&AuditDraft {
        at: now,
        tenant: catalog.tenant.clone(),
        operator: operator.audit_label(),
        action: "init".into(),
        summary,
        detail,
    })?;
    let report = InitReport {
        store: String::new(),
        tenant: catalog.tenant.clone(),
        stages: catalog.stages.clone(),
        permissions: catalog.permissions.len(),
        roles: catalog.roles.iter().map(|r| r.name.clone()).collect(),
        administrator: admin.to_string(),
        peer_os_account: os_account.to_string(),
    };
    Ok((report, operator))
}

/// `apply` hands back the variant it was given; reaching this is a bug, reported, not a panic.
fn unreachable_change<T>() -> Result<T, Error> {
    Err(Error::Usage(
        "internal error: a change came back as another kind".into(),
    ))
}
