//! Images: recognised by their bytes (never by a name or a declared type), decoded and encoded
//! again so that only the pixels survive: EXIF with its GPS position and device, maker notes,
//! comments, XMP and colour profiles are left behind. Limits refuse a decompression bomb
//! before its pixels are allocated.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};

/// Widest and tallest image decoded, in pixels.
const MAX_SIDE: u32 = 12_000;
/// Memory one re-encoding may take, counted from the header before a pixel is allocated: the
/// decoded buffer plus the 8-bit RGB(A) copy written out (`BYTES_PER_PIXEL_WRITTEN`). The
/// decoders and encoders keep working buffers of their own on top (a CMYK or progressive
/// JPEG, lossless WebP), measured at up to twice this; one image is decoded at a time.
const MAX_ALLOC: u64 = 128 * 1024 * 1024;
/// The 8-bit RGBA copy made to write the image again (the decoders' own buffers for colour
/// conversion come on top of it: a CMYK JPEG, a lossy WebP).
const BYTES_PER_PIXEL_WRITTEN: u64 = 4;
/// Most pixels decoded, whatever the format says it needs: 16 megapixels, more than the
/// 12-megapixel photo a phone saves by default.
const MAX_PIXELS: u64 = 16_000_000;
/// Quality of JPEG written again: close to a phone's own, so faces and text stay legible.
const JPEG_QUALITY: u8 = 90;

/// The image formats taken and re-encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Picture {
    Png,
    Jpeg,
    Gif,
    WebP,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub(crate) enum PictureError {
    #[error("the image could not be decoded")]
    Unreadable,
    #[error("the image is larger than the desk decodes")]
    TooLarge,
}

impl Picture {
    /// What the bytes are, by their magic numbers.
    pub(crate) fn sniff(bytes: &[u8]) -> Option<Picture> {
        match image::guess_format(bytes).ok()? {
            ImageFormat::Png => Some(Picture::Png),
            ImageFormat::Jpeg => Some(Picture::Jpeg),
            ImageFormat::Gif => Some(Picture::Gif),
            ImageFormat::WebP => Some(Picture::WebP),
            _ => None,
        }
    }

    pub(crate) fn media_type(self) -> &'static str {
        match self {
            Picture::Png => "image/png",
            Picture::Jpeg => "image/jpeg",
            Picture::Gif => "image/gif",
            Picture::WebP => "image/webp",
        }
    }

    fn format(self) -> ImageFormat {
        match self {
            Picture::Png => ImageFormat::Png,
            Picture::Jpeg => ImageFormat::Jpeg,
            Picture::Gif => ImageFormat::Gif,
            Picture::WebP => ImageFormat::WebP,
        }
    }

    /// The image decoded and written again in its own format, turned upright first (the
    /// orientation lives in the EXIF that is dropped). An animated GIF keeps its first frame;
    /// WebP is written lossless, the only WebP the `image` crate writes.
    pub(crate) fn reencode(self, bytes: &[u8]) -> Result<Vec<u8>, PictureError> {
        // Ancillary PNG chunks are dropped before decoding: they are metadata the result
        // leaves behind anyway, and a compressed colour profile (iCCP) or text chunk can
        // unpack to hundreds of megabytes inside the decoder.
        let bytes = match self {
            Picture::Png => png_pixels_only(bytes).ok_or(PictureError::Unreadable)?,
            _ => bytes.to_vec(),
        };
        let mut reader = ImageReader::with_format(Cursor::new(&bytes[..]), self.format());
        let mut limits = Limits::default();
        limits.max_image_width = Some(MAX_SIDE);
        limits.max_image_height = Some(MAX_SIDE);
        limits.max_alloc = Some(MAX_ALLOC);
        reader.limits(limits);
        let mut decoder = reader.into_decoder().map_err(read_error)?;
        // The header's own numbers, checked here because not every decoder holds itself to
        // `max_alloc`: a 1 MB PNG of 11 900 × 11 900 16-bit RGBA would decode to over 1 GiB.
        let (width, height) = decoder.dimensions();
        let pixels = u64::from(width) * u64::from(height);
        let needed = decoder
            .total_bytes()
            .saturating_add(pixels.saturating_mul(BYTES_PER_PIXEL_WRITTEN));
        if pixels > MAX_PIXELS || needed > MAX_ALLOC {
            return Err(PictureError::TooLarge);
        }
        let orientation = decoder.orientation().map_err(read_error)?;
        let mut picture = DynamicImage::from_decoder(decoder).map_err(read_error)?;
        picture.apply_orientation(orientation);
        let mut out = Cursor::new(Vec::new());
        let written = match self {
            Picture::Jpeg => {
                let encoder =
                    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY);
                DynamicImage::ImageRgb8(picture.to_rgb8()).write_with_encoder(encoder)
            }
            Picture::Png => picture.write_to(&mut out, ImageFormat::Png),
            Picture::Gif | Picture::WebP => {
                DynamicImage::ImageRgba8(picture.to_rgba8()).write_to(&mut out, self.format())
            }
        };
        written.map_err(|_| PictureError::Unreadable)?;
        Ok(out.into_inner())
    }
}

/// The PNG's signature and only the chunks that make its pixels: header, palette,
/// transparency, image data and end (the first frame of an animated PNG is its image data).
/// Written by hand because no PNG crate rewrites chunks without decoding: each chunk is
/// copied whole with its own CRC, so the decoder still checks every byte it reads.
/// `None` when the chunk structure is broken.
fn png_pixels_only(bytes: &[u8]) -> Option<Vec<u8>> {
    const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
    const KEPT: [&[u8; 4]; 5] = [b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND"];
    let mut rest = bytes.strip_prefix(SIGNATURE)?;
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(SIGNATURE);
    while rest.len() >= 12 {
        let length = usize::try_from(u32::from_be_bytes(rest[0..4].try_into().ok()?)).ok()?;
        let whole = length.checked_add(12)?;
        let chunk = rest.get(..whole)?;
        let kind = &chunk[4..8];
        if KEPT.iter().any(|k| &k[..] == kind) {
            out.extend_from_slice(chunk);
        }
        rest = &rest[whole..];
        if kind == b"IEND" {
            return Some(out);
        }
    }
    None
}

fn read_error(err: image::ImageError) -> PictureError {
    match err {
        image::ImageError::Limits(_) => PictureError::TooLarge,
        _ => PictureError::Unreadable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        DynamicImage::new_rgb8(width, height)
            .write_to(&mut out, ImageFormat::Png)
            .unwrap();
        out.into_inner()
    }

    #[test]
    fn an_image_is_recognised_by_its_bytes_not_its_name() {
        assert_eq!(Picture::sniff(&png(2, 2)), Some(Picture::Png));
        assert_eq!(Picture::sniff(b"GIF89a\x01\x00"), Some(Picture::Gif));
        assert_eq!(Picture::sniff(b"just text, called photo.jpg"), None);
        assert_eq!(Picture::sniff(&[7u8; 64]), None);
    }

    #[test]
    fn a_jpeg_with_exif_comes_out_without_it() {
        let mut plain = Cursor::new(Vec::new());
        DynamicImage::new_rgb8(8, 8)
            .write_to(&mut plain, ImageFormat::Jpeg)
            .unwrap();
        let plain = plain.into_inner();
        // An APP1 Exif segment right after SOI, holding a recognisable marker.
        let payload = b"Exif\0\0MM\0*\0\0\0\x08\0\0GPS-CANARY-51.5N";
        let length = u16::try_from(payload.len() + 2).unwrap().to_be_bytes();
        let mut with_exif = plain[..2].to_vec();
        with_exif.extend_from_slice(&[0xFF, 0xE1, length[0], length[1]]);
        with_exif.extend_from_slice(payload);
        with_exif.extend_from_slice(&plain[2..]);
        let out = Picture::Jpeg.reencode(&with_exif).unwrap();
        assert!(with_exif.windows(10).any(|w| w == b"GPS-CANARY"));
        assert!(!out.windows(10).any(|w| w == b"GPS-CANARY"));
        assert!(!out.windows(4).any(|w| w == b"Exif"));
        assert_eq!(Picture::sniff(&out), Some(Picture::Jpeg));
    }

    #[test]
    fn a_decompression_bomb_is_refused_before_it_is_decoded() {
        // A valid PNG header claiming 60 000 × 60 000 pixels, with next to no data.
        let small = png(1, 1);
        let mut bomb = small.clone();
        bomb[16..20].copy_from_slice(&60_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&60_000u32.to_be_bytes());
        // Fix the header's CRC so the decoder reaches the size check.
        let crc = crc32(&bomb[12..29]);
        bomb[29..33].copy_from_slice(&crc.to_be_bytes());
        assert_eq!(Picture::Png.reencode(&bomb), Err(PictureError::TooLarge));
        // Within each side, but too many bytes once decoded: a 16-bit RGBA header.
        let wide = png_header(11_900, 11_900, 16, 6);
        assert_eq!(Picture::Png.reencode(&wide), Err(PictureError::TooLarge));
        let many = png_header(6_000, 6_000, 8, 0);
        assert_eq!(Picture::Png.reencode(&many), Err(PictureError::TooLarge));
        assert!(Picture::Png.reencode(&small).is_ok());
    }

    #[test]
    fn a_png_keeps_only_the_chunks_of_its_pixels() {
        let plain = png(3, 2);
        // A text chunk and a colour profile between the header and the data.
        let chunk = |kind: &[u8; 4], data: &[u8]| {
            let mut c = (data.len() as u32).to_be_bytes().to_vec();
            c.extend_from_slice(kind);
            c.extend_from_slice(data);
            let crc = crc32(&c[4..]);
            c.extend_from_slice(&crc.to_be_bytes());
            c
        };
        let mut dressed = plain[..33].to_vec();
        dressed.extend(chunk(b"tEXt", b"Comment\0GPS-CANARY"));
        dressed.extend(chunk(b"iCCP", b"huge\0\0not even zlib"));
        dressed.extend_from_slice(&plain[33..]);
        assert_eq!(png_pixels_only(&dressed), Some(plain.clone()));
        let out = Picture::Png.reencode(&dressed).unwrap();
        assert!(!out.windows(10).any(|w| w == b"GPS-CANARY"));
        assert_eq!(png_pixels_only(&dressed[..dressed.len() - 5]), None);
    }

    #[test]
    fn garbage_behind_an_image_signature_is_unreadable() {
        let mut fake = b"\x89PNG\r\n\x1a\n".to_vec();
        fake.extend_from_slice(&[0u8; 40]);
        assert_eq!(Picture::Png.reencode(&fake), Err(PictureError::Unreadable));
    }

    /// A 1 × 1 PNG whose header claims other dimensions, bit depth and colour type, with its
    /// header CRC fixed so the decoder reads that far.
    fn png_header(width: u32, height: u32, depth: u8, colour: u8) -> Vec<u8> {
        let mut bytes = png(1, 1);
        bytes[16..20].copy_from_slice(&width.to_be_bytes());
        bytes[20..24].copy_from_slice(&height.to_be_bytes());
        bytes[24] = depth;
        bytes[25] = colour;
        let crc = crc32(&bytes[12..29]);
        bytes[29..33].copy_from_slice(&crc.to_be_bytes());
        bytes
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
}
