/// The unit a client counts columns in (`general.positionEncodings`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PositionEncoding {
    Utf8,
    /// The LSP default, and what a client that says nothing gets.
    #[default]
    Utf16,
    Utf32,
}

impl PositionEncoding {
    /// Picks the cheapest encoding the client offers: UTF-8 needs no conversion of
    /// our byte offsets, so it wins whenever offered; otherwise UTF-16, which every
    /// client must support.
    pub fn negotiate<'a>(offered: impl IntoIterator<Item = &'a str>) -> Self {
        let mut best = PositionEncoding::Utf16;
        for kind in offered {
            match kind {
                "utf-8" => return PositionEncoding::Utf8,
                "utf-32" if best == PositionEncoding::Utf16 => best = PositionEncoding::Utf32,
                _ => {}
            }
        }
        best
    }

    pub fn as_lsp_str(self) -> &'static str {
        match self {
            PositionEncoding::Utf8 => "utf-8",
            PositionEncoding::Utf16 => "utf-16",
            PositionEncoding::Utf32 => "utf-32",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefers_utf8_when_offered_in_any_order() {
        assert_eq!(
            PositionEncoding::negotiate(["utf-16", "utf-8"]),
            PositionEncoding::Utf8
        );
        assert_eq!(
            PositionEncoding::negotiate(["utf-32", "utf-16"]),
            PositionEncoding::Utf32
        );
        assert_eq!(
            PositionEncoding::negotiate(["utf-16"]),
            PositionEncoding::Utf16
        );
        assert_eq!(PositionEncoding::negotiate([]), PositionEncoding::Utf16);
        assert_eq!(
            PositionEncoding::negotiate(["latin-1"]),
            PositionEncoding::Utf16
        );
    }
}
