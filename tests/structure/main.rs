//! The module graph keeps its shape: no module imports from a layer above its own,
//! and no two files import each other, however indirectly (issue 18).
//!
//! The check reads `src/` as text: every `use` of a path in this crate and every
//! `crate::`/`super::`/`self::` path written in code, each resolved to the file that
//! defines it (through `pub use` re-exports). Test modules (`#[cfg(test)] mod`) are
//! left out: they are not part of the library's graph.
#![expect(clippy::unwrap_used, reason = "tests fail loudly")]

mod source;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use source::{
    absolute, module_of, paths_in, rust_files, strip_comments_and_strings, without_test_modules, Resolver, Source,
};

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
    // Media files: type sniffing, SVG sanitising, storage and variants (no database).
    ("media", 2),
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
