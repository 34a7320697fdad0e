//! The locales scenario: what a list with a three-locale fallback chain costs against
//! the plain list, on a site whose published articles are regrouped as translations.

use diesel::connection::SimpleConnection;

/// The site's locales while the scenario runs; the first is the default.
pub const LOCALES: &str = "en,fr,de";

/// Pages of each list walked, 1 to this.
const PAGES: u32 = 50;

/// Regroups the published articles of the loaded data set as translations, six at a
/// time: a group in en, fr and de, a group in en and fr, and an article in en alone; so a
/// `de` list falling back to `fr`, then `en` shows every group, a third of them from
/// each locale. The stored representations are removed, so the server makes them again
/// at start-up with their locales. Returns how many groups there are.
pub fn regroup(conn: &mut folio::store::Conn, published: &[(i64, String)]) -> anyhow::Result<usize> {
    let mut ids: Vec<i64> = published.iter().map(|(id, _)| *id).collect();
    ids.sort_unstable();
    let mut sql = String::new();
    let mut groups = 0;
    for block in ids.chunks(6) {
        for (members, locales) in [(0..3, &["en", "fr", "de"][..]), (3..5, &["en", "fr"][..]), (5..6, &["en"][..])] {
            let Some(members) = block.get(members) else { continue };
            groups += 1;
            let Some(&leader) = members.first() else { continue };
            for (&id, locale) in members.iter().zip(locales) {
                let group = if members.len() > 1 { leader.to_string() } else { "NULL".to_owned() };
                sql.push_str(&format!(
                    "UPDATE articles SET locale = '{locale}', translation_group = {group} WHERE id = {id};\n"
                ));
            }
        }
    }
    sql.push_str("DELETE FROM article_documents;\n");
    conn.batch_execute(&sql)?;
    match conn {
        folio::store::Conn::Sqlite(sqlite) => sqlite.batch_execute("PRAGMA wal_checkpoint(TRUNCATE);")?,
        // Planner statistics and the visibility map as autovacuum would leave them after
        // rewriting every published row, as the loader leaves them after loading.
        postgres => postgres.batch_execute("VACUUM ANALYZE articles")?,
    }
    Ok(groups)
}

/// The paths of the scenario's two lists: pages 1 to 50 of the plain list and of the
/// list in `de` falling back to `fr`, then `en`.
pub fn paths() -> (Vec<String>, Vec<String>) {
    let plain = (1..=PAGES).map(|page| format!("/api/v1/articles?page={page}")).collect();
    let chained = (1..=PAGES).map(|page| format!("/api/v1/articles?locale=de&fallback=fr,en&page={page}")).collect();
    (plain, chained)
}
