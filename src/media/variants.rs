//! Resized WebP variants of raster images, by preset only: made on first request, kept
//! in storage, and served from there after. Memory stays bounded: at most
//! [`DECODES_AT_ONCE`] images are decoded at a time (each within [`decode_limits`]),
//! and concurrent requests for the same missing variant wait for the one making it.

use std::collections::HashMap;
use std::io::Cursor;
use std::sync::{Arc, Mutex};

use actix_web::web::Bytes;
use anyhow::Context;
use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};
use image::codecs::webp::WebPEncoder;
use image::{DynamicImage, ImageReader, Limits};
use tokio::sync::Semaphore;

use super::kind::{Kind, MAX_PIXELS};
use super::preset::Preset;
use super::storage::{self, Storage};

/// Images decoded at once; a 12-megapixel photo is 36 MB decoded (48 MB with alpha),
/// and resizing adds only the variant (5.8 MB at 1600 px wide).
pub const DECODES_AT_ONCE: usize = 2;

/// What decoding may take: the pixel bound uploads are held to, and memory for it.
fn decode_limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(50_000);
    limits.max_image_height = Some(50_000);
    // 50 megapixels of 8-bit RGBA, the most an accepted upload decodes to.
    limits.max_alloc = Some(MAX_PIXELS * 4 + (16 << 20));
    limits
}

/// `original` (a `kind` image) as a WebP at most `width` pixels wide, keeping its shape.
pub fn render(original: &[u8], kind: Kind, width: u32) -> anyhow::Result<Vec<u8>> {
    let format = kind.decoder().context("no decoder for this type")?;
    let mut reader = ImageReader::with_format(Cursor::new(original), format);
    reader.limits(decode_limits());
    let image = reader.decode().context("decoding the original")?;
    // The WebP encoder takes 8-bit RGB(A) only; a JPEG decodes to 8-bit RGB already.
    let image = match image.color().has_alpha() {
        true => DynamicImage::ImageRgba8(image.into_rgba8()),
        false => DynamicImage::ImageRgb8(image.into_rgb8()),
    };
    let image = if image.width() > width {
        let height = (u64::from(image.height()) * u64::from(width)).div_ceil(u64::from(image.width()));
        let height = u32::try_from(height.max(1)).unwrap_or(u32::MAX);
        let mut resized = DynamicImage::new(width, height, image.color());
        let lanczos = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
        Resizer::new().resize(&image, &mut resized, &lanczos).context("resizing")?;
        resized
    } else {
        image
    };
    let mut out = Vec::new();
    image.write_with_encoder(WebPEncoder::new_lossless(&mut out)).context("encoding the WebP")?;
    Ok(out)
}

/// Makes variants once each, a few at a time.
pub struct Variants {
    decodes: Semaphore,
    /// One lock per variant being made, so a second request waits for the first.
    making: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl Default for Variants {
    fn default() -> Self {
        Self { decodes: Semaphore::new(DECODES_AT_ONCE), making: Mutex::new(HashMap::new()) }
    }
}

impl Variants {
    /// The variant of the `kind` original `sha256` at `preset`, made and stored unless
    /// stored already; `None` when the original is not stored.
    pub async fn get(
        &self,
        storage: &Storage,
        sha256: &str,
        kind: Kind,
        preset: Preset,
    ) -> anyhow::Result<Option<Bytes>> {
        let key = storage::variant_key(sha256, preset);
        if let Some(stored) = storage.read(&key).await? {
            return Ok(Some(stored));
        }
        let lock = {
            let mut making = self.making.lock().map_err(|_| anyhow::anyhow!("the variant locks are poisoned"))?;
            making.entry(key.to_string()).or_default().clone()
        };
        let made = {
            let _turn = lock.lock().await;
            self.make_unless_stored(storage, &key, sha256, kind, preset).await
        };
        if let Ok(mut making) = self.making.lock() {
            // The last one out removes the lock (the map holds one reference).
            if Arc::strong_count(&lock) == 2 {
                making.remove(key.as_ref());
            }
        }
        made
    }

    async fn make_unless_stored(
        &self,
        storage: &Storage,
        key: &object_store::path::Path,
        sha256: &str,
        kind: Kind,
        preset: Preset,
    ) -> anyhow::Result<Option<Bytes>> {
        // Made while this request waited its turn.
        if let Some(stored) = storage.read(key).await? {
            return Ok(Some(stored));
        }
        let _decoding = self.decodes.acquire().await.context("the decode semaphore is closed")?;
        let Some(original) = storage.read(&storage::original_key(sha256, kind)).await? else {
            return Ok(None);
        };
        let width = preset.width();
        let webp = actix_web::web::block(move || render(&original, kind, width))
            .await
            .context("the resizing thread failed")??;
        let webp = Bytes::from(webp);
        storage.put(key, webp.clone()).await?;
        Ok(Some(webp))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg(width: u32, height: u32) -> Vec<u8> {
        let image = DynamicImage::ImageRgb8(image::RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
        }));
        let mut out = Cursor::new(Vec::new());
        image.write_to(&mut out, image::ImageFormat::Jpeg).unwrap_or_default();
        out.into_inner()
    }

    #[test]
    fn variants_shrink_to_the_preset_width_and_never_grow() {
        let original = jpeg(1000, 500);
        for (width, expected) in [(320, (320, 160)), (800, (800, 400)), (1600, (1000, 500))] {
            let webp = render(&original, Kind::Jpeg, width).unwrap_or_default();
            let size = imagesize::blob_size(&webp).map(|s| (s.width, s.height)).ok();
            assert_eq!(size, Some(expected), "{width}");
            assert_eq!(infer::get(&webp).map(|t| t.mime_type()), Some("image/webp"));
        }
    }
}
