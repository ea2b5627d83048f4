//! Changes: the primitive mutations of the store. The service turns each command into a list of
//! changes; the store applies them in one transaction; the engine will apply the same list to
//! its in-memory graph for previews; and the audit record is the list serialized. Each change
//! therefore carries ids (to apply) and names (to record): ids never reach the audit, names
//! always do, and no secret is ever a field here (a password hash or a token digest is never
//! serialized at all).
//!
//! The one other serialization is [`encode_with_ids`]: the newest change kept, ids included,
//! so that it can be undone by anyone later (the audit record names it; this restores it).

use std::cell::Cell;

use serde::{Deserialize, Serialize};

use super::ids::*;
use super::scope::Scope;
use super::vocab::{RoleKind, UserKind, UserStatus};

thread_local! {
    /// Whether changes serialize with their ids: only inside [`encode_with_ids`].
    static WITH_IDS: Cell<bool> = const { Cell::new(false) };
}

/// `changes` as JSON with their ids: what is kept of the newest change so it can be undone.
/// Never an audit record (those name things, and carry no ids).
pub fn encode_with_ids(changes: &[Change]) -> Result<String, serde_json::Error> {
    WITH_IDS.with(|on| on.set(true));
    let encoded = serde_json::to_string(changes);
    WITH_IDS.with(|on| on.set(false));
    encoded
}

/// Changes read back from [`encode_with_ids`].
pub fn decode_with_ids(text: &str) -> Result<Vec<Change>, serde_json::Error> {
    serde_json::from_str(text)
}

/// For `skip_serializing_if`: ids are left out except in [`encode_with_ids`].
fn ids_hidden<T>(_: &T) -> bool {
    !WITH_IDS.with(Cell::get)
}

/// An id together with the natural name it is recorded under.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Named<I> {
    pub id: I,
    pub name: String,
}

/// How a [`Named`] is written with its id.
#[derive(Serialize, Deserialize)]
struct NamedWithId<I> {
    id: I,
    name: String,
}

impl<I> Named<I> {
    pub fn new(id: I, name: impl Into<String>) -> Self {
        Named {
            id,
            name: name.into(),
        }
    }
}

impl<I: Serialize + Copy> Serialize for Named<I> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if ids_hidden(self) {
            s.serialize_str(&self.name)
        } else {
            NamedWithId {
                id: self.id,
                name: self.name.clone(),
            }
            .serialize(s)
        }
    }
}

impl<'de, I: Deserialize<'de> + Default> Deserialize<'de> for Named<I> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either<I> {
            Name(String),
            WithId(NamedWithId<I>),
        }
        Ok(match Either::deserialize(d)? {
            Either::Name(name) => Named {
                id: I::default(),
                name,
            },
            Either::WithId(named) => Named {
                id: named.id,
                name: named.name,
            },
        })
    }
}

/// A scope with the names of its stage and app.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedScope {
    #[serde(skip_serializing_if = "ids_hidden", default)]
    pub scope: Scope,
    pub stage: Option<String>,
    pub app: Option<String>,
}

impl NamedScope {
    pub fn organization() -> Self {
        NamedScope {
            scope: Scope::ORGANIZATION,
            stage: None,
            app: None,
        }
    }

    /// `organization`, `stage QA`, `app shop`, `stage QA, app shop`.
    pub fn describe(&self) -> String {
        match (&self.stage, &self.app) {
            (None, None) => "organization".to_string(),
            (Some(s), None) => format!("stage {s}"),
            (None, Some(a)) => format!("app {a}"),
            (Some(s), Some(a)) => format!("stage {s}, app {a}"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserFields {
    pub username: String,
    pub email: Option<String>,
    pub display_name: String,
    pub kind: UserKind,
    pub external_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupFields {
    pub name: String,
    pub description: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleFields {
    pub name: String,
    pub description: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermissionFields {
    pub name: String,
    pub section: String,
    pub description: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppFields {
    pub name: String,
    pub description: String,
}

/// A grant as part of a new role.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedGrant {
    pub permission: Named<PermissionId>,
    #[serde(flatten)]
    pub scope: NamedScope,
}

/// One primitive mutation. `Add*` variants carry an id the store fills in when applying.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Change {
    AddTenant {
        #[serde(skip_serializing_if = "ids_hidden", default)]
        id: TenantId,
        name: String,
    },
    AddStage {
        #[serde(skip_serializing_if = "ids_hidden", default)]
        id: StageId,
        name: String,
        position: i64,
    },
    DeleteStage {
        stage: Named<StageId>,
        position: i64,
    },
    AddApp {
        #[serde(skip_serializing_if = "ids_hidden", default)]
        id: AppId,
        key: String,
        #[serde(flatten)]
        fields: AppFields,
    },
    EditApp {
        app: Named<AppId>,
        before: AppFields,
        after: AppFields,
    },
    DeleteApp {
        app: Named<AppId>,
        before: AppFields,
    },
    AddUser {
        #[serde(skip_serializing_if = "ids_hidden", default)]
        id: UserId,
        tenant: Named<TenantId>,
        #[serde(flatten)]
        fields: UserFields,
        status: UserStatus,
    },
    EditUser {
        user: Named<UserId>,
        before: UserFields,
        after: UserFields,
    },
    SetUserStatus {
        user: Named<UserId>,
        before: UserStatus,
        after: UserStatus,
    },
    /// Memberships and assignments are removed by explicit changes before this one.
    DeleteUser {
        user: Named<UserId>,
        tenant: Named<TenantId>,
        before: UserFields,
        status: UserStatus,
    },
    AddGroup {
        #[serde(skip_serializing_if = "ids_hidden", default)]
        id: GroupId,
        tenant: Named<TenantId>,
        stage: Named<StageId>,
        #[serde(flatten)]
        fields: GroupFields,
    },
    EditGroup {
        group: Named<GroupId>,
        before: GroupFields,
        after: GroupFields,
    },
    /// Members and roles are removed by explicit changes before this one.
    DeleteGroup {
        group: Named<GroupId>,
        tenant: Named<TenantId>,
        stage: Named<StageId>,
        before: GroupFields,
    },
    AddMember {
        group: Named<GroupId>,
        user: Named<UserId>,
    },
    RemoveMember {
        group: Named<GroupId>,
        user: Named<UserId>,
    },
    AddGroupRole {
        group: Named<GroupId>,
        role: Named<RoleId>,
    },
    RemoveGroupRole {
        group: Named<GroupId>,
        role: Named<RoleId>,
    },
    AddRole {
        #[serde(skip_serializing_if = "ids_hidden", default)]
        id: RoleId,
        key: String,
        #[serde(flatten)]
        fields: RoleFields,
        kind: RoleKind,
        app: Option<Named<AppId>>,
        builtin: bool,
        grants: Vec<NamedGrant>,
        includes: Vec<Named<RoleId>>,
    },
    EditRole {
        role: Named<RoleId>,
        before: RoleFields,
        after: RoleFields,
    },
    /// Grants, inclusions, group roles and assignments are removed by explicit changes first.
    DeleteRole {
        role: Named<RoleId>,
        kind: RoleKind,
        app: Option<Named<AppId>>,
        before: RoleFields,
    },
    Grant {
        role: Named<RoleId>,
        permission: Named<PermissionId>,
        #[serde(flatten)]
        scope: NamedScope,
    },
    Revoke {
        role: Named<RoleId>,
        permission: Named<PermissionId>,
        #[serde(flatten)]
        scope: NamedScope,
    },
    Include {
        role: Named<RoleId>,
        included: Named<RoleId>,
    },
    Exclude {
        role: Named<RoleId>,
        included: Named<RoleId>,
    },
    AddPermission {
        #[serde(skip_serializing_if = "ids_hidden", default)]
        id: PermissionId,
        key: String,
        #[serde(flatten)]
        fields: PermissionFields,
        app: Option<Named<AppId>>,
        builtin: bool,
    },
    EditPermission {
        permission: Named<PermissionId>,
        before: PermissionFields,
        after: PermissionFields,
    },
    /// Grants and implications are removed by explicit changes first.
    DeletePermission {
        permission: Named<PermissionId>,
        app: Option<Named<AppId>>,
        before: PermissionFields,
    },
    Imply {
        permission: Named<PermissionId>,
        implied: Named<PermissionId>,
    },
    Unimply {
        permission: Named<PermissionId>,
        implied: Named<PermissionId>,
    },
    Assign {
        user: Named<UserId>,
        role: Named<RoleId>,
        #[serde(flatten)]
        scope: NamedScope,
    },
    Unassign {
        user: Named<UserId>,
        role: Named<RoleId>,
        #[serde(flatten)]
        scope: NamedScope,
    },
    /// Maps an OS account to an operator for peer sign-in on a local store.
    MapPeer {
        os_account: String,
        user: Named<UserId>,
    },
    /// A new password. The hash is applied, never recorded: the audit shows only who and
    /// whether it is temporary.
    SetPassword {
        user: Named<UserId>,
        temporary: bool,
        #[serde(skip, default)]
        hash: String,
    },
    /// Clears a lockout.
    Unlock {
        user: Named<UserId>,
        failed_attempts: i64,
    },
    /// A policy setting changed (`before`/`after` are the effective values).
    SetSetting {
        key: String,
        before: String,
        after: String,
    },
    /// An API client token; its secret is shown once and stored only as a digest.
    CreateToken {
        token: String,
        user: Named<UserId>,
        name: String,
        #[serde(skip, default)]
        secret_digest: String,
    },
    RevokeToken {
        token: String,
        user: Named<UserId>,
    },
}

impl Change {
    /// The snake_case operation name, as in the audit detail.
    pub fn op(&self) -> &'static str {
        match self {
            Change::AddTenant { .. } => "add_tenant",
            Change::AddStage { .. } => "add_stage",
            Change::DeleteStage { .. } => "delete_stage",
            Change::AddApp { .. } => "add_app",
            Change::EditApp { .. } => "edit_app",
            Change::DeleteApp { .. } => "delete_app",
            Change::AddUser { .. } => "add_user",
            Change::EditUser { .. } => "edit_user",
            Change::SetUserStatus { .. } => "set_user_status",
            Change::DeleteUser { .. } => "delete_user",
            Change::AddGroup { .. } => "add_group",
            Change::EditGroup { .. } => "edit_group",
            Change::DeleteGroup { .. } => "delete_group",
            Change::AddMember { .. } => "add_member",
            Change::RemoveMember { .. } => "remove_member",
            Change::AddGroupRole { .. } => "add_group_role",
            Change::RemoveGroupRole { .. } => "remove_group_role",
            Change::AddRole { .. } => "add_role",
            Change::EditRole { .. } => "edit_role",
            Change::DeleteRole { .. } => "delete_role",
            Change::Grant { .. } => "grant",
            Change::Revoke { .. } => "revoke",
            Change::Include { .. } => "include",
            Change::Exclude { .. } => "exclude",
            Change::AddPermission { .. } => "add_permission",
            Change::EditPermission { .. } => "edit_permission",
            Change::DeletePermission { .. } => "delete_permission",
            Change::Imply { .. } => "imply",
            Change::Unimply { .. } => "unimply",
            Change::Assign { .. } => "assign",
            Change::Unassign { .. } => "unassign",
            Change::MapPeer { .. } => "map_peer",
            Change::SetPassword { .. } => "set_password",
            Change::Unlock { .. } => "unlock",
            Change::SetSetting { .. } => "set_setting",
            Change::CreateToken { .. } => "create_token",
            Change::RevokeToken { .. } => "revoke_token",
        }
    }

    /// The user the change is about, by name, when it is about one user (for per-user
    /// reports of bulk commands).
    pub fn user_name(&self) -> Option<&str> {
        match self {
            Change::AddUser { fields, .. } => Some(&fields.username),
            Change::EditUser { user, .. }
            | Change::SetUserStatus { user, .. }
            | Change::DeleteUser { user, .. }
            | Change::AddMember { user, .. }
            | Change::RemoveMember { user, .. }
            | Change::Assign { user, .. }
            | Change::Unassign { user, .. }
            | Change::SetPassword { user, .. }
            | Change::Unlock { user, .. } => Some(&user.name),
            _ => None,
        }
    }

    /// The user the change is about, by id, when it is about one user.
    pub fn user_id(&self) -> Option<UserId> {
        match self {
            Change::AddUser { id, .. } => Some(*id),
            Change::EditUser { user, .. }
            | Change::SetUserStatus { user, .. }
            | Change::DeleteUser { user, .. }
            | Change::AddMember { user, .. }
            | Change::RemoveMember { user, .. }
            | Change::Assign { user, .. }
            | Change::Unassign { user, .. }
            | Change::SetPassword { user, .. }
            | Change::Unlock { user, .. } => Some(user.id),
            _ => None,
        }
    }

    /// Whether the change can only add — to the catalog, or to what someone holds — and never
    /// take anyone's access away. An import judges a run of such changes on the operator's
    /// rights as they were before it (stricter, never looser, than after), reading them again
    /// only when a change is refused for want of them; any other change has them read again at
    /// once. Exhaustive on purpose: a new variant must say which it is.
    pub fn only_adds(&self) -> bool {
        match self {
            Change::AddTenant { .. }
            | Change::AddStage { .. }
            | Change::AddApp { .. }
            | Change::EditApp { .. }
            | Change::AddUser { .. }
            | Change::AddGroup { .. }
            | Change::EditGroup { .. }
            | Change::AddMember { .. }
            | Change::AddGroupRole { .. }
            | Change::AddRole { .. }
            | Change::EditRole { .. }
            | Change::Grant { .. }
            | Change::Include { .. }
            | Change::AddPermission { .. }
            | Change::EditPermission { .. }
            | Change::Imply { .. }
            | Change::Assign { .. }
            | Change::SetPassword { .. }
            | Change::Unlock { .. }
            | Change::SetSetting { .. }
            | Change::CreateToken { .. } => true,
            Change::DeleteStage { .. }
            | Change::DeleteApp { .. }
            | Change::EditUser { .. }
            | Change::SetUserStatus { .. }
            | Change::DeleteUser { .. }
            | Change::DeleteGroup { .. }
            | Change::RemoveMember { .. }
            | Change::RemoveGroupRole { .. }
            | Change::DeleteRole { .. }
            | Change::Revoke { .. }
            | Change::Exclude { .. }
            | Change::DeletePermission { .. }
            | Change::Unimply { .. }
            | Change::Unassign { .. }
            | Change::MapPeer { .. }
            | Change::RevokeToken { .. } => false,
        }
    }

    /// Whether the change can alter any user's effective permissions (used to decide which
    /// post-conditions to check and, later, what a preview must recompute).
    pub fn touches_roles_or_permissions(&self) -> bool {
        matches!(
            self,
            Change::DeleteRole { .. }
                | Change::Grant { .. }
                | Change::Revoke { .. }
                | Change::Include { .. }
                | Change::Exclude { .. }
                | Change::DeletePermission { .. }
                | Change::Unimply { .. }
                | Change::Imply { .. }
                | Change::AddRole { .. }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audit_form_has_names_and_no_ids() {
        let change = Change::Assign {
            user: Named::new(UserId(41), "alice"),
            role: Named::new(RoleId(7), "deployer"),
            scope: NamedScope {
                scope: Scope::new(Some(StageId(2)), None),
                stage: Some("QA".into()),
                app: None,
            },
        };
        let json = serde_json::to_string(&change).unwrap();
        assert_eq!(
            json,
            r#"{"op":"assign","user":"alice","role":"deployer","stage":"QA","app":null}"#
        );
    }

    #[test]
    fn kept_for_undo_the_ids_come_back_and_secrets_never_go() {
        let changes = vec![
            Change::Assign {
                user: Named::new(UserId(41), "alice"),
                role: Named::new(RoleId(7), "deployer"),
                scope: NamedScope {
                    scope: Scope::new(Some(StageId(2)), Some(AppId(3))),
                    stage: Some("QA".into()),
                    app: Some("shop".into()),
                },
            },
            Change::AddUser {
                id: UserId(99),
                tenant: Named::new(TenantId(1), "default"),
                fields: UserFields {
                    username: "bob".into(),
                    email: None,
                    display_name: "Bob".into(),
                    kind: UserKind::EndUser,
                    external_id: None,
                },
                status: UserStatus::Invited,
            },
            Change::SetPassword {
                user: Named::new(UserId(41), "alice"),
                temporary: true,
                hash: "$argon2id$secret".into(),
            },
        ];
        let kept = encode_with_ids(&changes).unwrap();
        assert!(!kept.contains("argon2id"), "{kept}");
        let back = decode_with_ids(&kept).unwrap();
        assert_eq!(back[..2], changes[..2]);
        assert!(matches!(&back[2], Change::SetPassword { hash, .. } if hash.is_empty()));
        // The audit form, after (and on the same thread), still has no ids.
        let audit = serde_json::to_string(&changes[0]).unwrap();
        assert!(!audit.contains("41"), "{audit}");
    }
}
