//! Operators: the member user a change is made by. On a local store the OS account that created
//! it is mapped to an operator at `init` ("peer" sign-in, like PostgreSQL's peer
//! authentication): the file is that account's anyway, so no password is asked.

use super::error::{Error, Rule};
use crate::model::{Named, User, UserId, UserKind, UserStatus};
use crate::store::Tx;

/// How the operator proved who they are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignIn {
    /// The OS account mapped to this operator at `init`.
    Peer { os_account: String },
    /// Username and password (`--operator`, the console's sign-in screen).
    Password,
    /// An API client's token (`WARDEN_TOKEN`).
    Token { id: String },
}

/// Who is making a change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operator {
    pub user: UserId,
    pub username: String,
    pub sign_in: SignIn,
}

impl Operator {
    pub fn named(&self) -> Named<UserId> {
        Named::new(self.user, self.username.clone())
    }

    /// How the operator is written in the audit trail: `alice (peer: root)`.
    pub fn audit_label(&self) -> String {
        match &self.sign_in {
            SignIn::Peer { os_account } => format!("{} (peer: {os_account})", self.username),
            SignIn::Password => format!("{} (password)", self.username),
            SignIn::Token { id } => format!("{} (token {id})", self.username),
        }
    }
}

/// The name of the OS account running this process.
pub fn os_account() -> Result<String, Error> {
    whoami::username().map_err(|e| {
        Error::Usage(format!(
            "cannot tell which OS account is running warden: {e}"
        ))
    })
}

/// The operator the OS account is mapped to, refusing accounts without a mapping and operators
/// that can no longer act (deactivated, not a member).
pub fn peer_operator(tx: &mut Tx<'_>, os_account: &str) -> Result<Operator, Error> {
    let Some(user_id) = tx.peer_operator(os_account)? else {
        let peers: Vec<String> = tx.peer_operators()?.into_iter().map(|(os, _)| os).collect();
        let who = if peers.is_empty() {
            "no OS account is mapped to an operator".to_string()
        } else {
            format!("only {} may", peers.join(", "))
        };
        return Err(Error::refused(
            Rule::PeerOperator,
            format!(
                "the OS account {os_account:?} is not an operator of this store ({who}); \
                 ask its owner to make the change, or use --read-only to browse"
            ),
        ));
    };
    let user: User = super::resolve::user_by_id(tx, user_id)?;
    if user.status != UserStatus::Active || user.kind != UserKind::Member {
        return Err(Error::refused(
            Rule::PeerOperator,
            format!(
                "the operator {} mapped to OS account {os_account:?} is {} {}; only active members can make changes",
                user.username, user.status, user.kind
            ),
        ));
    }
    Ok(Operator {
        user: user.id,
        username: user.username,
        sign_in: SignIn::Peer {
            os_account: os_account.to_string(),
        },
    })
}
