//! What an upload is, told from its bytes alone (never its name or declared type), and
//! its dimensions, read from its header without decoding it.

use super::refused::Refused;
use super::svg;

/// The most pixels an image may have: a bigger one is refused before it is decoded
/// (a small file can declare a huge canvas, a decompression bomb).
pub const MAX_PIXELS: u64 = 50_000_000;

/// A type folio accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Jpeg,
    Png,
    Webp,
    Gif,
    Avif,
    Svg,
    Pdf,
}

impl Kind {
    pub const ALL: [Self; 7] = [Self::Jpeg, Self::Png, Self::Webp, Self::Gif, Self::Avif, Self::Svg, Self::Pdf];

    /// The extension of its stored file and URL.
    pub fn ext(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Png => "png",
            Self::Webp => "webp",
            Self::Gif => "gif",
            Self::Avif => "avif",
            Self::Svg => "svg",
            Self::Pdf => "pdf",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Webp => "image/webp",
            Self::Gif => "image/gif",
            Self::Avif => "image/avif",
            Self::Svg => "image/svg+xml",
            Self::Pdf => "application/pdf",
        }
    }

    pub fn from_ext(ext: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.ext() == ext)
    }

    /// The `image` format that decodes it for variants; `None` for what has no
    /// variants: SVG and PDF (not raster) and AVIF (its decoder needs native libraries).
    pub fn decoder(self) -> Option<image::ImageFormat> {
        match self {
            Self::Jpeg => Some(image::ImageFormat::Jpeg),
            Self::Png => Some(image::ImageFormat::Png),
            Self::Webp => Some(image::ImageFormat::WebP),
            Self::Gif => Some(image::ImageFormat::Gif),
            Self::Avif | Self::Svg | Self::Pdf => None,
        }
    }
}

/// An upload as it will be stored: its type, its bytes (an SVG's sanitised), its size.
#[derive(Debug)]
pub struct Inspected {
    pub kind: Kind,
    pub bytes: Vec<u8>,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

const ACCEPTED: &str = "JPEG, PNG, WebP, GIF, AVIF, SVG or PDF";

/// Tells what `bytes` are and checks them: a raster image's header must give its size,
/// within [`MAX_PIXELS`]; an SVG is sanitised.
pub fn inspect(bytes: Vec<u8>) -> Result<Inspected, Refused> {
    let sniffed = infer::get(&bytes).map(|found| found.mime_type());
    let kind = match sniffed {
        Some("image/jpeg") => Kind::Jpeg,
        Some("image/png") => Kind::Png,
        Some("image/webp") => Kind::Webp,
        Some("image/gif") => Kind::Gif,
        Some("image/avif") => Kind::Avif,
        Some("application/pdf") => Kind::Pdf,
        // Text that starts like HTML is sniffed as HTML and refused above, whatever follows.
        Some("text/xml") | None => {
            let clean = svg::sanitise(&bytes)?;
            let (width, height) = svg::dimensions(&clean);
            return Ok(Inspected { kind: Kind::Svg, bytes: clean, width, height });
        }
        Some(other) => return Err(Refused::Unsupported(format!("{other} is not accepted: upload {ACCEPTED}"))),
    };
    if kind == Kind::Pdf {
        return Ok(Inspected { kind, bytes, width: None, height: None });
    }
    let size = imagesize::blob_size(&bytes)
        .map_err(|_| Refused::Invalid(format!("the {} header does not say the image's size", kind.ext())))?;
    let (width, height) =
        (u64::try_from(size.width).unwrap_or(u64::MAX), u64::try_from(size.height).unwrap_or(u64::MAX));
    if width == 0 || height == 0 {
        return Err(Refused::Invalid("the image has no pixels".into()));
    }
    if width.saturating_mul(height) > MAX_PIXELS {
        return Err(Refused::Invalid(format!(
            "the image is {width}×{height} pixels, over the {} megapixels accepted",
            MAX_PIXELS / 1_000_000
        )));
    }
    let width = u32::try_from(width).ok();
    let height = u32::try_from(height).ok();
    Ok(Inspected { kind, bytes, width, height })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png_header(width: u32, height: u32) -> Vec<u8> {
        let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        bytes.extend(width.to_be_bytes());
        bytes.extend(height.to_be_bytes());
        bytes.extend([8, 6, 0, 0, 0, 0, 0, 0, 0]);
        bytes
    }

    #[test]
    fn the_type_comes_from_the_bytes() {
        let found = inspect(png_header(3, 2)).map(|i| (i.kind, i.width, i.height));
        assert_eq!(found, Ok((Kind::Png, Some(3), Some(2))));
        let pdf = inspect(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec()).map(|i| (i.kind, i.width));
        assert_eq!(pdf, Ok((Kind::Pdf, None)));
    }

    #[test]
    fn html_and_unknown_bytes_are_unsupported() {
        for bytes in [&b"<!DOCTYPE html><html><body>hi</body></html>"[..], b"<html><script>x</script></html>", b"plain"]
        {
            assert!(
                matches!(inspect(bytes.to_vec()), Err(Refused::Unsupported(_))),
                "{:?}",
                String::from_utf8_lossy(bytes)
            );
        }
    }

    #[test]
    fn a_header_declaring_too_many_pixels_is_refused() {
        assert!(matches!(inspect(png_header(20_000, 20_000)), Err(Refused::Invalid(_))));
        assert!(inspect(png_header(7_000, 7_000)).is_ok());
    }
}
