//! The keyword table: every keyword and built-in of decree with its English
//! and Chinese spelling, defined once.
//!
//! The parser's keyword rules in `grammar/keywords.pest` are generated from
//! this table (a test regenerates the file and fails when it is stale), and the
//! formatter prints either surface from it, so the two surfaces can never
//! drift apart.

/// Which surface language keywords are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Surface {
    /// `subsidy`, `min`, `when`, …
    English,
    /// `资助`, `取小`, `条件`, …
    Chinese,
}

/// One keyword: the pest rule that recognises it and its two spellings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Keyword {
    /// Name of the generated pest rule (`kw_` + this).
    pub rule: &'static str,
    /// English spelling; a space inside stands for any run of blanks.
    pub english: &'static str,
    /// Chinese spelling.
    pub chinese: &'static str,
}

impl Keyword {
    /// The spelling of this keyword on the given surface.
    pub fn spelling(&self, surface: Surface) -> &'static str {
        match surface {
            Surface::English => self.english,
            Surface::Chinese => self.chinese,
        }
    }
}

macro_rules! keywords {
    ($($rule:ident = $en:literal, $zh:literal;)*) => {
        /// Every keyword of the language, in the order the grammar lists them.
        pub const KEYWORDS: &[Keyword] = &[
            $(Keyword { rule: stringify!($rule), english: $en, chinese: $zh },)*
        ];
    };
}

keywords! {
    // Declarations
    policy = "policy", "政策";
    issued = "issued", "印发";
    valid = "valid", "有效期";
    tbd = "tbd", "待定";
    fact = "fact", "事实";
    param = "param", "参数";
    enum = "enum", "枚举";
    chapter = "chapter", "章";
    measure = "measure", "措施";
    cite = "cite", "原文";
    // Item kinds
    subsidy = "subsidy", "资助";
    award = "award", "奖励";
    interest_subsidy = "interest_subsidy", "贴息";
    matching = "matching", "配套";
    benefit = "benefit", "待遇";
    eligibility = "eligibility", "资格";
    target = "target", "目标";
    commitment = "commitment", "承诺";
    // Item clauses
    when = "when", "条件";
    by = "by", "截至";
    concerns = "concerns", "涉及";
    at_most = "at most", "不超过";
    at_least = "at least", "不少于";
    soft = "soft", "原则上";
    // Expressions
    if = "if", "如果";
    then = "then", "则";
    else = "else", "否则";
    and = "and", "且";
    or = "or", "或";
    not = "not", "非";
    in = "in", "属于";
    true = "true", "是";
    false = "false", "否";
    min = "min", "取小";
    max = "max", "取大";
    clamp = "clamp", "限定";
    round = "round", "取整";
    sum = "sum", "合计";
    tiers = "tiers", "分档";
    first_reaching = "first reaching", "首次达到";
    over = "over", "相对";
    schedule = "schedule", "累进";
    above = "above", "以上";
    // Types
    money = "money", "金额";
    rate = "rate", "比率";
    count = "count", "数量";
    area = "area", "面积";
    duration = "duration", "期限";
    date = "date", "日期";
    bool = "bool", "布尔";
    text = "text", "文本";
    set_of = "set of", "集合";
    // Tests written in the language
    test = "test", "测试";
    facts = "facts", "事实为";
    expect = "expect", "预期";
    include = "include", "引用";
    set = "set", "设定";
    at = "at", "评估日";
    granted = "granted", "给予";
    ineligible = "ineligible", "不符合";
    undetermined = "undetermined", "未定";
    not_in_force = "not_in_force", "未生效";
    met = "met", "已达成";
    not_met = "not_met", "未达成";
    listed = "listed", "列明";
}

/// Keywords that only mean something where they stand (a test's `set` and
/// `at` lines, the statuses after `expect … =`): they are not reserved, so
/// `listed` or `met` can still name a fact.
pub const CONTEXTUAL: &[&str] = &[
    "set",
    "at",
    "granted",
    "ineligible",
    "undetermined",
    "not_in_force",
    "met",
    "not_met",
    "listed",
];

/// The keyword whose rule name is `rule` (without the `kw_` prefix).
pub fn keyword(rule: &str) -> Option<&'static Keyword> {
    KEYWORDS.iter().find(|k| k.rule == rule)
}

/// The spelling of the keyword whose rule is `rule` on `surface`; empty
/// for a rule that is not in the table.
pub fn spell(rule: &str, surface: Surface) -> &'static str {
    keyword(rule).map_or("", |k| k.spelling(surface))
}

/// Renders `grammar/keywords.pest` from [`KEYWORDS`].
pub fn render_grammar() -> String {
    let mut out = String::from(
        "// GENERATED from src/syntax/keywords.rs by the test `keywords_grammar_is_current`.\n\
         // Do not edit: change the table and run `cargo test` with UPDATE_GRAMMAR=1.\n\n",
    );
    for k in KEYWORDS {
        out.push_str(&format!(
            "kw_{} = @{{ ({} | {}) ~ !ident_char }}\n",
            k.rule,
            pest_words(k.english),
            pest_words(k.chinese)
        ));
    }
    out.push_str("\nkeyword = @{\n    ");
    let names: Vec<String> = KEYWORDS
        .iter()
        .filter(|k| !CONTEXTUAL.contains(&k.rule))
        .map(|k| format!("kw_{}", k.rule))
        .collect();
    out.push_str(&names.join("\n  | "));
    out.push_str("\n}\n");
    out
}

/// A spelling as a pest expression: words joined by one or more blanks.
fn pest_words(spelling: &str) -> String {
    let words: Vec<String> = spelling.split(' ').map(|w| format!("\"{w}\"")).collect();
    if words.len() == 1 {
        words.concat()
    } else {
        format!("({})", words.join(" ~ (\" \" | \"\\t\")+ ~ "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_grammar_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/grammar/keywords.pest");
        let want = render_grammar();
        let have = std::fs::read_to_string(path).unwrap_or_default();
        if have != want {
            if std::env::var_os("UPDATE_GRAMMAR").is_some() {
                std::fs::write(path, &want).unwrap();
            }
            panic!("grammar/keywords.pest is stale; rerun with UPDATE_GRAMMAR=1");
        }
    }

    #[test]
    fn spellings_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for k in KEYWORDS {
            assert!(seen.insert(k.english), "{}", k.english);
            assert!(seen.insert(k.chinese), "{}", k.chinese);
        }
    }
}
