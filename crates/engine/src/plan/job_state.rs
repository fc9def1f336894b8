//! What a job decided while planning and preparing (Promote: the users table, the admin's id,
//! the temporary password; Extract: the ownership analysis), carried in the plan to the later
//! steps and the report.
//!
//! The plan sits below the jobs, so it cannot name their types: it holds the state as an
//! opaque value that only the job that put it there takes out again ([`JobState::get`]).
//! Never serialized: Promote's holds a secret.

use std::any::Any;
use std::fmt;

/// A job's own state. Implemented for every `Clone + Send + Sync + 'static` type.
pub trait JobData: Any + Send + Sync {
    fn clone_box(&self) -> Box<dyn JobData>;
    fn as_any(&self) -> &dyn Any;
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

impl<T: Any + Clone + Send + Sync> JobData for T {
    fn clone_box(&self) -> Box<dyn JobData> {
        Box::new(self.clone())
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// The state of the run's job, or none (Copy).
#[derive(Default)]
pub struct JobState(Option<Box<dyn JobData>>);

impl JobState {
    pub fn new<T: JobData>(state: T) -> JobState {
        JobState(Some(Box::new(state)))
    }

    /// The state, if the job that set it is `T`'s.
    pub fn get<T: 'static>(&self) -> Option<&T> {
        JobData::as_any(self.0.as_deref()?).downcast_ref()
    }

    pub fn get_mut<T: 'static>(&mut self) -> Option<&mut T> {
        JobData::as_any_mut(self.0.as_deref_mut()?).downcast_mut()
    }
}

impl Clone for JobState {
    fn clone(&self) -> Self {
        JobState(self.0.as_deref().map(JobData::clone_box))
    }
}

impl fmt::Debug for JobState {
    // Never prints the contents: Promote's state holds the temporary password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_some() {
            "JobState(..)"
        } else {
            "JobState(None)"
        })
    }
}
