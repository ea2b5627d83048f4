//! The store worker's credential requests: the operator's own password, and an API client's
//! tokens (created, with the token shown once, and listed for revoking).

use super::intent::Intent;
use super::worker::{Backend, Reply, read_only_refusal};

impl Backend {
    pub(super) fn change_own_password(&mut self, current: Option<&str>, new: &str) -> Vec<Reply> {
        let Some(operator) = self.operator.clone() else {
            return vec![read_only_refusal(Intent::Apply)];
        };
        let result = self
            .service()
            .map(|mut s| s.change_own_password(&operator, current, new));
        self.after_write(Intent::Apply, result)
    }

    pub(super) fn create_token(&mut self, client: &str, name: &str) -> Vec<Reply> {
        let Some(operator) = self.operator.clone() else {
            return vec![read_only_refusal(Intent::Apply)];
        };
        let Some(mut service) = self.service() else {
            return vec![Reply::Failed("the store is not open".into())];
        };
        match service.create_token(&operator, client, name, false) {
            Ok((outcome, token)) => {
                let mut replies = vec![Reply::TokenCreated {
                    client: client.to_string(),
                    token: token.into(),
                }];
                replies.extend(self.after_write(Intent::Apply, Some(Ok(outcome))));
                replies
            }
            Err(e) => self.after_write(Intent::Apply, Some(Err(e))),
        }
    }

    pub(super) fn tokens(&mut self, client: &str) -> Vec<Reply> {
        let result = match self.service() {
            Some(mut service) => service.tokens(Some(client)).map_err(|e| e.to_string()),
            None => Err("the store is not open".into()),
        };
        vec![Reply::Tokens {
            client: client.to_string(),
            result,
        }]
    }
}
