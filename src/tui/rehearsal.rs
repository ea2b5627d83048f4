//! A rehearsal and its projection, made together in the store worker. The service plans the
//! commands, then applies them inside the transaction it will roll back and checks the rules
//! that need the result; the projection through the engine needs only the plan. So it starts
//! on a second thread the moment the plan exists and runs beside the rest of the rehearsal:
//! for 10,000 users, the operator waits for the longer of the two halves, not their sum.

use crate::access::Engine;
use crate::model::Change;
use crate::service::{Operator, Service};

use super::staging::{Projection, project};

/// A rehearsal: what the commands would do to access (with the changes and what they would
/// skip), or why that could not be worked out.
#[derive(Clone, Debug)]
pub struct Rehearsal {
    /// Each command's summary, in order.
    pub summaries: Vec<String>,
    pub projection: Result<Box<Projection>, String>,
}

/// Rehearses `commands` and projects their changes through `engine` (`None` before anything
/// is loaded). An early projection is kept only if the rehearsal's final changes are the ones
/// it was made from — they differ when applying gave a create its id — else it is made again.
pub fn rehearse_and_project(
    service: &mut Service<'_>,
    operator: &Operator,
    commands: &[crate::service::Command],
    engine: Option<&Engine>,
) -> Result<Rehearsal, crate::service::Error> {
    std::thread::scope(|scope| {
        let mut early = None;
        let outcome = service.rehearse_with(operator, commands, &mut |applied, last| {
            if let Some(engine) = engine {
                let planned: Vec<Change> = applied.iter().chain(last).cloned().collect();
                early = Some(scope.spawn(move || project(engine, planned, Vec::new())));
            }
        });
        // Joined even when the rehearsal was refused: the thread must not outlive the scope's
        // borrow of the engine, and a refusal is rare next to the time it saves.
        let early = early.and_then(|thread| thread.join().ok());
        let outcome = outcome?;
        let projection = match (engine, early) {
            (Some(_), Some(Ok(mut projection))) if projection.changes == outcome.changes => {
                projection.notes = outcome.notes;
                Ok(Box::new(projection))
            }
            (Some(engine), _) => project(engine, outcome.changes, outcome.notes)
                .map(Box::new)
                .map_err(|e| e.to_string()),
            (None, _) => Err("nothing is loaded yet".to_string()),
        };
        Ok(Rehearsal {
            summaries: outcome.summaries,
            projection,
        })
    })
}
