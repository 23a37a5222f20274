"""示例测评体系（全国版的形状 3/12/90/188，三个版本）与负面清单。"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from chuangwen.demo.common import (
    DEPT_CODE,
    LEAF_LEAD,
    LEAF_REQUIREMENT,
    SITE_TYPES,
    _split_cents,
)
from chuangwen.demo.framework_spec import (
    ANY_FAILS_CATEGORIES,
    CONTENT_LEAD,
    CURRENT_EDITION,
    EDITIONS,
    FRAMEWORK,
    FRAMEWORK_STANDARDS,
    NEGATIVE_ITEMS,
    PER_SITE_POINTS,
    SAMPLE_SIZES,
    STREET_CATEGORIES,
    STREET_SAMPLE_PER_TOWNSHIP,
    STREET_SEGMENTS_PER_TOWNSHIP,
    STREET_TYPE,
)


def _standards_per_content(contents: list) -> list[int]:
    """每条测评内容下几条测评标准：实地考察按问题小类数 2–3 条，其余 2 条，再微调到总数 188。"""
    counts = [min(3, max(2, len(c[1].split("|")))) if isinstance(c, tuple) else 2 for c in contents]
    plain = [i for i, c in enumerate(contents) if not isinstance(c, tuple)]
    total = sum(counts)
    for i in reversed(plain):
        if total <= FRAMEWORK_STANDARDS:
            break
        counts[i] -= 1
        total -= 1
    for i in plain:
        if total >= FRAMEWORK_STANDARDS:
            break
        counts[i] += 1
        total += 1
    return counts


def _site_owner(site_type: str) -> str:
    return next(t[3] for t in SITE_TYPES if t[0] == site_type)


def make_framework() -> pd.DataFrame:
    """测评体系树（三个版次同形），分值由固定随机数决定，与示例种子无关：板块 → 项目 → 内容 → 标准。"""
    rng = np.random.default_rng(20210101)
    contents_flat = [c for _, items in FRAMEWORK for _, _, _, cs in items for c in cs]
    n_std = iter(_standards_per_content(contents_flat))
    rows = []
    order = 0

    def add(code, parent, level, name, cents, method=None, site_types=None, category=None, lead=None):
        nonlocal order
        order += 1
        rows.append(
            {
                "code": code,
                "parent_code": parent,
                "level": level,
                "name": name,
                "cents": int(cents),
                "method": method,
                "site_types": site_types,
                "category": category,
                "lead_unit_code": DEPT_CODE[lead] if lead else None,
                "sort_order": order,
            }
        )

    for b, (board, items) in enumerate(FRAMEWORK, start=1):
        add(f"{b}", None, "板块", board, sum(p for _, p, _, _ in items) * 100)
        for i, (item, points, item_lead, contents) in enumerate(items, start=1):
            item_code = f"{b}.{i}"
            add(item_code, f"{b}", "测评项目", item, points * 100, lead=item_lead)
            w = np.array([1.3 if isinstance(c, tuple) else 1.0 for c in contents]) * rng.uniform(
                0.7, 1.3, len(contents)
            )
            content_cents = _split_cents(points * 100, w, unit=10)
            for j, (content, cc) in enumerate(zip(contents, content_cents), start=1):
                content_code = f"{item_code}.{j}"
                k = next(n_std)
                std_cents = _split_cents(int(cc), rng.uniform(0.6, 1.4, k), unit=5)
                if isinstance(content, tuple):
                    name, cats, sites = content[0], content[1].split("|"), content[2].split("|")
                    add(content_code, item_code, "测评内容", name, cc, lead=CONTENT_LEAD.get(name, item_lead))
                    for s in range(k):
                        cat = cats[s % len(cats)]
                        st = sites if (len(cats) >= k or len(sites) < k) else sites[s::k]
                        lead = LEAF_LEAD[cat]
                        lead = _site_owner(st[0]) if lead == "点位主管" else lead
                        lead = CONTENT_LEAD.get(name, lead)
                        label = "、".join(st[:3]) + ("等" if len(st) > 3 else "") + "点位" + LEAF_REQUIREMENT[cat]
                        add(
                            f"{content_code}.{s + 1}",
                            content_code,
                            "测评标准",
                            label,
                            std_cents[s],
                            "实地考察",
                            list(st),
                            cat,
                            lead,
                        )
                else:
                    survey = content.endswith("？")
                    name = content.rstrip("？")
                    lead = CONTENT_LEAD.get(name, item_lead)
                    add(content_code, item_code, "测评内容", name, cc, lead=lead)
                    templates = (
                        f"{name}有部署、有方案、有台账",
                        f"{name}常态化开展，有活动记录和影像资料",
                        f"{name}成效明显，有典型案例和群众评价",
                    )
                    for s in range(k):
                        if survey and s == 0:
                            label, method = f"市民对{name}的知晓率、满意度", "问卷调查"
                        else:
                            label, method = templates[s % 3], "网上申报"
                        add(
                            f"{content_code}.{s + 1}",
                            content_code,
                            "测评标准",
                            label,
                            std_cents[s],
                            method,
                            None,
                            None,
                            lead,
                        )
    shape = pd.DataFrame(rows)
    shape["points"] = shape["cents"] / 100
    # 道路上的问题小类、考察背街小巷或交通路口的标准，也到主次干道（没有点位、按镇街计路段）上抽查；
    # 只加在点位类型清单末尾，标准名称与示例问题、扣分明细的生成都不受影响
    on_streets = [
        isinstance(t, list) and c in STREET_CATEGORIES and bool({"背街小巷", "交通路口"} & set(t))
        for t, c in zip(shape["site_types"], shape["category"])
    ]
    shape["site_types"] = [[*t, STREET_TYPE] if street else t for t, street in zip(shape["site_types"], on_streets)]
    frames = []
    for edition, _ in EDITIONS:
        f = shape.copy()
        f.insert(0, "edition", edition)
        frames.append(f)
    return pd.concat(frames, ignore_index=True)


def framework_edition_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "edition": [e for e, _ in EDITIONS],
            "name": [f"全国文明城市测评体系（{e[:4]}年版）" for e, _ in EDITIONS],
            "scope": "全国",
            "effective_from": [d for _, d in EDITIONS],
            "total_points": 100.0,
        }
    )


def negative_item_frame() -> pd.DataFrame:
    """负面清单只挂在现行版次上。"""
    return pd.DataFrame(
        {
            "edition": CURRENT_EDITION,
            "code": [f"F{i + 1:02d}" for i in range(len(NEGATIVE_ITEMS))],
            "name": [n for n, _ in NEGATIVE_ITEMS],
            "is_veto": [v for _, v in NEGATIVE_ITEMS],
            "description": [
                "一票否决：发生即取消当届评选资格" if v else "视情节扣减总分并通报" for _, v in NEGATIVE_ITEMS
            ],
        }
    )


def edition_for(day: date) -> str:
    current = EDITIONS[0][0]
    for edition, start in EDITIONS:
        if day >= start:
            current = edition
    return current


def loss_model_frames(framework: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """丢分预警的三份输入（示例，每个版本一样）：抽样方案、扣分方式、问题类别 × 点位类型 → 测评标准。
    对照取考察这类点位、类别相同的标准里点位类型最少（最专门）的一条，同样多时取编号在前的。"""
    plan_rows: list[tuple[str, str, str, int, int | None]] = []
    scoring_rows: list[tuple[str, str, str, float | None]] = []
    mapping_rows: list[tuple[str, str, str, str]] = []
    for edition, _ in EDITIONS:
        plan_rows += [(edition, t, "全县", m, None) for t, m in SAMPLE_SIZES.items()]
        plan_rows.append((edition, STREET_TYPE, "每镇街", STREET_SAMPLE_PER_TOWNSHIP, STREET_SEGMENTS_PER_TOWNSHIP))
        field = framework[(framework["edition"] == edition) & (framework["method"] == "实地考察")]
        best: dict[tuple[str, str], tuple[int, int, str]] = {}
        for code, cat, types, points, order in zip(
            field["code"], field["category"], field["site_types"], field["points"], field["sort_order"]
        ):
            if cat in ANY_FAILS_CATEGORIES:
                scoring_rows.append((edition, code, "一处即扣完", None))
            elif cat in PER_SITE_POINTS:
                scoring_rows.append((edition, code, "每处扣分", min(PER_SITE_POINTS[cat], float(points))))
            for t in types:
                candidate = (len(types), int(order), code)
                if (cat, t) not in best or candidate < best[(cat, t)]:
                    best[(cat, t)] = candidate
        mapping_rows += [(edition, cat, t, c[2]) for (cat, t), c in sorted(best.items())]
    return (
        pd.DataFrame(plan_rows, columns=["edition", "site_type", "scope", "sample_size", "per_township"]),
        pd.DataFrame(scoring_rows, columns=["edition", "standard_code", "rule", "per_site"]),
        pd.DataFrame(mapping_rows, columns=["edition", "category", "site_type", "standard_code"]),
    )
