//! The command-line runner: exit codes, formats and messages.

use std::process::Command;

fn archplay(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_archplay"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run archplay");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const EXAMPLE: &str = "public/examples/reference-network.json";

#[test]
fn json_report_has_the_documented_fields_and_honours_overrides() {
    let (code, out, err) = archplay(&[
        "run",
        EXAMPLE,
        "--seconds",
        "30",
        "--warmup",
        "5",
        "--seed",
        "9",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["seed"], 9);
    assert_eq!(v["simulated_s"], 30.0);
    assert_eq!(v["window_start_s"], 5.0);
    for field in [
        "requests",
        "throughput_per_s",
        "error_rate",
        "errors_by_cause",
        "latency_ms",
        "components",
        "log",
    ] {
        assert!(v.get(field).is_some(), "missing {field}");
    }
    // 900 req/s offered, nothing failing: throughput is the offered rate within Poisson noise
    // (25 s × 900 = 22,500 requests, sd ≈ 0.7 %).
    let tput = v["throughput_per_s"].as_f64().unwrap();
    assert!((tput / 900.0 - 1.0).abs() < 0.03, "{tput}");
}

#[test]
fn text_and_csv_formats() {
    let (code, out, _) = archplay(&["run", EXAMPLE, "--seconds", "10", "--warmup", "0"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("throughput") && out.contains("web-3") && out.contains("p99"),
        "{out}"
    );
    let (code, out, _) = archplay(&[
        "run",
        EXAMPLE,
        "--seconds",
        "10",
        "--warmup",
        "0",
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0);
    let mut lines = out.lines();
    let header = lines.next().unwrap();
    assert!(
        header.starts_with("time_s,sent,ok,errors,p50_ms"),
        "{header}"
    );
    assert!(header.contains("db.utilisation"));
    let columns = header.split(',').count();
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 10, "one row per simulated second");
    assert!(rows.iter().all(|r| r.split(',').count() == columns));
}

#[test]
fn bad_input_exits_2_with_the_problem_named() {
    let dir = std::env::temp_dir().join(format!("archplay-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.json");
    std::fs::write(
        &bad,
        r#"{"version": 1, "components": [{"id": "x", "kind": "mainframe"}]}"#,
    )
    .unwrap();
    let bad = bad.to_str().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (
            &["run", "does/not/exist.json"],
            "cannot read does/not/exist.json",
        ),
        (&["run", bad], "unknown kind 'mainframe'"),
        (
            &["run", EXAMPLE, "--seconds", "-3"],
            "--seconds must be a non-negative number",
        ),
        (&["run", EXAMPLE, "--seconds", "0"], "duration 0 s"),
        (
            &["run", EXAMPLE, "--seed", "abc"],
            "--seed must be a whole number",
        ),
        (
            &["run", EXAMPLE, "--format", "xml"],
            "--format must be text, json or csv",
        ),
        (
            &["run", EXAMPLE, "--seconds", "30", "--warmup", "999"],
            "warm-up 999 s",
        ),
        (&["run"], "run needs a diagram file"),
        (&["fly"], "unknown command 'fly'"),
        (&[], "no command given"),
    ];
    for (args, expect) in cases {
        let (code, _, err) = archplay(args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(expect), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// What the editor's Save writes (`Diagram::to_json` of a diagram built by edits, as the canvas
/// makes them, data center included) runs in the runner unchanged.
#[test]
fn a_diagram_saved_by_the_editor_runs_in_the_runner() {
    use archplay::model::edit::{apply, move_by};
    use archplay::model::{Component, Diagram, Edit, Kind, Wire};
    let mut d = Diagram::new("Built in the editor");
    let place = |id: &str, kind, x, y| {
        let mut c = Component::new(id, kind);
        c.x = x;
        c.y = y;
        c
    };
    let insert = Edit::Insert {
        components: vec![
            place("users-1", Kind::Users, 0.0, 96.0),
            place("lb-1", Kind::LoadBalancer, 240.0, 96.0),
            place("dc-1", Kind::DataCenter, 456.0, 0.0),
            place("web-1", Kind::WebServer, 480.0, 72.0),
            place("web-2", Kind::WebServer, 480.0, 168.0),
        ],
        wires: vec![
            Wire::new("users-1", "lb-1"),
            Wire::new("lb-1", "web-1"),
            Wire::new("lb-1", "web-2"),
        ],
    };
    apply(&mut d, &insert).unwrap();
    let moved = move_by(&d, &["dc-1".into()], 48.0, 0.0).unwrap();
    apply(&mut d, &moved).unwrap();
    let path = std::env::temp_dir().join(format!("archplay-saved-{}.json", std::process::id()));
    std::fs::write(&path, d.to_json()).unwrap();
    let (code, out, err) = archplay(&[
        "run",
        path.to_str().unwrap(),
        "--seconds",
        "10",
        "--format",
        "json",
    ]);
    std::fs::remove_file(&path).ok();
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let ids: Vec<&str> = v["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["users-1", "lb-1", "dc-1", "web-1", "web-2"]);
    assert!(v["requests"]["ok"].as_u64().unwrap() > 0, "{out}");
}

#[test]
fn lesson_check_passes_a_good_lesson_and_names_what_fails_in_a_bad_one() {
    let (code, out, err) = archplay(&["lesson", "one-server", "--check"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("every checkpoint passes and fails as it should"),
        "{out}"
    );
    assert!(
        out.contains("1. Where a request goes: solution passes at 20 s"),
        "{out}"
    );

    // The same lesson with a step whose "mistake" is really its solution: exit 1, named.
    let mut lesson: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/public/lessons/one-server.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let solution = lesson["steps"][0]["solution"].clone();
    lesson["steps"][0]["mistakes"] = serde_json::json!([solution]);
    let path =
        std::env::temp_dir().join(format!("archplay-bad-lesson-{}.json", std::process::id()));
    std::fs::write(&path, lesson.to_string()).unwrap();
    let (code, _, err) = archplay(&["lesson", path.to_str().unwrap(), "--check"]);
    let _ = std::fs::remove_file(&path);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("step 1 (Where a request goes): mistake 1 passes"),
        "{err}"
    );

    let (code, _, err) = archplay(&["lesson", "no/such/lesson.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read no/such/lesson.json"), "{err}");
}

/// A share link whose envelope is `diagram` (any JSON, valid or not).
fn link_of(diagram: &serde_json::Value) -> String {
    use base64::Engine as _;
    let envelope = serde_json::json!({ "diagram": diagram });
    let packed = miniz_oxide::deflate::compress_to_vec(envelope.to_string().as_bytes(), 9);
    format!(
        "https://archplay.example/#d=v1.{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(packed)
    )
}

/// A scratch directory of this test's own.
fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("archplay-cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Characters that must never reach a terminal raw (newline is the one control allowed).
fn raw_controls(text: &str) -> Vec<char> {
    text.chars()
        .filter(|&c| archplay::model::shown::is_unsafe(c))
        .collect()
}

/// A small valid diagram (users → web) as JSON, with `name`.
fn tiny(name: &str) -> serde_json::Value {
    serde_json::json!({
        "format": "archplay-diagram",
        "version": 1,
        "name": name,
        "components": [
            { "id": "users", "kind": "users", "params": { "rate": 20 } },
            { "id": "web", "kind": "web_server" }
        ],
        "wires": [{ "from": "users", "to": "web" }],
        "run": { "duration_s": 5, "warmup_s": 0, "seed": 1 }
    })
}

#[test]
fn input_never_drives_the_terminal() {
    let dir = scratch("escapes");
    // A title, a screen clear, a cursor jump, a carriage return over a forged line, a bell,
    // an 8-bit CSI and a right-to-left override, everywhere input reaches the output.
    let evil = "\x1b]0;owned\x07\x1b[2J\x1b[H\rrequests ok 0 errors\u{9b}31m\u{202e}";
    let named = dir.join("named.json");
    std::fs::write(&named, tiny(evil).to_string()).unwrap();
    let mut unknown = tiny("x");
    unknown["components"][1]["kind"] = evil.into();
    unknown["components"][0]["params"] = serde_json::json!({ evil: 1, "rate": evil });
    let unknown_file = dir.join("unknown.json");
    std::fs::write(&unknown_file, unknown.to_string()).unwrap();
    let mut bad_choice = tiny("x");
    bad_choice["components"][1]["params"] = serde_json::json!({ "sessions": evil });
    let mut wrong_format = tiny("x");
    wrong_format["format"] = evil.into();
    let mut repaired = tiny(evil);
    repaired["components"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({ "id": evil, "kind": evil }));
    let named = named.to_str().unwrap();
    let unknown_file = unknown_file.to_str().unwrap();
    let cases: Vec<Vec<String>> = vec![
        vec!["run".into(), named.into()],
        vec!["run".into(), named.into(), "--format".into(), "json".into()],
        vec!["run".into(), named.into(), "--format".into(), "csv".into()],
        vec!["run".into(), unknown_file.into()],
        vec!["run".into(), link_of(&bad_choice)],
        vec!["run".into(), link_of(&wrong_format)],
        vec!["run".into(), link_of(&repaired)],
        vec!["run".into(), named.into(), "--format".into(), evil.into()],
        vec!["run".into(), named.into(), "--seed".into(), evil.into()],
        vec!["run".into(), evil.into()],
        vec![evil.into()],
        vec!["lesson".into(), evil.into()],
    ];
    for args in &cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, out, err) = archplay(&args);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(code == 0 || code == 2, "{args:?}: {code} {err}");
        assert_eq!(
            raw_controls(&out),
            Vec::<char>::new(),
            "stdout of {args:?}: {out:?}"
        );
        assert_eq!(
            raw_controls(&err),
            Vec::<char>::new(),
            "stderr of {args:?}: {err:?}"
        );
    }
    // The name is still there to read, escaped; JSON keeps it exactly (as JSON escapes).
    let (_, out, _) = archplay(&["run", named]);
    assert!(out.starts_with("\\x1b]0;owned\\x07"), "{out}");
    let (_, out, _) = archplay(&["run", named, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["log"].as_array().map(Vec::len), Some(0));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_lesson_file_cannot_drive_the_terminal_either() {
    let dir = scratch("lesson-escapes");
    let lesson = include_str!("../public/lessons/one-server.json");
    let mut v: serde_json::Value = serde_json::from_str(lesson).unwrap();
    v["title"] = "\x1b[2J\x1b]0;x\x07Title".into();
    v["steps"][0]["task"] = "do\rthis\x1b[1A".into();
    let file = dir.join("lesson.json");
    std::fs::write(&file, v.to_string()).unwrap();
    let (code, out, err) = archplay(&["lesson", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\\x1b[2J"), "{out}");
    assert_eq!(raw_controls(&out), Vec::<char>::new(), "{out:?}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn endless_and_huge_files_are_refused_before_they_are_read() {
    // Under a 40 MB address-space limit (the binary itself maps several MB), so reading a 2 GB
    // file, or /dev/zero to its end, would fail with an allocation error instead.
    let dir = scratch("huge");
    let sparse = dir.join("sparse.json");
    let f = std::fs::File::create(&sparse).unwrap();
    f.set_len(2 << 30).unwrap();
    let bin = env!("CARGO_BIN_EXE_archplay");
    for (cmd, file) in [
        ("run", sparse.to_str().unwrap()),
        ("run", "/dev/zero"),
        ("lesson", "/dev/zero"),
        ("lesson", sparse.to_str().unwrap()),
    ] {
        let out = Command::new("sh")
            .arg("-c")
            .arg(format!("ulimit -v 40000; exec '{bin}' {cmd} '{file}'"))
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{cmd} {file}: {err}");
        assert!(
            err.contains("larger than 8 MB"),
            "{cmd} {file}: refused for its size, not memory: {err}"
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_path_that_exists_is_a_file_whatever_its_name() {
    let dir = scratch("names");
    for name in ["v1.json", "a#d=v1.x.json", "d=v1.json", "#example=mm1"] {
        let file = dir.join(name);
        std::fs::write(&file, tiny(name).to_string()).unwrap();
        let (code, out, err) = archplay(&["run", file.to_str().unwrap()]);
        assert_eq!(code, 0, "{name}: {err}");
        assert!(out.starts_with(name), "{name}: {out}");
    }
    // With a byte-order mark, as some Windows editors save.
    let bom = dir.join("bom.json");
    std::fs::write(&bom, format!("\u{feff}{}", tiny("bom"))).unwrap();
    let (code, out, err) = archplay(&["run", bom.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("bom"), "{out}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_apps_example_links_run() {
    for arg in [
        "#example=single-server",
        "https://archplay.example/#example=single-server",
        "example=single-server",
    ] {
        let (code, out, err) = archplay(&["run", arg, "--seconds", "30", "--warmup", "5"]);
        assert_eq!(code, 0, "{arg}: {err}");
        assert!(out.contains("throughput"), "{arg}: {out}");
    }
    let (code, _, err) = archplay(&["run", "#example=atlantis"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("no shipped example called 'atlantis'"),
        "{err}"
    );
}

#[test]
fn a_closed_pipe_ends_the_run_quietly() {
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_archplay"))
        .args(["run", EXAMPLE, "--seconds", "120", "--format", "csv"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Close the reading end at once, as `| head -0` does.
    child.stdout = None;
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert_eq!(err, "", "nothing said");
}

#[test]
fn messages_quote_input_briefly_and_usage_only_for_usage_errors() {
    // A 62 KB link that is not one (no '#d=' part): one short line, no usage text.
    let long = format!("https://example.org/{}", "a".repeat(62_000));
    let (code, _, err) = archplay(&["run", &long]);
    assert_eq!(code, 2);
    assert!(err.lines().all(|l| l.len() < 400), "{}", err.len());
    assert!(err.contains("(62,020 characters)"), "{err}");
    assert!(
        !err.contains("usage:"),
        "a data error prints no usage: {err}"
    );
    // A 7 MB diagram name is shortened in the text report's first line.
    let dir = scratch("long-name");
    let file = dir.join("long.json");
    std::fs::write(&file, tiny(&"n".repeat(7_000_000)).to_string()).unwrap();
    let (code, out, err) = archplay(&["run", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.lines().next().unwrap().len() < 300, "{}", out.len());
    std::fs::remove_dir_all(&dir).ok();
    // A usage error points at the help, which every command answers.
    let (code, _, err) = archplay(&["run", EXAMPLE, "--bogus"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("'--bogus'") && err.contains("archplay help"),
        "{err}"
    );
    for args in [
        &["--help"][..],
        &["-h"],
        &["help"],
        &["run", "--help"],
        &["run", "-h"],
        &["lesson", "--help"],
        &["bench", "--help"],
    ] {
        let (code, out, err) = archplay(args);
        assert_eq!(code, 0, "{args:?}: {err}");
        assert!(out.starts_with("usage:"), "{args:?}: {out}");
    }
    let (code, out, _) = archplay(&["--version"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("archplay "), "{out}");
}

#[test]
fn hostile_links_get_short_answers() {
    // 300,000 components of an unknown kind (a few KB deflated): refused by count before
    // anything is repaired.
    let components = vec![serde_json::json!({ "id": "c", "kind": "x" }); 300_000];
    let mut garbage = tiny("garbage");
    garbage["components"] = components.into();
    let (code, out, err) = archplay(&["run", &link_of(&garbage)]);
    assert_eq!(code, 2);
    assert_eq!(out, "");
    assert!(err.len() < 500, "{} bytes: {err}", err.len());
    assert!(
        err.contains("300,000 components; at most 2,000 are allowed"),
        "{err}"
    );
    // Counted without building the list: the same refusal within a 60 MB address space (the
    // JSON tree of those 300,000 components alone would take about 240 MB).
    let bin = env!("CARGO_BIN_EXE_archplay");
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v 60000; exec '{bin}' run '{}'",
            link_of(&garbage)
        ))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("300,000 components; at most 2,000 are allowed"),
        "{err}"
    );
    // 1,900 repairs under the cap: the first 20 and a count, then the run.
    let mut mostly = tiny("mostly garbage");
    for i in 0..1_900 {
        mostly["components"]
            .as_array_mut()
            .unwrap()
            .push(serde_json::json!({ "id": format!("c{i}"), "kind": "mainframe" }));
    }
    let (code, out, err) = archplay(&["run", &link_of(&mostly)]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("throughput"), "{out}");
    assert!(err.contains("1,900 repairs"), "{err}");
    assert!(err.contains("… and 1,880 more repairs"), "{err}");
    assert!(err.lines().count() <= 22, "{err}");
}
