//! The share-link decoder and the embed options against arbitrary input. The first byte picks
//! how deep the rest reaches, since random text rarely survives base64 and inflate:
//!
//! - `0`: the rest, as text, is a whole link (and an embed query);
//! - `1`: the rest is the compressed payload (exercises inflate and its size cap);
//! - otherwise: the rest is the JSON inside (exercises parsing, restore and validation).
//!
//! Whatever the input: no panic, no hang, and a link that opens re-opens to the same diagram
//! with nothing left to repair (restore is idempotent).
#![no_main]

use archplay::share::{Shared, decode, embed, encode};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let link = match mode {
        0 => {
            let text = String::from_utf8_lossy(rest);
            let _ = embed::parse(&text);
            text.into_owned()
        }
        1 => format!("#d=v1.{}", URL_SAFE_NO_PAD.encode(rest)),
        _ => format!(
            "#d=v1.{}",
            URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(rest, 1))
        ),
    };
    let Ok(opened) = decode(&link) else {
        return;
    };
    let again = decode(&encode(&opened.shared)).expect("a link we wrote opens");
    assert!(
        again.repairs.is_empty(),
        "restore is idempotent: {:?}",
        again.repairs
    );
    let Shared { diagram, speed } = again.shared;
    assert_eq!(diagram, opened.shared.diagram);
    assert_eq!(speed, opened.shared.speed);
});
