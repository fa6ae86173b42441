//! The bodies of the fuzz targets in `fuzz/` (cargo-fuzz, libFuzzer): each
//! takes arbitrary bytes, feeds a parser, and panics if an invariant
//! breaks. The same bodies run on stable in this crate's tests, over the
//! seed corpus and random input, so the test command checks them too.

use crate::api::NewSubstituteIds;
use crate::cpr::Cpr;

/// `Cpr::parse` never panics; what it accepts is ten digits that parse to
/// the same number again, with a real birth date, and it never shows the
/// last four digits in `Debug`, `Display` or the masked form.
pub fn cpr(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(cpr) = Cpr::parse(text) else {
        return;
    };
    let digits = cpr.expose_digits();
    assert_eq!(digits.len(), 10);
    assert!(digits.bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(
        Cpr::parse(&digits).as_ref(),
        Ok(&cpr),
        "ten digits round-trip"
    );
    let dashed = format!("{}-{}", &digits[..6], &digits[6..]);
    assert_eq!(
        Cpr::parse(&dashed).as_ref(),
        Ok(&cpr),
        "DDMMYY-SSSS round-trips"
    );
    let masked = cpr.masked();
    assert_eq!(masked, format!("{}-XXXX", &digits[..6]));
    assert_eq!(format!("{cpr}"), masked);
    assert_eq!(format!("{cpr:?}"), format!("Cpr({masked})"));
    let birth = cpr.birth_date();
    assert_eq!(birth.format("%d%m%y").to_string(), digits[..6]);
}

/// A substitute-ID range from bytes: `prefix` up to the first 0 byte, then
/// two little-endian `u32`s. Accepted ranges are at most 500 distinct IDs,
/// each the prefix and a number, in order.
pub fn substitute_id_range(data: &[u8]) {
    let split = data.iter().position(|b| *b == 0).unwrap_or(data.len());
    let prefix = String::from_utf8_lossy(&data[..split]).into_owned();
    let rest = data.get(split + 1..).unwrap_or_default();
    let number = |at: usize| {
        rest.get(at..at + 4)
            .map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    let range = NewSubstituteIds {
        prefix: prefix.clone(),
        from: number(0),
        to: number(4),
    };
    let Ok(ids) = range.user_ids() else {
        return;
    };
    assert!(!ids.is_empty() && ids.len() <= 500);
    assert_eq!(ids.len() as u64, u64::from(range.to - range.from) + 1);
    for pair in ids.windows(2) {
        assert!(pair[0] < pair[1], "in order and distinct: {pair:?}");
    }
    for id in &ids {
        let number = id.strip_prefix(&prefix).expect("the prefix");
        assert!(number.bytes().all(|b| b.is_ascii_digit()), "{id}");
    }
}

/// KOMBIT's privilege list: parsing never panics, whatever is accepted is
/// the profile's shape with no empty parts, reads back the same after
/// writing it out again, and maps to Omsorg's roles without panicking.
#[cfg(feature = "privileges")]
pub fn privileges(data: &[u8]) {
    use crate::privileges::{decode, omsorg_grants, parse};
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = decode(text);
    }
    let Ok(list) = parse(data) else {
        return;
    };
    for g in &list.groups {
        assert!(!g.scope.is_empty());
        assert!(g.privileges.iter().all(|p| !p.trim().is_empty()));
        assert!(g
            .constraints
            .iter()
            .all(|c| !c.name.is_empty() && !c.value.is_empty()));
    }
    let again = parse(list.to_xml().as_bytes()).expect("its own output parses");
    assert_eq!(again, list, "written out and read back");
    let _ = omsorg_grants(&list);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Every file of the fuzz targets' seed corpus.
    fn corpus(target: &str) -> Vec<Vec<u8>> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../fuzz/corpus")
            .join(target);
        let files: Vec<Vec<u8>> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|f| std::fs::read(f.unwrap().path()).unwrap())
            .collect();
        assert!(!files.is_empty(), "a seed corpus in {}", dir.display());
        files
    }

    #[test]
    fn the_fuzz_bodies_hold_over_their_seed_corpus() {
        for input in corpus("cpr") {
            cpr(&input);
        }
        for input in corpus("substitute_id_range") {
            substitute_id_range(&input);
        }
        #[cfg(feature = "privileges")]
        for input in corpus("privileges") {
            privileges(&input);
        }
    }

    proptest! {
        #[test]
        fn the_cpr_body_holds_for_random_input(
            bytes in proptest::collection::vec(any::<u8>(), 0..16),
            shaped in "[0-9]{6}-?[0-9]{4}",
        ) {
            cpr(&bytes);
            cpr(shaped.as_bytes());
        }

        #[test]
        fn the_range_body_holds_for_random_input(
            prefix in "[a-z]{0,9}",
            from in 0u32..100_200,
            len in 0u32..600,
        ) {
            let mut data = prefix.into_bytes();
            data.push(0);
            data.extend(from.to_le_bytes());
            data.extend(from.saturating_add(len).to_le_bytes());
            substitute_id_range(&data);
        }

        #[cfg(feature = "privileges")]
        #[test]
        fn the_privileges_body_holds_for_random_input(
            bytes in proptest::collection::vec(any::<u8>(), 0..256),
            scope in "[ -~]{1,20}",
            value in "[ -~æøå]{1,20}",
            cut in 0usize..400,
        ) {
            privileges(&bytes);
            let xml = format!(
                r#"<PrivilegeList xmlns="http://digst.dk/oiosaml/basic_privilege_profile"><PrivilegeGroup Scope="{}"><Constraint Name="n">{}</Constraint><Privilege>p</Privilege></PrivilegeGroup></PrivilegeList>"#,
                scope.replace('&', "&amp;").replace('<', "&lt;").replace('"', "&quot;"),
                value.replace('&', "&amp;").replace('<', "&lt;"),
            );
            privileges(xml.as_bytes());
            privileges(&xml.as_bytes()[..cut.min(xml.len())]);
        }
    }
}
