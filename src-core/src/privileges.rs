//! KOMBIT's privileges: the OIO Basic Privilege Profile 1.2 (`PrivilegeList`,
//! base64 in the token's `privileges_intermediate` claim) parsed with a real
//! XML parser, and Omsorg's user-system roles read from it.
//!
//! ```xml
//! <bpp:PrivilegeList xmlns:bpp="http://digst.dk/oiosaml/basic_privilege_profile">
//!   <PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:64942212">
//!     <Privilege>http://omsorg.dk/roles/usersystemrole/bestiller/1</Privilege>
//!     <Constraint Name="http://sts.kombit.dk/constraints/orgenhed/1">…UUID…</Constraint>
//!   </PrivilegeGroup>
//! </bpp:PrivilegeList>
//! ```
//!
//! A group's constraints limit every privilege in it. Input that is not
//! exactly this shape is refused, never half read: over 64 KiB, not base64,
//! not well-formed, with a DTD or entity declarations (no entity is ever
//! expanded), unknown elements, or too deep.

use std::collections::{BTreeMap, BTreeSet};

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::{NsReader, XmlVersion};

use crate::api::Role;

/// The claim (OIDC) carrying the base64 `PrivilegeList`; in SAML the
/// attribute `https://data.gov.dk/model/core/eid/privilegesIntermediate`.
pub const CLAIM: &str = "privileges_intermediate";

/// The profile's namespaces: 1.2 (digst.dk) and 1.0/1.1 (itst.dk).
pub const NAMESPACES: [&str; 2] = [
    "http://digst.dk/oiosaml/basic_privilege_profile",
    "http://itst.dk/oiosaml/basic_privilege_profile",
];

/// A group's scope for a municipality: this prefix and its CVR number.
pub const CVR_SCOPE: &str = "urn:dk:gov:saml:cvrNumberIdentifier:";

/// KOMBIT's data constraint on organisational units (values: org-unit UUIDs).
pub const ORG_UNIT_CONSTRAINT: &str = "http://sts.kombit.dk/constraints/orgenhed/1";

/// Omsorg's user-system roles (brugersystemroller) as a municipality's role
/// catalogue knows them, and what each means here.
pub const ROLES: [(&str, Role); 3] = [
    (
        "http://omsorg.dk/roles/usersystemrole/medarbejder/1",
        Role::Staff,
    ),
    (
        "http://omsorg.dk/roles/usersystemrole/bestiller/1",
        Role::Orderer,
    ),
    (
        "http://omsorg.dk/roles/usersystemrole/administrator/1",
        Role::Administrator,
    ),
];

/// The largest `privileges_intermediate` value accepted (base64 text).
pub const MAX_ENCODED_BYTES: usize = 64 * 1024;
const MAX_DEPTH: usize = 3;
const MAX_GROUPS: usize = 500;
const MAX_ENTRIES: usize = 5_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Constraint {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PrivilegeGroup {
    pub scope: String,
    pub privileges: Vec<String>,
    pub constraints: Vec<Constraint>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PrivilegeList {
    pub groups: Vec<PrivilegeGroup>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrivilegeError {
    TooLarge,
    NotBase64,
    /// Not well-formed XML (or not UTF-8).
    NotXml(String),
    /// A DTD: refused outright (no entity is ever declared or expanded).
    Dtd,
    /// Well-formed, but not a `PrivilegeList` of the profile.
    NotTheProfile(String),
}

impl std::fmt::Display for PrivilegeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PrivilegeError::TooLarge => write!(f, "the privilege list is over 64 KiB"),
            PrivilegeError::NotBase64 => write!(f, "the privilege list is not base64"),
            PrivilegeError::NotXml(e) => {
                write!(f, "the privilege list is not well-formed XML: {e}")
            }
            PrivilegeError::Dtd => write!(f, "the privilege list carries a DTD"),
            PrivilegeError::NotTheProfile(e) => {
                write!(
                    f,
                    "the privilege list is not OIO Basic Privilege Profile: {e}"
                )
            }
        }
    }
}

impl std::error::Error for PrivilegeError {}

fn not_profile(what: impl Into<String>) -> PrivilegeError {
    PrivilegeError::NotTheProfile(what.into())
}

/// The claim's value: base64 (standard alphabet, padding optional,
/// whitespace ignored) of the XML document.
pub fn decode(encoded: &str) -> Result<PrivilegeList, PrivilegeError> {
    if encoded.len() > MAX_ENCODED_BYTES {
        return Err(PrivilegeError::TooLarge);
    }
    let compact: String = encoded
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    let xml = base64_decode(&compact).ok_or(PrivilegeError::NotBase64)?;
    parse(&xml)
}

/// Standard base64 with optional padding; `None` for anything else.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    fn value(c: u8) -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    }
    let body = text.trim_end_matches('=');
    let padded = text.len() != body.len();
    if text.len() - body.len() > 2
        || body.len() % 4 == 1
        || (padded && !text.len().is_multiple_of(4))
    {
        return None;
    }
    let mut out = Vec::with_capacity(body.len() * 3 / 4);
    for chunk in body.as_bytes().chunks(4) {
        let mut acc = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            acc |= value(*c)? << (18 - 6 * i);
        }
        let bytes = acc.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    Some(out)
}

/// Where the reader is in the document.
enum At {
    Outside,
    List,
    Group,
    /// Inside a `Privilege`, or a `Constraint` with its name.
    Privilege,
    Constraint(String),
}

fn attribute(e: &BytesStart<'_>, name: &str) -> Result<Option<String>, PrivilegeError> {
    for a in e.attributes() {
        let a = a.map_err(|e| PrivilegeError::NotXml(e.to_string()))?;
        if a.key.local_name().into_inner() == name {
            let v = a
                .normalized_value(XmlVersion::Implicit1_0)
                .map_err(|e| PrivilegeError::NotXml(e.to_string()))?;
            return Ok(Some(v.trim().to_string()));
        }
    }
    Ok(None)
}

/// The XML document itself.
pub fn parse(xml: &[u8]) -> Result<PrivilegeList, PrivilegeError> {
    if xml.len() > MAX_ENCODED_BYTES {
        return Err(PrivilegeError::TooLarge);
    }
    let text = std::str::from_utf8(xml).map_err(|_| PrivilegeError::NotXml("not UTF-8".into()))?;
    let mut reader = NsReader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut list = PrivilegeList::default();
    let mut at = At::Outside;
    let mut depth = 0usize;
    let mut entries = 0usize;
    let mut seen_root = false;
    let mut value = String::new();
    loop {
        let (ns, event) = reader
            .read_resolved_event()
            .map_err(|e| PrivilegeError::NotXml(e.to_string()))?;
        match event {
            Event::DocType(_) => return Err(PrivilegeError::Dtd),
            Event::Start(e) => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(not_profile("nested too deep"));
                }
                let local = e.local_name();
                at = match (at, local.into_inner()) {
                    (At::Outside, "PrivilegeList") if !seen_root => {
                        let known = matches!(ns, ResolveResult::Bound(n)
                            if NAMESPACES.contains(&n.into_inner()));
                        if !known {
                            return Err(not_profile("PrivilegeList in an unknown namespace"));
                        }
                        seen_root = true;
                        At::List
                    }
                    (At::List, "PrivilegeGroup") => {
                        if list.groups.len() == MAX_GROUPS {
                            return Err(not_profile("too many groups"));
                        }
                        let scope = attribute(&e, "Scope")?
                            .filter(|s| !s.is_empty())
                            .ok_or_else(|| not_profile("a PrivilegeGroup without Scope"))?;
                        list.groups.push(PrivilegeGroup {
                            scope,
                            ..PrivilegeGroup::default()
                        });
                        At::Group
                    }
                    (At::Group, "Privilege") => At::Privilege,
                    (At::Group, "Constraint") => {
                        let name = attribute(&e, "Name")?
                            .filter(|s| !s.is_empty())
                            .ok_or_else(|| not_profile("a Constraint without Name"))?;
                        At::Constraint(name)
                    }
                    (_, other) => return Err(not_profile(format!("unexpected element {other}"))),
                };
                value.clear();
            }
            Event::Empty(e) => {
                return Err(not_profile(format!(
                    "empty element {}",
                    e.local_name().into_inner()
                )))
            }
            Event::Text(t) => {
                // Entity references come as their own events (below).
                let piece = t.xml10_content();
                match at {
                    At::Privilege | At::Constraint(_) => value.push_str(&piece),
                    _ if piece.trim().is_empty() => {}
                    _ => return Err(not_profile("text outside Privilege and Constraint")),
                }
            }
            Event::CData(c) => match at {
                At::Privilege | At::Constraint(_) => value.push_str(&c.into_inner()),
                _ => return Err(not_profile("CDATA outside Privilege and Constraint")),
            },
            Event::End(_) => {
                depth -= 1;
                at = match at {
                    At::Privilege | At::Constraint(_) => {
                        entries += 1;
                        if entries > MAX_ENTRIES {
                            return Err(not_profile("too many privileges"));
                        }
                        let group = list.groups.last_mut().expect("inside a group");
                        let v = value.trim().to_string();
                        if v.is_empty() {
                            return Err(not_profile("an empty Privilege or Constraint"));
                        }
                        match at {
                            At::Constraint(name) => {
                                group.constraints.push(Constraint { name, value: v })
                            }
                            _ => group.privileges.push(v),
                        }
                        At::Group
                    }
                    At::Group => At::List,
                    At::List | At::Outside => At::Outside,
                };
            }
            Event::Eof => break,
            // The declaration, comments and processing instructions say nothing.
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) => {}
            Event::GeneralRef(r) => {
                // Only the five predefined entities and character references.
                let name = r.clone().into_inner().to_string();
                let resolved = match name.as_str() {
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "amp" => Some('&'),
                    "apos" => Some('\''),
                    "quot" => Some('"'),
                    _ => r.resolve_char_ref().ok().flatten(),
                };
                let c = resolved
                    .ok_or_else(|| PrivilegeError::NotXml(format!("unknown entity &{name};")))?;
                match at {
                    At::Privilege | At::Constraint(_) => value.push(c),
                    _ => return Err(not_profile("text outside Privilege and Constraint")),
                }
            }
        }
    }
    if !seen_root {
        return Err(not_profile("no PrivilegeList"));
    }
    Ok(list)
}

fn escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

impl PrivilegeList {
    /// The document in the profile's 1.2 namespace (a broker's output, for
    /// the dev data and tests; `parse` reads it back to the same list).
    pub fn to_xml(&self) -> String {
        let mut xml = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><bpp:PrivilegeList xmlns:bpp="{}">"#,
            NAMESPACES[0]
        );
        for g in &self.groups {
            xml.push_str(&format!(
                r#"<PrivilegeGroup Scope="{}">"#,
                escaped(&g.scope)
            ));
            for c in &g.constraints {
                xml.push_str(&format!(
                    r#"<Constraint Name="{}">{}</Constraint>"#,
                    escaped(&c.name),
                    escaped(&c.value)
                ));
            }
            for p in &g.privileges {
                xml.push_str(&format!("<Privilege>{}</Privilege>", escaped(p)));
            }
            xml.push_str("</PrivilegeGroup>");
        }
        xml.push_str("</bpp:PrivilegeList>");
        xml
    }
}

/// Which units a role covers: all of the municipality's, or these (with
/// their sub-units, which the org directory resolves).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Units {
    All,
    These(BTreeSet<String>),
}

impl Units {
    fn join(&mut self, other: Units) {
        match (self as &mut Units, other) {
            (Units::All, _) => {}
            (me, Units::All) => *me = Units::All,
            (Units::These(mine), Units::These(theirs)) => mine.extend(theirs),
        }
    }
}

/// Omsorg's roles in one municipality, each with the units it covers.
pub type Grants = BTreeMap<Role, Units>;

/// Omsorg's roles per municipality (by CVR number): groups of other scopes
/// and privileges of other systems are ignored. A group's org-unit
/// constraints limit its roles to those units; a group without one grants
/// them for the whole municipality. Other constraints are not Omsorg's and
/// leave the roles as they are.
pub fn omsorg_grants(list: &PrivilegeList) -> BTreeMap<String, Grants> {
    let mut out: BTreeMap<String, Grants> = BTreeMap::new();
    for group in &list.groups {
        let Some(cvr) = group.scope.strip_prefix(CVR_SCOPE) else {
            continue;
        };
        if cvr.len() != 8 || !cvr.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let units: BTreeSet<String> = group
            .constraints
            .iter()
            .filter(|c| c.name == ORG_UNIT_CONSTRAINT)
            .flat_map(|c| c.value.split([',', ' ']).filter(|v| !v.is_empty()))
            .map(str::to_lowercase)
            .collect();
        let scope = if units.is_empty() {
            Units::All
        } else {
            Units::These(units)
        };
        for privilege in &group.privileges {
            if let Some((_, role)) = ROLES.iter().find(|(uri, _)| uri == privilege) {
                let grants = out.entry(cvr.to_string()).or_default();
                match grants.get_mut(role) {
                    Some(have) => have.join(scope.clone()),
                    None => {
                        grants.insert(*role, scope.clone());
                    }
                }
            }
        }
    }
    out
}

/// The base64 of an XML document, for the dev IdP's data, fixtures and tests.
pub fn encode(xml: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bytes = xml.as_bytes();
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let mut acc = 0u32;
        for (i, b) in chunk.iter().enumerate() {
            acc |= u32::from(*b) << (16 - 8 * i);
        }
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((acc >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
