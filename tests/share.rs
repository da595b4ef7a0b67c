//! Share links: every diagram round-trips; every released version keeps decoding; hostile links
//! each get their own message and never panic, hang or inflate without bound.

use std::time::Instant;

use archplay::model::{Component, Diagram, Kind, Wire};
use archplay::share::{LinkError, Shared, decode, encode, link};
use archplay::sim::rng::SimRng;

const EXAMPLES: [&str; 4] = [
    include_str!("../public/examples/single-server.json"),
    include_str!("../public/examples/load-balancer-failover.json"),
    include_str!("../public/examples/data-center-outage.json"),
    include_str!("../public/examples/reference-network.json"),
];

/// A random valid diagram: an example with random settings, labels (with markup and emoji),
/// positions, run settings and extra components.
fn random_diagram(rng: &mut SimRng) -> Diagram {
    let mut d = Diagram::from_json(EXAMPLES[rng.below(4) as usize]).unwrap();
    d.name = format!("<script>alert({})</script> ünï 🚀", rng.below(1000));
    d.run.seed = u64::from(rng.next_u32()) << 32 | u64::from(rng.next_u32());
    d.run.duration_s = 1.0 + rng.below(3600) as f64;
    d.run.warmup_s = 0.0;
    d.traffic.rate_scale = rng.unit() * 10.0;
    for c in &mut d.components {
        c.x = (rng.unit() - 0.5) * 1e5;
        c.y = rng.unit() * 1e-3;
        if rng.unit() < 0.5 {
            c.label = format!("\"{}\" & <b>", rng.below(100));
        }
        if c.kind == Kind::WebServer {
            *c = c.clone().with("workers", 1.0 + rng.below(500) as f64);
        }
    }
    for i in 0..rng.below(20) {
        let id = format!("extra-{i}");
        d.components.push(Component::new(&id, Kind::Database));
    }
    assert!(d.validate().is_ok());
    d
}

#[test]
fn decode_after_encode_gives_back_every_generated_diagram() {
    let mut rng = SimRng::new(77);
    for _ in 0..300 {
        let shared = Shared {
            diagram: random_diagram(&mut rng),
            speed: ["1×", "10×", "As fast as possible"]
                .get(rng.below(4) as usize)
                .map(|s| s.to_string()),
        };
        let back = decode(&link("https://x.example/#", &shared)).unwrap();
        assert_eq!(back.shared, shared);
        assert!(back.repairs.is_empty());
    }
}

#[test]
fn a_version_1_link_decodes_forever() {
    // Written by this build when link version 1 was released; never regenerate it.
    let fixture = include_str!("fixtures/share-link-v1.txt").trim();
    let d = decode(fixture).unwrap();
    let expected = Diagram::from_json(include_str!(
        "../public/examples/load-balancer-failover.json"
    ))
    .unwrap();
    assert_eq!(d.shared.diagram, expected);
    assert_eq!(d.shared.speed.as_deref(), Some("10×"));
}

fn deflate_b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    let packed = miniz_oxide::deflate::compress_to_vec(bytes, 9);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(packed)
}

#[test]
fn hostile_links_each_get_their_own_message() {
    let good = encode(&Shared {
        diagram: Diagram::from_json(EXAMPLES[0]).unwrap(),
        speed: None,
    });
    // Cut at a multiple of four characters of data, so what is left is still valid base64.
    let cut = &good[..3 + (good.len() - 3) / 8 * 4];
    let mut flipped = good.clone().into_bytes();
    let mid = flipped.len() * 2 / 3;
    flipped[mid] = if flipped[mid] == b'A' { b'B' } else { b'A' };
    let flipped = String::from_utf8(flipped).unwrap();
    let cases: Vec<(String, &str)> = vec![
        ("https://x.example/".into(), "holds no diagram"),
        ("#d=".into(), "is not one this version of Archplay reads"),
        (
            "#d=v0.abc".into(),
            "is not one this version of Archplay reads",
        ),
        (
            "#d=x1.abc".into(),
            "is not one this version of Archplay reads",
        ),
        (
            "#d=v2.abc".into(),
            "made by a newer Archplay (link version 2",
        ),
        (
            "#d=v1.a$b%c".into(),
            "characters a share link never contains",
        ),
        (format!("#d={cut}"), "does not unpack"),
        (
            format!("#d=v1.{}", deflate_b64(b"not json")),
            "does not hold a diagram",
        ),
        (
            format!("#d=v1.{}", deflate_b64(b"{\"speed\": 3}")),
            "there is no 'diagram' in it",
        ),
        (
            format!(
                "#d=v1.{}",
                deflate_b64(br#"{"diagram": {"format": "archplay-diagram", "version": 99}}"#)
            ),
            "cannot be used",
        ),
        (
            format!("#d=v1.{}", "A".repeat(5 * 1024 * 1024)),
            "at most 4194304 are read",
        ),
    ];
    // One character changed in the middle: the data no longer unpacks, or unpacks to garbage.
    assert!(matches!(
        decode(&format!("#d={flipped}")),
        Err(LinkError::Corrupted | LinkError::NotADiagram(_))
    ));
    for (text, message) in cases {
        let err = decode(&text).expect_err(&text[..text.len().min(60)]);
        assert!(
            err.to_string().contains(message),
            "{:?}…: expected '{message}', got '{err}'",
            &text[..text.len().min(40)]
        );
    }
}

#[test]
fn a_decompression_bomb_is_refused_quickly() {
    // 64 MB of zeros deflates to tens of kilobytes; the decoder must stop at the 8 MB cap.
    let packed = miniz_oxide::deflate::compress_to_vec(&vec![0u8; 64 << 20], 6);
    use base64::Engine as _;
    let text = format!(
        "#d=v1.{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&packed)
    );
    assert!(
        text.len() < 200_000,
        "the bomb fits in a link: {} chars",
        text.len()
    );
    let started = Instant::now();
    assert_eq!(decode(&text).unwrap_err(), LinkError::TooBig);
    // Timing is reported, not asserted (a loaded machine may be slow); the cap is what matters.
    eprintln!("bomb refused in {:?}", started.elapsed());
}

#[test]
fn the_runner_takes_a_link() {
    let d = Diagram::from_json(EXAMPLES[1]).unwrap();
    let l = link(
        "https://x.example/",
        &Shared {
            diagram: d,
            speed: None,
        },
    );
    let run = |arg: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_archplay"))
            .args(["run", arg, "--seconds", "20", "--format", "json"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(run(&l), run("public/examples/load-balancer-failover.json"));
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_archplay"))
        .args(["run", "https://x.example/#d=v9.abc"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("newer Archplay"));
}

#[test]
fn wire_with_markup_in_labels_stays_text() {
    // Labels travel as data; the UI renders them as text nodes. Here: they survive intact.
    let mut d = Diagram::new("x");
    let mut c = Component::new("a", Kind::Users);
    c.label = "<img src=x onerror=alert(1)>".into();
    d.components = vec![c, Component::new("b", Kind::WebServer)];
    d.wires = vec![Wire::new("a", "b")];
    let back = decode(&encode(&Shared {
        diagram: d.clone(),
        speed: None,
    }))
    .unwrap();
    assert_eq!(
        back.shared.diagram.components[0].label,
        "<img src=x onerror=alert(1)>"
    );
}

/// Damages a shared diagram's JSON the ways a hand-edited or truncated-and-patched link can be
/// damaged: unknown kinds, missing and repeated ids, bad numbers, dangling and repeated wires.
fn damaged(rng: &mut SimRng) -> serde_json::Value {
    use serde_json::json;
    let shared = Shared {
        diagram: random_diagram(rng),
        speed: None,
    };
    let mut v = serde_json::to_value(&shared).unwrap();
    let d = &mut v["diagram"];
    let n = d["components"].as_array().unwrap().len();
    for _ in 0..1 + rng.below(6) {
        let i = rng.below(n as u64) as usize;
        let c = &mut d["components"][i];
        match rng.below(7) {
            0 => c["kind"] = json!("mainframe"),
            1 => c["id"] = json!("users"),
            2 => {
                c.as_object_mut().unwrap().remove("id");
            }
            3 => c["params"]["workers"] = json!(-3),
            4 => c["params"]["nonsense"] = json!(1),
            5 => c["x"] = json!("left"),
            _ => c["params"]["rate"] = json!(1e308),
        }
        if rng.unit() < 0.4 {
            let wires = d["wires"].as_array_mut().unwrap();
            match rng.below(3) {
                0 => wires.push(json!({ "from": "users", "to": "ghost" })),
                1 => wires.push(json!({ "from": "lb", "to": "lb" })),
                _ => {
                    if let Some(w) = wires.first().cloned() {
                        wires.push(w);
                    }
                }
            }
        }
    }
    v
}

#[test]
fn restore_is_idempotent_on_damaged_links() {
    let mut rng = SimRng::new(2026);
    let (mut repaired, mut refused) = (0, 0);
    for _ in 0..300 {
        let value = damaged(&mut rng);
        let link = format!("#d=v1.{}", deflate_b64(value.to_string().as_bytes()));
        let Ok(once) = decode(&link) else {
            refused += 1;
            continue;
        };
        repaired += usize::from(!once.repairs.is_empty());
        let again = decode(&encode(&once.shared)).unwrap();
        assert!(again.repairs.is_empty(), "{:?}", again.repairs);
        assert_eq!(again.shared, once.shared);
    }
    // The generator must really exercise the repairs, not just pass valid diagrams through.
    assert!(repaired > 200, "{repaired} repaired, {refused} refused");
}

/// The ids of a decoded link's components, in order.
fn ids_of(d: &archplay::share::Decoded) -> Vec<&str> {
    d.shared
        .diagram
        .components
        .iter()
        .map(|c| c.id.as_str())
        .collect()
}

/// A link whose diagram has `components` (JSON) and no wires.
fn link_with_components(components: Vec<serde_json::Value>) -> String {
    let envelope = serde_json::json!({ "diagram": {
        "format": "archplay-diagram",
        "version": 1,
        "name": "repeated",
        "components": components,
        "wires": [],
    }});
    format!("#d=v1.{}", deflate_b64(envelope.to_string().as_bytes()))
}

#[test]
fn repeated_ids_are_renamed_in_one_pass_and_summarised() {
    // The most components a diagram may hold, all but one with the same id.
    let mut components = vec![serde_json::json!({ "id": "users", "kind": "users" })];
    components.extend(vec![
        serde_json::json!({ "id": "web", "kind": "web_server" });
        1_999
    ]);
    let started = Instant::now();
    let d = decode(&link_with_components(components)).unwrap();
    eprintln!("1,999 copies of one id repaired in {:?}", started.elapsed());
    let ids = ids_of(&d);
    assert_eq!(ids[1..4], ["web", "web-2", "web-3"]);
    assert_eq!(ids[1_999], "web-1999");
    assert_eq!(d.repairs.len(), 1_998);
    let lines = d.repairs.lines();
    assert_eq!(lines.len(), 21, "{lines:?}");
    assert_eq!(
        lines[0],
        "renamed a repeated web to web-2: ids must be unique"
    );
    assert_eq!(lines[20], "… and 1,978 more repairs");
    // A copy is never renamed onto an id already taken: the suffix counter skips it.
    let d = decode(&link_with_components(vec![
        serde_json::json!({ "id": "web-2", "kind": "web_server" }),
        serde_json::json!({ "id": "web", "kind": "web_server" }),
        serde_json::json!({ "id": "web", "kind": "web_server" }),
        serde_json::json!({ "id": "web", "kind": "web_server" }),
    ]))
    .unwrap();
    assert_eq!(ids_of(&d), ["web-2", "web", "web-3", "web-4"]);
}

#[test]
fn lists_longer_than_the_format_allows_are_refused_before_any_repair() {
    // 20,000 copies of one id deflate to a 1.7 KB link; the cap comes before the renaming.
    let link = link_with_components(vec![
        serde_json::json!({ "id": "a", "kind": "web_server" });
        20_000
    ]);
    assert!(link.len() < 3_000, "{}", link.len());
    let started = Instant::now();
    let err = decode(&link).unwrap_err();
    eprintln!("20,000 copies of one id refused in {:?}", started.elapsed());
    assert_eq!(
        err.to_string(),
        "the link's diagram cannot be used: it has 20,000 components; at most 2,000 are allowed"
    );
    let envelope = serde_json::json!({ "diagram": {
        "format": "archplay-diagram", "version": 1, "components": [],
        "wires": vec![serde_json::json!({ "from": "a", "to": "b" }); 10_001],
    }});
    let err = decode(&format!(
        "#d=v1.{}",
        deflate_b64(envelope.to_string().as_bytes())
    ))
    .unwrap_err()
    .to_string();
    assert!(err.contains("10,001 wires; at most 10,000"), "{err}");
}

#[test]
fn a_long_name_is_shortened_with_a_repair() {
    let envelope = serde_json::json!({ "diagram": {
        "format": "archplay-diagram", "version": 1, "name": "n".repeat(100_000),
        "components": [{ "id": "users", "kind": "users" }], "wires": [],
    }});
    let d = decode(&format!(
        "#d=v1.{}",
        deflate_b64(envelope.to_string().as_bytes())
    ))
    .unwrap();
    assert_eq!(d.shared.diagram.name.chars().count(), 200);
    assert_eq!(
        d.repairs.kept(),
        ["shortened the diagram's name from 100,000 to 200 characters"]
    );
}
