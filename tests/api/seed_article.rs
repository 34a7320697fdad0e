use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::spawn_app;

fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

#[tokio::test]
async fn the_seed_article_is_published_and_served_exactly() {
    let app = spawn_app().await;
    let (_, editor) = app.user("editor", "Nick Lorem").await;

    let created = app.publish_seed_article(&editor).await;
    let slug = created["slug"].as_str().unwrap();
    let response = app.get(&format!("/api/v1/articles/slug/{slug}"), None).await;
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.unwrap();
    let article: Value = serde_json::from_str(&text).unwrap();

    let html = article["body_html"].as_str().unwrap();
    assert_eq!(count(html, "<h2 id=\""), 7);
    assert_eq!(count(html, "<h3 id=\""), 15);
    assert_eq!(count(html, "<h2"), 7);
    assert_eq!(count(html, "<h3"), 15);
    assert_eq!(count(html, "<li>"), 44);
    let toc = article["toc"].as_array().unwrap();
    assert_eq!(toc.len(), 22);
    assert_eq!(toc[0]["level"], 2);
    assert_eq!(toc[0]["text"], "Understanding Muscle Damage and the Recovery Challenge");
    assert_eq!(toc[0]["anchor"], "understanding-muscle-damage-and-the-recovery-challenge");
    assert_eq!(toc[1]["level"], 3);
    for entry in toc {
        let anchor = entry["anchor"].as_str().unwrap();
        assert!(html.contains(&format!("id=\"{anchor}\"")), "{anchor} is an id in the html");
    }
    let tags: Vec<&str> = article["tags"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(
        tags,
        ["Dry Needling", "Muscle Recovery", "DOMS", "Trigger Points", "Sports Recovery", "Physical Therapy"]
    );
    assert_eq!(article["section"]["slug"], "blogs");
    assert_eq!(article["author"]["display_name"], "Nick Lorem");
    assert!(!text.contains("@example.com"), "no email anywhere in the article JSON");
    let words = article["word_count"].as_i64().unwrap();
    assert!((2000..2600).contains(&words), "word count {words}");
    assert_eq!(article["reading_time_minutes"].as_i64().unwrap(), (words + 229) / 230);
    assert_eq!(article["status"], "published");
    assert_eq!(article["published_at"], "2024-05-23T00:00:00Z");
    assert!(article["excerpt"].as_str().unwrap().starts_with("How dry needling may support"));
}
