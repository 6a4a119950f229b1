//! What the demo city is calibrated to: the plan's 2020 column exactly (at its precision), then
//! trajectories that give a mid-term review something to say. Indicators are computed from the
//! generated records by the engine; these are only what the generator aims at.
//!
//! Resulting statuses (the engine's rules, checked by tests/demo.rs):
//! - 2023: met 1, 8; on track 6, 9, 10; at risk 5, 7 (binding); off track 2 (binding), 3, 4.
//! - 2025: met 1, 3, 5, 6, 8, 10; at risk 7 (binding); off track 2, 9 (binding), 4.

/// One value per year from 2020; later years continue the last step.
#[derive(Debug, Clone, Copy)]
pub struct Path(pub [f64; 6]);

impl Path {
    pub fn at(&self, year: i32) -> f64 {
        let i = (year - 2020).max(0) as usize;
        if i < 6 { self.0[i] } else { self.0[5] + (self.0[5] - self.0[4]) * (i - 5) as f64 }
    }
}

/// Full-time enrolled students at municipal and district secondary schools (indicator 1): 9.74 万.
pub const SECONDARY_ENROLMENT: Path = Path([97_400.0, 98_000.0, 98_600.0, 99_100.0, 99_600.0, 100_200.0]);
/// Share of secondary graduates progressing (indicator 2, binding, ≥ 50): falls short.
pub const PROGRESSION: Path = Path([33.5, 35.8, 38.0, 40.1, 42.0, 43.6]);
/// Full-time enrolled at municipal higher and bachelor schools (indicator 5): 6.4 万 → 7.9 万.
pub const HIGHER_ENROLMENT: Path = Path([64_000.0, 67_000.0, 70_000.0, 73_000.0, 76_000.0, 79_000.0]);
/// In-field employment (indicator 6, ≥ 80).
pub const IN_FIELD: Path = Path([78.2, 78.5, 78.9, 79.3, 79.8, 80.2]);
/// Dual-qualified share, secondary (indicator 7, binding, ≥ 70): behind the line, trending to it.
pub const SECONDARY_DUAL: Path = Path([69.1, 69.5, 69.8, 69.6, 70.4, 69.9]);
/// Dual-qualified share, higher (indicator 8, binding, ≥ 80).
pub const HIGHER_DUAL: Path = Path([79.0, 79.4, 79.8, 80.1, 80.4, 80.6]);
/// Master's or above among full-time secondary teachers (indicator 9, binding, ≥ 25): fast, then slowing.
pub const SECONDARY_MASTER: Path = Path([13.9, 16.2, 18.6, 21.0, 22.6, 24.2]);
/// Training person-times (indicator 10, binding, ≥ 20 万): 16 万 in 2020.
pub const TRAINING: Path = Path([160_000.0, 172_000.0, 181_000.0, 189_000.0, 196_000.0, 203_000.0]);

/// Students per full-time teacher, by level.
pub const STUDENTS_PER_TEACHER: [f64; 3] = [15.0, 17.0, 16.0];

/// Order classes in 2020 (plan §一: 178 order classes, about 10 000 students a year).
pub const ORDER_CLASSES_2020: usize = 178;

/// The smallest count whose share of `of` is at least `share_pct`: shown at one decimal it is the
/// target, and it is never a hair below it (78.199 % would be "behind" a 78.2 % baseline).
pub fn count_for_share(share_pct: f64, of: usize) -> usize {
    ((share_pct / 100.0) * of as f64 - 1e-9).ceil() as usize
}
