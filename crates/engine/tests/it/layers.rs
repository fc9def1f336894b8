//! The engine's layers (ARCHITECTURE.md, "Layers"): every top-level module of
//! `crates/engine/src` belongs to one layer and may use only its own module and the layers
//! below it. Peers in one layer (the three drivers; source and target) do not use each other.
//! An upward `use` fails this test with the file, the line and the rule.
//!
//! Test-only code (`#[cfg(test)]` modules) may use anything, and comments are not code.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Lowest first. A module may use the modules of the layers before its own.
const LAYERS: &[(&str, &[&str])] = &[
    ("model", &["model"]),
    ("support", &["support"]),
    ("convert", &["convert"]),
    ("drivers", &["sqlite", "postgres", "bundle"]),
    ("plan", &["plan"]),
    ("endpoints", &["source", "target"]),
    ("jobs", &["jobs"]),
    ("run", &["run"]),
    ("api", &["api"]),
];

/// Names `lib.rs` re-exports at the crate root for front ends; all of them are the model's.
const ROOT_ITEMS: &[&str] = &[
    "Error",
    "ErrorKind",
    "Result",
    "Location",
    "Options",
    "Cancel",
    "Event",
    "Phase",
    "Progress",
    "Report",
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|(_, ms)| ms.contains(&module))
}

/// Every upward or sideways use in the engine's source tree at `src`, as one line each.
pub fn layer_violations(src: &Path) -> Vec<String> {
    let mut files = vec![];
    collect_rs(src, &mut files);
    let test_only = test_only_files(&files);
    let mut out = vec![];
    for file in &files {
        if test_only.contains(file) {
            continue;
        }
        let rel = file.strip_prefix(src).unwrap();
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        if top == "lib" {
            continue;
        }
        let Some(own) = layer_of(&top) else {
            out.push(format!(
                "{}: module `{top}` is in no layer (add it to ARCHITECTURE.md and LAYERS)",
                rel.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(file).unwrap();
        let code = without_tests(&strip_comments(&text));
        for (line, used) in crate_uses(&code) {
            let verdict = if ROOT_ITEMS.contains(&used.as_str()) {
                None
            } else {
                match layer_of(&used) {
                    None => Some(format!(
                        "`crate::{used}` is not a layer's module (use its path in the layers, e.g. `crate::model::{used}`)"
                    )),
                    Some(l) if used == top || l < own => None,
                    Some(l) if l == own => Some(format!(
                        "`{top}` and `{used}` are peers in layer {}; peers do not use each other",
                        LAYERS[own].0
                    )),
                    Some(l) => Some(format!(
                        "`{top}` (layer {}) uses `{used}` (layer {}), which is above it",
                        LAYERS[own].0, LAYERS[l].0
                    )),
                }
            };
            if let Some(why) = verdict {
                out.push(format!("{}:{line}: {why}", rel.display()));
            }
        }
    }
    out
}

fn collect_rs(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
    entries.sort_by_key(|e| e.path());
    for e in entries {
        let p = e.path();
        if p.is_dir() {
            collect_rs(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Files declared as `#[cfg(test)] mod name;` (optionally with `#[path = "…"]`).
fn test_only_files(files: &[PathBuf]) -> BTreeSet<PathBuf> {
    let mut out = BTreeSet::new();
    for file in files {
        let text = strip_comments(&std::fs::read_to_string(file).unwrap());
        let dir = module_dir(file);
        let mut rest = text.as_str();
        while let Some(i) = rest.find("#[cfg(test)]") {
            rest = &rest[i + "#[cfg(test)]".len()..];
            let mut after = rest.trim_start();
            let mut path_attr = None;
            if let Some(p) = after.strip_prefix("#[path") {
                let q1 = p.find('"').unwrap();
                let q2 = p[q1 + 1..].find('"').unwrap();
                path_attr = Some(p[q1 + 1..q1 + 1 + q2].to_string());
                after = p[p.find(']').unwrap() + 1..].trim_start();
            }
            let after = after.strip_prefix("pub ").unwrap_or(after);
            if let Some(m) = after.strip_prefix("mod ") {
                let name: String = m
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if m[name.len()..].trim_start().starts_with(';') {
                    match path_attr {
                        Some(p) => {
                            out.insert(file.parent().unwrap().join(p));
                        }
                        None => {
                            out.insert(dir.join(format!("{name}.rs")));
                            out.insert(dir.join(&name).join("mod.rs"));
                        }
                    }
                }
            }
        }
    }
    out
}

/// Where a file's child modules live: `x/` for `x.rs`, its own folder for `mod.rs`.
fn module_dir(file: &Path) -> PathBuf {
    let parent = file.parent().unwrap();
    match file.file_stem().unwrap().to_str().unwrap() {
        "mod" | "lib" | "main" => parent.to_path_buf(),
        stem => parent.join(stem),
    }
}

/// The code without comments (line, doc and block comments), string literals kept.
fn strip_comments(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
                    depth += 1;
                    i += 2;
                } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if b[i] == b'\n' {
                        out.push('\n');
                    }
                    i += 1;
                }
            }
        } else if b[i] == b'"' {
            // Skip string literals (their text is data, not a path), keeping line breaks.
            i += 1;
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' {
                    i += 1;
                }
                if i < b.len() && b[i] == b'\n' {
                    out.push('\n');
                }
                i += 1;
            }
            out.push_str("\"\"");
            i += 1;
        } else {
            let ch = text[i..].chars().next().unwrap();
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

/// The code before an inline `#[cfg(test)] mod … {` (test modules come last in a file).
fn without_tests(code: &str) -> String {
    let mut search = 0;
    while let Some(i) = code[search..].find("#[cfg(test)]") {
        let at = search + i;
        let after = code[at + "#[cfg(test)]".len()..].trim_start();
        let after = after.strip_prefix("pub ").unwrap_or(after);
        if let Some(m) = after.strip_prefix("mod ") {
            let name_len = m
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .count();
            if m[name_len..].trim_start().starts_with('{') {
                return code[..at].to_string();
            }
        }
        search = at + 1;
    }
    code.to_string()
}

/// `(line, first segment)` of every `crate::…` path, the members of `crate::{…}` groups
/// included.
fn crate_uses(code: &str) -> Vec<(usize, String)> {
    let mut out = vec![];
    let bytes = code.as_bytes();
    let mut from = 0;
    while let Some(i) = code[from..].find("crate::") {
        let at = from + i;
        from = at + 7;
        let boundary = at == 0 || !(bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_');
        if !boundary || code[..at].ends_with("$") {
            continue;
        }
        let line = code[..at].matches('\n').count() + 1;
        let rest = &code[at + 7..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 1;
            let mut item = String::new();
            let mut at_start = true;
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    ',' if depth == 1 => {
                        if !item.is_empty() {
                            out.push((line, std::mem::take(&mut item)));
                        }
                        at_start = true;
                        continue;
                    }
                    _ => {}
                }
                if depth == 1 && at_start {
                    if c.is_alphanumeric() || c == '_' {
                        item.push(c);
                    } else if !item.is_empty() {
                        out.push((line, std::mem::take(&mut item)));
                        at_start = false;
                    }
                }
            }
            if !item.is_empty() {
                out.push((line, item));
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() && name != "self" {
                out.push((line, name));
            }
        }
    }
    out
}

#[test]
fn the_engine_imports_only_downwards() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let violations = layer_violations(&src);
    assert!(
        violations.is_empty(),
        "imports that point up or sideways ({}):\n{}",
        violations.len(),
        violations.join("\n")
    );
}

#[test]
fn an_upward_import_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path();
    let write = |rel: &str, text: &str| {
        let p = src.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    write("lib.rs", "pub mod model;\npub mod run;\n");
    write(
        "model/mod.rs",
        "//! crate::run in a comment is fine\npub mod value;\n#[cfg(test)]\nmod tests;\n",
    );
    write(
        "model/value.rs",
        "use crate::model::x;\nuse crate::{Result, run::copy::Thing};\nfn f() { let s = \"crate::run\"; }\n#[cfg(test)]\nmod tests { use crate::run::y; }\n",
    );
    write("model/tests.rs", "use crate::run::anything;\n");
    write(
        "run/mod.rs",
        "use crate::model::value;\nuse crate::catalog::Table;\n",
    );
    write("sqlite/mod.rs", "use crate::postgres::ddl;\n");
    write("stray.rs", "");
    let found = layer_violations(src);
    assert_eq!(
        found,
        vec![
            "model/value.rs:2: `model` (layer model) uses `run` (layer run), which is above it"
                .to_string(),
            "run/mod.rs:2: `crate::catalog` is not a layer's module (use its path in the layers, e.g. `crate::model::catalog`)".to_string(),
            "sqlite/mod.rs:1: `sqlite` and `postgres` are peers in layer drivers; peers do not use each other".to_string(),
            "stray.rs: module `stray` is in no layer (add it to ARCHITECTURE.md and LAYERS)".to_string(),
        ]
    );
}
