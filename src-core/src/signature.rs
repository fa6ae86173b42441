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
