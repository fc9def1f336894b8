//! The engine's integration tests: one binary (each test binary links the engine again), a
//! module per subject. `common` builds fixtures and runs migrations; `servers` fakes servers.

mod common;
mod servers;

mod append;
mod bulk_load;
mod bundles;
mod contracts;
mod distribute;
mod domains;
mod extract;
mod faithfulness;
mod fuzz_parsers;
mod into_existing;
mod jsonb_rewrites;
mod layers;
mod max_keys;
mod one_pass;
mod orphans;
mod parallel_reads;
mod pg_connect;
mod pg_copy;
mod pg_schema;
mod plan_hooks;
mod promote;
mod promote_rls;
mod promote_tenancy;
mod readme;
mod round_trips;
mod row_evidence;
mod schema_fuzz;
mod shared_snapshot;
mod sqlite_recovery;
mod sqlite_side;
mod stored_forms;
