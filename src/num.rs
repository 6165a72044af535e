//! Numbers typed by people: `12.50`, `12,50`, `1.234,56`, `1,234.56`, `-3,5`, and as
//! spreadsheets show them: `₺1.234,56`, `1.234,56 TL`, `%18`, `18%`.

use crate::error::{Error, Result};
use rust_decimal::Decimal;
use std::str::FromStr;

/// Parses a decimal written the Turkish or the English way.
///
/// With both `.` and `,`, the last one is the decimal mark. With one kind only, a single
/// mark is the decimal mark (`12,50`, `3.5`) and a repeated one groups thousands
/// (`1.234.567`). Grouped digits must come in threes. Spaces may group thousands too.
/// A currency mark (`₺`, `TL`) or a percent sign (`%18`, `18%`: the number of percent)
/// before or after the number is dropped.
pub fn parse_decimal(input: &str) -> Result<Decimal> {
    parse_decimal_in(input, None)
}

/// [`parse_decimal`] for text whose decimal mark is known, a file's: a single other mark
/// before three digits then groups thousands. `1.250` is 1250 where `,` is the decimal
/// mark (what Turkish Excel writes), 1.25 where it is `.` or unknown.
pub fn parse_decimal_in(input: &str, decimal_mark: Option<char>) -> Result<Decimal> {
    let bad = || Error::NotANumber { input: input.to_owned() };
    let compact: String = without_marks(input).chars().filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\'')).collect();
    let (sign, digits) = match compact.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", compact.strip_prefix('+').unwrap_or(&compact)),
    };
    let decimal_mark = match (digits.rfind('.'), digits.rfind(',')) {
        (Some(d), Some(c)) => Some(if d > c { '.' } else { ',' }),
        (Some(_), None) => single_mark(digits, '.', decimal_mark),
        (None, Some(_)) => single_mark(digits, ',', decimal_mark),
        (None, None) => None,
    };
    let (int_part, frac_part) = match decimal_mark {
        Some(mark) => digits.rsplit_once(mark).ok_or_else(bad)?,
        None => (digits, ""),
    };
    // The other mark groups thousands; without a decimal mark, the mark that is there
    // does (`1.234.567` must not be split on `,`).
    let grouping = match decimal_mark {
        Some(',') => '.',
        Some(_) => ',',
        None if digits.contains('.') => '.',
        None => ',',
    };
    let mut int_digits = ungroup(int_part, grouping).ok_or_else(bad)?;
    if int_digits.is_empty() && decimal_mark.is_some() {
        int_digits.push('0'); // ",5"
    }
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(&int_digits) || (decimal_mark.is_some() && !all_digits(frac_part)) {
        return Err(bad());
    }
    let canonical = if frac_part.is_empty() { format!("{sign}{int_digits}") } else { format!("{sign}{int_digits}.{frac_part}") };
    Decimal::from_str(&canonical).map_err(|_| bad())
}

/// `input` without one currency mark or percent sign before or after the number.
fn without_marks(input: &str) -> &str {
    let s = input.trim();
    for mark in ["₺", "TL", "tl", "Tl", "%"] {
        if let Some(rest) = s.strip_prefix(mark).or_else(|| s.strip_suffix(mark)) {
            return rest.trim();
        }
    }
    s
}

/// True when `input` reads as a number two ways and nothing tells which: a single `.` or
/// `,` after one to three digits and before exactly three, as in `1.250` (1250 with a
/// decimal comma, 1.25 with a decimal point).
pub fn is_ambiguous(input: &str) -> bool {
    let compact: String = without_marks(input).chars().filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '-' | '+')).collect();
    let marks = compact.matches(['.', ',']).count();
    let Some((whole, fraction)) = compact.split_once(['.', ',']) else { return false };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    marks == 1 && (1..=3).contains(&whole.len()) && !whole.starts_with('0') && digits(whole) && fraction.len() == 3 && digits(fraction)
}

/// The decimal mark when only `mark` appears: itself if it appears once, none if it
/// groups thousands: when it is repeated, or when the text's decimal mark is the other
/// one and a group of three digits follows it.
fn single_mark(digits: &str, mark: char, decimal_mark: Option<char>) -> Option<char> {
    let groups_thousands = decimal_mark.is_some_and(|d| d != mark) && digits.rsplit_once(mark).is_some_and(|(_, frac)| frac.len() == 3);
    (digits.matches(mark).count() == 1 && !groups_thousands).then_some(mark)
}

/// Removes thousands separators, checking the groups are three digits long.
fn ungroup(int_part: &str, separator: char) -> Option<String> {
    let mut groups = int_part.split(separator);
    let first = groups.next()?;
    let rest: Vec<&str> = groups.collect();
    if !rest.is_empty() && (first.is_empty() || first.len() > 3 || rest.iter().any(|g| g.len() != 3)) {
        return None;
    }
    Some(std::iter::once(first).chain(rest).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn reads_turkish_and_english_forms() {
        for (input, want) in [
            ("12.50", "12.50"),
            ("12,50", "12.50"),
            ("1.234,56", "1234.56"),
            ("1,234.56", "1234.56"),
            ("1.234.567", "1234567"),
            ("1,234,567.5", "1234567.5"),
            ("3,5", "3.5"),
            ("-3,5", "-3.5"),
            ("+7", "7"),
            (" 1 234,5 ", "1234.5"),
            ("0", "0"),
            (",5", "0.5"),
            ("₺1.234,56", "1234.56"),
            ("1.234,56 TL", "1234.56"),
            ("1.234,56TL", "1234.56"),
            ("TL 12,5", "12.5"),
            ("₺ -3,5", "-3.5"),
            ("%18", "18"),
            ("18%", "18"),
            ("% 8", "8"),
            ("0,5 %", "0.5"),
        ] {
            assert_eq!(parse_decimal(input).unwrap_or_else(|e| panic!("{input}: {e}")), d(want), "{input}");
        }
    }

    #[test]
    fn a_known_decimal_mark_makes_a_single_other_mark_before_three_digits_group_thousands() {
        for (input, mark, want) in [
            ("1.250", Some(','), "1250"),
            ("1.250 TL", Some(','), "1250"),
            ("-12.500", Some(','), "-12500"),
            ("1,250", Some('.'), "1250"),
            // Not a group of three: still the decimal mark, whatever the file's.
            ("12.5", Some(','), "12.5"),
            ("1.25", Some(','), "1.25"),
            ("1,5", Some('.'), "1.5"),
            // The file's own mark, and unknown files, as before.
            ("1,250", Some(','), "1.250"),
            ("1.250", Some('.'), "1.250"),
            ("1.250", None, "1.250"),
            ("1.234,56", Some('.'), "1234.56"),
        ] {
            assert_eq!(parse_decimal_in(input, mark).unwrap_or_else(|e| panic!("{input}: {e}")), d(want), "{input} {mark:?}");
        }
        assert!(parse_decimal_in("1234.567", Some(',')).is_err(), "a thousands group after four digits is no number");
    }

    #[test]
    fn refuses_what_is_not_a_number() {
        for input in ["", "abc", "1.2.3,4,5", "12,5,", "1.23,4.5", "1,23,456.7", "--1", "1e5", "12.", "₺", "TL", "%", "₺12TL", "%18%", "12 $"] {
            let err = parse_decimal(input).unwrap_err();
            assert_eq!(err.code(), "input.not_a_number", "{input}");
        }
    }
}
