//! The one "did you mean": which known name an unknown one most likely
//! meant, for every stage that reports an unknown name.

/// How alike two names must be (Jaro–Winkler) for one to be suggested
/// for the other.
const ALIKE: f64 = 0.75;

/// The candidate most like `name`, if any is alike enough: what every "did
/// you mean" in decree suggests (unknown names in policies, facts files,
/// CSV headers, `--set`, tests, REPL commands). Ties go to the
/// alphabetically first candidate, so the suggestion never depends on the
/// order candidates come in.
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(f64, &str)> = None;
    for candidate in candidates {
        if candidate == name {
            continue;
        }
        let score = strsim::jaro_winkler(name, candidate);
        let better = match best {
            None => score > ALIKE,
            Some((b, s)) => score > b || (score == b && candidate < s),
        };
        if better {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, s)| s)
}
