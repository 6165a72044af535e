//! Sets of row ids passed between queries as one value, for queries that would
//! otherwise have SQLite build a temporary index over every member of a large set.
//!
//! `id_set(id)` is an aggregate that packs ids into a blob; `in_id_set(set, id)` tests
//! one id against such a blob by binary search. The blob is decoded once per statement
//! (SQLite's auxiliary data), so testing a row costs a lookup, not a decode.

use rusqlite::functions::{Aggregate, Context, FunctionFlags};
use rusqlite::types::ValueRef;
use rusqlite::Connection;

const FLAGS: FunctionFlags = FunctionFlags::SQLITE_UTF8.union(FunctionFlags::SQLITE_DETERMINISTIC);

pub(super) fn register(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_aggregate_function("id_set", 1, FLAGS, IdSet)?;
    conn.create_scalar_function("in_id_set", 2, FLAGS, |ctx| {
        let set = ctx.get_or_create_aux(0, decode)?;
        Ok(set.binary_search(&ctx.get::<i64>(1)?).is_ok())
    })
}

/// How many ids a blob made by `id_set` holds.
pub fn len(set: &[u8]) -> usize {
    set.len() / 8
}

struct IdSet;

impl Aggregate<Vec<i64>, Vec<u8>> for IdSet {
    fn init(&self, _: &mut Context<'_>) -> rusqlite::Result<Vec<i64>> {
        Ok(Vec::new())
    }

    fn step(&self, ctx: &mut Context<'_>, ids: &mut Vec<i64>) -> rusqlite::Result<()> {
        ids.push(ctx.get(0)?);
        Ok(())
    }

    fn finalize(&self, _: &mut Context<'_>, ids: Option<Vec<i64>>) -> rusqlite::Result<Vec<u8>> {
        let mut ids = ids.unwrap_or_default();
        // Full-text matches and primary keys arrive in order already: sort only if not.
        if !ids.is_sorted() {
            ids.sort_unstable();
        }
        ids.dedup();
        Ok(ids.iter().flat_map(|id| id.to_le_bytes()).collect())
    }
}

fn decode(value: ValueRef<'_>) -> Result<Vec<i64>, rusqlite::types::FromSqlError> {
    let blob = value.as_blob()?;
    if blob.len() % 8 != 0 {
        return Err(rusqlite::types::FromSqlError::InvalidBlobSize { expected_size: 8, blob_size: blob.len() % 8 });
    }
    Ok(blob.chunks_exact(8).map(|b| i64::from_le_bytes(b.try_into().expect("chunks of 8"))).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packs_and_tests_ids_in_any_order() {
        let conn = Connection::open_in_memory().unwrap();
        register(&conn).unwrap();
        let set: Vec<u8> = conn
            .query_row("SELECT id_set(x) FROM (SELECT 7 AS x UNION ALL SELECT 3 UNION ALL SELECT 7 UNION ALL SELECT -2)", [], |r| r.get(0))
            .unwrap();
        assert_eq!(len(&set), 3);
        let found: Vec<i64> = conn
            .prepare(
                "SELECT x FROM (SELECT -2 AS x UNION ALL SELECT 0 UNION ALL SELECT 3 UNION ALL SELECT 5 UNION ALL SELECT 7) WHERE in_id_set(?1, x)",
            )
            .unwrap()
            .query_map([&set], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(found, [-2, 3, 7]);
    }

    #[test]
    fn an_empty_set_holds_nothing_and_a_bad_blob_is_an_error() {
        let conn = Connection::open_in_memory().unwrap();
        register(&conn).unwrap();
        let set: Vec<u8> = conn.query_row("SELECT id_set(1) WHERE 0", [], |r| r.get(0)).unwrap();
        assert_eq!(len(&set), 0);
        let hit: bool = conn.query_row("SELECT in_id_set(?1, 1)", [&set], |r| r.get(0)).unwrap();
        assert!(!hit);
        assert!(conn.query_row("SELECT in_id_set(x'0102', 1)", [], |r| r.get::<_, bool>(0)).is_err());
    }
}
