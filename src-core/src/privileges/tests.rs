use super::*;

const KBH: &str = "64942212";
const AARHUS: &str = "55133018";
const NORD: &str = "2f1b7a64-0d7e-4c55-9a43-6a1c1f1e2a01";
const SYD: &str = "9c3e0d5a-51b2-4f0e-8d7c-2b8e6f1a4b02";

fn role(name: &str) -> &'static str {
    ROLES
        .iter()
        .find(|(uri, _)| uri.contains(&format!("/{name}/")))
        .unwrap()
        .0
}

/// The profile's shape as the national examples write it: a default
/// namespace, constraints before privileges, two groups for one CVR.
fn kombit_example() -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<PrivilegeList xmlns="http://digst.dk/oiosaml/basic_privilege_profile">
  <PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:{KBH}">
    <Constraint Name="http://sts.kombit.dk/constraints/orgenhed/1">{NORD}</Constraint>
    <Constraint Name="urn:dk:kombit:KLE">27.*</Constraint>
    <Privilege>{staff}</Privilege>
    <Privilege>{orderer}</Privilege>
  </PrivilegeGroup>
  <PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:{KBH}">
    <Privilege>urn:dk:kombit:other-system:role:1</Privilege>
  </PrivilegeGroup>
</PrivilegeList>"#,
        staff = role("medarbejder"),
        orderer = role("bestiller"),
    )
}

#[test]
fn the_profiles_shape_parses_group_by_group() {
    let list = decode(&encode(&kombit_example())).unwrap();
    assert_eq!(list.groups.len(), 2);
    let g = &list.groups[0];
    assert_eq!(g.scope, format!("{CVR_SCOPE}{KBH}"));
    assert_eq!(g.privileges, [role("medarbejder"), role("bestiller")]);
    assert_eq!(
        g.constraints,
        [
            Constraint {
                name: ORG_UNIT_CONSTRAINT.into(),
                value: NORD.into()
            },
            Constraint {
                name: "urn:dk:kombit:KLE".into(),
                value: "27.*".into()
            },
        ]
    );
    assert_eq!(
        list.groups[1].privileges,
        ["urn:dk:kombit:other-system:role:1"]
    );
}

#[test]
fn a_prefixed_root_with_unqualified_children_and_the_older_namespace_parse_too() {
    let xml = format!(
        r#"<bpp:PrivilegeList xmlns:bpp="http://itst.dk/oiosaml/basic_privilege_profile"
              xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:{AARHUS}">
    <Privilege>{admin}</Privilege>
  </PrivilegeGroup>
</bpp:PrivilegeList>"#,
        admin = role("administrator")
    );
    let grants = omsorg_grants(&parse(xml.as_bytes()).unwrap());
    assert_eq!(grants[AARHUS][&Role::Administrator], Units::All);
}

#[test]
fn omsorg_roles_per_municipality_with_their_units_other_systems_ignored() {
    let xml = format!(
        r#"<PrivilegeList xmlns="http://digst.dk/oiosaml/basic_privilege_profile">
  <PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:{KBH}">
    <Constraint Name="{ORG_UNIT_CONSTRAINT}">{NORD}</Constraint>
    <Privilege>{staff}</Privilege><Privilege>{orderer}</Privilege>
  </PrivilegeGroup>
  <PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:{KBH}">
    <Constraint Name="{ORG_UNIT_CONSTRAINT}">{SYD}</Constraint>
    <Privilege>{staff}</Privilege>
  </PrivilegeGroup>
  <PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:{AARHUS}">
    <Privilege>urn:dk:kombit:other-system:role:1</Privilege>
  </PrivilegeGroup>
  <PrivilegeGroup Scope="urn:dk:gov:saml:seNumberIdentifier:12345678">
    <Privilege>{admin}</Privilege>
  </PrivilegeGroup>
</PrivilegeList>"#,
        staff = role("medarbejder"),
        orderer = role("bestiller"),
        admin = role("administrator"),
    );
    let grants = omsorg_grants(&parse(xml.as_bytes()).unwrap());
    assert_eq!(
        grants.len(),
        1,
        "Aarhus has no Omsorg role; an SE scope is no municipality"
    );
    let kbh = &grants[KBH];
    assert_eq!(
        kbh[&Role::Staff],
        Units::These([NORD.to_string(), SYD.to_string()].into())
    );
    assert_eq!(kbh[&Role::Orderer], Units::These([NORD.to_string()].into()));
    assert!(!kbh.contains_key(&Role::Administrator));

    // A role without a unit constraint covers the whole municipality, and
    // wins over a limited grant of the same role.
    let all = format!(
        r#"<PrivilegeList xmlns="http://digst.dk/oiosaml/basic_privilege_profile">
  <PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:{KBH}">
    <Constraint Name="{ORG_UNIT_CONSTRAINT}">{NORD}</Constraint><Privilege>{staff}</Privilege>
  </PrivilegeGroup>
  <PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:{KBH}"><Privilege>{staff}</Privilege></PrivilegeGroup>
</PrivilegeList>"#,
        staff = role("medarbejder"),
    );
    assert_eq!(
        omsorg_grants(&parse(all.as_bytes()).unwrap())[KBH][&Role::Staff],
        Units::All
    );
}

#[test]
fn escaped_text_and_cdata_read_as_their_characters() {
    let xml = r#"<PrivilegeList xmlns="http://digst.dk/oiosaml/basic_privilege_profile">
  <PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:64942212">
    <Constraint Name="a&amp;b">x&#60;y</Constraint><Privilege><![CDATA[urn:p<1>]]></Privilege>
  </PrivilegeGroup></PrivilegeList>"#;
    let list = parse(xml.as_bytes()).unwrap();
    assert_eq!(list.groups[0].constraints[0].name, "a&b");
    assert_eq!(list.groups[0].constraints[0].value, "x<y");
    assert_eq!(list.groups[0].privileges, ["urn:p<1>"]);
}

#[test]
fn malformed_oversized_and_dtd_bearing_input_is_refused() {
    let ns = NAMESPACES[0];
    let dtd = format!(
        r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>
<PrivilegeList xmlns="{ns}"><PrivilegeGroup Scope="x"><Privilege>&lol2;</Privilege></PrivilegeGroup></PrivilegeList>"#
    );
    assert_eq!(parse(dtd.as_bytes()), Err(PrivilegeError::Dtd));
    let xxe = format!(
        r#"<!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]><PrivilegeList xmlns="{ns}"/>"#
    );
    assert_eq!(parse(xxe.as_bytes()), Err(PrivilegeError::Dtd));
    let undeclared = format!(
        r#"<PrivilegeList xmlns="{ns}"><PrivilegeGroup Scope="s"><Privilege>&x;</Privilege></PrivilegeGroup></PrivilegeList>"#
    );
    assert!(matches!(
        parse(undeclared.as_bytes()),
        Err(PrivilegeError::NotXml(_))
    ));

    let not_the_profile = [
        r#"<PrivilegeList xmlns="urn:other"><PrivilegeGroup Scope="s"><Privilege>p</Privilege></PrivilegeGroup></PrivilegeList>"#.to_string(),
        r#"<PrivilegeList><PrivilegeGroup Scope="s"><Privilege>p</Privilege></PrivilegeGroup></PrivilegeList>"#.to_string(),
        format!(r#"<PrivilegeList xmlns="{ns}"><PrivilegeGroup><Privilege>p</Privilege></PrivilegeGroup></PrivilegeList>"#),
        format!(r#"<PrivilegeList xmlns="{ns}"><PrivilegeGroup Scope="s"><Constraint>v</Constraint></PrivilegeGroup></PrivilegeList>"#),
        format!(r#"<PrivilegeList xmlns="{ns}"><PrivilegeGroup Scope="s"><Privilege> </Privilege></PrivilegeGroup></PrivilegeList>"#),
        format!(r#"<PrivilegeList xmlns="{ns}"><Surprise/></PrivilegeList>"#),
        format!(r#"<PrivilegeList xmlns="{ns}"><PrivilegeGroup Scope="s"><Privilege><b>p</b></Privilege></PrivilegeGroup></PrivilegeList>"#),
        format!(r#"<PrivilegeList xmlns="{ns}">loose text</PrivilegeList>"#),
        format!(r#"<PrivilegeList xmlns="{ns}"></PrivilegeList><PrivilegeList xmlns="{ns}"></PrivilegeList>"#),
        String::new(),
    ];
    for xml in &not_the_profile {
        assert!(
            matches!(parse(xml.as_bytes()), Err(PrivilegeError::NotTheProfile(_))),
            "{xml}: {:?}",
            parse(xml.as_bytes())
        );
    }
    for broken in [
        format!(r#"<PrivilegeList xmlns="{ns}"><PrivilegeGroup Scope="s"></PrivilegeList>"#),
        format!(r#"<PrivilegeList xmlns="{ns}""#),
        "\u{0}\u{ff}".to_string(),
    ] {
        assert!(
            matches!(
                parse(broken.as_bytes()),
                Err(PrivilegeError::NotXml(_)) | Err(PrivilegeError::NotTheProfile(_))
            ),
            "{broken:?}: {:?}",
            parse(broken.as_bytes())
        );
    }
    assert_eq!(
        parse(&[0xff, 0xfe, 0x00]),
        Err(PrivilegeError::NotXml("not UTF-8".into()))
    );
    assert_eq!(decode("not base64!"), Err(PrivilegeError::NotBase64));
    assert_eq!(decode("QQ="), Err(PrivilegeError::NotBase64), "bad padding");
    assert_eq!(
        decode(&"A".repeat(MAX_ENCODED_BYTES + 1)),
        Err(PrivilegeError::TooLarge)
    );
    let many = format!(
        r#"<PrivilegeList xmlns="{ns}">{}</PrivilegeList>"#,
        r#"<PrivilegeGroup Scope="s"><Privilege>p</Privilege></PrivilegeGroup>"#
            .repeat(MAX_GROUPS + 1)
    );
    assert!(matches!(
        parse(many.as_bytes()),
        Err(PrivilegeError::NotTheProfile(_))
    ));
}

#[test]
fn base64_round_trips_with_or_without_padding_and_line_breaks() {
    for text in ["", "a", "ab", "abc", "abcd", "æøå <PrivilegeList/>"] {
        let enc = encode(text);
        assert_eq!(base64_decode(&enc).unwrap(), text.as_bytes());
        assert_eq!(
            base64_decode(enc.trim_end_matches('=')).unwrap(),
            text.as_bytes()
        );
    }
    let wrapped: String = encode(&kombit_example())
        .as_bytes()
        .chunks(76)
        .map(|c| format!("{}\r\n", std::str::from_utf8(c).unwrap()))
        .collect();
    assert_eq!(decode(&wrapped).unwrap().groups.len(), 2);
}
