//! A remote's daily request quota (stokdurumu: Free 500, Basic 5,000, Pro 50,000,
//! Enterprise unlimited), counted in SQLite so it survives runs and restarts, and reset
//! at midnight UTC+3 like the remote's own counter. A run takes a `Budget` for the day;
//! `Http` spends it on every attempt (retries count on the remote too) and the engine
//! stores what was used when the run ends. Catalog work may not use the last tenth of
//! the day: that reserve is kept for stock writes and their read-backs.

use super::error::SyncError;
use crate::error::Result;
use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

/// The remote's plan, which sets its daily quota.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum Plan {
    /// The safe assumption when the plan is not given.
    #[default]
    Free,
    Basic,
    Pro,
    Enterprise,
}

impl Plan {
    /// Requests a day; `None` = unlimited.
    pub fn daily_quota(self) -> Option<u32> {
        match self {
            Plan::Free => Some(500),
            Plan::Basic => Some(5_000),
            Plan::Pro => Some(50_000),
            Plan::Enterprise => None,
        }
    }

    pub fn parse(text: &str) -> Result<Self> {
        serde_json::from_value(serde_json::Value::String(text.trim().to_ascii_lowercase()))
            .map_err(|_| crate::Error::invalid("plan", format!("{text}: expected free, basic, pro or enterprise")))
    }
}

/// What a request is for: catalog work stops short of the reserve, stock work does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Priority {
    Stock,
    Catalog,
}

/// The time the quota day is read from: the system clock, or a fixed one (tests, demos).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Clock {
    #[default]
    System,
    Fixed(DateTime<Utc>),
}

impl Clock {
    pub fn now(self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now(),
            Clock::Fixed(at) => at,
        }
    }
}

fn turkey() -> FixedOffset {
    FixedOffset::east_opt(3 * 3600).expect("UTC+3 is a valid offset")
}

/// The quota day `at` falls in: its date in UTC+3 (Turkey has had no DST since 2016).
pub fn quota_day(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&turkey()).date_naive()
}

/// When the quota of `day` resets: the next midnight UTC+3.
pub fn resets_at(day: NaiveDate) -> DateTime<Utc> {
    let midnight = (day + Duration::days(1)).and_hms_opt(0, 0, 0).expect("midnight exists");
    midnight.and_local_timezone(turkey()).single().expect("a fixed offset is unambiguous").with_timezone(&Utc)
}

/// One run's share of a day's quota.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Budget {
    pub limit: u32,
    pub used: u32,
    pub day: NaiveDate,
}

impl Budget {
    pub fn new(limit: u32, used: u32, day: NaiveDate) -> Self {
        Budget { limit, used, day }
    }

    /// Requests catalog work may not use.
    fn reserve(&self) -> u32 {
        self.limit / 10
    }

    /// Spends one request, or says the quota (or, for catalog work, all but the reserve)
    /// is spent. Nothing is sent once this fails, so the remote never answers 429.
    pub fn take(&mut self, priority: Priority) -> std::result::Result<(), SyncError> {
        let ceiling = match priority {
            Priority::Stock => self.limit,
            Priority::Catalog => self.limit - self.reserve(),
        };
        if self.used >= ceiling {
            return Err(SyncError::QuotaSpent { limit: self.limit, used: self.used, resets_at: resets_at(self.day).to_rfc3339() });
        }
        self.used += 1;
        Ok(())
    }
}

/// Today's budget of connection `connection_id` with a plan of `limit` requests a day.
pub(crate) fn load(conn: &Connection, connection_id: i64, limit: u32, clock: Clock) -> Result<Budget> {
    let day = quota_day(clock.now());
    let stored: Option<(String, u32)> =
        conn.query_row("SELECT day, used FROM sync_quota WHERE connection_id = ?1", [connection_id], |r| Ok((r.get(0)?, r.get(1)?))).optional()?;
    let used = match stored {
        Some((stored_day, used)) if stored_day == day.to_string() => used,
        _ => 0,
    };
    Ok(Budget::new(limit, used, day))
}

/// Stores what the run used (in the caller's transaction).
pub(crate) fn save(tx: &Connection, connection_id: i64, budget: &Budget) -> Result<()> {
    tx.execute(
        "INSERT INTO sync_quota (connection_id, day, used) VALUES (?1, ?2, ?3)
         ON CONFLICT (connection_id) DO UPDATE SET day = excluded.day, used = excluded.used",
        params![connection_id, budget.day.to_string(), budget.used],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn the_day_turns_at_midnight_turkey_time() {
        assert_eq!(quota_day(at("2026-03-01T20:59:59Z")).to_string(), "2026-03-01");
        assert_eq!(quota_day(at("2026-03-01T21:00:00Z")).to_string(), "2026-03-02");
        assert_eq!(resets_at(quota_day(at("2026-03-01T12:00:00Z"))), at("2026-03-01T21:00:00Z"));
    }

    #[test]
    fn catalog_work_leaves_the_reserve_to_stock() {
        let mut budget = Budget::new(20, 17, quota_day(at("2026-03-01T12:00:00Z")));
        assert!(budget.take(Priority::Catalog).is_ok());
        assert!(matches!(budget.take(Priority::Catalog), Err(SyncError::QuotaSpent { .. })));
        assert!(budget.take(Priority::Stock).is_ok());
        assert!(budget.take(Priority::Stock).is_ok());
        assert!(budget.take(Priority::Stock).is_err());
        assert_eq!(budget.used, 20);
    }
}
