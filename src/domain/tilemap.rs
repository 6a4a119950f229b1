//! The schematic map of a city's districts (方块示意图): one tile per district on a grid, placed as
//! the districts lie. A data file (`data/map/guangzhou-district-tiles.toml` by default), checked on
//! load; another city or a province gives its own. Pure data and checks.

use serde::Deserialize;

/// The file the product starts with: Guangzhou's 11 districts.
pub const DEFAULT_TILES: &str = include_str!("../../data/map/guangzhou-district-tiles.toml");

/// The largest grid a map may use: far above any city's districts, small enough to draw.
const MAX_CELL: u32 = 40;

/// A schematic map: its name, what it shows and does not, and its tiles.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TileMap {
    pub id: String,
    pub version: String,
    pub name_zh: String,
    pub name_en: String,
    pub note_zh: String,
    pub note_en: String,
    #[serde(rename = "tile")]
    pub tiles: Vec<Tile>,
}

/// One district's place on the grid, columns from the west, rows from the north.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tile {
    pub district: String,
    pub col: u32,
    pub row: u32,
}

impl TileMap {
    /// Reads and checks a map file; every problem is named with the tile it is in.
    pub fn parse(text: &str) -> Result<TileMap, Vec<String>> {
        let m: TileMap = toml::from_str(text).map_err(|e| vec![e.to_string()])?;
        let mut errors = super::pack_identity_errors(&m.id, &m.version);
        if m.tiles.is_empty() {
            errors.push("the map has no [[tile]]".into());
        }
        let mut districts = std::collections::HashSet::new();
        let mut cells = std::collections::HashMap::new();
        for (i, t) in m.tiles.iter().enumerate() {
            let at = format!("[[tile]] {} (district = \"{}\")", i + 1, t.district);
            if t.district.len() != 6 || !t.district.chars().all(|c| c.is_ascii_digit()) {
                errors.push(format!("{at}: district must be a 6-digit division code"));
            }
            if t.col >= MAX_CELL || t.row >= MAX_CELL {
                errors.push(format!("{at}: col and row must be below {MAX_CELL}"));
            }
            if !districts.insert(t.district.as_str()) {
                errors.push(format!("{at}: this district has a tile already"));
            }
            if let Some(other) = cells.insert((t.col, t.row), t.district.as_str()) {
                errors.push(format!("{at}: col {} row {} is taken by district {other}", t.col, t.row));
            }
        }
        if errors.is_empty() { Ok(m) } else { Err(errors) }
    }

    /// The map the product starts with.
    pub fn default_map() -> TileMap {
        TileMap::parse(DEFAULT_TILES).expect("the default tile map is checked by its test")
    }

    /// The grid's size: (columns, rows).
    pub fn size(&self) -> (u32, u32) {
        let cols = self.tiles.iter().map(|t| t.col + 1).max().unwrap_or(0);
        let rows = self.tiles.iter().map(|t| t.row + 1).max().unwrap_or(0);
        (cols, rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_map_places_guangzhous_eleven_districts_once_each() {
        let m = TileMap::default_map();
        assert_eq!(m.tiles.len(), 11);
        assert_eq!(m.size(), (4, 6));
    }

    #[test]
    fn a_map_with_a_district_twice_or_two_tiles_in_one_cell_is_refused_with_both_named() {
        let text = r#"
id = "m"
version = "1"
name_zh = "图"
name_en = "map"
note_zh = ""
note_en = ""
[[tile]]
district = "440103"
col = 0
row = 0
[[tile]]
district = "440103"
col = 0
row = 0
[[tile]]
district = "4401"
col = 99
row = 1
"#;
        let e = TileMap::parse(text).unwrap_err().join("\n");
        assert!(e.contains("[[tile]] 2 (district = \"440103\"): this district has a tile already"), "{e}");
        assert!(e.contains("col 0 row 0 is taken by district 440103"), "{e}");
        assert!(e.contains("[[tile]] 3 (district = \"4401\"): district must be a 6-digit division code"), "{e}");
        assert!(e.contains("col and row must be below 40"), "{e}");
    }
}
