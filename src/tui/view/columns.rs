//! Column widths for the tables: each column sized to what is on screen, within its bounds, and
//! the least useful columns dropped first when the pane is narrow, so that a key is never cut
//! to make room for a description.

/// What a column needs.
#[derive(Clone, Copy, Debug)]
pub struct ColumnSpec {
    pub min: u16,
    pub max: u16,
    /// Columns with a higher number are dropped first when space runs out; 0 is never dropped.
    pub drop_rank: u8,
}

const fn col(min: u16, max: u16, drop_rank: u8) -> ColumnSpec {
    ColumnSpec {
        min,
        max,
        drop_rank,
    }
}

// The columns of each tab, in the order of `Tab::columns`.
const USERS: &[ColumnSpec] = &[
    col(8, 32, 0),
    col(6, 10, 3),
    col(7, 11, 2),
    col(6, 10, 0),
    col(8, 40, 4),
];
const GROUPS: &[ColumnSpec] = &[col(8, 32, 0), col(5, 16, 1), col(7, 7, 3), col(5, 5, 2)];
const ROLES: &[ColumnSpec] = &[
    col(8, 32, 0),
    col(8, 32, 4),
    col(8, 12, 2),
    col(3, 12, 3),
    col(5, 5, 1),
];
const PERMISSIONS: &[ColumnSpec] = &[col(10, 36, 0), col(8, 22, 2), col(3, 12, 3), col(8, 40, 4)];
// The summary's bound is low so that the time survives at 80 columns; it takes the slack.
const AUDIT: &[ColumnSpec] = &[
    col(2, 7, 0),
    col(16, 16, 1),
    col(8, 24, 4),
    col(6, 18, 3),
    col(10, 22, 0),
];

const APPS: &[ColumnSpec] = &[col(6, 24, 0), col(8, 40, 3), col(5, 5, 1), col(5, 5, 2)];

pub fn specs(tab: super::super::state::Tab) -> &'static [ColumnSpec] {
    use super::super::state::Tab;
    match tab {
        Tab::Users => USERS,
        Tab::Groups => GROUPS,
        Tab::Roles => ROLES,
        Tab::Permissions => PERMISSIONS,
        Tab::Audit => AUDIT,
        Tab::Apps => APPS,
    }
}

/// Widths for `specs` given each column's widest content (header included) and the `available`
/// width; `None` for a dropped column. `spacing` separates shown columns. Left-over width goes
/// to the last shown column so the table fills its pane.
pub fn fit(
    specs: &[ColumnSpec],
    content: &[u16],
    available: u16,
    spacing: u16,
) -> Vec<Option<u16>> {
    let mut widths: Vec<Option<u16>> = specs
        .iter()
        .zip(content)
        .map(|(spec, &wide)| Some(wide.clamp(spec.min, spec.max)))
        .collect();
    let total = |widths: &[Option<u16>]| -> u32 {
        let shown: Vec<u16> = widths.iter().flatten().copied().collect();
        shown.iter().map(|&w| u32::from(w)).sum::<u32>()
            + u32::from(spacing) * shown.len().saturating_sub(1) as u32
    };
    let available32 = u32::from(available);
    // Shrink the droppable columns toward their minimum, then drop them, least useful first.
    let mut ranks: Vec<(usize, u8)> = specs
        .iter()
        .enumerate()
        .filter(|(_, s)| s.drop_rank > 0)
        .map(|(i, s)| (i, s.drop_rank))
        .collect();
    ranks.sort_by_key(|&(_, rank)| std::cmp::Reverse(rank));
    for &(i, _) in &ranks {
        if total(&widths) <= available32 {
            break;
        }
        let over = total(&widths) - available32;
        let Some(width) = widths[i] else { continue };
        let spare = u32::from(width - specs[i].min);
        if spare >= over {
            widths[i] = Some(width - over as u16);
        } else {
            widths[i] = None;
        }
    }
    // Still too wide: shrink the kept columns from the right, down to their minimum.
    for i in (0..widths.len()).rev() {
        let over = total(&widths).saturating_sub(available32);
        if over == 0 {
            break;
        }
        if let Some(width) = widths[i] {
            let spare = u32::from(width - specs[i].min.min(width));
            widths[i] = Some(width - spare.min(over) as u16);
        }
    }
    if let Some(last) = widths.iter().rposition(Option::is_some) {
        let slack = available32.saturating_sub(total(&widths));
        if let Some(width) = widths[last].as_mut() {
            *width = width.saturating_add(slack.min(u32::from(u16::MAX)) as u16);
        }
    }
    widths
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPECS: &[ColumnSpec] = &[col(8, 30, 0), col(6, 10, 2), col(8, 40, 3)];

    #[test]
    fn wide_panes_keep_every_column_and_fill() {
        let w = fit(SPECS, &[12, 8, 20], 60, 1);
        assert_eq!(w, vec![Some(12), Some(8), Some(38)]);
    }

    #[test]
    fn narrow_panes_drop_the_least_useful_column_first() {
        // 12 + 1 + 8 + 1 + 8 = 30 > 25: the third column shrinks to nothing useful and goes.
        let w = fit(SPECS, &[12, 8, 20], 25, 1);
        assert_eq!(w, vec![Some(12), Some(12), None]);
    }

    #[test]
    fn a_droppable_column_shrinks_before_it_is_dropped() {
        let w = fit(SPECS, &[12, 8, 20], 35, 1);
        assert_eq!(w, vec![Some(12), Some(8), Some(13)]);
    }

    #[test]
    fn a_key_is_never_cut_to_keep_a_droppable_column() {
        // 24 + 1 + 6 = 31 > 30: the second column goes rather than the key losing a character.
        let w = fit(SPECS, &[24, 8, 20], 30, 1);
        assert_eq!(w, vec![Some(30), None, None]);
    }

    #[test]
    fn too_narrow_for_the_keys_shrinks_them_to_their_minimum() {
        let w = fit(SPECS, &[24, 8, 20], 9, 1);
        assert_eq!(w, vec![Some(9), None, None]);
    }
}
