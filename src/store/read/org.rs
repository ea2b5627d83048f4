//! Tenants, stages, apps and peer operators.

use super::super::Tx;
use super::super::error::StoreError;
use super::super::sql::Row;
use crate::model::{App, AppId, Stage, StageId, Tenant, TenantId, UserId};

fn tenant(row: &Row) -> Result<Tenant, StoreError> {
    Ok(Tenant {
        id: TenantId(row.int(0)?),
        name: row.text(1)?,
    })
}

fn stage(row: &Row) -> Result<Stage, StoreError> {
    Ok(Stage {
        id: StageId(row.int(0)?),
        name: row.text(1)?,
        position: row.int(2)?,
    })
}

fn app(row: &Row) -> Result<App, StoreError> {
    Ok(App {
        id: AppId(row.int(0)?),
        key: row.text(1)?,
        name: row.text(2)?,
        description: row.text(3)?,
    })
}

/// How many rows of each kind refer to a stage or an app.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    pub groups: i64,
    pub roles: i64,
    pub permissions: i64,
    pub grants: i64,
    pub assignments: i64,
}

impl Usage {
    pub fn is_unused(&self) -> bool {
        *self == Usage::default()
    }
}

impl Tx<'_> {
    pub fn tenants(&mut self) -> Result<Vec<Tenant>, StoreError> {
        self.rows("SELECT id, name FROM tenants ORDER BY name", &[], tenant)
    }

    pub fn tenant_by_name(&mut self, name: &str) -> Result<Option<Tenant>, StoreError> {
        self.row(
            "SELECT id, name FROM tenants WHERE name = ?",
            &[name.into()],
            tenant,
        )
    }

    pub fn tenant(&mut self, id: TenantId) -> Result<Option<Tenant>, StoreError> {
        self.row(
            "SELECT id, name FROM tenants WHERE id = ?",
            &[id.0.into()],
            tenant,
        )
    }

    /// Stages in their configured order.
    pub fn stages(&mut self) -> Result<Vec<Stage>, StoreError> {
        self.rows(
            "SELECT id, name, position FROM stages ORDER BY position, id",
            &[],
            stage,
        )
    }

    /// A stage by name, case-insensitively.
    pub fn stage_by_name(&mut self, name: &str) -> Result<Option<Stage>, StoreError> {
        let key = crate::model::validate::fold(name.trim());
        self.row(
            "SELECT id, name, position FROM stages WHERE name_key = ?",
            &[key.as_str().into()],
            stage,
        )
    }

    pub fn stage(&mut self, id: StageId) -> Result<Option<Stage>, StoreError> {
        self.row(
            "SELECT id, name, position FROM stages WHERE id = ?",
            &[id.0.into()],
            stage,
        )
    }

    pub fn stage_usage(&mut self, id: StageId) -> Result<Usage, StoreError> {
        Ok(Usage {
            groups: self.count(
                "SELECT count(*) FROM groups WHERE stage_id = ?",
                &[id.0.into()],
            )?,
            grants: self.count(
                "SELECT count(*) FROM role_grants WHERE stage_id = ?",
                &[id.0.into()],
            )?,
            assignments: self.count(
                "SELECT count(*) FROM assignments WHERE stage_id = ?",
                &[id.0.into()],
            )?,
            ..Usage::default()
        })
    }

    pub fn apps(&mut self) -> Result<Vec<App>, StoreError> {
        self.rows(
            "SELECT id, key, name, description FROM apps ORDER BY key",
            &[],
            app,
        )
    }

    pub fn app_by_key(&mut self, key: &str) -> Result<Option<App>, StoreError> {
        self.row(
            "SELECT id, key, name, description FROM apps WHERE key = ?",
            &[key.into()],
            app,
        )
    }

    pub fn app(&mut self, id: AppId) -> Result<Option<App>, StoreError> {
        self.row(
            "SELECT id, key, name, description FROM apps WHERE id = ?",
            &[id.0.into()],
            app,
        )
    }

    pub fn app_usage(&mut self, id: AppId) -> Result<Usage, StoreError> {
        Ok(Usage {
            roles: self.count(
                "SELECT count(*) FROM roles WHERE app_id = ?",
                &[id.0.into()],
            )?,
            permissions: self.count(
                "SELECT count(*) FROM permissions WHERE app_id = ?",
                &[id.0.into()],
            )?,
            grants: self.count(
                "SELECT count(*) FROM role_grants WHERE app_id = ?",
                &[id.0.into()],
            )?,
            assignments: self.count(
                "SELECT count(*) FROM assignments WHERE app_id = ?",
                &[id.0.into()],
            )?,
            ..Usage::default()
        })
    }

    /// The operator an OS account may act as without a password, if any.
    pub fn peer_operator(&mut self, os_account: &str) -> Result<Option<UserId>, StoreError> {
        self.row(
            "SELECT user_id FROM peer_operators WHERE os_account = ?",
            &[os_account.into()],
            |r| r.int(0).map(UserId),
        )
    }

    /// Every peer mapping: (OS account, operator).
    pub fn peer_operators(&mut self) -> Result<Vec<(String, UserId)>, StoreError> {
        self.rows(
            "SELECT os_account, user_id FROM peer_operators ORDER BY os_account",
            &[],
            |r| Ok((r.text(0)?, UserId(r.int(1)?))),
        )
    }
}
