//! Scopes: where a grant or an assignment applies. A scope is a pair (stage, app) where each
//! component is either "any" (`None`) or one specific value; intersection is per component.

use super::ids::{AppId, StageId};

/// `(stage: any | S, app: any | A)`. The organization scope is `(any, any)`.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct Scope {
    pub stage: Option<StageId>,
    pub app: Option<AppId>,
}

impl Scope {
    /// The organization scope: every stage and every app.
    pub const ORGANIZATION: Scope = Scope {
        stage: None,
        app: None,
    };

    pub fn new(stage: Option<StageId>, app: Option<AppId>) -> Self {
        Scope { stage, app }
    }

    /// Per-component intersection; `None` when the scopes are disjoint.
    pub fn intersect(self, other: Scope) -> Option<Scope> {
        Some(Scope {
            stage: meet(self.stage, other.stage)?,
            app: meet(self.app, other.app)?,
        })
    }

    /// Whether every point of `other` lies inside `self` (`self ⊇ other`).
    pub fn covers(self, other: Scope) -> bool {
        component_covers(self.stage, other.stage) && component_covers(self.app, other.app)
    }

    pub fn is_organization(self) -> bool {
        self == Scope::ORGANIZATION
    }
}

/// `any ∩ X = X`, `X ∩ X = X`, `X ∩ Y = ∅`. The outer `Option` is emptiness.
fn meet<T: PartialEq + Copy>(a: Option<T>, b: Option<T>) -> Option<Option<T>> {
    match (a, b) {
        (None, x) | (x, None) => Some(x),
        (Some(x), Some(y)) if x == y => Some(Some(x)),
        _ => None,
    }
}

fn component_covers<T: PartialEq>(wide: Option<T>, narrow: Option<T>) -> bool {
    match (wide, narrow) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(a), Some(b)) => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const QA: Option<StageId> = Some(StageId(2));
    const PROD: Option<StageId> = Some(StageId(3));
    const SHOP: Option<AppId> = Some(AppId(7));

    #[test]
    fn intersection_is_per_component() {
        let org = Scope::ORGANIZATION;
        let qa = Scope::new(QA, None);
        let shop = Scope::new(None, SHOP);
        assert_eq!(org.intersect(qa), Some(qa));
        assert_eq!(qa.intersect(shop), Some(Scope::new(QA, SHOP)));
        assert_eq!(qa.intersect(Scope::new(PROD, None)), None);
        assert_eq!(qa.intersect(qa), Some(qa));
    }

    #[test]
    fn covers_is_per_component_superset() {
        let org = Scope::ORGANIZATION;
        let qa = Scope::new(QA, None);
        let qa_shop = Scope::new(QA, SHOP);
        assert!(org.covers(qa_shop));
        assert!(qa.covers(qa_shop));
        assert!(!qa_shop.covers(qa));
        assert!(!qa.covers(Scope::new(PROD, SHOP)));
    }
}
