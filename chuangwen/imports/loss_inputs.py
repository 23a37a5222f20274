"""丢分预警的三份输入的逐行校验（validate.prepare 经 PREPARERS 调用；不写库）：抽样方案、扣分方式、类别对照。

三份都随测评体系版本保存：库中已有的相同行跳过，不同的报错（不改写；要改请先回滚那次导入）。写明文件、行、列、值与原因：
- 抽样方案：版本、点位类型须在库中；抽查数为正整数，抽样范围“全县”时不能多于库中这类点位，“每镇街”时须写每镇街路段数
  且不少于抽查数；导入后还有哪些被实地考察标准考察的点位类型没有方案，作为提示写进报告。
- 扣分方式：只用于实地考察的测评标准；没有分值、没有点位类型的标准无从抽查扣分，报错；每处扣分须写每处几分。
- 类别对照：同一版本、同一类别、同一点位类型只能对一条标准（文件里对了两条时两行都报错，写明另一行）；
  标准须考察这类点位；点位类型空白时对该标准考察的每一类点位。
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from chuangwen.imports.checks import (
    Checker,
    Prepared,
    Refs,
    flag_bad_choice,
    flag_required,
    flag_unknown_editions,
    lookup,
    note,
    row_mask,
    split_names,
    texts,
)
from chuangwen.imports.kinds import PLAN_SCOPES, SCORING_RULES
from chuangwen.imports.mapping import Mapping
from chuangwen.imports.readers import parse_numbers

SEP = "|"


def _positive(ck: Checker, cols: dict[str, pd.Series], name: str, n: int, *, integer: bool) -> np.ndarray:
    """数字列：空为 NaN；不是数、不是正数（抽查数、路段数还须是整数）的记错误。"""
    if name not in cols:
        return np.full(n, np.nan)
    raw = cols[name].reset_index(drop=True)
    num, bad = parse_numbers(raw)
    values = num.to_numpy(float)
    what = "正整数" if integer else "正数"
    ck.flag(bad, name, raw, f"应为{what}")
    wrong = ~np.isnan(values) & ((values <= 0) | (integer & (np.round(values) != values)))
    ck.flag(wrong, name, raw, f"应为{what}")
    return np.where(wrong | bad, np.nan, values)


def _editions(con: duckdb.DuckDBPyConnection, ck: Checker, version: pd.Series) -> None:
    flag_unknown_editions(ck, version, set(lookup(con, "select edition from framework_edition")["edition"]))


def _existing(
    ck: Checker, keys: pd.Series, new: dict[str, tuple], have: dict[str, tuple], column: str, what: str
) -> np.ndarray:
    """与库中已有的比：相同的跳过（返回 True），不同的报错。keys 为每行的键，new 为每个键要写的值。"""
    same = np.zeros(len(keys), dtype=bool)
    for i, k in enumerate(keys):
        if k is None or ck.bad[i] or k not in have:
            continue
        if have[k] == new[k]:
            same[i] = True
        else:
            mask = row_mask(len(keys), i)
            ck.flag(
                mask,
                column,
                _describe(new[k]),
                f"库中已有{what}（{_describe(have[k])}），与文件不同；按版本保存、不改写，要改请先回滚导入它的那次导入",
            )
    return same


def _describe(values: tuple) -> str:
    return "，".join(str(v) for v in values if v is not None and not (isinstance(v, float) and np.isnan(v)))


def _duplicates(ck: Checker, keys: pd.Series, column: str, values: pd.Series, what: str) -> None:
    first: dict[str, int] = {}
    for i, k in enumerate(keys):
        if k is None:
            continue
        if k in first:
            mask = row_mask(len(keys), i)
            ck.flag(mask, column, values, f"文件中{what}重复（与第 {int(ck.rownum[first[k]])} 行相同）")
        else:
            first[k] = i


# ================================================================ 抽样方案


def prepare_sampling_plan(
    con: duckdb.DuckDBPyConnection,
    prep: Prepared,
    ck: Checker,
    refs: Refs,
    cols: dict[str, pd.Series],
    mapping: Mapping,
    crs: str | None = None,
) -> None:
    n = prep.rows_total
    T = {c: texts(cols, c, n, mapping) for c in ("测评体系版本", "点位类型", "抽样范围")}
    for c in ("测评体系版本", "点位类型"):
        flag_required(ck, T[c], c)
    size = _positive(ck, cols, "抽查数", n, integer=True)
    ck.flag(
        np.isnan(size) & cols.get("抽查数", pd.Series([None] * n)).isna().to_numpy(), "抽查数", None, "必填，不能为空"
    )
    per_town = _positive(ck, cols, "每镇街路段数", n, integer=True)
    flag_bad_choice(ck, T["抽样范围"], PLAN_SCOPES, "抽样范围")
    scope = T["抽样范围"].fillna("全县")
    _editions(con, ck, T["测评体系版本"])
    site_type = T["点位类型"]
    ck.flag(
        site_type.notna().to_numpy() & ~site_type.isin(list(refs.site_types)).to_numpy(),
        "点位类型",
        site_type,
        "库中没有这个点位类型（先导入点位，或在测评体系的点位类型里写上它）",
    )
    street = (scope == "每镇街").to_numpy()
    ck.flag(
        street & np.isnan(per_town) & cols.get("每镇街路段数", pd.Series([None] * n)).isna().to_numpy(),
        "每镇街路段数",
        None,
        "抽样范围为每镇街时必填：每个镇街有几条路段",
    )
    ck.flag(~street & ~np.isnan(per_town), "每镇街路段数", per_town, "只有抽样范围为每镇街时才填写每镇街路段数")
    ck.flag(
        street & (size > per_town),
        "抽查数",
        size,
        lambda v: f"每镇街抽查 {v:g} 条，多于每镇街的路段数",
    )
    counts = dict(lookup(con, "select site_type, count(*) as n from site group by site_type").itertuples(index=False))
    for i in range(n):
        if not street[i] and not np.isnan(size[i]) and site_type.iat[i] in refs.site_types:
            available = int(counts.get(site_type.iat[i], 0))
            if size[i] > available:
                mask = row_mask(n, i)
                ck.flag(
                    mask,
                    "抽查数",
                    size,
                    f"抽样方案要求抽查 {size[i]:g} 处，库中“{site_type.iat[i]}”只有 {available} 处"
                    "（先导入点位，或改小抽查数；没有点位的街面类型请把抽样范围写成每镇街）",
                )
    keys = pd.Series([f"{e}{SEP}{t}" if e and t else None for e, t in zip(T["测评体系版本"], site_type)], dtype=object)
    _duplicates(ck, keys, "点位类型", site_type, "同一版本的点位类型")
    rows = {
        k: (
            scope.iat[i],
            None if np.isnan(size[i]) else int(size[i]),
            None if np.isnan(per_town[i]) else int(per_town[i]),
        )
        for i, k in enumerate(keys)
        if k is not None
    }
    have_df = lookup(con, "select edition, site_type, scope, sample_size, per_township from sampling_plan")
    have = {
        f"{e}{SEP}{t}": (sc, int(m), None if pd.isna(p) else int(p))
        for e, t, sc, m, p in have_df.itertuples(index=False)
    }
    same = _existing(ck, keys, rows, have, "抽查数", "这类点位的抽样方案")
    ok = ~ck.bad
    new = ok & ~same
    prep.skipped = int((ok & same).sum())
    prep.frames["sampling_plan"] = pd.DataFrame(
        {
            "edition": T["测评体系版本"][new].to_numpy(),
            "site_type": site_type[new].to_numpy(),
            "scope": scope[new].to_numpy(),
            "sample_size": size[new].astype(int),
            "per_township": pd.array([None if np.isnan(v) else int(v) for v in per_town[new]], dtype="Int64"),
        }
    )
    _plan_gaps(
        con,
        prep,
        pd.concat([have_df[["edition", "site_type"]], prep.frames["sampling_plan"][["edition", "site_type"]]]),
    )


def _plan_gaps(con: duckdb.DuckDBPyConnection, prep: Prepared, plan: pd.DataFrame) -> None:
    """提示：导入后这些版本里还有被实地考察标准考察、却没有抽样方案的点位类型。"""
    for edition in sorted(set(prep.frames["sampling_plan"]["edition"])):
        needed = lookup(
            con,
            "select distinct unnest(site_types) as t from framework_node "
            "where edition = $e and level = '测评标准' and method = '实地考察' and site_types is not null",
            {"e": edition},
        )["t"]
        planned = set(plan.loc[plan["edition"] == edition, "site_type"])
        missing = sorted(set(needed) - planned)
        if missing:
            note(
                prep,
                "点位类型",
                edition,
                f"测评体系“{edition}”里还有实地考察标准考察的点位类型没有抽样方案：{'、'.join(missing)}；"
                "丢分预警在这些点位上不计丢分",
            )


# ================================================================ 扣分方式


def _standards(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], tuple[str, str | None, float, list[str]]]:
    rows = lookup(
        con,
        "select edition, code, level, method, points, coalesce(site_types, []::varchar[]) as site_types "
        "from framework_node",
    )
    return {(e, c): (lv, m, float(p), list(t)) for e, c, lv, m, p, t in rows.itertuples(index=False)}


def _check_standard(
    ck: Checker, i: int, n: int, node: tuple[str, str | None, float, list[str]] | None, edition: str, code: str
) -> bool:
    """这一行的测评标准可以用来估算实地考察丢分吗；不能时记错误（写明缺什么）。"""
    mask = row_mask(n, i)
    if node is None or node[0] != "测评标准":
        ck.flag(mask, "测评标准编号", code, f"测评体系“{edition}”中没有这条测评标准")
        return False
    level, method, points, site_types = node
    if method != "实地考察":
        ck.flag(
            mask, "测评标准编号", code, f"这条测评标准的测评方法是{method}，扣分方式与类别对照只用于实地考察的测评标准"
        )
        return False
    if points <= 0:
        ck.flag(
            mask, "测评标准编号", code, "这条测评标准没有分值（0 分），无从扣分；请在测评体系里写上分值（用新版本导入）"
        )
        return False
    if not site_types:
        ck.flag(
            mask,
            "测评标准编号",
            code,
            "这条测评标准没有点位类型，实地考察无从抽查；请在测评体系里写上点位类型（用新版本导入）",
        )
        return False
    return True


def prepare_scoring_rules(
    con: duckdb.DuckDBPyConnection,
    prep: Prepared,
    ck: Checker,
    refs: Refs,
    cols: dict[str, pd.Series],
    mapping: Mapping,
    crs: str | None = None,
) -> None:
    n = prep.rows_total
    T = {c: texts(cols, c, n, mapping) for c in ("测评体系版本", "测评标准编号", "扣分方式")}
    for c in T:
        flag_required(ck, T[c], c)
    flag_bad_choice(ck, T["扣分方式"], SCORING_RULES, "扣分方式")
    per_site = _positive(ck, cols, "每处扣分", n, integer=False)
    each = (T["扣分方式"] == "每处扣分").to_numpy()
    ck.flag(
        each & np.isnan(per_site) & cols.get("每处扣分", pd.Series([None] * n)).isna().to_numpy(),
        "每处扣分",
        None,
        "扣分方式为每处扣分时必填：每抽中一处不合格扣几分",
    )
    ck.flag(~each & ~np.isnan(per_site), "每处扣分", per_site, "只有扣分方式为每处扣分时才填写每处扣分")
    _editions(con, ck, T["测评体系版本"])
    nodes = _standards(con)
    for i, (e, c) in enumerate(zip(T["测评体系版本"], T["测评标准编号"])):
        if e and c and not ck.bad[i]:
            if _check_standard(ck, i, n, nodes.get((e, c)), e, c) and each[i] and per_site[i] > nodes[(e, c)][2]:
                note(
                    prep,
                    "每处扣分",
                    f"{c}：{per_site[i]:g}",
                    f"每处扣分大于这条标准的分值 {nodes[(e, c)][2]:g}：抽中一处就扣完（与一处即扣完相同）",
                )
    keys = pd.Series(
        [f"{e}{SEP}{c}" if e and c else None for e, c in zip(T["测评体系版本"], T["测评标准编号"])], dtype=object
    )
    _duplicates(ck, keys, "测评标准编号", T["测评标准编号"], "同一版本的测评标准")
    rows = {
        k: (T["扣分方式"].iat[i], None if np.isnan(per_site[i]) else float(per_site[i]))
        for i, k in enumerate(keys)
        if k is not None
    }
    have_df = lookup(con, "select edition, standard_code, rule, per_site from standard_scoring")
    have = {f"{e}{SEP}{c}": (r, None if pd.isna(p) else float(p)) for e, c, r, p in have_df.itertuples(index=False)}
    same = _existing(ck, keys, rows, have, "扣分方式", "这条标准的扣分方式")
    ok = ~ck.bad
    new = ok & ~same
    prep.skipped = int((ok & same).sum())
    prep.frames["standard_scoring"] = pd.DataFrame(
        {
            "edition": T["测评体系版本"][new].to_numpy(),
            "standard_code": T["测评标准编号"][new].to_numpy(),
            "rule": T["扣分方式"][new].to_numpy(),
            "per_site": [None if np.isnan(v) else float(v) for v in per_site[new]],
        }
    )


# ================================================================ 类别对照


def prepare_category_standards(
    con: duckdb.DuckDBPyConnection,
    prep: Prepared,
    ck: Checker,
    refs: Refs,
    cols: dict[str, pd.Series],
    mapping: Mapping,
    crs: str | None = None,
) -> None:
    n = prep.rows_total
    T = {c: texts(cols, c, n, mapping) for c in ("测评体系版本", "问题类别", "点位类型", "测评标准编号")}
    for c in ("测评体系版本", "问题类别", "测评标准编号"):
        flag_required(ck, T[c], c)
    _editions(con, ck, T["测评体系版本"])
    ck.flag(
        T["问题类别"].notna().to_numpy() & ~T["问题类别"].isin(list(refs.categories)).to_numpy(),
        "问题类别",
        T["问题类别"],
        "库中没有这个问题类别（先导入问题台账或在测评体系里写上它）",
    )
    nodes = _standards(con)
    # 展开：每行一个或几个点位类型（空白 = 该标准考察的每一类）
    expanded: list[tuple[int, str, str, str, str]] = []
    for i in range(n):
        e, cat, code = T["测评体系版本"].iat[i], T["问题类别"].iat[i], T["测评标准编号"].iat[i]
        if ck.bad[i] or not (e and cat and code):
            continue
        node = nodes.get((e, code))
        if not _check_standard(ck, i, n, node, e, code):
            continue
        assert node is not None
        written = split_names(T["点位类型"].iat[i])
        mask = row_mask(n, i)
        for t in written:
            if t not in refs.site_types:
                ck.flag(mask, "点位类型", t, "库中没有这个点位类型")
            elif t not in node[3]:
                ck.flag(mask, "点位类型", t, f"测评标准 {code} 考察的点位类型是 {'、'.join(node[3])}，没有“{t}”")
        if not ck.bad[i]:
            expanded.extend((i, e, cat, t, code) for t in (written or node[3]))
    # 同一版本、同一类别、同一点位类型只能对一条标准
    first: dict[tuple[str, str, str], tuple[int, str]] = {}
    keep: list[tuple[int, str, str, str, str]] = []
    for i, e, cat, t, code in expanded:
        key = (e, cat, t)
        if key not in first:
            first[key] = (i, code)
            keep.append((i, e, cat, t, code))
            continue
        j, other = first[key]
        mask = np.zeros(n, dtype=bool)
        if other == code:
            mask[i] = True
            ck.flag(mask, "测评标准编号", code, f"文件中“{cat} × {t}”的对照重复（与第 {int(ck.rownum[j])} 行相同）")
        else:
            mask[[i, j]] = True
            ck.flag(
                mask,
                "测评标准编号",
                None,
                f"同一类别同一点位类型对到了两条测评标准：“{cat} × {t}”第 {int(ck.rownum[j])} 行对 {other}、"
                f"第 {int(ck.rownum[i])} 行对 {code}；只能对一条",
            )
    have_df = lookup(con, "select edition, category, site_type, standard_code from standard_category")
    have = {(e, c, t): s for e, c, t, s in have_df.itertuples(index=False)}
    new_rows, same_rows = [], np.zeros(n, dtype=bool)
    for i, e, cat, t, code in keep:
        if ck.bad[i]:
            continue
        old = have.get((e, cat, t))
        if old is None:
            new_rows.append((i, e, cat, t, code))
        elif old == code:
            same_rows[i] = True
        else:
            mask = row_mask(n, i)
            ck.flag(
                mask,
                "测评标准编号",
                code,
                f"库中“{cat} × {t}”已对到测评标准 {old}，与文件不同；一个类别在一类点位上只能对一条标准，"
                "要改请先回滚导入它的那次导入",
            )
    new_rows = [r for r in new_rows if not ck.bad[r[0]]]
    written_rows = {r[0] for r in new_rows}
    prep.skipped = int(sum(1 for i in range(n) if same_rows[i] and not ck.bad[i] and i not in written_rows))
    prep.frames["standard_category"] = pd.DataFrame(
        [(e, cat, t, code) for _, e, cat, t, code in new_rows],
        columns=["edition", "category", "site_type", "standard_code"],
    )


PREPARERS = {
    "sampling_plan": prepare_sampling_plan,
    "scoring_rules": prepare_scoring_rules,
    "category_standards": prepare_category_standards,
}
