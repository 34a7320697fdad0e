//! The costliest body of each shape that the sanitiser's limits accept (at most 1 MiB),
//! and how long it takes to render, with the next size up refused or not:
//! `cargo run --release --example render_limits [FILTER]`.
#![expect(clippy::print_stdout, reason = "a measuring harness prints its figures")]

use std::time::Instant;

use folio::content::markdown;

type Shape = (&'static str, Box<dyn Fn(usize) -> String>);

fn shapes() -> Vec<Shape> {
    vec![
        ("nested list - - - x", Box::new(|n| "- ".repeat(n) + "x")),
        ("nested >", Box::new(|n| "> ".repeat(n) + "x")),
        ("nested raw <div>", Box::new(|n| "<div>".repeat(n) + "x")),
        (
            "31 distinct <b class> then n paras",
            Box::new(|n| {
                let mut s = String::new();
                for i in 0..31 {
                    s.push_str(&format!("<b class={i}>"));
                }
                s + &"\n\npara".repeat(n)
            }),
        ),
        (
            "n distinct <b class> then 5000 paras",
            Box::new(|n| {
                let mut s = String::new();
                for i in 0..n {
                    s.push_str(&format!("<b class={i}>"));
                }
                s + &"\n\npara".repeat(5000)
            }),
        ),
        (
            "table n rows",
            Box::new(|n| {
                let mut t = String::from("| a | b | c |\n|---|---|---|\n");
                for _ in 0..n {
                    t.push_str("| x | y | z |\n");
                }
                t
            }),
        ),
        (
            "32-deep lists repeated n times",
            Box::new(|n| {
                let mut s = String::new();
                for _ in 0..n {
                    for d in 0..32 {
                        s.push_str(&"  ".repeat(d));
                        s.push_str("- x\n");
                    }
                    s.push('\n');
                }
                s
            }),
        ),
        (
            "n tags of 64 distinct attrs",
            Box::new(|n| {
                let mut s = String::new();
                for _ in 0..n {
                    s.push_str("<span");
                    for a in 0..64 {
                        s.push_str(&format!(" a{a}=v"));
                    }
                    s.push_str("></span>\n");
                }
                s
            }),
        ),
        (
            "one tag with n attrs",
            Box::new(|n| {
                let mut s = String::from("<b");
                for a in 0..n {
                    s.push_str(&format!(" a{a}"));
                }
                s + ">"
            }),
        ),
        ("n *em* words", Box::new(|n| "*a* ".repeat(n))),
        ("n plain words", Box::new(|n| "word ".repeat(n))),
        ("n [ brackets", Box::new(|n| "[".repeat(n))),
        ("n < chars", Box::new(|n| "< ".repeat(n))),
        (
            "cut-off tag with n attrs at the end",
            Box::new(|n| {
                let mut s = String::from("<div>\n<b");
                for a in 0..n {
                    s.push_str(&format!(" a{a}"));
                }
                s
            }),
        ),
        ("n [a]( links open", Box::new(|n| "[a](".repeat(n))),
        ("n * alone", Box::new(|n| "* a".repeat(n))),
        ("n _a", Box::new(|n| "_a".repeat(n))),
        ("n backticks runs", Box::new(|n| (1..n).map(|i| "`".repeat(i % 50) + "a").collect::<String>())),
        ("n <a unclosed inline", Box::new(|n| "x <a ".repeat(n))),
        ("n ![[", Box::new(|n| "![[".repeat(n))),
        ("table with n columns", Box::new(|n| format!("{}\n{}\n{}\n", "|a".repeat(n), "|-".repeat(n), "|x".repeat(n)))),
        ("n link refs", Box::new(|n| (0..n).map(|i| format!("[l{i}]: http://x/{i}\n")).collect::<String>() + "[l1]")),
        ("n <a><b><i> misnested", Box::new(|n| "<a><b><i></a></b></i>x\n".repeat(n))),
    ]
}

fn accepted(s: &str) -> bool {
    markdown::render(s).is_ok()
}

fn main() {
    let filter = std::env::args().nth(1).unwrap_or_default();
    let max_bytes = 1 << 20;
    for (name, make) in shapes() {
        if !name.contains(&filter) {
            continue;
        }
        // Largest n accepted and at most 1 MiB.
        let (mut lo, mut hi) = (0usize, 1usize);
        while accepted(&make(hi)) && make(hi).len() <= max_bytes {
            lo = hi;
            hi *= 2;
            if hi > 1 << 22 {
                break;
            }
        }
        while hi - lo > 1 {
            let mid = (lo + hi) / 2;
            if accepted(&make(mid)) && make(mid).len() <= max_bytes {
                lo = mid
            } else {
                hi = mid
            }
        }
        let body = make(lo);
        let t = Instant::now();
        let r = markdown::render(&body);
        let ok = t.elapsed().as_secs_f64();
        let over = make(hi);
        let t = Instant::now();
        let r2 = markdown::render(&over);
        let refused = t.elapsed().as_secs_f64();
        println!(
            "{:38} n={:>7} {:>8}B {:.3}s ok={} | n+1: {:>8}B {:.3}s {}",
            name,
            lo,
            body.len(),
            ok,
            r.is_ok(),
            over.len(),
            refused,
            match r2 {
                Ok(_) => "accepted (size cap)".to_string(),
                Err(e) => format!("refused: {e}"),
            }
        );
    }
}
