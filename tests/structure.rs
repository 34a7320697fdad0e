//! The module graph keeps its shape: no module imports from a layer above its own,
//! and no two files import each other, however indirectly (issue 18).
//!
//! The check reads `src/` as text: every `use` of a path in this crate and every
//! `crate::`/`super::`/`self::` path written in code, each resolved to the file that
//! defines it (through `pub use` re-exports). Test modules (`#[cfg(test)] mod`) are
//! left out: they are not part of the library's graph.
#![expect(clippy::unwrap_used, reason = "tests fail loudly")]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each top-level module's layer: a module imports only from its own layer or below.
const LAYERS: &[(&str, u8)] = &[
    // Values and pure rules, no I/O.
    ("domain", 0),
    ("content", 0),
    ("validation", 0),
    ("auth", 0),
    ("proxies", 0),
    ("config", 1),
    ("db", 2),
    ("store", 3),
    // Store functions as async code runs them: shared by the HTTP layer and the workers.
    ("runner", 4),
    ("webhooks", 5),
    ("api", 5),
    ("startup", 6),
    ("cli", 6),
];

/// Imports within one layer that are forbidden all the same: the workers run beside
/// the HTTP layer, not on top of it.
const FORBIDDEN: &[(&str, &str)] = &[("webhooks", "api")];

/// Folders whose own files may import each other: a module and the helpers it is split
/// into, which nothing outside sees apart. Anywhere else, an import cycle fails.
const CYCLES_ALLOWED_WITHIN: &[&str] = &[
    // The settings and their parsers.
    "config/",
    // The article write path, being reworked on its own.
    "store/articles/",
];

#[test]
fn no_module_imports_from_a_layer_above_its_own() {
    let graph = Graph::read();
    let layer = |file: &str| {
        let top = top_module(file);
        LAYERS.iter().find(|(name, _)| *name == top).map(|(_, layer)| *layer)
    };
    let mut wrong = Vec::new();
    for (file, imports) in &graph.imports {
        let (from, Some(from_layer)) = (top_module(file), layer(file)) else {
            // lib.rs and main.rs sit on top of everything.
            assert!(matches!(file.as_str(), "lib.rs" | "main.rs"), "src/{file}: give its module a layer in LAYERS");
            continue;
        };
        for import in imports {
            let to = top_module(&import.target);
            let Some(to_layer) = layer(&import.target) else { continue };
            if to_layer > from_layer || FORBIDDEN.contains(&(from, to)) {
                wrong.push(format!("src/{file}:{}: {from} imports {to}: {}", import.line, import.path));
            }
        }
    }
    assert!(wrong.is_empty(), "imports from a layer above:\n{}", wrong.join("\n"));
}

#[test]
fn no_files_import_each_other() {
    let graph = Graph::read();
    let mut cycles = Vec::new();
    for component in graph.cycles() {
        let allowed = CYCLES_ALLOWED_WITHIN.iter().any(|folder| component.iter().all(|file| file.starts_with(folder)));
        if !allowed {
            cycles.push(graph.describe_cycle(&component));
        }
    }
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}

/// The check must see imports written every way the code writes them.
#[test]
fn the_reader_finds_imports_in_every_form() {
    let text = "use crate::a::{b::{C, D as E}, self};\npub(crate) use super::f::*;\n\
                fn g() { let x = \"crate::not::this\"; crate::h::i(); } // crate::nor::this\n";
    let cleaned = strip_comments_and_strings(text);
    let mut found: Vec<(usize, String)> = paths_in(&cleaned).into_iter().map(|(l, p, _)| (l, p)).collect();
    found.sort();
    assert_eq!(
        found,
        [(1, "crate::a"), (1, "crate::a::b::C"), (1, "crate::a::b::D"), (2, "super::f"), (3, "crate::h::i")]
            .map(|(l, p)| (l, p.to_owned()))
    );
}

fn top_module(file: &str) -> &str {
    file.split('/').next().unwrap_or(file).trim_end_matches(".rs")
}

struct Import {
    target: String,
    line: usize,
    path: String,
}

struct Graph {
    /// File (relative to `src/`) → the files it imports from, each once, at its first import.
    imports: BTreeMap<String, Vec<Import>>,
}

/// A parsed source file.
struct Source {
    module: Vec<String>,
    text: String,
}

impl Graph {
    fn read() -> Self {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut sources = BTreeMap::new();
        for path in rust_files(&src) {
            let relative = path.strip_prefix(&src).unwrap().to_string_lossy().replace('\\', "/");
            let text = std::fs::read_to_string(&path).unwrap();
            let text = without_test_modules(&strip_comments_and_strings(&text));
            sources.insert(relative.clone(), Source { module: module_of(&relative), text });
        }
        let files: BTreeMap<Vec<String>, String> =
            sources.iter().map(|(file, source)| (source.module.clone(), file.clone())).collect();
        let resolver = Resolver { files: &files, sources: &sources };
        let mut imports = BTreeMap::new();
        for (file, source) in &sources {
            let mut targets: Vec<Import> = Vec::new();
            for (line, path, reexport) in paths_in(&source.text) {
                let absolute = absolute(&path, &source.module, &files);
                let Some(absolute) = absolute else { continue };
                // A module's re-export of its own parts is its face, not a dependency:
                // importers are followed through it to the part.
                if reexport && absolute.starts_with(&source.module) {
                    continue;
                }
                let Some(target) = resolver.file_of(absolute) else { continue };
                if target != *file && !targets.iter().any(|import| import.target == target) {
                    targets.push(Import { target, line, path });
                }
            }
            imports.insert(file.clone(), targets);
        }
        Self { imports }
    }

    /// The groups of files that import each other (strongly connected, more than one file).
    fn cycles(&self) -> Vec<Vec<String>> {
        // Kosaraju: finish order on the graph, then components on the reverse graph.
        let mut order = Vec::new();
        let mut seen = BTreeSet::new();
        for file in self.imports.keys() {
            self.finish(file, &mut seen, &mut order);
        }
        let mut reverse: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (file, imports) in &self.imports {
            for import in imports {
                reverse.entry(&import.target).or_default().push(file);
            }
        }
        let mut assigned = BTreeSet::new();
        let mut components = Vec::new();
        for file in order.iter().rev() {
            if assigned.contains(file.as_str()) {
                continue;
            }
            let mut component = Vec::new();
            let mut stack = vec![file.as_str()];
            assigned.insert(file.as_str());
            while let Some(next) = stack.pop() {
                component.push(next.to_owned());
                for &from in reverse.get(next).into_iter().flatten() {
                    if assigned.insert(from) {
                        stack.push(from);
                    }
                }
            }
            if component.len() > 1 {
                component.sort();
                components.push(component);
            }
        }
        components
    }

    fn finish(&self, file: &str, seen: &mut BTreeSet<String>, order: &mut Vec<String>) {
        if !seen.insert(file.to_owned()) {
            return;
        }
        for import in self.imports.get(file).into_iter().flatten() {
            self.finish(&import.target, seen, order);
        }
        order.push(file.to_owned());
    }

    /// One way round the cycle, from its first file back to it, naming each import.
    fn describe_cycle(&self, component: &[String]) -> String {
        let start = &component[0];
        // Breadth-first from the start to the start, within the component.
        let mut came_from: BTreeMap<&str, (&str, &Import)> = BTreeMap::new();
        let mut queue = std::collections::VecDeque::from([start.as_str()]);
        'search: while let Some(file) = queue.pop_front() {
            for import in self.imports.get(file).into_iter().flatten() {
                if !component.contains(&import.target) || came_from.contains_key(import.target.as_str()) {
                    continue;
                }
                came_from.insert(&import.target, (file, import));
                if import.target == *start {
                    break 'search;
                }
                queue.push_back(&import.target);
            }
        }
        let mut steps = Vec::new();
        let mut at = start.as_str();
        while let Some((from, import)) = came_from.get(at) {
            steps.push(format!("  src/{from}:{}: {} ({})", import.line, import.path, import.target));
            at = from;
            if at == start {
                break;
            }
        }
        steps.reverse();
        format!("{} files: {}\n{}", component.len(), component.join(", "), steps.join("\n"))
    }
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
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
fn module_of(file: &str) -> Vec<String> {
    let mut parts: Vec<String> = file.trim_end_matches(".rs").split('/').map(str::to_owned).collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib" | "main")) {
        parts.pop();
    }
    parts
}

/// The text with comments and the contents of string and character literals blanked
/// out (line breaks kept, so that line numbers still hold).
fn strip_comments_and_strings(text: &str) -> String {
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
fn ident_before(chars: &[char], i: usize) -> bool {
    let Some(&before) = i.checked_sub(1).and_then(|at| chars.get(at)) else { return false };
    (before.is_alphanumeric() || before == '_') && (before != 'b' || ident_before(chars, i - 1))
}

/// The text without `#[cfg(test)] mod … { … }` blocks.
fn without_test_modules(text: &str) -> String {
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
fn paths_in(text: &str) -> Vec<(usize, String, bool)> {
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
fn expand(tree: &str) -> Vec<String> {
    let tree: String = tree.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = Vec::new();
    expand_into("", tree.trim(), &mut out);
    out
}

fn expand_into(prefix: &str, tree: &str, out: &mut Vec<String>) {
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
fn absolute(path: &str, module: &[String], files: &BTreeMap<Vec<String>, String>) -> Option<Vec<String>> {
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

struct Resolver<'a> {
    files: &'a BTreeMap<Vec<String>, String>,
    sources: &'a BTreeMap<String, Source>,
}

impl Resolver<'_> {
    /// The file that defines what `path` names, following `pub use` re-exports.
    fn file_of(&self, mut path: Vec<String>) -> Option<String> {
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

fn defines(text: &str, name: &str) -> bool {
    ["struct", "enum", "fn", "type", "const", "static", "trait", "mod", "union", "macro_rules!"].iter().any(|kind| {
        text.match_indices(&format!("{kind} {name}")).any(|(at, found)| {
            let after = text[at + found.len()..].chars().next();
            !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
        })
    })
}
