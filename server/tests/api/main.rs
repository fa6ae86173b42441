//! The backend driven over real HTTP on port 0 with a fresh database: a
//! SQLite file, or with `OMSORG_TEST_DATABASE=postgres` a database in a
//! throwaway PostgreSQL cluster (`databases`). The schema test needs the
//! cluster either way.

mod accesses;
mod audit;
mod care_record;
mod cpr;
mod cpr_keys;
mod crash;
mod databases;
mod declarations;
mod devices;
mod fleet;
mod guessing;
mod helpers;
mod identity;
mod mail;
mod me;
mod municipalities;
mod operability;
mod people;
mod pin;
mod platform;
mod retention;
mod returning;
mod schema;
mod shared;
#[path = "../../../tests/src/smtp.rs"]
mod smtp;
mod substitute_ids;
mod tokens;
mod unit_orders;
mod units;
