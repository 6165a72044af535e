//! Ordered, embedded schema migrations tracked by `PRAGMA user_version`.

use super::backup_to;
use crate::error::{Error, Result};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior};
use std::path::{Path, PathBuf};

#[derive(Clone)]
pub struct Migration {
    pub name: &'static str,
    pub sql: &'static str,
}

/// Every migration, in order; migration N (1-based) brings the schema to `user_version` N.
/// Append only: never edit one that has shipped.
pub const MIGRATIONS: &[Migration] = &[
    Migration { name: "0001_catalog", sql: include_str!("migrations/0001_catalog.sql") },
    Migration { name: "0002_sync", sql: include_str!("migrations/0002_sync.sql") },
    Migration { name: "0003_import", sql: include_str!("migrations/0003_import.sql") },
    Migration { name: "0004_quota", sql: include_str!("migrations/0004_quota.sql") },
    Migration { name: "0005_count", sql: include_str!("migrations/0005_count.sql") },
    Migration { name: "0006_sync_scan", sql: include_str!("migrations/0006_sync_scan.sql") },
    Migration { name: "0007_count_approval", sql: include_str!("migrations/0007_count_approval.sql") },
    Migration { name: "0008_price_sort", sql: include_str!("migrations/0008_price_sort.sql") },
    Migration { name: "0009_import_tags", sql: include_str!("migrations/0009_import_tags.sql") },
    Migration { name: "0010_price1_by_code", sql: include_str!("migrations/0010_price1_by_code.sql") },
    Migration { name: "0011_import_created_ranges", sql: include_str!("migrations/0011_import_created_ranges.sql") },
    Migration { name: "0012_import_finished_at", sql: include_str!("migrations/0012_import_finished_at.sql") },
    Migration { name: "0013_import_restores", sql: include_str!("migrations/0013_import_restores.sql") },
    Migration { name: "0014_drop_prices_sale", sql: include_str!("migrations/0014_drop_prices_sale.sql") },
    Migration { name: "0015_checks_without_in_lists", sql: include_str!("migrations/0015_checks_without_in_lists.sql") },
];

/// Applies the pending migrations in one transaction, so another process opening the
/// same file sees the schema before or after, never half-way. When the file already holds
/// data at an older version, it is first copied to `<file>.v<old>.bak`.
pub fn migrate(conn: &mut Connection, path: &Path, migrations: &[Migration]) -> Result<()> {
    let current = version(conn)?;
    if current > migrations.len() {
        return Err(Error::TooNew { found: current, known: migrations.len() });
    }
    if current == migrations.len() {
        return Ok(());
    }
    if current > 0 {
        backup_to(conn, &backup_path(path, current))?;
    }
    // Foreign keys are off while migrating, as SQLite's procedure for rebuilding a table
    // asks (dropping a table others refer to would otherwise fail), and checked at the end.
    let enforced: bool = conn.pragma_query_value(None, "foreign_keys", |r| r.get(0))?;
    conn.pragma_update(None, "foreign_keys", false)?;
    let migrated = apply_pending(conn, migrations);
    conn.pragma_update(None, "foreign_keys", enforced)?;
    migrated
}

fn apply_pending(conn: &mut Connection, migrations: &[Migration]) -> Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Another process (the app and the CLI, or two CLIs) may have migrated the file
    // while this one waited for the write lock.
    let mut last = None;
    for (i, migration) in migrations.iter().enumerate().skip(version(&tx)?) {
        tx.execute_batch(migration.sql).map_err(|e| Error::Migration { name: migration.name, source: e })?;
        tx.pragma_update(None, "user_version", i + 1)?;
        last = Some(migration.name);
    }
    let broken: Option<String> = tx.query_row("PRAGMA foreign_key_check", [], |r| r.get(0)).optional()?;
    if let (Some(table), Some(name)) = (broken, last) {
        let why = format!("after migrating, a row of {table} refers to a row that does not exist");
        let source = rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY), Some(why));
        return Err(Error::Migration { name, source });
    }
    tx.commit()?;
    Ok(())
}

fn version(conn: &Connection) -> Result<usize> {
    Ok(conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
}

/// Where the copy taken before migrating from `version` goes.
pub fn backup_path(path: &Path, version: usize) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".v{version}.bak"));
    path.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    const V1: &[Migration] = &[Migration { name: "one", sql: "CREATE TABLE a(x INTEGER); INSERT INTO a VALUES (1);" }];
    const V2: &[Migration] = &[
        Migration { name: "one", sql: "CREATE TABLE a(x INTEGER); INSERT INTO a VALUES (1);" },
        Migration { name: "two", sql: "ALTER TABLE a ADD COLUMN y TEXT; UPDATE a SET y = 'new';" },
    ];
    const BROKEN: &[Migration] = &[
        Migration { name: "one", sql: "CREATE TABLE a(x INTEGER); INSERT INTO a VALUES (1);" },
        Migration { name: "two", sql: "ALTER TABLE a ADD COLUMN y TEXT; UPDATE nope SET y = 1;" },
    ];

    #[test]
    fn a_migration_may_rebuild_a_table_others_refer_to_but_not_leave_a_reference_dangling() {
        const PARENT: &[Migration] = &[Migration {
            name: "one",
            sql: "CREATE TABLE p(id INTEGER PRIMARY KEY, v TEXT); CREATE TABLE c(p INTEGER REFERENCES p(id));
                  INSERT INTO p VALUES (1, 'a'); INSERT INTO c VALUES (1);",
        }];
        let rebuild = Migration {
            name: "rebuild",
            sql:
                "CREATE TABLE p2(id INTEGER PRIMARY KEY, v TEXT NOT NULL); INSERT INTO p2 SELECT * FROM p; DROP TABLE p; ALTER TABLE p2 RENAME TO p;",
        };
        let lose = Migration { name: "lose", sql: "DELETE FROM p;" };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let mut conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "foreign_keys", true).unwrap();
        migrate(&mut conn, &path, PARENT).unwrap();

        let err = migrate(&mut conn, &path, &[PARENT[0].clone(), lose.clone()]).unwrap_err();
        assert_eq!(err.code(), "db.migration_failed");
        assert!(format!("{err:#}").contains("lose"), "{err:#}");
        assert_eq!(version(&conn).unwrap(), 1, "rolled back");
        migrate(&mut conn, &path, &[PARENT[0].clone(), rebuild]).unwrap();
        let child: i64 = conn.query_row("SELECT p.id FROM c JOIN p ON p.id = c.p", [], |r| r.get(0)).unwrap();
        assert_eq!(child, 1);
        let enforced: bool = conn.pragma_query_value(None, "foreign_keys", |r| r.get(0)).unwrap();
        assert!(enforced, "foreign keys are enforced again");
    }

    #[test]
    fn backs_up_before_applying_a_new_migration_and_rolls_back_a_failed_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let mut conn = Connection::open(&path).unwrap();
        migrate(&mut conn, &path, V1).unwrap();
        assert!(!backup_path(&path, 0).exists(), "a new file needs no backup");

        let err = migrate(&mut conn, &path, BROKEN).unwrap_err();
        assert_eq!(err.code(), "db.migration_failed");
        let cols: i64 = conn.query_row("SELECT count(*) FROM pragma_table_info('a')", [], |r| r.get(0)).unwrap();
        assert_eq!(cols, 1, "the failed migration left no trace");

        migrate(&mut conn, &path, V2).unwrap();
        let backup = Connection::open(backup_path(&path, 1)).unwrap();
        let version: i64 = backup.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
        assert_eq!(version, 1, "the backup holds the database as it was before");
        let y: String = conn.query_row("SELECT y FROM a", [], |r| r.get(0)).unwrap();
        assert_eq!(y, "new");

        let err = migrate(&mut conn, &path, V1).unwrap_err();
        assert_eq!(err.code(), "db.too_new");
    }
}
