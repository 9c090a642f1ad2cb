//! atom-sync: backfill a tenant's mail history into ATOM's two memories — a knowledge
//! graph in the store (SQLite or Postgres) and one LanceDB row of vectors per message
//! (the message's and its passages') — as durable, resumable jobs.
//!
//! The library never prints: long-running work reports through [`event::Event`]s and
//! the CLI (`src/cli/`) decides how to draw them. `ARCHITECTURE.md` maps the modules.

pub mod alloc;
pub mod bucket;
pub mod clients;
pub mod connection;
pub mod doctor;
pub mod email;
pub mod embed;
pub mod error;
pub mod estimate;
pub mod event;
pub mod extract;
pub mod fleet;
pub mod health;
pub mod job;
pub mod keys;
pub mod memory;
pub mod metrics;
pub mod passage;
pub mod pipeline;
pub mod private;
pub mod provider;
pub mod purge;
pub mod quoted;
pub mod reap;
pub mod resume;
pub mod retry;
pub mod secret;
pub mod settings;
pub mod sink;
pub mod source;
pub mod store;
mod task;
pub mod tenant;
pub mod text;
pub mod time;
pub mod verify;
pub mod worker;

pub use error::{Error, Result};
