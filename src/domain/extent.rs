//! What an installation's district list spans: one city, one province's cities, or the nation's
//! provinces. It decides what the whole is called and the level below it in every comparison.

/// The extent of a district list (6-digit division codes, which nest by prefix: 44 → 4401 → 440106).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extent {
    /// One city's districts (Guangzhou's eleven): the whole is 全市, compared by district.
    City,
    /// Several cities of one province: the whole is 全省, compared by district.
    Province,
    /// Several provinces: the whole is 全国, compared by province.
    Nation,
}

impl Extent {
    /// The extent of a list of district codes.
    pub fn of(codes: &[&str]) -> Extent {
        let spans = |digits: usize| {
            let mut heads = codes.iter().map(|d| d.get(..digits).unwrap_or(d));
            let first = heads.next();
            heads.any(|h| Some(h) != first)
        };
        if spans(2) {
            Extent::Nation
        } else if spans(4) {
            Extent::Province
        } else {
            Extent::City
        }
    }

    /// The province a district is in, where provinces are a level of the installation.
    pub fn province_of(self, district: &str) -> Option<String> {
        (self == Extent::Nation).then(|| district.get(..2).unwrap_or(district).to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_is_a_city_a_province_or_the_nation_by_the_prefixes_its_codes_share() {
        assert_eq!(Extent::of(&["440103", "440106"]), Extent::City);
        assert_eq!(Extent::of(&["440106", "440304"]), Extent::Province);
        assert_eq!(Extent::of(&["440106", "110101"]), Extent::Nation);
        assert_eq!(Extent::of(&[]), Extent::City);
        assert_eq!(Extent::Nation.province_of("110101").as_deref(), Some("11"));
        assert_eq!(Extent::Province.province_of("440304"), None);
    }
}
