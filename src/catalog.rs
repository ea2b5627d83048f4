//! The built-in permission catalog (`assets/catalog.toml`, compiled in): permissions with their
//! sections and implications, the built-in roles, the default tenant and stages. Parsed and
//! checked here; loaded into a new store by the service's `init`.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

const CATALOG_TOML: &str = include_str!("../assets/catalog.toml");

/// Keys of the built-in roles the rules refer to.
pub const ADMINISTRATORS: &str = "administrators";
pub const DEVELOPERS: &str = "developers";

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    pub tenant: String,
    pub stages: Vec<String>,
    #[serde(rename = "permission")]
    pub permissions: Vec<CatalogPermission>,
    #[serde(rename = "role")]
    pub roles: Vec<CatalogRole>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogPermission {
    pub key: String,
    pub name: String,
    pub section: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub implies: Vec<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogRole {
    pub key: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub grants: Vec<CatalogGrant>,
}

/// `"perm"` (organization scope), `"*"` (every catalog permission) or
/// `{ permission = "perm", stage = "Development" }`.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum CatalogGrant {
    Key(String),
    Scoped {
        permission: String,
        #[serde(default)]
        stage: Option<String>,
    },
}

impl CatalogGrant {
    /// `(permission key, stage name)` pairs this entry stands for.
    fn expand<'c>(&'c self, catalog: &'c Catalog) -> Vec<(&'c str, Option<&'c str>)> {
        match self {
            CatalogGrant::Key(k) if k == "*" => catalog
                .permissions
                .iter()
                .map(|p| (p.key.as_str(), None))
                .collect(),
            CatalogGrant::Key(k) => vec![(k.as_str(), None)],
            CatalogGrant::Scoped { permission, stage } => {
                vec![(permission.as_str(), stage.as_deref())]
            }
        }
    }
}

impl Catalog {
    /// The catalog compiled into this build, checked.
    pub fn builtin() -> Result<Catalog, String> {
        Catalog::parse(CATALOG_TOML)
    }

    /// Parses and checks a catalog: unique keys, known references, no implication cycle.
    pub fn parse(text: &str) -> Result<Catalog, String> {
        let catalog: Catalog =
            toml::from_str(text).map_err(|e| format!("the permission catalog is invalid: {e}"))?;
        catalog.check()?;
        Ok(catalog)
    }

    fn check(&self) -> Result<(), String> {
        let mut keys = BTreeSet::new();
        for p in &self.permissions {
            crate::model::validate::key("permission key", &p.key).map_err(|e| e.to_string())?;
            if !keys.insert(p.key.as_str()) {
                return Err(format!("catalog: permission {} is listed twice", p.key));
            }
        }
        for p in &self.permissions {
            for implied in &p.implies {
                if !keys.contains(implied.as_str()) {
                    return Err(format!("catalog: {} implies unknown {implied}", p.key));
                }
            }
        }
        let edges: BTreeMap<&str, Vec<&str>> = self
            .permissions
            .iter()
            .map(|p| {
                (
                    p.key.as_str(),
                    p.implies.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        let successors = |p: &str| edges.get(p).cloned().unwrap_or_default();
        for (&from, implied) in &edges {
            for &to in implied {
                if let Some(cycle) = crate::access::cycle::cycle_through_edge(successors, from, to)
                {
                    return Err(format!(
                        "catalog: implication cycle {}",
                        cycle.join(" implies ")
                    ));
                }
            }
        }
        let stage_keys: BTreeSet<String> = self.stages.iter().map(|s| s.to_lowercase()).collect();
        for role in &self.roles {
            for grant in &role.grants {
                for (perm, stage) in grant.expand(self) {
                    if !keys.contains(perm) {
                        return Err(format!("catalog: role {} grants unknown {perm}", role.key));
                    }
                    if let Some(stage) = stage {
                        if !stage_keys.contains(&stage.to_lowercase()) {
                            return Err(format!(
                                "catalog: role {} grants {perm} in unknown stage {stage}",
                                role.key
                            ));
                        }
                    }
                }
            }
        }
        for required in [ADMINISTRATORS, DEVELOPERS] {
            if !self.roles.iter().any(|r| r.key == required) {
                return Err(format!("catalog: the built-in role {required} is missing"));
            }
        }
        Ok(())
    }

    /// The grants of a built-in role as `(permission key, stage name)`, deduplicated.
    pub fn role_grants<'c>(&'c self, role: &'c CatalogRole) -> Vec<(&'c str, Option<&'c str>)> {
        let mut seen = BTreeSet::new();
        role.grants
            .iter()
            .flat_map(|g| g.expand(self))
            .filter(|g| seen.insert(*g))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_catalog_is_valid_and_complete() {
        let catalog = Catalog::builtin().unwrap();
        assert!(catalog.permissions.len() >= 25);
        let sections: BTreeSet<&str> = catalog
            .permissions
            .iter()
            .map(|p| p.section.as_str())
            .collect();
        for s in [
            "App management",
            "Configurations",
            "Deployment management",
            "Forge",
            "Monitoring",
            "Stage",
            "User management",
        ] {
            assert!(sections.contains(s), "section {s}");
        }
        let change = catalog
            .permissions
            .iter()
            .find(|p| p.key == "apps.change")
            .unwrap();
        assert!(change.implies.contains(&"apps.debug".to_string()));
        assert!(change.implies.contains(&"apps.deploy".to_string()));
        assert!(catalog.permissions.iter().any(|p| p.key == "apps.view"));
        assert_eq!(catalog.stages, ["Development", "QA", "Production"]);
    }

    #[test]
    fn administrators_get_every_permission() {
        let catalog = Catalog::builtin().unwrap();
        let admins = catalog
            .roles
            .iter()
            .find(|r| r.key == ADMINISTRATORS)
            .unwrap();
        assert_eq!(catalog.role_grants(admins).len(), catalog.permissions.len());
    }

    #[test]
    fn an_implication_cycle_is_refused() {
        let text = r#"
            tenant = "default"
            stages = ["Development"]
            [[permission]]
            key = "a"
            name = "A"
            section = "S"
            implies = ["b"]
            [[permission]]
            key = "b"
            name = "B"
            section = "S"
            implies = ["a"]
            [[role]]
            key = "administrators"
            name = "Administrators"
            grants = ["*"]
            [[role]]
            key = "developers"
            name = "Developers"
            grants = ["a"]
        "#;
        let err = Catalog::parse(text).unwrap_err();
        assert!(err.contains("a implies b implies a"), "{err}");
    }
}
