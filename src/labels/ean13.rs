//! EAN-13 check digits, and new codes for items that have none.

use crate::error::{Error, Result};
use rusqlite::Connection;

/// The check digit of the first 12 digits of an EAN-13 (weights 1, 3, 1, 3 ... from the left).
pub fn check_digit(first12: &str) -> Result<u8> {
    if first12.len() != 12 || !first12.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::invalid("barcode", format!("{first12:?}: an EAN-13 starts with 12 digits")));
    }
    let sum: u32 = first12.bytes().enumerate().map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 1 } else { 3 }).sum();
    Ok(((10 - sum % 10) % 10) as u8)
}

/// True for 13 digits whose last is the check digit of the others.
pub fn is_valid(code: &str) -> bool {
    code.len() == 13 && check_digit(&code[..12]).is_ok_and(|d| code.as_bytes()[12] == b'0' + d)
}

/// The `count` smallest valid EAN-13 codes that start with `prefix` (2 to 11 digits; the
/// 20-29 range is GS1's "in-store" space) and that no product or variant has yet.
pub fn free_codes(conn: &Connection, prefix: &str, count: usize) -> Result<Vec<String>> {
    if !(2..=11).contains(&prefix.len()) || !prefix.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::invalid("prefix", format!("{prefix:?}: the EAN-13 prefix must be 2 to 11 digits")));
    }
    let width = 12 - prefix.len();
    let mut taken = conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM products WHERE barcode = ?1 OR barcode2 = ?1) OR EXISTS (SELECT 1 FROM variants WHERE barcode = ?1)",
    )?;
    let mut codes = Vec::with_capacity(count);
    for serial in 1..10u64.pow(width as u32) {
        if codes.len() == count {
            return Ok(codes);
        }
        let first12 = format!("{prefix}{serial:0width$}");
        let code = format!("{first12}{}", check_digit(&first12)?);
        if !taken.query_row([&code], |r| r.get::<_, bool>(0))? {
            codes.push(code);
        }
    }
    if codes.len() == count {
        Ok(codes)
    } else {
        Err(Error::invalid("prefix", format!("no free EAN-13 codes left under prefix {prefix}")))
    }
}
