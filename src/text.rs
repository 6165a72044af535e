//! Turkish-aware text keys. SQLite's LIKE and NOCASE fold ASCII only, so Raf stores
//! keys computed here: `fold` for matching, `sort_key` for ordering.

/// The key text is matched on: lower case, Turkish letters and other accents reduced
/// to ASCII, so `IŞIK`, `ışık` and `isik` meet, as do `İSTANBUL`/`istanbul`, `Çay`/`cay`.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    text.chars().for_each(|c| fold_char(c, &mut out));
    out
}

fn fold_char(c: char, out: &mut String) {
    match c {
        // Turkish dotted/dotless i: every form meets plain `i`.
        'I' | 'İ' | 'ı' | 'i' => out.push('i'),
        c if c.is_ascii() => out.push(c.to_ascii_lowercase()),
        c => out.extend(deunicode::deunicode_char(c).unwrap_or("").chars().map(|c| c.to_ascii_lowercase())),
    }
}

/// A key whose byte order is Turkish alphabetical order, case-insensitive:
/// a b c ç d e f g ğ h ı i j k l m n o ö p r s ş t u ü v y z.
/// Each Turkish letter becomes its base letter followed by `~`, which sorts after every
/// letter, so `cz` < `ça` < `d`.
pub fn sort_key(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 4);
    for c in text.chars() {
        match c {
            'ç' | 'Ç' => out.push_str("c~"),
            'ğ' | 'Ğ' => out.push_str("g~"),
            'ı' | 'I' => out.push_str("h~"),
            'i' | 'İ' => out.push('i'),
            'ö' | 'Ö' => out.push_str("o~"),
            'ş' | 'Ş' => out.push_str("s~"),
            'ü' | 'Ü' => out.push_str("u~"),
            c => fold_char(c, &mut out),
        }
    }
    out
}

/// The words of `text`, folded: what a search query is made of.
pub fn words(text: &str) -> Vec<String> {
    fold(text).split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_owned).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_turkish_letters_both_ways() {
        assert_eq!(fold("IŞIK"), "isik");
        assert_eq!(fold("ışık"), fold("IŞIK"));
        assert_eq!(fold("İSTANBUL"), "istanbul");
        assert_eq!(fold("istanbul"), fold("İSTANBUL"));
        assert_eq!(fold("Çay"), "cay");
        assert_eq!(fold("ĞÖÜŞ çöğüş"), "gous cogus");
        assert_eq!(fold("Crème brûlée"), "creme brulee");
    }

    #[test]
    fn sorts_in_turkish_alphabet_order() {
        let mut names = vec!["Zeytin", "çay", "Cam", "ılık", "İnce", "Duvar", "Şeker", "Su", "Ütü", "Uzun", "Ördek", "Oda"];
        names.sort_by_key(|n| sort_key(n));
        assert_eq!(names, ["Cam", "çay", "Duvar", "ılık", "İnce", "Oda", "Ördek", "Su", "Şeker", "Uzun", "Ütü", "Zeytin"]);
        assert!(sort_key("cz") < sort_key("ça"));
    }

    #[test]
    fn splits_words() {
        assert_eq!(words("  LED Işık-Şerit 5m "), ["led", "isik", "serit", "5m"]);
    }
}
