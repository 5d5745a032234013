//! Layout decisions of the sweep charts that depend on how many values an
//! axis has: which tick labels to print, how many grid values share a
//! heatmap cell, and whether a cell has room for its value. Pure functions
//! of counts and pixel sizes, so tests check them without drawing.
//!
//! Text widths are estimated, not measured: DejaVu Sans (the bundled font)
//! draws digits 0.64 em wide and most letters narrower, so
//! `chars × 0.64 × font px` is an upper bound for the labels these charts
//! print (numbers with a short unit).

/// Width of one character of DejaVu Sans in em (digits; most letters are
/// narrower).
const CHAR_EM: f64 = 0.64;

/// Estimated width in pixels of `chars` characters at `font_px`.
pub fn text_px(chars: usize, font_px: f64) -> f64 {
    chars as f64 * CHAR_EM * font_px
}

/// Every how many values an axis of `n` category labels prints one, so
/// that labels of up to `longest_chars` characters at `font_px`, 8 px
/// apart, fit along `axis_px` pixels without overlapping; 1 prints all.
pub fn tick_stride(n: usize, axis_px: f64, longest_chars: usize, font_px: f64) -> usize {
    let slot = text_px(longest_chars.max(1), font_px) + 8.0;
    let fit = ((axis_px / slot).floor() as usize).max(1);
    n.div_ceil(fit).max(1)
}

/// Most heatmap cells per side. At the heatmap's plot size (about
/// 690 × 450 px) 60 cells are 11 × 7 px, the smallest that still read as
/// separate patches of colour; a larger grid is drawn in blocks.
pub const MAX_CELLS_PER_SIDE: usize = 60;

/// How many consecutive values of an axis of `n` values share one heatmap
/// cell: 1 up to [`MAX_CELLS_PER_SIDE`] values, else the fewest that keep
/// the cells per side within it (100 values → 2 per cell, 50 cells).
pub fn block_size(n: usize) -> usize {
    n.div_ceil(MAX_CELLS_PER_SIDE).max(1)
}

/// Font size of the value written in a heatmap cell, in pixels.
pub const CELL_FONT_PX: f64 = 15.0;

/// Whether a value of `longest_chars` characters at [`CELL_FONT_PX`] fits
/// in a cell of `cell_px` (width, height) pixels with 3 px to spare on
/// each side. When it does not, the cells carry colour only.
pub fn cell_labels_fit(cell_px: (f64, f64), longest_chars: usize) -> bool {
    cell_px.0 >= text_px(longest_chars, CELL_FONT_PX) + 6.0 && cell_px.1 >= CELL_FONT_PX + 6.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_thin_out_when_labels_would_overlap() {
        // 40 labels of 5 characters at 12 px: 46.4 px each on 690 px → 14 fit.
        assert_eq!(tick_stride(40, 690.0, 5, 12.0), 3);
        assert_eq!(tick_stride(4, 690.0, 5, 12.0), 1);
        assert_eq!(tick_stride(10, 0.0, 5, 12.0), 10);
    }

    #[test]
    fn grids_beyond_sixty_per_side_are_drawn_in_blocks() {
        assert_eq!(block_size(1), 1);
        assert_eq!(block_size(60), 1);
        assert_eq!(block_size(61), 2);
        assert_eq!(block_size(100), 2);
        assert_eq!(block_size(10_000), 167);
    }

    #[test]
    fn cell_labels_need_room_for_their_text() {
        // "16.9 min": 8 characters, 76.8 px at 15 px.
        assert!(cell_labels_fit((230.0, 225.0), 8));
        assert!(!cell_labels_fit((17.0, 15.0), 8));
        assert!(!cell_labels_fit((200.0, 20.0), 8));
    }
}
