//! The systems a substitute gets: the directory groups a unit's template
//! names (administrators set it per unit; the order takes the orderer's
//! unit's template as it is then). One reading for the shell, the UI and
//! the backend.

/// A template names at most this many groups.
pub const MAX_GROUPS: usize = 20;
/// A group's name is at most this many characters.
pub const MAX_GROUP_CHARS: usize = 64;

/// The groups as typed (one per line, or a list): trimmed, blank lines
/// dropped; `Err` for more than `MAX_GROUPS`, a name longer than
/// `MAX_GROUP_CHARS` or with control characters, or the same name twice
/// (in any case).
pub fn template<S: AsRef<str>>(typed: &[S]) -> Result<Vec<String>, &'static str> {
    let names: Vec<String> = typed
        .iter()
        .map(|g| g.as_ref().trim().to_string())
        .filter(|g| !g.is_empty())
        .collect();
    if names.len() > MAX_GROUPS {
        return Err("at most 20 systems per unit");
    }
    if names
        .iter()
        .any(|g| g.chars().count() > MAX_GROUP_CHARS || g.chars().any(char::is_control))
    {
        return Err("a system's name is at most 64 characters of text");
    }
    let mut seen = std::collections::HashSet::new();
    if !names.iter().all(|g| seen.insert(g.to_lowercase())) {
        return Err("a system is named twice");
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_template_is_a_short_list_of_distinct_names() {
        assert_eq!(
            template(&[" Nexus ", "", "Medicinmodul"]),
            Ok(vec!["Nexus".to_string(), "Medicinmodul".to_string()])
        );
        assert_eq!(template::<&str>(&[]), Ok(vec![]));
        assert!(template(&["Nexus", "nexus"]).is_err());
        assert!(template(&["x".repeat(65)]).is_err());
        assert!(template(&["Nøgle\tsystem"]).is_err());
        let many: Vec<String> = (0..21).map(|i| format!("g{i}")).collect();
        assert!(template(&many).is_err());
        assert_eq!(template(&many[..20]).map(|v| v.len()), Ok(20));
    }
}
