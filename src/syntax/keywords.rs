//! The keyword table: every keyword and built-in of decree with its English
//! and Chinese spelling and a line saying what it means in each, defined
//! once.
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
    /// What it means, in a line: English, then Chinese (see [`Keyword::doc`]).
    doc: [&'static str; 2],
}

impl Keyword {
    /// The spelling of this keyword on the given surface.
    pub fn spelling(&self, surface: Surface) -> &'static str {
        match surface {
            Surface::English => self.english,
            Surface::Chinese => self.chinese,
        }
    }

    /// What the keyword means, in a line written for `surface`'s readers
    /// (an editor's hover).
    pub fn doc(&self, surface: Surface) -> &'static str {
        match surface {
            Surface::English => self.doc[0],
            Surface::Chinese => self.doc[1],
        }
    }
}

macro_rules! keywords {
    ($($rule:ident = $en:literal, $zh:literal, $doc_en:literal, $doc_zh:literal;)*) => {
        /// Every keyword of the language, in the order the grammar lists them.
        pub const KEYWORDS: &[Keyword] = &[
            $(Keyword {
                rule: stringify!($rule),
                english: $en,
                chinese: $zh,
                doc: [$doc_en, $doc_zh],
            },)*
        ];
    };
}

keywords! {
    // Declarations
    policy = "policy", "政策",
        "names the policy and its metadata (issued, valid)",
        "政策的名称与印发、有效期等信息";
    issued = "issued", "印发",
        "the date the policy is issued",
        "政策的印发日期";
    valid = "valid", "有效期",
        "the period the policy is in force (from … to …)",
        "政策的有效期（起止日期）";
    tbd = "tbd", "待定",
        "a value the draft leaves to be decided: items that need it stay undetermined",
        "草案留待确定的数值：依赖它的条目结果为未定";
    fact = "fact", "事实",
        "declares a fact an enterprise supplies, with its type and label",
        "声明企业提供的事实及其类型与名称";
    param = "param", "参数",
        "declares a named value of the policy (a rate, a cap), or tbd",
        "声明政策的参数（比例、上限等），可为待定";
    enum = "enum", "枚举",
        "declares a closed set of named values",
        "声明一组可选的取值";
    chapter = "chapter", "章",
        "groups measures under a numbered title",
        "以编号与标题归组若干措施";
    measure = "measure", "措施",
        "one numbered measure of the document, holding its items and cites",
        "文件中的一条措施，含其条目与原文";
    cite = "cite", "原文",
        "the clause text an item comes from, quoted in explanations",
        "条目所依据的条款原文，解释时引用";
    // Item kinds
    subsidy = "subsidy", "资助",
        "a grant of money computed by a rule",
        "按规则计算金额的资助";
    award = "award", "奖励",
        "a one-time award of money",
        "一次性奖励";
    interest_subsidy = "interest_subsidy", "贴息",
        "a subsidy of loan interest",
        "贷款贴息";
    matching = "matching", "配套",
        "money matched to another grant (1:1 配套)",
        "按比例配套的资金";
    benefit = "benefit", "待遇",
        "a benefit that is not money (a fee cap, a service)",
        "非资金的待遇（收费上限、服务等）";
    eligibility = "eligibility", "资格",
        "whether an enterprise qualifies (for land, housing …)",
        "企业是否具备资格（用地、住房等）";
    target = "target", "目标",
        "a goal to reach by a date: met or not met",
        "在截止日期前要达成的目标：已达成或未达成";
    commitment = "commitment", "承诺",
        "an undertaking with no number, listed as written",
        "无具体数额的承诺，按原文列明";
    // Item clauses
    when = "when", "条件",
        "the condition an item needs to be granted",
        "条目得以给予的条件";
    by = "by", "截至",
        "the deadline of a target",
        "目标的截止日期";
    concerns = "concerns", "涉及",
        "whom a commitment concerns",
        "承诺所涉及的对象";
    at_most = "at most", "不超过",
        "an upper bound of an amount (最高…)",
        "数额的上限（最高……）";
    at_least = "at least", "不少于",
        "a lower bound of an amount",
        "数额的下限";
    soft = "soft", "原则上",
        "marks a cap that holds in principle (原则上) and may be exceeded",
        "标记原则上适用、可以突破的上限";
    // Expressions
    if = "if", "如果",
        "chooses between two values by a condition",
        "按条件在两个值中选择";
    then = "then", "则",
        "the value of an if when its condition holds",
        "条件成立时的取值";
    else = "else", "否则",
        "the value otherwise (of an if, or the last row of tiers)",
        "否则的取值（如果语句或分档的末行）";
    and = "and", "且",
        "both conditions hold",
        "两个条件同时成立";
    or = "or", "或",
        "at least one condition holds",
        "至少一个条件成立";
    not = "not", "非",
        "the condition does not hold",
        "条件不成立";
    in = "in", "属于",
        "whether a value belongs to a set or an enum's values",
        "某值是否属于一个集合或枚举";
    true = "true", "是",
        "the boolean true",
        "布尔值：是";
    false = "false", "否",
        "the boolean false",
        "布尔值：否";
    min = "min", "取小",
        "the least of its arguments: a cap on an amount",
        "取各参数中最小者：用于金额上限";
    max = "max", "取大",
        "the greatest of its arguments: the higher of two ways to reckon",
        "取各参数中最大者：两种算法取高";
    clamp = "clamp", "限定",
        "holds a value between a low and a high bound",
        "把数值限定在上下限之间";
    round = "round", "取整",
        "rounds to the nearest multiple of a step, halves away from zero",
        "四舍五入到步长的整数倍";
    sum = "sum", "合计",
        "adds its arguments exactly",
        "精确相加各参数";
    tiers = "tiers", "分档",
        "picks the row of a table whose threshold the subject reaches",
        "按达到的门槛选取分档表中的一行";
    first_reaching = "first reaching", "首次达到",
        "tiers that pay only when a level is reached for the first time",
        "仅在首次达到某档时给予的分档";
    over = "over", "相对",
        "the earlier peak that first reaching compares against",
        "首次达到所比较的以往最高值";
    schedule = "schedule", "累进",
        "marginal brackets: each part of the base at its own rate",
        "累进分段：基数的每一段按各自比率计算";
    above = "above", "以上",
        "the lower edge of a bracket of a schedule",
        "累进分段的起点";
    // Types
    money = "money", "金额",
        "an amount of money, in 元 (万, 亿 allowed)",
        "金额，单位元（可写万、亿）";
    rate = "rate", "比率",
        "a rate or percentage",
        "比率或百分比";
    count = "count", "数量",
        "a whole number of things",
        "计数（整数）";
    area = "area", "面积",
        "an area, in square metres (m2, 平方米, 平方公里)",
        "面积，单位平方米（可写平方公里）";
    duration = "duration", "期限",
        "a length of time (years, months, days)",
        "期限（年、月、日）";
    date = "date", "日期",
        "a calendar date",
        "日期";
    bool = "bool", "布尔",
        "yes or no",
        "是或否";
    text = "text", "文本",
        "a piece of text",
        "文本";
    set_of = "set of", "集合",
        "a set of values of an enum",
        "枚举取值的集合";
    // Tests written in the language
    test = "test", "测试",
        "a named example: facts and what to expect",
        "具名的测试：事实与预期结果";
    facts = "facts", "事实为",
        "the facts of a test's enterprise",
        "测试中企业的事实";
    expect = "expect", "预期",
        "what an item must come to in a test",
        "测试中条目应得的结果";
    include = "include", "引用",
        "the policy a file of tests checks",
        "测试文件所检验的政策文件";
    set = "set", "设定",
        "sets a param for a test (what-if)",
        "在测试中设定参数（假设分析）";
    at = "at", "评估日",
        "the date a test evaluates on",
        "测试的评估日期";
    granted = "granted", "给予",
        "status: the item is granted",
        "状态：给予";
    ineligible = "ineligible", "不符合",
        "status: its condition does not hold",
        "状态：不符合条件";
    undetermined = "undetermined", "未定",
        "status: a fact or a tbd param is missing",
        "状态：缺少事实或参数待定";
    not_in_force = "not_in_force", "未生效",
        "status: the date is outside the policy's validity",
        "状态：评估日不在有效期内";
    met = "met", "已达成",
        "status: the target is met",
        "状态：目标已达成";
    not_met = "not_met", "未达成",
        "status: the target is not met",
        "状态：目标未达成";
    listed = "listed", "列明",
        "status: the commitment is listed as written",
        "状态：承诺按原文列明";
    // issue 16, records:
    record = "record", "记录",
        "declares a record type: the fields each of an enterprise's projects has",
        "声明记录类型：企业每个项目所具有的字段";
    list_of = "list of", "列表",
        "a fact holding a list of records (an enterprise's projects)",
        "由若干记录组成的事实（企业的各个项目）";
    for_each = "for each", "对每个",
        "evaluates an item once per record of a list fact and adds the amounts",
        "对列表事实的每条记录分别计算条目，金额相加";
    // issue 16, across items (amount_of, stacking groups, caps, tax relief):
    amount_of = "amount_of", "享受额",
        "another monetary item's amount, counting 0元 when it is not granted",
        "另一资金条目的享受金额，未给予时计为0元";
    tax_relief = "tax_relief", "税收优惠",
        "revenue forgone: a tax reduction, extra deduction or reduced rate",
        "税收优惠：减免、加计扣除或优惠税率（放弃的收入）";
    exclusive = "exclusive", "就高不重复",
        "a stacking group: the enterprise receives only the highest member",
        "就高不重复：企业只享受其中最高的一项";
    cap = "cap", "累计上限",
        "a cumulative cap per enterprise over named items and measures",
        "同一企业累计资助上限";
    covers = "covering", "覆盖",
        "the items and measures a cap covers",
        "累计上限所覆盖的条目与措施";
    in_order = "in order", "按序",
        "in the written order: the first granted wins, or the last listed is reduced first",
        "按书写顺序：先列者优先，超出部分从最后一项扣减";
    pro_rata = "pro rata", "按比例核减",
        "reduced in proportion to each amount",
        "按各项金额比例核减";
    superseded = "superseded", "被替代",
        "status: another member of its stacking group is granted instead",
        "状态：被同组就高的条目替代";
    // issue 16, dated values and budgets:
    from = "from", "自",
        "the first day a dated value is in force",
        "分时取值的生效日期";
    until = "until", "至",
        "the last day a dated value is in force",
        "分时取值的截止日期（含当日）";
    dated = "dated", "分时",
        "a value that changes by date: the part in force at the evaluation date",
        "按日期分段的取值：取评估日有效的一段";
    budget = "budget", "资金总额",
        "a fund shared by every applicant of the named items",
        "指定条目的全体申报企业共用的资金总额";
    for = "for", "用于",
        "the items and measures a budget pays for",
        "资金总额所用于的条目与措施";
    first_come = "first come by", "先到先得 按",
        "the budget is paid in the order of a filing fact, until it runs out",
        "按申报顺序先到先得，直至资金用完";
    // issue 16, dates and rounding:
    today = "today", "评估日期",
        "the evaluation date (--at; a test's `at`)",
        "评估日期（--at；测试中的评估日）";
    years_between = "years_between", "周年数",
        "the full years from one date to another, e.g. an enterprise's age",
        "两个日期之间的整年数，如企业成立年限";
    round_down = "round_down", "舍去",
        "rounds down to a multiple of a step (toward minus infinity)",
        "向下舍去到步长的整数倍";
    round_up = "round_up", "进一",
        "rounds up to a multiple of a step (toward plus infinity)",
        "向上进一到步长的整数倍";
    // issue 16 round 2, U: units (weights, money per unit):
    weight = "weight", "重量",
        "a weight, in tonnes (吨; 千克, 公斤 allowed)",
        "重量，单位吨（可写千克、公斤）";
    money_per_area = "money per area", "单位面积金额",
        "money per square metre or per 亩 (30元/平方米, 500元/亩); times an area it is money",
        "每平方米或每亩的金额（30元/平方米、500元/亩），乘以面积得金额";
    money_per_count = "money per count", "单位数量金额",
        "money per one of a count (1000元/人, 元/户); times a count it is money",
        "每人、每户等的金额（1000元/人），乘以数量得金额";
    money_per_weight = "money per weight", "单位重量金额",
        "money per tonne or per 千克 (20元/吨); times a weight it is money",
        "每吨或每千克的金额（20元/吨），乘以重量得金额";
    // issue 16 round 2, P:
    per = "per", "每个",
        "a stacking group or cap decided for each record (project) apart, not for the enterprise",
        "就高不重复或累计上限按每条记录（每个项目）分别适用，而非按企业";
    // issue 16 round 2, B:
    against = "against", "按",
        "a pro rata budget's expected total demand (a param), for one enterprise's allocation",
        "按比例核减的预计申报总额（参数），用于测算单个企业的拨付额";
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
    "cap",
    "superseded",
    "budget",
    "per",
    "against",
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
    out.push_str(&keyword_rule());
    out
}

/// The `keyword` rule (`ident` and `unknown_fn` are `!keyword ~ …`): every
/// reserved spelling, grouped by its first character. It means the same as
/// a choice of the `kw_` rules (each spelling followed by `!ident_char`), but
/// an identifier is compared with the few spellings sharing its first
/// character instead of calling 80 rules: it is half of the parse of the
/// draft otherwise. It is only ever a lookahead inside atomic rules, so how
/// it is written changes no error message.
fn keyword_rule() -> String {
    // First characters in the order met, each with its spellings' rests.
    let mut groups: Vec<(char, Vec<String>)> = Vec::new();
    let reserved = KEYWORDS.iter().filter(|k| !CONTEXTUAL.contains(&k.rule));
    for spelling in reserved.flat_map(|k| [k.english, k.chinese]) {
        let mut chars = spelling.chars();
        let Some(first) = chars.next() else { continue };
        let rest = rest_words(chars.as_str());
        match groups.iter_mut().find(|(c, _)| *c == first) {
            Some((_, rests)) => rests.push(rest),
            None => groups.push((first, vec![rest])),
        }
    }
    // English spellings start with a letter, Chinese ones with a character
    // outside ASCII: one test picks the half to compare with.
    let half = |ascii: bool| -> String {
        let alternatives: Vec<String> = groups
            .iter()
            .filter(|(first, _)| first.is_ascii() == ascii)
            .map(|(first, rests)| format!("\"{first}\" ~ ({})", rests.join(" | ")))
            .collect();
        alternatives.join("\n      | ")
    };
    format!(
        "\nkeyword = @{{\n    &ASCII_ALPHA ~ (\n        {}\n    )\n  | !ASCII ~ (\n        {}\n    )\n}}\n",
        half(true),
        half(false)
    )
}

/// A spelling's rest after its first character, then `!ident_char`, as a
/// pest sequence (`"nd" ~ !ident_char`; `!ident_char` alone for a
/// one-character spelling).
fn rest_words(rest: &str) -> String {
    let mut parts = Vec::new();
    let mut words = rest.split(' ');
    if let Some(w) = words.next().filter(|w| !w.is_empty()) {
        parts.push(format!("\"{w}\""));
    }
    for w in words {
        parts.push(format!("(\" \" | \"\\t\")+ ~ \"{w}\""));
    }
    parts.push("!ident_char".to_string());
    format!("({})", parts.join(" ~ "))
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
