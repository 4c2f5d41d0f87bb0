//! Queries: filters of `GET /v1/events` over generated and added events merged in time order.

use super::*;

// ---------------------------------------------------------------------------------------------
// Queries

/// Filters of `GET /v1/events`. Times are microseconds; both bounds are inclusive.
#[derive(Clone, Debug, Default)]
pub(crate) struct EvQuery {
    pub since_us: Option<i64>,
    pub until_us: Option<i64>,
    pub desc: bool,
    pub types: Option<Vec<String>>,
    pub critical: Option<bool>,
    pub server_ids: Option<Vec<String>>,
    pub group_ids: Option<Vec<String>>,
    pub platforms: Option<Vec<String>>,
}

impl EvQuery {
    fn filtered(&self) -> bool {
        self.types.is_some()
            || self.critical.is_some()
            || self.server_ids.is_some()
            || self.group_ids.is_some()
            || self.platforms.is_some()
    }
}

#[derive(Clone, Copy)]
enum It {
    G(usize),
    E(usize),
}

struct Merge<'a> {
    g: &'a [Ev],
    e: &'a [Extra],
    gi: usize,
    gend: usize,
    ei: usize,
    eend: usize,
    desc: bool,
}

impl Iterator for Merge<'_> {
    type Item = It;
    fn next(&mut self) -> Option<It> {
        let (hg, he) = (self.gi < self.gend, self.ei < self.eend);
        if !self.desc {
            let take_g = match (hg, he) {
                (true, true) => self.g[self.gi].ts <= self.e[self.ei].ts,
                (true, false) => true,
                (false, true) => false,
                (false, false) => return None,
            };
            if take_g {
                self.gi += 1;
                Some(It::G(self.gi - 1))
            } else {
                self.ei += 1;
                Some(It::E(self.ei - 1))
            }
        } else {
            let take_e = match (hg, he) {
                (true, true) => self.e[self.eend - 1].ts >= self.g[self.gend - 1].ts,
                (true, false) => false,
                (false, true) => true,
                (false, false) => return None,
            };
            if take_e {
                self.eend -= 1;
                Some(It::E(self.eend))
            } else {
                self.gend -= 1;
                Some(It::G(self.gend))
            }
        }
    }
}

/// Count all matches and render `limit` of them starting at `offset`.
pub(crate) fn query(
    base: &Base,
    extras: &[Extra],
    q: &EvQuery,
    offset: usize,
    limit: usize,
) -> (usize, Vec<Value>) {
    let g = &base.events;
    let since = q.since_us.unwrap_or(i64::MIN);
    let until = q.until_us.unwrap_or(i64::MAX);
    let lo = g.partition_point(|e| e.ts.saturating_mul(1000) < since);
    let hi = g
        .partition_point(|e| e.ts.saturating_mul(1000) <= until)
        .max(lo);
    let elo = extras.partition_point(|e| e.ts.saturating_mul(1000) < since);
    let ehi = extras
        .partition_point(|e| e.ts.saturating_mul(1000) <= until)
        .max(elo);
    let merge = Merge {
        g,
        e: extras,
        gi: lo,
        gend: hi,
        ei: elo,
        eend: ehi,
        desc: q.desc,
    };
    let render_it = |it: It| match it {
        It::G(i) => render(base, &g[i]),
        It::E(i) => extras[i].v.clone(),
    };
    if !q.filtered() {
        let count = (hi - lo) + (ehi - elo);
        let items = merge.skip(offset).take(limit).map(render_it).collect();
        return (count, items);
    }
    // precomputed masks for generated events
    let types_lc: Option<Vec<String>> = q
        .types
        .as_ref()
        .map(|v| v.iter().map(|t| t.to_lowercase()).collect());
    let type_mask: Vec<bool> = TYPES
        .iter()
        .map(|t| {
            types_lc
                .as_ref()
                .is_none_or(|ts| ts.iter().any(|x| x == t.name))
        })
        .collect();
    let group_idx: Option<Vec<usize>> = q.group_ids.as_ref().map(|ids| {
        base.groups
            .iter()
            .enumerate()
            .filter(|(_, g)| ids.iter().any(|id| *id == s(g, "id")))
            .map(|(i, _)| i)
            .collect()
    });
    let plats: Option<Vec<String>> = q
        .platforms
        .as_ref()
        .map(|v| v.iter().map(|p| p.to_lowercase()).collect());
    let server_filter = q.server_ids.is_some() || group_idx.is_some() || plats.is_some();
    let server_mask: Vec<bool> = base
        .snaps
        .iter()
        .map(|sn| {
            q.server_ids.as_ref().is_none_or(|ids| ids.contains(&sn.id))
                && group_idx
                    .as_ref()
                    .is_none_or(|gs| gs.contains(&sn.group_idx))
                && plats.as_ref().is_none_or(|ps| {
                    ps.iter()
                        .any(|p| p == if sn.windows { "windows" } else { "linux" })
                })
        })
        .collect();
    let gen_ok = |e: &Ev| {
        type_mask[e.kind as usize]
            && q.critical.is_none_or(|c| c == e.crit)
            && (!server_filter || (e.server != NO_SERVER && server_mask[e.server as usize]))
    };
    let extra_ok = |x: &Extra| {
        types_lc.as_ref().is_none_or(|ts| ts.contains(&x.type_lc))
            && q.critical.is_none_or(|c| c == x.critical)
            && q.server_ids
                .as_ref()
                .is_none_or(|ids| x.server_id.as_ref().is_some_and(|s| ids.contains(s)))
            && q.group_ids
                .as_ref()
                .is_none_or(|ids| x.group_id.as_ref().is_some_and(|s| ids.contains(s)))
            && plats
                .as_ref()
                .is_none_or(|ps| x.platform_lc.as_ref().is_some_and(|p| ps.contains(p)))
    };
    let mut count = 0usize;
    let mut items = Vec::new();
    for it in merge {
        let ok = match it {
            It::G(i) => gen_ok(&g[i]),
            It::E(i) => extra_ok(&extras[i]),
        };
        if ok {
            if count >= offset && items.len() < limit {
                items.push(render_it(it));
            }
            count += 1;
        }
    }
    (count, items)
}
