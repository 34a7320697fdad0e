//! Search by relevance at a bounded cost: title matches first, phrases and prefixes,
//! exact totals, and searches that match more articles than are ranked (the newest
//! `FOLIO_SEARCH_RANKED`; the older ones follow newest first).

use chrono::SubsecRound;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{json_body, spawn_app, spawn_app_with, TestApp};

async fn publish(app: &TestApp, title: &str, body: &str) -> i64 {
    let article = app.article(&app.admin, json!({"title": title, "body_markdown": body, "status": "published"})).await;
    article["id"].as_i64().unwrap()
}

/// The list at `query` as the public sees it, checking `X-Total-Count` against `meta`.
async fn search(app: &TestApp, query: &str, token: Option<&str>) -> Value {
    let response = app.get(&format!("/api/v1/articles?{query}"), token).await;
    assert_eq!(response.status(), StatusCode::OK, "{query}");
    let header: i64 = response.headers()["x-total-count"].to_str().unwrap().parse().unwrap();
    let page = json_body(response, StatusCode::OK).await;
    assert_eq!(page["meta"]["total"], header, "{query}: X-Total-Count says the same as meta.total");
    page
}

fn ids(page: &Value) -> Vec<i64> {
    page["data"].as_array().unwrap().iter().map(|a| a["id"].as_i64().unwrap()).collect()
}

/// Checks what the public's search finds for each query `q` of `cases`: exactly the
/// articles given (in id order), whatever order it ranks them in, and a total of them.
async fn finds(app: &TestApp, cases: &[(&str, Vec<i64>)]) {
    for (q, expected) in cases {
        let found = search(app, &format!("q={q}"), None).await;
        let mut got = ids(&found);
        got.sort_unstable();
        assert_eq!(&got, expected, "{q}");
        assert_eq!(found["meta"]["total"], expected.len(), "{q}");
    }
}

/// PATCHes `changes` onto the article at `path` at its current version.
async fn edit(app: &TestApp, path: &str, mut changes: Value) -> StatusCode {
    let current = app.get(path, Some(&app.admin)).await.json::<Value>().await.unwrap();
    changes["version"] = current["version"].clone();
    app.patch(path, Some(&app.admin), &changes).await.status()
}

/// DELETEs the article at `path`, matching its current ETag.
async fn delete(app: &TestApp, path: &str) -> StatusCode {
    let tag = app.get(path, Some(&app.admin)).await.headers()["etag"].to_str().unwrap().to_owned();
    let request = app.request(reqwest::Method::DELETE, path, Some(&app.admin));
    request.header("if-match", tag).send().await.unwrap().status()
}

#[tokio::test]
async fn a_title_match_ranks_before_bodies_that_repeat_the_word() {
    let app = spawn_app().await;
    let titled = publish(&app, "Heron counts", "A short note on birds.").await;
    for n in 0..3 {
        publish(&app, &format!("Wading birds {n}"), "The heron waits. A heron fishes. Every heron rests.").await;
    }

    let found = search(&app, "q=heron", None).await;

    assert_eq!(found["meta"]["total"], 4);
    assert_eq!(ids(&found)[0], titled, "the title match first, though older and with the word once");
    assert!(found["data"][1]["snippet"].as_str().unwrap().contains("<mark>heron</mark>"));
}

#[tokio::test]
async fn a_snippet_marks_the_match_wherever_it_lies_in_a_long_body() {
    let app = spawn_app().await;
    let filler = |n: usize| "Lorem ipsum dolor sit amet, consectetur adipiscing elit. ".repeat(n);
    // Deep in the body, far past any passage taken from the start.
    let deep = publish(&app, "Deep", &format!("{}An osprey dives.\n\n{}", filler(300), filler(20))).await;
    // `run`, the stem of `running`, first appears inside another word, far before the match.
    let inside = publish(&app, "Inside", &format!("Brunch first. {}Then running.\n\n{}", filler(60), filler(20))).await;

    for (query, id, marked) in
        [("q=osprey", deep, "<mark>osprey</mark>"), ("q=running", inside, "<mark>running</mark>")]
    {
        let found = search(&app, query, None).await;
        assert_eq!(ids(&found), [id], "{query}");
        let snippet = found["data"][0]["snippet"].as_str().unwrap();
        assert!(snippet.contains(marked), "{query}: {snippet}");
        assert!(snippet.len() < 400, "{query}: a passage, not the article: {snippet}");
    }
}

#[tokio::test]
async fn phrases_and_prefixes_match_as_written() {
    let app = spawn_app().await;
    let phrase = publish(&app, "Pond", "The grey heron nests by the pond.").await;
    let apart = publish(&app, "Marsh", "A grey sky over the marsh, and a heron.").await;
    let prefixed = publish(&app, "Colony", "Herons gather in a colony.").await;

    let cases = [
        ("%22grey+heron%22", vec![phrase]),
        ("grey+heron", vec![phrase, apart]),
        ("hero*", vec![phrase, apart, prefixed]),
        ("%22grey+heron%22+nest*", vec![phrase]),
        ("%22heron+grey%22", vec![]),
    ];
    finds(&app, &cases).await;
}

/// Prefixes of two to five letters find the articles with a word so begun, and no other,
/// through edits and deletes: SQLite's index keeps two- and three-letter prefixes as
/// terms of their own, which must follow the words they come from.
#[tokio::test]
async fn short_and_long_prefixes_follow_the_words_through_edits() {
    let app = &spawn_app().await;
    let nimble = publish(app, "X1", "stable nimble").await;
    let nimbus = publish(app, "X2", "stair nimbus").await;
    let station = publish(app, "X3", "station").await;
    let nitrogen = publish(app, "X4", "nitrogen").await;
    finds(
        app,
        &[
            ("st*", vec![nimble, nimbus, station]),
            ("sta*", vec![nimble, nimbus, station]),
            ("stai*", vec![nimbus]),
            ("ni*", vec![nimble, nimbus, nitrogen]),
            ("nim*", vec![nimble, nimbus]),
            ("nimbl*", vec![nimble]),
        ],
    )
    .await;

    let edited = edit(app, &format!("/api/v1/articles/{nimbus}"), json!({"body_markdown": "stage"})).await;
    assert_eq!(edited, StatusCode::OK);
    assert!(delete(app, &format!("/api/v1/articles/{station}")).await.is_success());
    finds(
        app,
        &[
            ("st*", vec![nimble, nimbus]),
            ("sta*", vec![nimble, nimbus]),
            ("stai*", vec![]),
            ("ni*", vec![nimble, nitrogen]),
            ("nim*", vec![nimble]),
        ],
    )
    .await;
    if !app.is_postgres() {
        // Checks the prefix terms against the articles' text too.
        app.run_sql("INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1);");
    }
}

/// A prefix that English drops as a stop word (`no*`), or a single letter that it drops
/// (`s*`), still finds the words so begun, alone and beside another term; a letter no
/// word begins with finds nothing. (PostgreSQL's English configuration would drop them.)
#[tokio::test]
async fn prefixes_that_are_stop_words_find_the_words_they_begin() {
    let app = &spawn_app().await;
    let nobody = publish(app, "Y1", "nobody sings").await;
    let notable = publish(app, "Y2", "notable quartz").await;
    publish(app, "Y3", "quartz ember").await;
    finds(app, &[("no*", vec![nobody, notable]), ("s*", vec![nobody]), ("no*+quartz", vec![notable]), ("t*", vec![])])
        .await;
}

/// How a word matches, as the `q` parameter's description says: on SQLite as written,
/// case and accents aside; on PostgreSQL by its English stem (accents counting), English
/// stop words ignored, so that a search of stop words alone finds nothing there (and is
/// no error).
#[tokio::test]
async fn words_match_as_written_on_sqlite_and_by_stem_on_postgres() {
    let app = &spawn_app().await;
    let needles = publish(app, "Z1", "He placed the Needles slowly.").await;
    let cafe = publish(app, "Z2", "A café by the harbour.").await;
    let postgres = app.is_postgres();
    // Each query, with what it finds on SQLite and on PostgreSQL.
    let cases = [
        ("needles", vec![needles], vec![needles]),
        ("NEEDLES", vec![needles], vec![needles]),
        ("caf%C3%A9", vec![cafe], vec![cafe]),
        ("needle", vec![], vec![needles]),
        ("cafe", vec![cafe], vec![]),
        ("he", vec![needles], vec![]),
        ("the", vec![needles, cafe], vec![]),
    ];
    let cases: Vec<(&str, Vec<i64>)> =
        cases.into_iter().map(|(q, sqlite, pg)| (q, if postgres { pg } else { sqlite })).collect();
    finds(app, &cases).await;
}

/// The public's search finds an article exactly while it is live: not as a draft, as
/// soon as it is published, not once it is a draft or archived again, not while it is
/// scheduled, at its moment with no write, and never once deleted. (SQLite keeps the
/// unpublished articles' ids in a table of their own, which each change must follow.)
#[tokio::test]
async fn the_public_search_follows_every_change_of_status() {
    let app = &spawn_app().await;
    let draft = app.article(&app.admin, json!({"title": "Song", "body_markdown": "A wren sings."})).await;
    let path = format!("/api/v1/articles/{}", draft["id"]);
    let found = move || async move {
        let public = search(app, "q=wren", None).await["meta"]["total"].as_i64().unwrap();
        let editors = search(app, "q=wren&status=any", Some(&app.admin)).await["meta"]["total"].as_i64().unwrap();
        (public, editors)
    };
    let path = &path;
    let change = move |changes: Value| async move {
        let edited = edit(app, path, changes.clone()).await;
        assert_eq!(edited, StatusCode::OK, "{changes}");
    };
    assert_eq!(found().await, (0, 1), "a draft");
    change(json!({"status": "published"})).await;
    assert_eq!(found().await, (1, 1), "published");
    change(json!({"status": "draft"})).await;
    assert_eq!(found().await, (0, 1), "a draft again");
    // Times are whole seconds; three of them leave the checks below time to run first.
    let soon = (chrono::Utc::now() + chrono::Duration::seconds(3)).trunc_subsecs(0);
    change(json!({"status": "published", "published_at": soon.to_rfc3339()})).await;
    assert_eq!(found().await, (0, 1), "scheduled");
    tokio::time::sleep((soon - chrono::Utc::now()).to_std().unwrap_or_default()).await;
    assert_eq!(found().await, (1, 1), "live at its moment, with no write");
    change(json!({"status": "archived"})).await;
    assert_eq!(found().await, (0, 1), "archived");
    change(json!({"status": "published"})).await;
    assert_eq!(found().await, (1, 1), "published again");

    assert!(delete(app, path).await.is_success());
    assert_eq!(found().await, (0, 0), "deleted");
}

/// Ten published articles with `kestrel` in each, a draft and a scheduled one with it
/// too; the title match is the second newest. Returns the published ids, oldest first.
async fn kestrels(app: &TestApp) -> (Vec<i64>, i64) {
    let mut published = Vec::new();
    for n in 0..8 {
        published.push(publish(app, &format!("Falcons {n}"), "A kestrel hovers over the field.").await);
    }
    let titled = publish(app, "Kestrel", "Small falcons of open country.").await;
    published.push(titled);
    published.push(publish(app, "Falcons 9", "Kestrel after kestrel: the kestrel hovers.").await);
    app.article(&app.admin, json!({"title": "Kestrel draft", "body_markdown": "A kestrel."})).await;
    let later = json!({"title": "Kestrel later", "body_markdown": "A kestrel.", "status": "published",
        "published_at": "2999-01-01T00:00:00Z"});
    app.article(&app.admin, later).await;
    (published, titled)
}

#[tokio::test]
async fn a_search_matching_every_article_ranks_the_newest_and_pages_through_all_once() {
    let app = spawn_app_with(&[("FOLIO_SEARCH_RANKED", "3")]).await;
    let (published, titled) = kestrels(&app).await;
    let newest_first: Vec<i64> = published.iter().rev().copied().collect();

    let first = search(&app, "q=kestrel&per_page=3", None).await;
    assert_eq!(first["meta"]["total"], 10, "exact: drafts and scheduled articles are not counted");
    assert_eq!(first["meta"]["total_pages"], 4);
    // The three newest ranked: the title match, then the body with the word three
    // times, then once.
    assert_eq!(ids(&first), [titled, newest_first[0], newest_first[2]]);

    let mut seen = ids(&first);
    for page in 2..=4 {
        let found = search(&app, &format!("q=kestrel&per_page=3&page={page}"), None).await;
        assert_eq!(found["meta"]["total"], 10);
        let got = ids(&found);
        let start = 3 * (page - 1);
        assert_eq!(got, newest_first[start..(start + 3).min(10)], "page {page}: past the ranked, newest first");
        seen.extend(got);
    }
    seen.sort_unstable();
    assert_eq!(seen, published, "every match once, over all pages");

    let across = search(&app, "q=kestrel&per_page=2&page=2", None).await;
    assert_eq!(ids(&across), [newest_first[2], newest_first[3]], "the last ranked, then the newest unranked");
}

#[tokio::test]
async fn searches_with_filters_or_a_token_count_exactly_what_they_list() {
    let app = spawn_app_with(&[("FOLIO_SEARCH_RANKED", "2")]).await;
    let (published, _) = kestrels(&app).await;
    let section = app.section("Birds", None).await;
    let slug = section["slug"].as_str().unwrap();
    let body = json!({"title": "Kestrel in a section", "body_markdown": "kestrel", "status": "published",
        "section": slug});
    let in_section = app.article(&app.admin, body).await["id"].as_i64().unwrap();

    let filtered = search(&app, &format!("q=kestrel&section={slug}"), None).await;
    assert_eq!(ids(&filtered), [in_section]);
    assert_eq!(filtered["meta"]["total"], 1);

    let everything = search(&app, "q=kestrel&status=any&per_page=100", Some(&app.admin)).await;
    assert_eq!(everything["meta"]["total"], published.len() + 3, "an admin's search finds drafts and scheduled ones");
    assert_eq!(ids(&everything).len(), published.len() + 3);

    let draft = search(&app, "q=kestrel&status=draft", Some(&app.admin)).await;
    assert_eq!(draft["meta"]["total"], 1);
    assert_eq!(draft["data"][0]["title"], "Kestrel draft");
}

/// Searches run a core's worth at a time and the rest wait their turn: sixty-four at
/// once all get their whole answer, none is refused, and reads by slug sent among
/// them are answered too.
#[tokio::test]
async fn many_searches_at_once_wait_their_turn_and_all_get_their_page() {
    let app = spawn_app().await;
    for n in 0..12 {
        publish(&app, &format!("Needling notes {n}"), "Dry needling eases trigger points in the calf.").await;
    }
    let slug = app.get("/api/v1/articles?per_page=1", None).await;
    let slug = json_body(slug, StatusCode::OK).await["data"][0]["slug"].as_str().unwrap().to_owned();

    let searches = (0..64).map(|n| {
        let query = if n % 2 == 0 { "q=needling" } else { "q=calf%20trigger" };
        search(&app, query, None)
    });
    let by_slug = format!("/api/v1/articles/slug/{slug}");
    let reads = (0..8).map(|_| app.get(&by_slug, None));
    let (pages, reads) = tokio::join!(futures_util::future::join_all(searches), futures_util::future::join_all(reads));

    for page in pages {
        assert_eq!(page["meta"]["total"], 12);
        assert_eq!(page["data"].as_array().unwrap().len(), 12);
    }
    for read in reads {
        assert_eq!(read.status(), StatusCode::OK);
    }
}

/// Writes that arrive together commit together, and the search index takes each
/// transaction's changes at its end: after creates, body and title edits, edits of
/// the status alone, deletes and more creates, all sent at once, each article is
/// found by the words it holds now and by no word it lost, and on SQLite the index
/// agrees with the articles' text to the last term (FTS5's own integrity check).
#[tokio::test]
async fn writes_sent_at_once_leave_the_index_as_the_articles_read() {
    let app = &spawn_app().await;
    let create = move |n: usize, word: &'static str| {
        let body = json!({"title": format!("Group {n}"), "body_markdown": format!("The {word}{n} of it."), "status": "published"});
        app.article(&app.admin, body)
    };
    let created = futures_util::future::join_all((0..48).map(|n| create(n, "alpha"))).await;

    let change = move |n: usize, article: &Value| {
        let path = format!("/api/v1/articles/{}", article["id"]);
        let version = article["version"].clone();
        async move {
            let status = match n % 4 {
                0 => delete(app, &path).await,
                1 => {
                    let body = json!({"version": version, "body_markdown": format!("Now the beta{n} of it.")});
                    app.patch(&path, Some(&app.admin), &body).await.status()
                }
                2 => app
                    .patch(&path, Some(&app.admin), &json!({"version": version, "title": format!("Gamma{n}")}))
                    .await
                    .status(),
                _ => app.patch(&path, Some(&app.admin), &json!({"version": version, "status": "draft"})).await.status(),
            };
            assert!(status.is_success(), "article {n}: {status}");
        }
    };
    let changes = futures_util::future::join_all(created.iter().enumerate().map(|(n, article)| change(n, article)));
    let more = futures_util::future::join_all((48..64).map(|n| create(n, "delta")));
    tokio::join!(changes, more);

    let found = move |word: String| async move {
        let page = search(app, &format!("q={word}&status=any"), Some(&app.admin)).await;
        (word, page["meta"]["total"].as_i64().unwrap())
    };
    // Each first article's words: kept by a title or status edit, replaced by a body
    // edit, gone with a delete.
    let mut expected: Vec<(String, i64)> = (0..48)
        .flat_map(|n| {
            let (alpha, beta, gamma) = (n % 4 >= 2, n % 4 == 1, n % 4 == 2);
            [("alpha", alpha), ("beta", beta), ("gamma", gamma)]
                .map(|(word, found)| (format!("{word}{n}"), i64::from(found)))
        })
        .collect();
    expected.extend((48..64).map(|n| (format!("delta{n}"), 1)));
    let words = expected.iter().map(|(word, _)| found(word.clone()));
    let totals = futures_util::future::join_all(words).await;
    assert_eq!(totals, expected);

    if !app.is_postgres() {
        // Fails (SQLITE_CORRUPT_VTAB) if any term the index holds is not the text's.
        app.run_sql("INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1);");
    }
}
