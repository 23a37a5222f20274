"""同一个词、同一个数：总览、问题热点、整改督办打开时最先看到的“在办”“逾期”与周通报幻灯片里第一个“逾期”，
都是截至数据截至时刻的存量，彼此相等，也等于这里按口径另写的一句 SQL（不经 queries/ 与状态的宏）。"""

from __future__ import annotations

import io
import re

import duckdb
from pptx import Presentation

from chuangwen import briefing, db, time_windows
from tests.app.conftest import switch_to
from tests.oracles import open_by_definition


def overdue_by_definition(db_path) -> int:
    """逾期（存量）另写一遍：截至数据截至时刻已发现、最后一个整改事件不是“已销号”、整改期限早于那一刻。"""
    with duckdb.connect(str(db_path), read_only=True) as con:
        cutoff = con.execute("select value::timestamp from meta where key = 'data_cutoff'").fetchone()[0]
        return con.execute(
            """
            select count(*) from problem p
            where p.found_at <= $c and p.deadline is not null and p.deadline < $c
              and coalesce((select e.action from rectify_event e where e.problem_code = p.code and e.event_at <= $c
                            order by e.event_at desc, e.id desc limit 1), '') <> '已销号'""",
            {"c": cutoff},
        ).fetchone()[0]


def first_two_stock_cards(at) -> list[tuple[str, int]]:
    """页面上最先出现的“在办”与“逾期”卡片（标签、数）。"""
    seen = []
    for m in at.metric:
        if (
            "在办" in m.label
            and not any("在办" in s for s, _ in seen)
            or "逾期" in m.label
            and not any("逾期" in s for s, _ in seen)
        ):
            seen.append((m.label, int(m.value.replace(",", ""))))
    return seen


def test_the_first_open_and_overdue_figures_agree_on_every_default_view(app, demo_db):
    expected_open, expected_overdue = open_by_definition(demo_db), overdue_by_definition(demo_db)
    assert expected_overdue > 0
    shown = {}
    for page in ("app_pages/overview.py", "app_pages/hotspots.py", "app_pages/supervision.py"):
        at = switch_to(app, page)
        shown[page] = first_two_stock_cards(at)
    for page, cards in shown.items():
        (open_label, open_value), (overdue_label, overdue_value) = sorted(cards, key=lambda c: "逾期" in c[0])
        # 同一个词：每页最先出现的就是这两个名称
        assert (open_label, overdue_label) == (time_windows.IN_WORK_STOCK, time_windows.OVERDUE_STOCK), page
        assert (open_value, overdue_value) == (expected_open, expected_overdue), page


def test_the_decks_first_overdue_figure_is_the_same_stock(demo_db):
    con = db.open_readonly(demo_db)
    try:
        data, _ = briefing.build(con, period="week", png=False)
    finally:
        con.close()
    text = "\n".join(
        sh.text_frame.text
        for slide in Presentation(io.BytesIO(data)).slides
        for sh in slide.shapes
        if sh.has_text_frame
    )
    first = re.search(r"逾期[^0-9\n]{0,12}?([0-9][0-9,]*)\s*条", text)
    assert first is not None and "存量" in first.group(0)
    assert int(first.group(1).replace(",", "")) == overdue_by_definition(demo_db)
