//! Media through the real server: uploads typed from their bytes, SVG sanitised, the
//! size limit held while streaming, bombs refused, files public and immutable with
//! WebP variants, shared files removed with their last item, and who may do what;
//! on a local folder, and on an S3-compatible server when FOLIO_TEST_S3 names one.

use std::io::Cursor;

use futures_util::StreamExt;
use image::{DynamicImage, ImageFormat, RgbImage};
use reqwest::multipart::{Form, Part};
use reqwest::{Method, Response, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{json_body, problem, spawn_app_with, TestApp};

const S3_IGNORED: &str = "needs an S3-compatible server: set FOLIO_TEST_S3 (.ci/run starts moto)";

/// The app on its temporary folder, or on a fresh bucket of the FOLIO_TEST_S3 server.
async fn app_on(storage: Storage, extra: &[(&str, &str)]) -> TestApp {
    match storage {
        Storage::Folder => spawn_app_with(extra).await,
        Storage::S3 => {
            let endpoint = std::env::var("FOLIO_TEST_S3").unwrap_or_else(|_| panic!("{S3_IGNORED}"));
            let bucket = format!("folio-test-{}", rand_suffix());
            let created = reqwest::Client::new().put(format!("{endpoint}/{bucket}")).send().await.expect("bucket made");
            assert!(created.status().is_success(), "creating the bucket: {}", created.status());
            let storage = format!("s3://{bucket}/site");
            let mut vars: Vec<(&str, &str)> = vec![
                ("FOLIO_STORAGE", &storage),
                ("AWS_ACCESS_KEY_ID", "test"),
                ("AWS_SECRET_ACCESS_KEY", "test"),
                ("AWS_REGION", "us-east-1"),
                ("AWS_ENDPOINT_URL", &endpoint),
            ];
            vars.extend_from_slice(extra);
            spawn_app_with(&vars).await
        }
    }
}

#[derive(Clone, Copy)]
enum Storage {
    Folder,
    S3,
}

fn rand_suffix() -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    format!("{:x}{:x}", nanos, std::process::id())
}

fn encoded(width: u32, height: u32, format: ImageFormat) -> Vec<u8> {
    let image = RgbImage::from_fn(width, height, |x, y| image::Rgb([(x % 251) as u8, (y % 241) as u8, 90]));
    let mut out = Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(image).write_to(&mut out, format).unwrap();
    out.into_inner()
}

async fn upload_response(app: &TestApp, token: Option<&str>, bytes: Vec<u8>, name: &str, mime: &str) -> Response {
    let part = Part::bytes(bytes).file_name(name.to_owned()).mime_str(mime).unwrap();
    let form = Form::new().part("file", part).text("alt", "A test picture");
    app.request(Method::POST, "/api/v1/media", token).multipart(form).send().await.expect("sent")
}

async fn upload(app: &TestApp, token: &str, bytes: Vec<u8>, name: &str, mime: &str) -> Value {
    json_body(upload_response(app, Some(token), bytes, name, mime).await, StatusCode::CREATED).await
}

fn header<'r>(response: &'r Response, name: &str) -> &'r str {
    response.headers().get(name).map_or("", |v| v.to_str().unwrap())
}

async fn jpeg_variants_are_served(storage: Storage) {
    let app = app_on(storage, &[]).await;
    let (_, author) = app.user("author", "Ann Author").await;
    let jpeg = encoded(2000, 1000, ImageFormat::Jpeg);
    let response = upload_response(&app, Some(&author), jpeg.clone(), "photo.jpg", "image/jpeg").await;
    let location = header(&response, "location").to_owned();
    let item = json_body(response, StatusCode::CREATED).await;
    assert_eq!(location, format!("/api/v1/media/{}", item["id"]));
    assert_eq!(
        (item["content_type"].as_str(), item["width"].as_i64(), item["height"].as_i64()),
        (Some("image/jpeg"), Some(2000), Some(1000))
    );
    assert_eq!(item["bytes"].as_u64(), Some(jpeg.len() as u64));
    assert_eq!(item["alt"], "A test picture");
    let sha = item["sha256"].as_str().unwrap().to_owned();
    let url = item["url"].as_str().unwrap().to_owned();
    assert_eq!(url, format!("/api/v1/media/files/{sha}.jpg"));

    // The public reads the file: immutable, the sha256 its ETag, the type from the bytes.
    let file = app.get(&url, None).await;
    assert_eq!(file.status(), StatusCode::OK);
    assert_eq!(header(&file, "content-type"), "image/jpeg");
    assert_eq!(header(&file, "cache-control"), "public, max-age=31536000, immutable");
    assert_eq!(header(&file, "etag"), format!("\"{sha}\""));
    assert_eq!(header(&file, "x-content-type-options"), "nosniff");
    assert_eq!(file.bytes().await.unwrap().as_ref(), jpeg.as_slice());
    let again =
        app.request(Method::GET, &url, None).header("if-none-match", format!("\"{sha}\"")).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(header(&again, "cache-control"), "public, max-age=31536000, immutable");
    let head = app.request(Method::HEAD, &url, None).send().await.unwrap();
    assert_eq!((head.status(), header(&head, "content-length")), (StatusCode::OK, jpeg.len().to_string().as_str()));

    for (preset, width, height) in [("thumb", 320, 160), ("card", 800, 400), ("wide", 1600, 800)] {
        let variant = app.get(&format!("{url}?preset={preset}"), None).await;
        assert_eq!(variant.status(), StatusCode::OK, "{preset}");
        assert_eq!(header(&variant, "content-type"), "image/webp");
        assert_eq!(header(&variant, "etag"), format!("\"{sha}-{preset}\""));
        assert_eq!(header(&variant, "cache-control"), "public, max-age=31536000, immutable");
        let bytes = variant.bytes().await.unwrap();
        let decoded = image::load_from_memory_with_format(&bytes, ImageFormat::WebP).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (width, height), "{preset}");
    }
    // Served again from storage: the same bytes.
    let first = app.get(&format!("{url}?preset=thumb"), None).await.bytes().await.unwrap();
    let second = app.get(&format!("{url}?preset=thumb"), None).await.bytes().await.unwrap();
    assert_eq!(first, second);

    // Never upscaled: a 500 px image stays 500 px wide in every preset it is under.
    let small = upload(&app, &author, encoded(500, 300, ImageFormat::Jpeg), "small.jpg", "image/jpeg").await;
    let small_url = small["url"].as_str().unwrap();
    let wide = app.get(&format!("{small_url}?preset=wide"), None).await.bytes().await.unwrap();
    let decoded = image::load_from_memory_with_format(&wide, ImageFormat::WebP).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (500, 300));

    // Concurrent requests for one missing variant all get it.
    let card = format!("{small_url}?preset=card");
    let answers = futures_util::future::join_all((0..6).map(|_| app.get(&card, None))).await;
    assert!(answers.iter().all(|a| a.status() == StatusCode::OK));

    for bad in ["?preset=huge", "?preset=", "?width=10"] {
        problem(app.get(&format!("{url}{bad}"), None).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    problem(app.get(&format!("/api/v1/media/files/{}.jpg", "0".repeat(64)), None).await, StatusCode::NOT_FOUND).await;
    problem(app.get("/api/v1/media/files/nothing.jpg", None).await, StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn a_jpeg_is_served_with_its_three_variants_from_a_folder() {
    jpeg_variants_are_served(Storage::Folder).await;
}

#[tokio::test]
#[ignore = "needs an S3-compatible server: set FOLIO_TEST_S3 (.ci/run starts moto)"]
async fn a_jpeg_is_served_with_its_three_variants_from_s3() {
    jpeg_variants_are_served(Storage::S3).await;
}

async fn types_come_from_the_bytes(storage: Storage) {
    let app = app_on(storage, &[]).await;
    let (_, author) = app.user("author", "Ann Author").await;
    let png = upload(&app, &author, encoded(40, 30, ImageFormat::Png), "photo.jpg", "image/jpeg").await;
    assert_eq!(png["content_type"], "image/png");
    assert!(png["url"].as_str().unwrap().ends_with(".png"));
    let served = app.get(png["url"].as_str().unwrap(), None).await;
    assert_eq!(header(&served, "content-type"), "image/png");

    let html = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>".to_vec();
    let refused = upload_response(&app, Some(&author), html, "pic.png", "image/png").await;
    problem(refused, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
    let mut polyglot = b"<html><script>alert(document.cookie)</script>".to_vec();
    polyglot.extend(encoded(4, 4, ImageFormat::Gif));
    problem(
        upload_response(&app, Some(&author), polyglot, "pic.gif", "image/gif").await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
    )
    .await;
    let page_in_svg =
        br#"<svg xmlns="http://www.w3.org/2000/svg"><html><script>alert(1)</script></html></svg>"#.to_vec();
    problem(
        upload_response(&app, Some(&author), page_in_svg, "x.svg", "image/svg+xml").await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
    )
    .await;

    let svg = concat!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="120" height="60" onload="alert(1)">"##,
        r##"<script>alert(2)</script><use href="https://evil.example/sprite.svg#x"/><use xlink:href="#dot"/>"##,
        r##"<circle id="dot" r="4" onclick="alert(3)" fill="url(#g)"/></svg>"##
    );
    let item = upload(&app, &author, svg.as_bytes().to_vec(), "logo.png", "image/png").await;
    assert_eq!(
        (item["content_type"].as_str(), item["width"].as_i64(), item["height"].as_i64()),
        (Some("image/svg+xml"), Some(120), Some(60))
    );
    let served = app.get(item["url"].as_str().unwrap(), None).await;
    assert_eq!(header(&served, "content-type"), "image/svg+xml");
    assert_eq!(header(&served, "content-security-policy"), "default-src 'none'; style-src 'unsafe-inline'");
    let text = served.text().await.unwrap();
    for gone in ["script", "onload", "onclick", "alert", "evil.example"] {
        assert!(!text.contains(gone), "{gone} survived: {text}");
    }
    assert!(text.contains(r##"xlink:href="#dot""##) && text.contains("<circle"), "{text}");
    assert_eq!(item["bytes"].as_u64(), Some(text.len() as u64));
    let svg_preset = app.get(&format!("{}?preset=thumb", item["url"].as_str().unwrap()), None).await;
    problem(svg_preset, StatusCode::UNPROCESSABLE_ENTITY).await;

    let pdf = upload(
        &app,
        &author,
        b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec(),
        "doc.bin",
        "application/octet-stream",
    )
    .await;
    assert_eq!((pdf["content_type"].as_str(), pdf["width"].as_i64()), (Some("application/pdf"), None));
}

#[tokio::test]
async fn the_type_comes_from_the_bytes_and_svg_is_sanitised_on_a_folder() {
    types_come_from_the_bytes(Storage::Folder).await;
}

#[tokio::test]
#[ignore = "needs an S3-compatible server: set FOLIO_TEST_S3 (.ci/run starts moto)"]
async fn the_type_comes_from_the_bytes_and_svg_is_sanitised_on_s3() {
    types_come_from_the_bytes(Storage::S3).await;
}

/// A PNG header declaring `width`×`height` (no pixel data follows).
fn png_header(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    bytes.extend(width.to_be_bytes());
    bytes.extend(height.to_be_bytes());
    bytes.extend([8, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    bytes
}

#[tokio::test]
async fn oversized_uploads_and_bombs_are_refused_before_they_are_read() {
    let app = spawn_app_with(&[("FOLIO_MAX_UPLOAD_BYTES", "1048576")]).await;
    let (_, author) = app.user("author", "Ann Author").await;
    // FOLIO_MAX_BODY_BYTES (1 MiB by default) does not apply: 1.5 MiB fit under 2 MiB.
    let roomy = spawn_app_with(&[("FOLIO_MAX_UPLOAD_BYTES", "2097152")]).await;
    let (_, roomy_author) = roomy.user("author", "Ann Author").await;
    let mut big_pdf = b"%PDF-1.4\n".to_vec();
    big_pdf.resize(1_500_000, b' ');
    upload(&roomy, &roomy_author, big_pdf, "big.pdf", "application/pdf").await;

    // A body streamed without a length, 8 MiB and then no end: refused while the client
    // is still sending it. A server that read on to the end would never answer. (Counting
    // the bytes sent before the answer measured the machine's speed, not the server.)
    let chunks = futures_util::stream::iter(0..128)
        .map(|i| {
            let chunk = if i == 0 { b"%PDF-1.4\n".repeat(7282) } else { vec![b' '; 65536] };
            Ok::<_, std::io::Error>(chunk)
        })
        .chain(futures_util::stream::pending());
    let part =
        Part::stream(reqwest::Body::wrap_stream(chunks)).file_name("huge.pdf").mime_str("application/pdf").unwrap();
    let endless =
        app.request(Method::POST, "/api/v1/media", Some(&author)).multipart(Form::new().part("file", part)).send();
    match tokio::time::timeout(std::time::Duration::from_secs(10), endless).await.expect("answered mid-body") {
        Ok(response) => {
            problem(response, StatusCode::PAYLOAD_TOO_LARGE).await;
        }
        // The server may close the connection before the client reads the answer.
        Err(err) => assert!(err.is_request() || err.is_body(), "{err}"),
    }

    // A declared length over the limit is refused at once.
    let declared = app
        .request(Method::POST, "/api/v1/media", Some(&author))
        .header("content-type", "multipart/form-data; boundary=x")
        .header("content-length", "104857600")
        .body(reqwest::Body::wrap_stream(futures_util::stream::pending::<Result<Vec<u8>, std::io::Error>>()))
        .send();
    let declared = tokio::time::timeout(std::time::Duration::from_secs(10), declared).await.expect("answered at once");
    problem(declared.unwrap(), StatusCode::PAYLOAD_TOO_LARGE).await;

    // A small file declaring 20000×20000 pixels is never decoded.
    let bomb = upload_response(&app, Some(&author), png_header(20_000, 20_000), "bomb.png", "image/png").await;
    let body = problem(bomb, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(body["detail"].as_str().unwrap().contains("megapixels"), "{body}");

    for (form, field) in [
        (Form::new().text("alt", "no file"), "file"),
        (Form::new().part("file", Part::bytes(png_header(2, 2))).text("caption", "x"), "caption"),
        (Form::new().part("file", Part::bytes(png_header(2, 2))).text("alt", "x".repeat(501)), "alt"),
    ] {
        let response = app.request(Method::POST, "/api/v1/media", Some(&author)).multipart(form).send().await.unwrap();
        let body = problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(body["errors"][0]["field"], field, "{body}");
    }
}

async fn shared_files_stay_until_the_last_item_goes(storage: Storage) {
    let app = app_on(storage, &[]).await;
    let (_, author) = app.user("author", "Ann Author").await;
    let jpeg = encoded(64, 48, ImageFormat::Jpeg);
    let first = upload(&app, &author, jpeg.clone(), "a.jpg", "image/jpeg").await;
    let second = upload(&app, &author, jpeg, "b.jpg", "image/jpeg").await;
    assert_ne!(first["id"], second["id"]);
    assert_eq!((&first["sha256"], &first["url"]), (&second["sha256"], &second["url"]));
    let url = first["url"].as_str().unwrap();
    if let Storage::Folder = storage {
        let originals = std::fs::read_dir(app.media.path().join("originals")).unwrap().count();
        assert_eq!(originals, 1, "one stored file for both");
    }
    assert_eq!(app.get(&format!("{url}?preset=thumb"), None).await.status(), StatusCode::OK);

    let first_path = format!("/api/v1/media/{}", first["id"]);
    assert_eq!(app.delete(&first_path, Some(&author)).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.get(url, None).await.status(), StatusCode::OK, "still shared");
    problem(app.get(&first_path, Some(&author)).await, StatusCode::NOT_FOUND).await;
    let second_path = format!("/api/v1/media/{}", second["id"]);
    assert_eq!(app.delete(&second_path, Some(&author)).await.status(), StatusCode::NO_CONTENT);
    problem(app.get(url, None).await, StatusCode::NOT_FOUND).await;
    problem(app.get(&format!("{url}?preset=thumb"), None).await, StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn the_same_bytes_share_one_file_until_the_last_item_goes_on_a_folder() {
    shared_files_stay_until_the_last_item_goes(Storage::Folder).await;
}

#[tokio::test]
#[ignore = "needs an S3-compatible server: set FOLIO_TEST_S3 (.ci/run starts moto)"]
async fn the_same_bytes_share_one_file_until_the_last_item_goes_on_s3() {
    shared_files_stay_until_the_last_item_goes(Storage::S3).await;
}

#[tokio::test]
async fn authors_upload_the_public_reads_files_and_only_uploaders_or_editors_change_items() {
    let app = spawn_app_with(&[]).await;
    let (_, author) = app.user("author", "Ann Author").await;
    let (_, other) = app.user("author", "Otto Other").await;
    let (_, editor) = app.user("editor", "Eddie Editor").await;
    problem(
        upload_response(&app, None, encoded(8, 8, ImageFormat::Png), "a.png", "image/png").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let item = upload(&app, &author, encoded(8, 8, ImageFormat::Png), "a.png", "image/png").await;
    let path = format!("/api/v1/media/{}", item["id"]);

    assert_eq!(app.get(item["url"].as_str().unwrap(), None).await.status(), StatusCode::OK);
    problem(app.get("/api/v1/media", None).await, StatusCode::UNAUTHORIZED).await;
    problem(app.get(&path, None).await, StatusCode::UNAUTHORIZED).await;
    let list = app.get("/api/v1/media?per_page=1", Some(&other)).await;
    assert_eq!(header(&list, "x-total-count"), "1");
    assert!(header(&list, "link").contains("rel=\"first\""));
    let list = json_body(list, StatusCode::OK).await;
    assert_eq!((list["data"][0]["id"].clone(), list["meta"]["total"].clone()), (item["id"].clone(), json!(1)));
    let read = json_body(app.get(&path, Some(&other)).await, StatusCode::OK).await;
    assert_eq!(read, item);

    problem(app.patch(&path, Some(&other), &json!({"alt": "mine now"})).await, StatusCode::FORBIDDEN).await;
    problem(app.delete(&path, Some(&other)).await, StatusCode::FORBIDDEN).await;
    let changed =
        json_body(app.patch(&path, Some(&author), &json!({"alt": "A calf muscle"})).await, StatusCode::OK).await;
    assert_eq!(changed["alt"], "A calf muscle");
    let cleared = json_body(app.patch(&path, Some(&editor), &json!({"alt": null})).await, StatusCode::OK).await;
    assert_eq!(cleared["alt"], Value::Null);
    problem(app.patch(&path, Some(&editor), &json!({"alt": "x".repeat(501)})).await, StatusCode::UNPROCESSABLE_ENTITY)
        .await;
    problem(app.patch(&path, Some(&editor), &json!({"caption": "x"})).await, StatusCode::UNPROCESSABLE_ENTITY).await;

    // API keys reach media with the media scope only.
    let key = |scopes: Value| {
        let app = &app;
        async move {
            let created = app.post("/api/v1/api-keys", Some(&app.admin), &json!({"name": "k", "scopes": scopes})).await;
            json_body(created, StatusCode::CREATED).await["key"].as_str().unwrap().to_owned()
        }
    };
    let content = key(json!(["content:write"])).await;
    problem(
        upload_response(&app, Some(&content), encoded(8, 8, ImageFormat::Png), "a.png", "image/png").await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let media_key = key(json!(["media"])).await;
    upload(&app, &media_key, encoded(9, 9, ImageFormat::Png), "b.png", "image/png").await;

    assert_eq!(app.delete(&path, Some(&editor)).await.status(), StatusCode::NO_CONTENT);

    // Each write is audited and announced.
    let audit = json_body(app.get("/api/v1/audit?resource=media", Some(&app.admin)).await, StatusCode::OK).await;
    let actions: Vec<&str> = audit["data"].as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).collect();
    assert!(actions.contains(&"create") && actions.contains(&"update") && actions.contains(&"delete"), "{audit}");
    let changes = json_body(app.get("/api/v1/changes", None).await, StatusCode::OK).await;
    let media: Vec<(&str, &str)> = changes["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["resource"] == "media")
        .map(|c| (c["type"].as_str().unwrap(), c["slug"].as_str().unwrap()))
        .collect();
    assert_eq!(media, [("media.created", ""), ("media.created", ""), ("media.deleted", "")]);
}

#[tokio::test]
async fn a_media_cover_carries_its_file_and_size_and_keeps_the_item_until_unused() {
    let app = spawn_app_with(&[]).await;
    let item = upload(&app, &app.admin, encoded(640, 360, ImageFormat::Jpeg), "cover.jpg", "image/jpeg").await;
    let id = item["id"].as_i64().unwrap();
    let body = json!({"title": "With a cover", "body_markdown": "Text.", "status": "published",
        "cover_image": {"media_id": id, "alt": "A treatment room"}});
    let article = app.article(&app.admin, body).await;
    let expected = json!({"url": item["url"], "alt": "A treatment room", "media_id": id, "width": 640, "height": 360});
    assert_eq!(article["cover_image"], expected);
    let public = json_body(app.get(&format!("/api/v1/articles/{}", article["id"]), None).await, StatusCode::OK).await;
    assert_eq!(public["cover_image"], expected, "the public's stored representation too");
    let file = app.get(item["url"].as_str().unwrap(), None).await;
    assert_eq!(file.status(), StatusCode::OK, "the cover's URL is the file");

    // A URL cover says no size; giving both, neither or an unknown item is 422.
    let by_url = json!({"title": "By URL", "body_markdown": "x", "cover_image": {"url": "https://cdn.example/a.jpg"}});
    let by_url = app.article(&app.admin, by_url).await;
    assert_eq!(
        by_url["cover_image"],
        json!({"url": "https://cdn.example/a.jpg", "alt": "", "media_id": null, "width": null, "height": null})
    );
    for (cover, field) in [
        (json!({"url": "https://cdn.example/a.jpg", "media_id": id}), "/cover_image"),
        (json!({"alt": "nothing"}), "/cover_image"),
        (json!({"media_id": 999_999}), "/cover_image/media_id"),
        (json!({"media_id": 0}), "/cover_image/media_id"),
    ] {
        let body = json!({"title": "Bad cover", "body_markdown": "x", "cover_image": cover});
        let refused =
            problem(app.post("/api/v1/articles", Some(&app.admin), &body).await, StatusCode::UNPROCESSABLE_ENTITY)
                .await;
        assert_eq!(refused["errors"][0]["field"], field, "{cover}: {refused}");
    }

    // In use: 409, and the file stays; once no article names it, it goes.
    let media = format!("/api/v1/media/{id}");
    let conflict = problem(app.delete(&media, Some(&app.admin)).await, StatusCode::CONFLICT).await;
    assert!(conflict["detail"].as_str().unwrap().contains("cover"), "{conflict}");
    assert_eq!(app.get(item["url"].as_str().unwrap(), None).await.status(), StatusCode::OK);
    let cleared = json!({"cover_image": null, "version": article["version"]});
    let path = format!("/api/v1/articles/{}", article["id"]);
    json_body(app.patch(&path, Some(&app.admin), &cleared).await, StatusCode::OK).await;
    assert_eq!(app.delete(&media, Some(&app.admin)).await.status(), StatusCode::NO_CONTENT);
}
