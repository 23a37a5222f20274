"""丢分预警的计算：若明天实地考察，在办问题预计丢多少分、丢在哪里、先改哪几处（纯函数，不依赖 streamlit，测试直接调用）。

输入是三条查询的结果（规则都在 SQL 里写明）：loss_risk_groups（每条实地考察测评标准、每类点位一组的 n、k、m、分值与扣分方式，
全县计数）、loss_risk_items（每一处不合格于哪条标准、因为哪些在办问题，按查看范围）、loss_risk_inputs（输入齐不齐）。
这里只做概率：一组 n 处里 k 处不合格、不放回抽 m 处，抽中的不合格处数服从超几何分布；三种扣分方式的期望见 standard_loss。

分摊：一条标准的预计丢分按各不合格处被抽中的机会（m ÷ n）分给各处，一处的再由其问题的牵头与配合单位平分；
各处、各单位、各镇街、各类点位的分摊之和都等于全县预计丢分。攻坚清单按“改这一处少丢的分 ÷ 剩余天数”排序，
累计少丢是按清单顺序几处同时改完的实际效果（重新计算，不是各处单独效果之和）。
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

import numpy as np
import pandas as pd

from chuangwen import formats
from chuangwen.formats import Number

PROPORTIONAL, ANY_FAILS, EACH_SITE = "按比例", "一处即扣完", "每处扣分"
RULES = (PROPORTIONAL, ANY_FAILS, EACH_SITE)
LIST_SEP = "\x1f"  # loss_risk_items 里几个单位编码、名称的分隔符（chr(31)）
NO_DEADLINE_DAYS = 7  # 没有整改期限的一处按几天算“每天少丢”
STEPS = (5, 10, 20)  # “分数能换来什么”：改完前几处
SHOW_ROWS = 200  # 页面上攻坚清单最多显示几处（全部在 Excel 里）
TOP_STANDARDS = 12  # 图上最多画几条测评标准

RULE_SENTENCE = (
    "假设统计时刻的次日测评：每条实地考察测评标准在它考察的每类点位里按抽样方案不放回地抽查，"
    "抽中的点位有在办问题落在这条标准上即不合格。按比例扣的丢“分值 × 不合格的抽查点位 ÷ 抽查点位”，"
    "一处即扣完的只要抽中一处就丢全部分值，每处扣分的每抽中一处扣一次、扣完为止；预计丢分是这三种规则下的期望值。"
)
STREET_SENTENCE = (
    "没有点位的问题（街面问题）按所在镇街计：每条算该镇街的一条不合格路段（至多该镇街的路段数），"
    "落在抽样方案里“每镇街”抽查的街面类型（如主次干道）上，各镇街各抽方案规定的条数。"
)
ESTIMATE_NOTE = "只估实地考察部分（网上申报、问卷调查不在内），是按现在的在办问题算的期望值，不是预测的成绩。"
HOW_ESTIMATED = RULE_SENTENCE + STREET_SENTENCE + ESTIMATE_NOTE  # 页面上“怎么估算的”一段


# ---------------------------------------------------------------- 概率


class Group(NamedTuple):
    """一组点位：n 处，其中 k 处不合格，抽查 m 处（NamedTuple：攻坚清单逐处重算时要建几十万个，比 dataclass 快）。"""

    n: int
    k: int
    m: int


def hypergeom_pmf(n: int, k: int, m: int) -> list[float]:
    """n 处里 k 处不合格、不放回抽 m 处，抽中 j 处不合格的概率（j = 0 … min(k, m)）。用整数组合数（math.comb）算，精确到浮点。"""
    if not 0 <= k <= n or not 0 <= m <= n:
        raise ValueError(f"超几何分布的参数不合理：n={n}，k={k}，m={m}")
    total = math.comb(n, m)
    return [math.comb(k, j) * math.comb(n - k, m - j) / total for j in range(min(k, m) + 1)]


def _capped_sum(dists: Iterable[list[float]], cap: int) -> list[float]:
    """几组独立的抽中处数之和的分布，cap 处及以上合为一格（每处扣分扣到 cap 处就扣完了）。卷积用 numpy.convolve。"""
    total = np.ones(1)
    for dist in dists:
        full = np.convolve(total, dist)
        if len(full) > cap + 1:
            full[cap] = full[cap:].sum()
            full = full[: cap + 1]
        total = full
    return total.tolist()


def standard_loss(points: float, rule: str, per_site: float | None, groups: Sequence[Group]) -> float:
    """一条测评标准的预计丢分（期望值）。groups 是它考察的各组点位（各组独立抽样）；没有可抽的组时为 0。"""
    live = [g for g in groups if g.n > 0 and g.m > 0]
    sampled = sum(g.m for g in live)
    if sampled == 0 or points <= 0:
        return 0.0
    if rule == PROPORTIONAL:
        return points * sum(g.m * g.k / g.n for g in live) / sampled
    if rule == ANY_FAILS:
        none = math.prod(math.comb(g.n - g.k, g.m) / math.comb(g.n, g.m) for g in live)
        return points * (1 - none)
    if rule == EACH_SITE:
        if per_site is None or per_site <= 0:
            raise ValueError("每处扣分的标准须写每处扣几分")
        cap = max(1, math.ceil(points / per_site - 1e-9))
        dist = _capped_sum((hypergeom_pmf(g.n, g.k, g.m) for g in live if g.k > 0), cap)
        return sum(p * min(points, per_site * j) for j, p in enumerate(dist))
    raise ValueError(f"不认识的扣分方式：{rule}（应为 {'、'.join(RULES)}）")


# ---------------------------------------------------------------- 输入齐不齐


@dataclass(frozen=True)
class Note:
    level: str  # warning：缺了就少算或算不了；info：照常算，提醒一句
    text: str


def input_notes(inputs: pd.DataFrame) -> list[Note]:
    """loss_risk_inputs 的一行 → 页面要说的缺什么（写明是哪份输入、到哪里补）；全都齐时为空。"""
    if inputs.empty or pd.isna(inputs.iloc[0]["edition"]):
        later = 0 if inputs.empty else int(inputs.iloc[0]["later_editions"])
        return [
            Note(
                "warning",
                "库里没有统计日已生效的测评体系"
                + ("（库里的测评体系都在统计日之后才生效）" if later else "")
                + "：请先在“数据管理”导入测评体系（含实地考察测评标准的分值与点位类型），再导入抽样方案。",
            )
        ]
    r = inputs.iloc[0]
    edition = str(r["edition"])
    if int(r["field_standards"]) == 0:
        return [Note("warning", f"测评体系“{edition}”里没有实地考察的测评标准，无从估算实地考察丢分。")]
    notes = []
    if int(r["plan_rows"]) == 0:
        other = r["editions_with_plan"]
        notes.append(
            Note(
                "warning",
                f"测评体系“{edition}”还没有抽样方案（每类点位一次测评抽查几处）：请在“数据管理”导入抽样方案。"
                + (f"库里只有{other}的抽样方案，版本不同不能代用。" if isinstance(other, str) and other else ""),
            )
        )
    elif isinstance(r["types_without_plan"], str) and r["types_without_plan"]:
        notes.append(
            Note(
                "warning",
                f"这些点位类型没有抽样方案，考察它们的测评标准在这些点位上不计丢分：{r['types_without_plan']}。"
                "请在抽样方案里补上。",
            )
        )
    if isinstance(r["oversampled"], str) and r["oversampled"]:
        notes.append(Note("warning", f"抽样方案要求抽查的处数多于库中的点位，按点位数计：{r['oversampled']}。"))
    if isinstance(r["without_points"], str) and r["without_points"]:
        notes.append(Note("warning", f"这些实地考察测评标准没有分值（0 分），不计丢分：{r['without_points']}。"))
    if isinstance(r["without_site_types"], str) and r["without_site_types"]:
        notes.append(
            Note(
                "warning",
                f"这些实地考察测评标准没有写点位类型，不知道到哪类点位抽查，不计丢分：{r['without_site_types']}。"
                "请用新版本的测评体系补上点位类型。",
            )
        )
    if int(r["mapping_rows"]) == 0:
        notes.append(
            Note(
                "warning",
                "还没有“问题类别 × 点位类型 → 测评标准”对照：台账里没写测评标准编号的问题都对不上标准、不计丢分。"
                "请在“数据管理”导入类别对照。",
            )
        )
    if int(r["scoring_rows"]) == 0:
        notes.append(Note("info", "没有导入扣分方式：全部测评标准按比例计（分值 × 不合格的抽查点位 ÷ 抽查点位）。"))
    return notes


def coverage_note(coverage: pd.DataFrame) -> str | None:
    """在办问题里有多少没对上实地考察测评标准（不计入）；全都对上时为 None。"""
    if coverage.empty:
        return None
    r = coverage.iloc[0]
    missed = int(r["uncounted_at_sites"]) + int(r["uncounted_on_streets"])
    if missed == 0:
        return None
    return (
        f"截至统计时刻在办问题 {formats.count(r['open_problems'])} 条，计入 {formats.count(r['counted'])} 条；"
        f"{formats.count(missed)} 条对不上实地考察测评标准、不计入（点位上 {formats.count(r['uncounted_at_sites'])} 条、"
        f"街面 {formats.count(r['uncounted_on_streets'])} 条：类别与点位类型没有对照，或测评标准不考察这类点位）。"
    )


# ---------------------------------------------------------------- 全县与分摊


@dataclass
class Assessment:
    """一次估算：各标准的预计丢分、各处的分摊与“改这一处少丢的分”、输入缺什么。"""

    edition: str | None
    total: float  # 全县预计丢分
    standards: pd.DataFrame  # 每条标准一行：k、n、m、预计丢分
    groups: pd.DataFrame  # 可用的组（带 key）
    items: pd.DataFrame  # 每处每条标准一行：分摊、是否改了就合格
    places: pd.DataFrame  # 每处一行（攻坚清单的底子）：少丢分、剩余天数、每天少丢，按清单顺序
    notes: list[str] = field(default_factory=list)  # 输入不全、数据被截断的说明（页面照写）
    scope_unit: str | None = None
    _lists: dict[tuple, pd.DataFrame] = field(default_factory=dict, repr=False)

    def __repr__(self) -> str:  # 不把几张表打印出来（页面按输入记住整个估算，这里不作缓存键）
        return f"Assessment(edition={self.edition!r}, total={self.total:.6f}, scope_unit={self.scope_unit!r})"

    def worklist(
        self,
        *,
        township: str | None = None,
        lead_unit: str | None = None,
        site_types: tuple[str, ...] = (),
        overdue_only: bool = False,
    ) -> pd.DataFrame:
        """攻坚清单（见模块函数 worklist），同样的筛选只算一次：页面记住了整个估算，换筛选再换回来不必重算累计少丢。"""
        key = (township, lead_unit, tuple(site_types), bool(overdue_only))
        if key not in self._lists:
            self._lists[key] = worklist(
                self, township=township, lead_unit=lead_unit, site_types=site_types, overdue_only=overdue_only
            )
        return self._lists[key]

    @property
    def usable(self) -> bool:
        """算得出：至少有一组点位有抽样方案、库中有点位（否则预计丢分不是 0，而是不知道，页面说缺什么）。"""
        return not self.groups.empty

    @property
    def headline(self) -> float:
        """页面头条的数：全县预计丢分；责任单位看的是本单位的问题分摊到的分。"""
        return self.unit_share(self.scope_unit) if self.scope_unit else self.total

    def unit_share(self, unit: str) -> float:
        """一个单位的问题分摊到的预计丢分（各处的分摊由该处问题的牵头与配合单位平分）。"""
        if self.items.empty:
            return 0.0
        mine = self.items[[unit in codes for codes in self.items["unit_codes"]]]
        return float((mine["share"] / mine["unit_count"]).sum())


def _key(standard: str, site_type: str, township: object) -> str:
    return f"{standard}|{site_type}|{township if isinstance(township, str) else ''}"


def _groups(rows: pd.DataFrame) -> pd.DataFrame:
    ok = rows[rows["site_type"].notna() & rows["sample_size"].notna() & (rows["sites"] > 0)].copy()
    ok["key"] = [_key(s, t, w) for s, t, w in zip(ok["standard_code"], ok["site_type"], ok["township_code"])]
    for col in ("sites", "sampled", "failing", "failing_raw"):
        ok[col] = ok[col].astype(int)
    return ok.reset_index(drop=True)


class _Model:
    """各标准的组与当前的不合格处数；改掉一处（k_raw − 1）后重算那条标准。"""

    def __init__(self, groups: pd.DataFrame, standards: pd.DataFrame):
        self.n = dict(zip(groups["key"], groups["sites"]))
        self.m = dict(zip(groups["key"], groups["sampled"]))
        self.k_raw = dict(zip(groups["key"], groups["failing_raw"]))
        self.of = groups.groupby("standard_code")["key"].agg(list).to_dict()
        self.rule = {r.standard_code: (float(r.points), r.rule, _number(r.per_site)) for r in standards.itertuples()}

    def loss(self, standard: str, minus: dict[str, int] | None = None) -> float:
        minus = minus or {}
        points, rule, per_site = self.rule[standard]
        groups = [
            Group(self.n[g], min(max(self.k_raw[g] - minus.get(g, 0), 0), self.n[g]), self.m[g])
            for g in self.of.get(standard, [])
        ]
        return standard_loss(points, rule, per_site, groups)


def _number(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)  # type: ignore[arg-type]


def assess(groups: pd.DataFrame, items: pd.DataFrame, as_of: datetime, scope_unit: str | None = None) -> Assessment:
    """按查询结果估算（groups 是 loss_risk_groups，items 是 loss_risk_items，as_of 是统计时刻）。"""
    edition = None if groups.empty else str(groups["edition"].iloc[0])
    usable = _groups(groups)
    notes = _group_notes(groups)
    per_standard = (
        groups.drop_duplicates("standard_code")[
            ["standard_code", "standard_name", "points", "rule", "per_site", "standard_order"]
        ]
        .set_index("standard_code")
        .copy()
    )
    model = _Model(usable, per_standard.reset_index())
    agg = usable.groupby("standard_code").agg(
        sites=("sites", "sum"), sampled=("sampled", "sum"), failing=("failing", "sum"), groups=("key", "count")
    )
    per_standard = per_standard.join(agg, how="left").fillna({"sites": 0, "sampled": 0, "failing": 0, "groups": 0})
    per_standard["expected"] = [model.loss(code) for code in per_standard.index]
    # 各处的分摊：被抽中的机会 m/n（街面路段超出路段数时按 k/k_raw 折算），该标准之和为 W
    usable["weight"] = usable["sampled"] * usable["failing"] / usable["sites"]
    weight_sum = usable.groupby("standard_code")["weight"].sum()
    per_standard["weight"] = weight_sum.reindex(per_standard.index).fillna(0.0)
    per_standard = per_standard.reset_index().sort_values(["standard_order", "standard_code"], ignore_index=True)
    shares = _item_shares(items, usable, per_standard, scope_unit)
    places = _places(shares, model, as_of)
    return Assessment(
        edition=edition,
        total=float(per_standard["expected"].sum()) if len(per_standard) else 0.0,
        standards=per_standard,
        groups=usable,
        items=shares,
        places=places,
        notes=notes,
        scope_unit=scope_unit,
    )


def _group_notes(groups: pd.DataFrame) -> list[str]:
    """不合格的处数多于点位（路段）数的组：按点位类型各说一句（街面类型按镇街的，只说几个镇街、最多的一个），
    不逐组罗列：百万条问题的库里这样的组有上百个，一段长文字领导读不下去。"""
    capped = groups[groups["failing_raw"] > groups["failing"]]
    if capped.empty:
        return []
    parts = []
    for site_type, rows in capped.groupby("site_type", sort=False, dropna=False):
        worst = rows.loc[rows["failing_raw"].idxmax()]
        towns = rows["township_name"].dropna().unique()
        if len(towns):
            parts.append(
                f"{site_type} {len(towns)} 个镇街（最多的{worst['township_name']} {int(worst['failing_raw'])} 处，"
                f"每镇街按 {int(worst['sites'])} 处计）"
            )
        else:
            parts.append(f"{site_type}（{int(worst['failing_raw'])} 处，按 {int(worst['sites'])} 处计）")
    return [f"不合格的处数多于点位（路段）数，按点位数计（这些组全部不合格）：{'；'.join(parts)}。"]


def _item_shares(
    items: pd.DataFrame, groups: pd.DataFrame, standards: pd.DataFrame, scope_unit: str | None
) -> pd.DataFrame:
    """每处每条标准：所在组、被抽中的机会、分摊到的预计丢分（share；看的人的那一份 own：全县为整份，
    责任单位为它平分到的一份）、改了这一处的问题后这条标准是否就合格。"""
    if items.empty:
        return items.assign(group_key=[], weight=[], share=[], unit_count=[], own=[], clears=[])
    scope = dict(zip(zip(groups["standard_code"], groups["site_type"]), groups["scope"]))
    out = items.copy()
    for col in ("unit_codes", "unit_names", "lead_unit_codes"):
        out[col] = [tuple(v.split(LIST_SEP)) if isinstance(v, str) and v else () for v in out[col]]
    out["group_key"] = [
        _key(s, t, w if scope.get((s, t)) == "每镇街" else None)
        for s, t, w in zip(out["standard_code"], out["site_type"], out["township_code"])
    ]
    g = groups.set_index("key")
    known = out["group_key"].isin(g.index)
    ratio = (g["sampled"] / g["sites"] * g["failing"] / g["failing_raw"].clip(lower=1)).to_dict()
    out["weight"] = [ratio.get(k, 0.0) for k in out["group_key"]]
    expected = dict(zip(standards["standard_code"], standards["expected"]))
    total_weight = dict(zip(standards["standard_code"], standards["weight"]))
    out["share"] = [
        expected.get(s, 0.0) * w / total_weight[s] if known_ and total_weight.get(s, 0.0) > 0 else 0.0
        for s, w, known_ in zip(out["standard_code"], out["weight"], known)
    ]
    out["unit_count"] = [max(len(u), 1) for u in out["unit_codes"]]
    out["own"] = out["share"] / out["unit_count"] if scope_unit else out["share"]
    # 责任单位只改自己的问题：同一处同一标准还有别的单位的在办问题时，改了自己的也不合格
    out["clears"] = (out["problems"] == out["problems_all"]) & known
    return out


def _days_left(deadline: object, as_of: datetime) -> int:
    if deadline is None or pd.isna(deadline):
        return NO_DEADLINE_DAYS
    seconds = (pd.Timestamp(deadline) - pd.Timestamp(as_of)).total_seconds()
    return max(1, math.ceil(seconds / 86400))


PLACE_COLUMNS = [
    "item_key",
    "item_name",
    "site_type",
    "township_name",
    "township_code",
    "lon",
    "lat",
    "problems",
    "problem_codes",
    "lead_units",
    "lead_unit_codes",
    "deadline",
    "days_overdue",
    "standards",
    "share",
    "gain",
    "days_left",
    "per_day",
    "cleared",
]


def _places(shares: pd.DataFrame, model: _Model, as_of: datetime) -> pd.DataFrame:
    """每处一行：少丢分（这一处改了、其余不变）、剩余天数、每天少丢；按每天少丢从大到小（清单顺序）。
    一处在一条标准上只有一行，所以改这一处 = 它不合格的每条标准所在组的不合格处数各减一。各组减一少丢多少只算一次，
    再按处相加（逐行一遍，不按处切 DataFrame：千万条问题时几千处也只要几十毫秒）。"""
    if shares.empty:
        return pd.DataFrame(columns=PLACE_COLUMNS)
    now: dict[str, float] = {}
    delta: dict[tuple[str, str], float] = {}
    for s, g, clears in zip(shares["standard_code"], shares["group_key"], shares["clears"]):
        if clears and (s, g) not in delta:
            base = now.setdefault(s, model.loss(s))
            delta[(s, g)] = base - model.loss(s, {g: 1})
    places: dict[str, dict] = {}
    columns = [
        "item_key",
        "item_name",
        "site_type",
        "township_name",
        "township_code",
        "lon",
        "lat",
        "standard_code",
        "group_key",
        "clears",
        "own",
        "problem_codes",
        "lead_units",
        "lead_unit_codes",
        "deadline",
        "days_overdue",
    ]
    for row in zip(*(shares[c].tolist() for c in columns)):
        r = dict(zip(columns, row))
        place = places.get(r["item_key"])
        if place is None:
            place = places[r["item_key"]] = {
                **{
                    c: r[c]
                    for c in ("item_key", "item_name", "site_type", "township_name", "township_code", "lon", "lat")
                },
                "codes": {},
                "units": {},
                "unit_codes": set(),
                "deadline": None,
                "days_overdue": None,
                "standards": [],
                "share": 0.0,
                "gain": 0.0,
                "cleared": {},
            }
        for code in (r["problem_codes"] or "").split("、"):
            place["codes"].setdefault(code, None)
        for unit in (r["lead_units"] or "").split("、"):
            place["units"].setdefault(unit, None)
        place["unit_codes"].update(r["lead_unit_codes"])
        if not pd.isna(r["deadline"]) and (place["deadline"] is None or r["deadline"] < place["deadline"]):
            place["deadline"] = r["deadline"]
        if not pd.isna(r["days_overdue"]):
            place["days_overdue"] = max(int(r["days_overdue"]), place["days_overdue"] or 0)
        place["standards"].append(str(r["standard_code"]))
        place["share"] += float(r["own"])
        if r["clears"]:
            place["gain"] += delta[(r["standard_code"], r["group_key"])]
            place["cleared"].setdefault(r["standard_code"], {})[r["group_key"]] = 1
    rows = []
    for place in places.values():
        days = _days_left(place["deadline"], as_of)
        codes = [c for c in place.pop("codes") if c]
        place.update(
            problems=len(codes),
            problem_codes="、".join(codes),
            lead_units="、".join(u for u in place.pop("units") if u),
            lead_unit_codes=sorted(place.pop("unit_codes")),
            standards="、".join(sorted(place["standards"])),
            days_left=days,
            per_day=place["gain"] / days,
        )
        rows.append(place)
    out = pd.DataFrame(rows, columns=PLACE_COLUMNS)
    out["days_overdue"] = out["days_overdue"].astype("Int64")
    return out.sort_values(
        ["per_day", "gain", "days_left", "item_key"], ascending=[False, False, True, True], ignore_index=True
    )


# ---------------------------------------------------------------- 攻坚清单


def worklist(
    result: Assessment,
    *,
    township: str | None = None,
    lead_unit: str | None = None,
    site_types: Sequence[str] = (),
    overdue_only: bool = False,
) -> pd.DataFrame:
    """攻坚清单（按清单顺序，可按镇街、牵头单位、点位类型、只看逾期筛选）：每处加上“改完前 N 处累计少丢”，
    从全县现在的不合格处数起，按顺序一处处改掉后重算（几处同时改完的实际效果）。"""
    places = result.places
    keep = pd.Series(True, index=places.index)
    if township:
        keep &= places["township_code"] == township
    if lead_unit:
        keep &= pd.Series([lead_unit in codes for codes in places["lead_unit_codes"]], index=places.index, dtype=bool)
    if site_types:
        keep &= places["site_type"].isin(list(site_types))
    if overdue_only:
        keep &= places["days_overdue"].notna()
    out = places[keep].reset_index(drop=True)
    out["cumulative"] = _cumulative(result, out["cleared"].tolist())
    return out


def _cumulative(result: Assessment, cleared: list[dict[str, dict[str, int]]]) -> list[float]:
    model = _Model(result.groups, result.standards)
    now = {s: model.loss(s) for s in result.standards["standard_code"]}
    done: dict[str, dict[str, int]] = {}
    out, saved = [], 0.0
    for minus in cleared:
        for s, groups in minus.items():
            mine = done.setdefault(s, {})
            for g, n in groups.items():
                mine[g] = mine.get(g, 0) + n
            after = model.loss(s, mine)
            saved += now[s] - after
            now[s] = after
        out.append(saved)
    return out


# ---------------------------------------------------------------- 分组表


BREAKDOWNS = {"测评标准": "standard", "点位类型": "site_type", "镇街": "township_name", "责任单位": "unit"}


def breakdown(result: Assessment, by: str) -> pd.DataFrame:
    """按点位类型、镇街或责任单位汇总分摊到的预计丢分（从大到小）；责任单位账号只有自己一行。"""
    if by not in BREAKDOWNS or by == "测评标准":
        raise ValueError(f"不认识的分组：{by}")
    items = result.items
    if items.empty:
        return pd.DataFrame(columns=[by, "不合格处", "预计丢分"])
    if by == "责任单位":
        rows = [
            (name, key, share / count)
            for codes, names, key, share, count in zip(
                items["unit_codes"], items["unit_names"], items["item_key"], items["share"], items["unit_count"]
            )
            for code, name in zip(codes, names)
            if result.scope_unit is None or code == result.scope_unit
        ]
        frame = pd.DataFrame(rows, columns=[by, "item_key", "share"])
    else:
        frame = items.assign(**{by: items[BREAKDOWNS[by]].fillna("（未填）"), "share": items["own"]})[
            [by, "item_key", "share"]
        ]
    out = (
        frame.groupby(by)
        .agg(不合格处=("item_key", "nunique"), 预计丢分=("share", "sum"))
        .reset_index()
        .sort_values(["预计丢分", by], ascending=[False, True], ignore_index=True)
    )
    return out


def standards_table(result: Assessment, top: int | None = None) -> pd.DataFrame:
    """丢分最多的测评标准：分值、扣分方式、不合格 k / 点位 n、抽查 m、预计丢分（从大到小）；责任单位另有本单位分摊一列。"""
    s = result.standards.sort_values(["expected", "standard_order"], ascending=[False, True])
    s = s[s["expected"] > 0] if top is not None else s
    s = s.head(top) if top else s
    out = pd.DataFrame(
        {
            "测评标准": [f"{c} {n}" for c, n in zip(s["standard_code"], s["standard_name"])],
            "分值": s["points"].astype(float).to_numpy(),
            "扣分方式": [rule_text(r, p) for r, p in zip(s["rule"], s["per_site"])],
            "不合格处": s["failing"].astype(int).to_numpy(),
            "点位数": s["sites"].astype(int).to_numpy(),
            "抽查数": s["sampled"].astype(int).to_numpy(),
            "预计丢分": s["expected"].astype(float).to_numpy(),
        }
    )
    if result.scope_unit:
        mine = result.items[[result.scope_unit in c for c in result.items["unit_codes"]]]
        own = (mine["share"] / mine["unit_count"]).groupby(mine["standard_code"]).sum()
        out["本单位分摊"] = [float(own.get(c, 0.0)) for c in s["standard_code"]]
    return out


def top_standards(result: Assessment, n: int = TOP_STANDARDS) -> pd.DataFrame:
    """图上画的丢分最多的 n 条测评标准：测评标准、预计丢分（责任单位为本单位分摊到的）；没有丢分的不画。"""
    table = standards_table(result)
    value = "本单位分摊" if result.scope_unit else "预计丢分"
    rows = table[table[value] > 0].sort_values(value, ascending=False, kind="stable").head(n)
    return pd.DataFrame({"测评标准": rows["测评标准"].to_numpy(), "预计丢分": rows[value].to_numpy()})


def unit_name(result: Assessment, code: str | None) -> str | None:
    """单位的名称（取自估算里各处的单位名单）；没有这个单位的处时为 None。"""
    for codes, names in zip(result.items.get("unit_codes", ()), result.items.get("unit_names", ())):
        if code in codes:
            return str(names[codes.index(code)])
    return None


def rule_text(rule: str, per_site: Number | None) -> str:
    if rule == EACH_SITE and formats._present(per_site):
        return f"每处扣 {float(per_site):g} 分"
    return rule


def place_table(rows: pd.DataFrame, *, for_excel: bool = False) -> pd.DataFrame:
    """攻坚清单的显示表（与 Excel 同列）：序号、处、类型、镇街、问题、牵头单位、最早期限、逾期天数、标准、少丢、天数、每天少丢、累计。"""
    return pd.DataFrame(
        {
            "序号": range(1, len(rows) + 1),
            "点位（或街面问题）": rows["item_name"].astype(str).to_numpy(),
            "镇街": rows["township_name"].to_numpy(),
            "点位类型": rows["site_type"].to_numpy(),
            "牵头单位": rows["lead_units"].to_numpy(),
            "最早整改期限": rows["deadline"].to_numpy()
            if for_excel
            else [formats.moment(v) if not pd.isna(v) else "无期限" for v in rows["deadline"]],
            "逾期天数": rows["days_overdue"].to_numpy(),
            "改这一处少丢（分）": rows["gain"].astype(float).round(4).to_numpy(),
            "剩余天数": rows["days_left"].astype(int).to_numpy(),
            "每天少丢（分）": rows["per_day"].astype(float).round(4).to_numpy(),
            "改完前N处累计少丢（分）": rows["cumulative"].astype(float).round(4).to_numpy(),
            "问题数": rows["problems"].astype(int).to_numpy(),
            "问题编号": rows["problem_codes"].to_numpy(),
            "不合格的测评标准": rows["standards"].to_numpy(),
        }
    )


def saved_after(rows: pd.DataFrame, n: int) -> float:
    """改完清单前 n 处（不足 n 处时全部）累计少丢的分。"""
    if rows.empty or n <= 0:
        return 0.0
    return float(rows["cumulative"].iloc[min(n, len(rows)) - 1])


def running_text(rows: pd.DataFrame, n: int) -> str:
    """“改完前 N 处，预计少丢 Y 分”。"""
    shown = min(n, len(rows))
    return f"改完前 {shown} 处，预计少丢 {formats.points(saved_after(rows, shown))} 分"


__all__ = [
    "HOW_ESTIMATED",
    "PROPORTIONAL",
    "ANY_FAILS",
    "EACH_SITE",
    "Assessment",
    "BREAKDOWNS",
    "ESTIMATE_NOTE",
    "Group",
    "LIST_SEP",
    "NO_DEADLINE_DAYS",
    "Note",
    "PLACE_COLUMNS",
    "RULES",
    "RULE_SENTENCE",
    "SHOW_ROWS",
    "STEPS",
    "STREET_SENTENCE",
    "TOP_STANDARDS",
    "assess",
    "breakdown",
    "coverage_note",
    "hypergeom_pmf",
    "input_notes",
    "place_table",
    "rule_text",
    "running_text",
    "saved_after",
    "standard_loss",
    "standards_table",
    "top_standards",
    "unit_name",
    "worklist",
]
