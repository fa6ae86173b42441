//! The signed confidentiality declaration as an archival PDF (PDF/A-2u,
//! SPEC C4 step 7): the versioned text, who signed, when, for whom, and the
//! signature as an image. Fonts are embedded (DejaVu Sans, `assets/fonts`),
//! and every character maps back to Unicode, so the text can be searched
//! and extracted for as long as the file is kept.

use std::sync::LazyLock;

use chrono::{DateTime, Datelike, Timelike, Utc};
use krilla::configure::{Archival, ConfigurationBuilder, Validator};
use krilla::geom::{PathBuilder, Point, Size};
use krilla::image::Image;
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::Stroke;
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use krilla::{Document, SerializeSettings};

static REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");
static FONTS: LazyLock<(Font, Font)> = LazyLock::new(|| {
    (
        Font::new(REGULAR.into(), 0).expect("the bundled regular font"),
        Font::new(BOLD.into(), 0).expect("the bundled bold font"),
    )
});

/// A4 in points, with 2 cm margins.
const PAGE: (f32, f32) = (595.0, 842.0);
const MARGIN: f32 = 57.0;
const BODY_SIZE: f32 = 10.0;
const LINE: f32 = 14.0;
/// Characters per body line: DejaVu Sans averages about 0.55 em, so 80
/// characters of 10 pt stay inside the 481 pt text width.
const WRAP: usize = 80;
/// The drawn signature's box.
const SIGNATURE_BOX: (f32, f32) = (240.0, 100.0);

/// What the declaration states. `cpr_masked` is the masked number: the full
/// number never goes into the file.
pub struct Facts<'a> {
    pub order_id: &'a str,
    pub substitute_name: &'a str,
    pub cpr_masked: &'a str,
    pub user_id: &'a str,
    pub unit_name: &'a str,
    pub orderer_name: &'a str,
    pub signed_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub version: &'a str,
    pub text: &'a str,
    pub signature_png: &'a [u8],
    /// The temporary-work agency, when there is one.
    pub agency: Option<&'a str>,
    /// The systems the substitute gets (the unit's template).
    pub systems: &'a [String],
}

impl<'a> Facts<'a> {
    /// A dev-data declaration with the current text (for the PDF benchmark
    /// and tests).
    pub fn example(signature_png: &'a [u8]) -> Facts<'a> {
        let (version, text) = omsorg_core::declaration::current();
        Facts {
            order_id: "o1",
            substitute_name: "Sofie Vikar Jensen",
            cpr_masked: "010190-XXXX",
            user_id: "vik001",
            unit_name: "Hjemmeplejen Nord",
            orderer_name: "Anna Andersen",
            signed_at: Utc::now(),
            ends_at: Utc::now(),
            version,
            text,
            signature_png,
            agency: None,
            systems: &[],
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("the signature is not a readable PNG image: {0}")]
    Signature(String),
    #[error("the declaration could not be written as PDF/A: {0}")]
    Export(String),
}

/// Danish time, as people read it: "24.11.2026 kl. 09.30".
pub fn danish_time(t: DateTime<Utc>) -> String {
    t.with_timezone(&chrono_tz::Europe::Copenhagen)
        .format("%d.%m.%Y kl. %H.%M")
        .to_string()
}

/// Lines of at most `width` characters, broken between words; the text's
/// own line breaks and blank lines are kept.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.lines() {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        lines.push(line);
    }
    lines
}

/// Writes pages top-down, starting a new page when one is full.
struct Writer {
    document: Document,
    pages: Vec<Vec<(f32, bool, f32, String)>>,
    y: f32,
}

impl Writer {
    fn line(&mut self, text: &str, bold: bool, size: f32, advance: f32) {
        if self.y + advance > PAGE.1 - MARGIN || self.pages.is_empty() {
            self.pages.push(Vec::new());
            self.y = MARGIN;
        }
        self.y += advance;
        let y = self.y;
        self.pages
            .last_mut()
            .expect("a page")
            .push((y, bold, size, text.to_string()));
    }
}

fn draw_lines(surface: &mut Surface, lines: &[(f32, bool, f32, String)]) {
    let (regular, bold) = &*FONTS;
    for (y, is_bold, size, text) in lines {
        if text.is_empty() {
            continue;
        }
        let font = if *is_bold { bold } else { regular };
        surface.draw_text(
            Point::from_xy(MARGIN, *y),
            font.clone(),
            *size,
            text,
            false,
            TextDirection::Auto,
        );
    }
}

/// The declaration as PDF/A-2u bytes.
pub fn render(facts: &Facts) -> Result<Vec<u8>, PdfError> {
    // No interpolation: PDF/A forbids it.
    let signature =
        Image::from_png(facts.signature_png.to_vec().into(), false).map_err(PdfError::Signature)?;
    let configuration = ConfigurationBuilder::new()
        .set_validator(Validator::A(Archival::A2_U))
        .finish()
        .map_err(|e| PdfError::Export(format!("{e:?}")))?;
    let settings = SerializeSettings {
        configuration,
        ..SerializeSettings::default()
    };
    let mut w = Writer {
        document: Document::new_with(settings),
        pages: Vec::new(),
        y: MARGIN,
    };
    let mut text_lines = facts.text.lines();
    let title = text_lines.next().unwrap_or("Erklæring om tavshedspligt");
    w.line(title, true, 16.0, 24.0);
    w.line("", false, BODY_SIZE, LINE / 2.0);
    let body: Vec<&str> = text_lines.collect();
    for line in wrap(body.join("\n").trim(), WRAP) {
        w.line(&line, false, BODY_SIZE, LINE);
    }
    w.line("", false, BODY_SIZE, LINE);
    let mut facts_table = vec![
        ("Vikar", facts.substitute_name.to_string()),
        ("CPR-nummer", facts.cpr_masked.to_string()),
        ("Bruger-id", facts.user_id.to_string()),
        ("Arbejdssted", facts.unit_name.to_string()),
        ("Bestilt af", facts.orderer_name.to_string()),
        ("Underskrevet", danish_time(facts.signed_at)),
        ("Adgang til", danish_time(facts.ends_at)),
        ("Erklæringens version", facts.version.to_string()),
        ("Ordrenummer", facts.order_id.to_string()),
    ];
    if let Some(agency) = facts.agency {
        facts_table.insert(1, ("Vikarbureau", agency.to_string()));
    }
    if !facts.systems.is_empty() {
        let at = facts_table.len() - 2;
        facts_table.insert(at, ("Adgang til systemer", facts.systems.join(", ")));
    }
    for (label, value) in facts_table {
        w.line(&format!("{label}: {value}"), false, BODY_SIZE, LINE);
    }
    w.line("Underskrift:", true, BODY_SIZE, LINE * 2.0);
    // Room for the signature below the caption, on the same page.
    w.line("", false, BODY_SIZE, SIGNATURE_BOX.1 + 8.0);
    let signature_top = w.y - SIGNATURE_BOX.1;

    let metadata = Metadata::new()
        .title(format!(
            "Erklæring om tavshedspligt – {}",
            facts.substitute_name
        ))
        .language("da".into())
        .creator("Omsorg".into())
        .creation_date(pdf_time(facts.signed_at));
    let last = w.pages.len() - 1;
    let pages = std::mem::take(&mut w.pages);
    for (index, lines) in pages.iter().enumerate() {
        let mut page = w
            .document
            .start_page_with(PageSettings::from_wh(PAGE.0, PAGE.1).expect("A4"));
        let mut surface = page.surface();
        draw_lines(&mut surface, lines);
        if index == last {
            draw_signature(&mut surface, signature.clone(), signature_top);
        }
        surface.finish();
        page.finish();
    }
    w.document.set_metadata(metadata);
    w.document
        .finish()
        .map_err(|e| PdfError::Export(format!("{e:?}")))
}

/// The signature scaled into its box (aspect kept), over a signing line.
fn draw_signature(surface: &mut Surface, image: Image, top: f32) {
    let (iw, ih) = image.size();
    let scale = (SIGNATURE_BOX.0 / iw.max(1) as f32).min(SIGNATURE_BOX.1 / ih.max(1) as f32);
    let (w, h) = ((iw as f32 * scale).max(1.0), (ih as f32 * scale).max(1.0));
    surface.push_transform(&krilla::geom::Transform::from_translate(MARGIN, top));
    surface.draw_image(image, Size::from_wh(w, h).expect("positive size"));
    surface.pop();
    let mut line = PathBuilder::new();
    line.move_to(MARGIN, top + SIGNATURE_BOX.1 + 2.0);
    line.line_to(MARGIN + SIGNATURE_BOX.0, top + SIGNATURE_BOX.1 + 2.0);
    if let Some(path) = line.finish() {
        surface.set_fill(None);
        surface.set_stroke(Some(Stroke::default()));
        surface.draw_path(&path);
        surface.set_stroke(None);
    }
}

fn pdf_time(t: DateTime<Utc>) -> krilla::metadata::DateTime {
    krilla::metadata::DateTime::new(t.year() as u16)
        .month(t.month() as u8)
        .day(t.day() as u8)
        .hour(t.hour() as u8)
        .minute(t.minute() as u8)
        .second(t.second() as u8)
        .utc_offset_hour(0)
        .utc_offset_minute(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 1 × 1 PNG.
    const DOT: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

    fn facts<'a>(png: &'a [u8], text: &'a str) -> Facts<'a> {
        Facts {
            text,
            ..Facts::example(png)
        }
    }

    /// Pages, as poppler's `pdfinfo` counts them.
    fn page_count(pdf: &[u8]) -> usize {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), pdf).unwrap();
        let out = std::process::Command::new("pdfinfo")
            .arg(file.path())
            .output()
            .expect("pdfinfo (poppler-utils, installed by `cargo xtask setup`)");
        let info = String::from_utf8(out.stdout).unwrap();
        let pages = info.lines().find_map(|l| l.strip_prefix("Pages:")).unwrap();
        pages.trim().parse().unwrap()
    }

    #[test]
    fn a_declaration_renders_as_pdf_a_and_an_unreadable_signature_is_refused() {
        use base64::Engine;
        let png = base64::engine::general_purpose::STANDARD
            .decode(DOT)
            .unwrap();
        let text = omsorg_core::declaration::current().1;
        let pdf = render(&facts(&png, text)).unwrap();
        assert!(pdf.starts_with(b"%PDF-1.7"));
        // A long text flows onto more pages instead of off the page.
        let long = format!("Titel\n{}", "Et afsnit med mange ord. ".repeat(600));
        let pages = render(&facts(&png, &long)).unwrap();
        assert_eq!(page_count(&pdf), 1);
        // About 190 lines of 14 pt on 728 pt of text height per page.
        assert!(page_count(&pages) >= 4, "{}", page_count(&pages));
        let broken = b"\x89PNG\r\n\x1a\nnot really";
        assert!(matches!(
            render(&facts(broken, text)),
            Err(PdfError::Signature(_))
        ));
    }

    #[test]
    fn words_wrap_and_paragraphs_stay() {
        let lines = wrap("aa bb cc\n\ndd", 5);
        assert_eq!(lines, ["aa bb", "cc", "", "dd"]);
        for line in wrap(&"ord ".repeat(100), WRAP) {
            assert!(line.chars().count() <= WRAP);
        }
    }
}
