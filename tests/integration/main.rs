//! One integration-test binary (the lance stack makes each test binary large).
//! Tests drive the real `atom-sync` binary against real SQLite, real Postgres (when
//! `ATOM_SYNC_TEST_DATABASE_URL` is set, as CI does) and real LanceDB on disk.

mod common;

mod backfill;
mod cli;
mod deploy;
mod embed;
mod faults;
mod fleet;
mod graph;
mod graph_sim;
mod graph_speed;
mod hostile;
mod jobs;
mod kill;
mod llm;
mod openai_sim;
mod people;
mod purge;
mod s3;
mod scale;
mod store;
mod tls;
mod vectors;
mod verify;
