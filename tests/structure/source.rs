//! Reading `src/` as the compiler would see its imports: comments and literals
//! blanked out, `use` trees expanded, paths resolved to the files that define them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A parsed source file.
pub struct Source {
    pub module: Vec<String>,
    pub text: String,
}

pub fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            files.push(path);
        }
    }
    files
}

/// `api/articles/mod.rs` → `[api, articles]`; `lib.rs` and `main.rs` → `[]`.
pub fn module_of(file: &str) -> Vec<String> {
    let mut parts: Vec<String> = file.trim_end_matches(".rs").split('/').map(str::to_owned).collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib" | "main")) {
        parts.pop();
    }
    parts
}

/// The text with comments and the contents of string and character literals blanked
/// out (line breaks kept, so that line numbers still hold).
pub fn strip_comments_and_strings(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
        } else if c == 'r' && (next == Some('"') || next == Some('#')) && !ident_before(&chars, i) {
            // A raw string: r"…", r#"…"#, br#"…"#.
            let hashes = chars[i + 1..].iter().take_while(|&&c| c == '#').count();
            if chars.get(i + 1 + hashes) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            let close: Vec<char> = std::iter::once('"').chain(std::iter::repeat_n('#', hashes)).collect();
            out.push('r');
            i += 2 + hashes;
            while i < chars.len() && !chars[i..].starts_with(&close) {
                out.push(blank(chars[i]));
                i += 1;
            }
            i += close.len();
            out.push_str("\"\"");
        } else if c == '"' {
            out.push('"');
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                if let Some(&c) = chars.get(i) {
                    out.push(blank(c));
                }
                i += 1;
            }
            out.push('"');
            i += 1;
        } else if c == '\'' {
            // A character literal ('x', '\n', '\u{..}'), or a lifetime ('a), left as is.
            let end = if next == Some('\\') {
                chars.get(i + 3..).and_then(|rest| rest.iter().position(|&c| c == '\'')).map(|p| i + 3 + p)
            } else if chars.get(i + 2) == Some(&'\'') {
                Some(i + 2)
            } else {
                None
            };
            match end {
                Some(end) => {
                    out.push_str(&" ".repeat(end + 1 - i));
                    i = end + 1;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// Whether an identifier goes on before `chars[i]` (the `b` of `br"…"` does not count).
pub fn ident_before(chars: &[char], i: usize) -> bool {
    let Some(&before) = i.checked_sub(1).and_then(|at| chars.get(at)) else { return false };
    (before.is_alphanumeric() || before == '_') && (before != 'b' || ident_before(chars, i - 1))
}

/// The text without `#[cfg(test)] mod … { … }` blocks.
pub fn without_test_modules(text: &str) -> String {
    let mut out = text.to_owned();
    let mut from = 0;
    while let Some(at) = out[from..].find("#[cfg(test)]").map(|p| p + from) {
        let rest = out[at + "#[cfg(test)]".len()..].trim_start();
        let is_module = rest.starts_with("mod ") || rest.starts_with("pub mod ");
        let open = out[at..].find('{').map(|p| p + at);
        match (is_module, open) {
            (true, Some(open)) if !out[at..open].contains(';') => {
                let mut depth = 0;
                let mut end = out.len();
                for (offset, c) in out[open..].char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                end = open + offset + 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                let blanked: String = out[at..end]
                    .chars()
                    .map(|c| if c == '\n' { "\n".to_owned() } else { " ".repeat(c.len_utf8()) })
                    .collect();
                out.replace_range(at..end, &blanked);
                from = end;
            }
            _ => from = at + 1,
        }
    }
    out
}

/// Every path in this crate the text names: `(line, path, whether a pub use)`. Paths in
/// `use` trees come expanded; an alias is dropped, a glob names its module.
pub fn paths_in(text: &str) -> Vec<(usize, String, bool)> {
    let line_at = |offset: usize| text[..offset].matches('\n').count() + 1;
    let mut found = Vec::new();
    let mut in_use: Vec<(usize, usize)> = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let start = offset + (line.len() - trimmed.len());
        offset += line.len();
        let (reexport, rest) = match trimmed.strip_prefix("pub") {
            Some(rest) => {
                let rest = rest.trim_start();
                let rest = match rest.strip_prefix('(') {
                    Some(inner) => inner.split_once(')').map_or(rest, |(_, after)| after),
                    None => rest,
                };
                (true, rest.trim_start())
            }
            None => (false, trimmed),
        };
        let Some(tree) = rest.strip_prefix("use ") else { continue };
        let tree_start = start + (trimmed.len() - tree.len());
        let Some(end) = text[tree_start..].find(';').map(|p| p + tree_start) else { continue };
        in_use.push((start, end));
        for path in expand(&text[tree_start..end]) {
            found.push((line_at(start), path, reexport));
        }
    }
    // Paths written in code.
    let bytes = text.as_bytes();
    for root in ["crate::", "super::", "self::"] {
        for (at, _) in text.match_indices(root) {
            let before = text[..at].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':')
                || in_use.iter().any(|&(start, end)| at >= start && at < end)
            {
                continue;
            }
            let mut end = at;
            while end < bytes.len() && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_' || bytes[end] == b':')
            {
                end += 1;
            }
            let path = text[at..end].trim_end_matches(':');
            found.push((line_at(at), path.to_owned(), false));
        }
    }
    found.retain(|(_, path, _)| path.split("::").count() > 1 || !matches!(path.as_str(), "crate" | "super" | "self"));
    found
}

/// `a::{b, c::{d as e, self}, f::*}` → `a::b`, `a::c::d`, `a::c`, `a::f`.
pub fn expand(tree: &str) -> Vec<String> {
    let tree: String = tree.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = Vec::new();
    expand_into("", tree.trim(), &mut out);
    out
}

pub fn expand_into(prefix: &str, tree: &str, out: &mut Vec<String>) {
    match tree.find('{') {
        None => {
            let path = tree.split(" as ").next().unwrap_or(tree).trim();
            let path = path.trim_end_matches("::*").trim_end_matches("::self");
            let full = match (prefix, path) {
                (prefix, "self" | "*") => prefix.trim_end_matches("::").to_owned(),
                ("", path) => path.to_owned(),
                (prefix, path) => format!("{prefix}{path}"),
            };
            if !full.is_empty() {
                out.push(full);
            }
        }
        Some(open) => {
            let head = format!("{prefix}{}", tree[..open].replace(' ', ""));
            let close = tree.rfind('}').unwrap_or(tree.len());
            let inner = &tree[open + 1..close];
            let mut depth = 0;
            let mut part = String::new();
            for c in inner.chars().chain(std::iter::once(',')) {
                match c {
                    ',' if depth == 0 => {
                        if !part.trim().is_empty() {
                            expand_into(&head, part.trim(), out);
                        }
                        part.clear();
                        continue;
                    }
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    _ => {}
                }
                part.push(c);
            }
        }
    }
}

/// The path as segments from the crate root, if it is in this crate: `crate::`,
/// `super::`, `self::`, or a child module of `module` named relative to it.
pub fn absolute(path: &str, module: &[String], files: &BTreeMap<Vec<String>, String>) -> Option<Vec<String>> {
    let path = path.trim_start_matches("$");
    let mut segments: Vec<&str> = path.split("::").collect();
    let mut base = module.to_vec();
    match segments.first().copied() {
        Some("crate") => {
            base.clear();
            segments.remove(0);
        }
        Some("super" | "self") => {
            while let Some(&first) = segments.first() {
                match first {
                    "super" => {
                        base.pop();
                    }
                    "self" => {}
                    _ => break,
                }
                segments.remove(0);
            }
        }
        Some(first) => {
            let mut child = module.to_vec();
            child.push(first.to_owned());
            if !files.contains_key(&child) {
                return None;
            }
        }
        None => return None,
    }
    base.extend(segments.into_iter().map(str::to_owned));
    Some(base)
}

pub struct Resolver<'a> {
    pub files: &'a BTreeMap<Vec<String>, String>,
    pub sources: &'a BTreeMap<String, Source>,
}

impl Resolver<'_> {
    /// The file that defines what `path` names, following `pub use` re-exports.
    pub fn file_of(&self, mut path: Vec<String>) -> Option<String> {
        for _ in 0..16 {
            let split = (0..=path.len()).rev().find(|&n| self.files.contains_key(&path[..n]))?;
            let file = &self.files[&path[..split]];
            let Some(name) = path.get(split) else { return Some(file.clone()) };
            match self.reexport(file, name) {
                Some(mut target) => {
                    target.extend(path[split + 1..].iter().cloned());
                    path = target;
                }
                None => return Some(file.clone()),
            }
        }
        None
    }

    /// Where `file` re-exports `name` from, if it does not define it itself.
    fn reexport(&self, file: &str, name: &str) -> Option<Vec<String>> {
        let source = &self.sources[file];
        let mut globs = Vec::new();
        for (_, path, reexport) in paths_in(&source.text) {
            if !reexport {
                continue;
            }
            if path.rsplit("::").next() == Some(name) {
                return absolute(&path, &source.module, self.files);
            }
            globs.push(path);
        }
        // An alias: `pub use a::b as name`.
        for line in source.text.lines().filter(|l| l.trim_start().starts_with("pub")) {
            if let Some((path, alias)) = line.split_once(" as ") {
                let alias = alias.trim().trim_end_matches(';').trim_end_matches(',').trim();
                let path = path.split_whitespace().last().unwrap_or("");
                if alias == name && !path.contains('{') {
                    return absolute(path, &source.module, self.files);
                }
            }
        }
        if defines(&source.text, name) {
            return None;
        }
        // A glob re-export (`pub use m::*`) whose module defines it.
        globs.into_iter().filter_map(|glob| absolute(&glob, &source.module, self.files)).find_map(|mut module| {
            let file = self.files.get(&module)?;
            defines(&self.sources[file].text, name).then(|| {
                module.push(name.to_owned());
                module
            })
        })
    }
}

pub fn defines(text: &str, name: &str) -> bool {
    ["struct", "enum", "fn", "type", "const", "static", "trait", "mod", "union", "macro_rules!"].iter().any(|kind| {
        text.match_indices(&format!("{kind} {name}")).any(|(at, found)| {
            let after = text[at + found.len()..].chars().next();
            !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
        })
    })
}
