//! Where vectors go. One table per embedder family; every write is one batched,
//! idempotent upsert keyed by tenant + message id.

pub mod lance;
pub mod search;
pub mod upkeep;

pub use lance::{LanceSink, Location, VectorRecord};
pub use search::{Fusion, Hit, SearchFilter, SearchMode};
