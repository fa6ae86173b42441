//! Tables as files for administrators' statistics: CSV (RFC 4180, UTF-8)
//! or an Excel workbook (`rust_xlsxwriter`). One table shape for every
//! export, so a column is named once.

use omsorg_core::api::ExportFormat;

/// A header row and rows of text cells.
pub struct Table {
    pub headers: &'static [&'static str],
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// The table in `format`.
    pub fn render(&self, format: ExportFormat) -> anyhow::Result<Vec<u8>> {
        match format {
            ExportFormat::Csv => self.csv(),
            ExportFormat::Xlsx => self.xlsx(),
        }
    }

    fn csv(&self) -> anyhow::Result<Vec<u8>> {
        let mut out = csv::Writer::from_writer(Vec::new());
        out.write_record(self.headers)?;
        for row in &self.rows {
            out.write_record(row.iter().map(|c| defused(c).into_owned()))?;
        }
        Ok(out.into_inner()?)
    }

    fn xlsx(&self) -> anyhow::Result<Vec<u8>> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        let bold = rust_xlsxwriter::Format::new().set_bold();
        for (c, h) in self.headers.iter().enumerate() {
            sheet.write_string_with_format(0, u16::try_from(c)?, *h, &bold)?;
        }
        for (r, row) in self.rows.iter().enumerate() {
            let r = u32::try_from(r + 1)?;
            for (c, cell) in row.iter().enumerate() {
                // Text cells, never formulas: a name cannot become one.
                sheet.write_string(r, u16::try_from(c)?, cell)?;
            }
        }
        sheet.autofit();
        Ok(book.save_to_buffer()?)
    }
}

/// A CSV cell a spreadsheet would read as a formula (`=`, `+`, `-`, `@`,
/// tab, carriage return first: CSV injection) gets a leading apostrophe,
/// as OWASP advises; others are unchanged.
fn defused(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Table {
        Table {
            headers: &["navn", "bemærkning"],
            rows: vec![
                vec!["Søren Ærø".into(), "på \"vagt\", nat".into()],
                vec!["=HYPERLINK(\"x\")".into(), "-2".into()],
            ],
        }
    }

    #[test]
    fn csv_quotes_what_needs_it_and_defuses_formulas() {
        let bytes = table().render(ExportFormat::Csv).unwrap();
        let mut read = csv::Reader::from_reader(bytes.as_slice());
        assert_eq!(read.headers().unwrap(), vec!["navn", "bemærkning"]);
        let rows: Vec<csv::StringRecord> = read.records().map(Result::unwrap).collect();
        assert_eq!(&rows[0][0], "Søren Ærø");
        assert_eq!(&rows[0][1], "på \"vagt\", nat");
        assert_eq!(&rows[1][0], "'=HYPERLINK(\"x\")");
        assert_eq!(&rows[1][1], "'-2");
    }

    #[test]
    fn xlsx_is_a_workbook_a_reader_opens() {
        use calamine::Reader;
        let bytes = table().render(ExportFormat::Xlsx).unwrap();
        let mut book: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        let sheet = book.worksheet_range_at(0).unwrap().unwrap();
        let cells: Vec<Vec<String>> = sheet
            .rows()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect();
        assert_eq!(cells[0], vec!["navn", "bemærkning"]);
        assert_eq!(cells[1][0], "Søren Ærø");
        assert_eq!(
            cells[2][0], "=HYPERLINK(\"x\")",
            "a text cell, not a formula"
        );
    }
}
