//! The signature pad's rules, shared by the pad (drawing), the wizard
//! ("Næste" waits for a signature) and the shell (an unsigned draft is not
//! sent): what counts as signed, and how the line's width follows the pen.

use crate::bridge::{PadPoint, PadStroke};

/// Line width (CSS pixels on a 450 px wide pad) when still and when fast.
pub const MAX_WIDTH: f64 = 4.5;
pub const MIN_WIDTH: f64 = 1.4;
/// Pad widths per millisecond at which the line is thinnest.
const FAST: f64 = 0.004;
/// Ink needed to count as signed: 5 % of the pad's width, in all strokes.
const MIN_INK: f64 = 0.05;

/// The exported PNG: 900 × 300 px (a 450 px pad at device pixel ratio 2).
pub const EXPORT_WIDTH: u32 = 900;
pub const EXPORT_HEIGHT: u32 = 300;

/// The largest signature image the backend decodes: twice the export in
/// each direction. A PNG's header can promise any size within a few bytes;
/// it is read before anything is decoded.
pub const MAX_PNG_WIDTH: u32 = 2 * EXPORT_WIDTH;
pub const MAX_PNG_HEIGHT: u32 = 2 * EXPORT_HEIGHT;

/// A PNG's width and height as its header (IHDR) declares them; `None`
/// when the bytes do not start like a PNG.
pub fn png_size(bytes: &[u8]) -> Option<(u32, u32)> {
    const MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";
    let ihdr = bytes.strip_prefix(MAGIC)?.get(..16)?;
    if &ihdr[4..8] != b"IHDR" {
        return None;
    }
    let word = |at: usize| u32::from_be_bytes([ihdr[at], ihdr[at + 1], ihdr[at + 2], ihdr[at + 3]]);
    Some((word(8), word(12)))
}

/// Whether a signature PNG of `width` × `height` may be decoded.
pub fn png_size_allowed(width: u32, height: u32) -> bool {
    (1..=MAX_PNG_WIDTH).contains(&width) && (1..=MAX_PNG_HEIGHT).contains(&height)
}

/// Whether the strokes are a signature rather than an accidental touch.
pub fn is_signed(strokes: &[PadStroke]) -> bool {
    let ink: f64 = strokes
        .iter()
        .flat_map(|s| s.points.windows(2))
        .map(|w| f64::from(w[1].x - w[0].x).hypot(f64::from(w[1].y - w[0].y)))
        .sum();
    ink >= MIN_INK
}

/// The next line width: thinner with speed, eased so it never jumps.
pub fn next_width(previous: f64, a: &PadPoint, b: &PadPoint) -> f64 {
    let distance = f64::from(b.x - a.x).hypot(f64::from(b.y - a.y));
    let dt = (b.t - a.t).max(1.0);
    let speed = (distance / dt / FAST).min(1.0);
    let target = MAX_WIDTH - (MAX_WIDTH - MIN_WIDTH) * speed;
    previous * 0.6 + target * 0.4
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(x: f32, y: f32, t: f64) -> PadPoint {
        PadPoint { x, y, t }
    }

    #[test]
    fn a_tap_is_not_a_signature_and_a_line_is() {
        let tap = PadStroke {
            points: vec![p(0.5, 0.1, 0.0)],
        };
        let short = PadStroke {
            points: vec![p(0.1, 0.1, 0.0), p(0.12, 0.1, 50.0)],
        };
        assert!(!is_signed(&[]));
        assert!(!is_signed(&[tap.clone(), short.clone()]));
        let line = PadStroke {
            points: vec![p(0.1, 0.1, 0.0), p(0.3, 0.1, 100.0)],
        };
        assert!(is_signed(&[tap, short, line]));
    }

    #[test]
    fn the_line_thins_with_speed_and_never_jumps() {
        let a = p(0.0, 0.0, 0.0);
        let still = next_width(MAX_WIDTH, &a, &p(0.001, 0.0, 100.0));
        let quick = next_width(MAX_WIDTH, &a, &p(0.5, 0.0, 10.0));
        assert!(still > quick, "{still} {quick}");
        // One step moves the width at most 40 % of the way to its target.
        assert!((quick - (MAX_WIDTH * 0.6 + MIN_WIDTH * 0.4)).abs() < 1e-9);
        let mut w = MAX_WIDTH;
        for i in 1..50 {
            w = next_width(w, &p(0.0, 0.0, 0.0), &p(1.0, 0.0, f64::from(i)));
            assert!((MIN_WIDTH..=MAX_WIDTH).contains(&w));
        }
        assert!(w - MIN_WIDTH < 0.01, "fast for long: thinnest");
    }
}

#[cfg(test)]
mod png_tests {
    use super::*;

    fn header(width: u32, height: u32) -> Vec<u8> {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        png.extend_from_slice(&width.to_be_bytes());
        png.extend_from_slice(&height.to_be_bytes());
        png.extend_from_slice(&[8, 6, 0, 0, 0]);
        png
    }

    #[test]
    fn the_declared_size_is_read_before_decoding() {
        assert_eq!(png_size(&header(900, 300)), Some((900, 300)));
        assert_eq!(png_size(&header(16384, 16384)), Some((16384, 16384)));
        assert_eq!(png_size(b"GIF89a"), None);
        assert_eq!(png_size(&header(900, 300)[..20]), None, "cut short");
        assert!(png_size_allowed(EXPORT_WIDTH, EXPORT_HEIGHT));
        assert!(png_size_allowed(MAX_PNG_WIDTH, MAX_PNG_HEIGHT));
        assert!(!png_size_allowed(MAX_PNG_WIDTH + 1, 300));
        assert!(!png_size_allowed(900, MAX_PNG_HEIGHT + 1));
        assert!(!png_size_allowed(0, 300));
        assert!(!png_size_allowed(16384, 16384));
    }
}
