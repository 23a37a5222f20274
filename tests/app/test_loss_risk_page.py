"""丢分预警页在示例库上跑通（Issue 31 第 5 部分）：头条与卡片、攻坚清单、筛选、导出按钮、责任单位只看自己的，
输入不全时说缺什么、不抛异常。"不合格的处"按规则另算（tests/oracles.failing_places_by_definition）。"""

from __future__ import annotations

import duckdb

from chuangwen import db, loss_risk, queries
from chuangwen.view import View
from tests.app.conftest import switch_to
from tests.app.test_roles import as_role, busiest_unit
from tests.oracles import failing_places_by_definition, involving

PAGE = "app_pages/loss_risk.py"


def assessed(db_path, unit: str | None = None) -> loss_risk.Assessment:
    with duckdb.connect(str(db_path), read_only=True) as con:
        view = View.of_store(con, scope_unit=unit)
        return loss_risk.assess(
            queries.run(con, "loss_risk_groups", view),
            queries.run(con, "loss_risk_items", view),
            view.as_of,
            unit,
        )


def cards(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def worklist(at):
    return next(d.value for d in at.dataframe if "改完前N处累计少丢（分）" in d.value.columns)


def test_the_page_shows_the_headline_the_cards_and_the_worklist(app, demo_db):
    at = switch_to(app, PAGE)
    result = assessed(demo_db)
    assert result.total > 0
    assert at.subheader[0].value == f"若明天暗访，实地考察部分预计丢 {result.total:.2f} 分"
    shown = cards(at)
    places = failing_places_by_definition(demo_db)
    assert (shown["实地考察预计丢分"], shown["不合格的处"]) == (f"{result.total:.2f} 分", f"{len(places):,} 处")
    rows = worklist(at)
    assert len(rows) == min(len(places), loss_risk.SHOW_ROWS)
    assert rows["改完前N处累计少丢（分）"].is_monotonic_increasing
    export = next(b for b in at.get("download_button") if b.key == "lr_export")
    assert export.label == f"导出 Excel：全县的攻坚清单（{len(places):,} 处）"
    assert "分数能换来什么" in [s.value for s in at.subheader]


def test_the_sidebar_township_narrows_the_worklist(app, demo_db):
    at = switch_to(app, PAGE)
    everything = worklist(at)
    town = everything["镇街"].value_counts().index[0]
    box = at.selectbox(key="flt_township")
    box.set_value(next(o for o in box.options if box.format_func(o) == town)).run()
    assert not at.exception
    narrowed = worklist(at)
    assert set(narrowed["镇街"]) == {town} and 0 < len(narrowed) < len(everything)


def test_a_unit_sees_its_own_share_and_only_its_own_problems(app, demo_db):
    unit = busiest_unit(demo_db)
    at = switch_to(as_role(app, demo_db, "责任单位"), PAGE)
    mine = assessed(demo_db, unit)
    assert cards(at)["本单位的问题预计丢分"] == f"{mine.headline:.2f} 分"
    listed = {c for cell in worklist(at)["问题编号"] for c in cell.split("、")}
    assert listed and listed <= involving(demo_db, unit)


def test_a_missing_sampling_plan_is_named_and_nothing_breaks(app, demo_db, tmp_path, monkeypatch):
    path = tmp_path / "noplan.duckdb"
    path.write_bytes(demo_db.read_bytes())
    with db.writer(path) as con:
        con.execute("delete from sampling_plan")
    monkeypatch.setenv("CHUANGWEN_DB", str(path))
    from streamlit.testing.v1 import AppTest

    from tests.app.conftest import DASHBOARD

    at = switch_to(AppTest.from_file(DASHBOARD, default_timeout=60), PAGE)
    warnings = [w.value for w in at.warning]
    assert any("还没有抽样方案" in w for w in warnings), warnings
    assert any("算不出预计丢分" in i.value for i in at.info)


def test_the_meeting_mode_puts_each_chart_map_and_table_on_its_own_screen(app, demo_db):
    """推进会：头条与卡片、两张图、三张表（长表分屏）、地图、攻坚清单（前 3 屏）、分数能换来什么，各一屏；
    翻屏按钮走过每一屏，哪一屏都没有画布表格、下载按钮与口径卡片；攻坚清单的筛选翻屏后还在。"""
    at = switch_to(app, PAGE)
    at.toggle(key="lr_projector").set_value(True).run()
    assert not at.exception
    assert at.subheader[0].value.startswith("若明天暗访") and len(at.metric) == 4
    seen, charts, maps, tables = [], 0, 0, 0
    for _ in range(40):
        seen.append(next(m.value for m in at.markdown if m.value.startswith("**第 ")))
        assert len(at.dataframe) == 0 and not at.get("download_button")
        charts += len(at.get("plotly_chart"))
        maps += any(s.value == "丢分风险点位" for s in at.subheader)
        tables += any("cw-big-table" in h.proto.body for h in at.get("html"))
        if at.button(key="cw_view_next").disabled:
            break
        at.button(key="cw_view_next").click().run()
        assert not at.exception
    names = at.session_state["_pv_names:丢分预警"]
    assert names[:3] == ["预计丢分", "丢分最多的测评标准", "按点位类型"]
    assert "丢分风险点位地图" in names and names[-1] == "分数能换来什么"
    worklist = [n for n in names if n.startswith("攻坚清单")]
    listed = min(len(failing_places_by_definition(demo_db)), 36)  # 推进会上翻前 3 屏，每屏至多 12 处
    assert len(worklist) == -(-listed // 12) and all(n.endswith(f"共 {listed} 行）") for n in worklist)
    assert seen == [f"**第 {i} / {len(names)} 屏**" for i in range(1, len(names) + 1)]
    assert (charts, maps) == (2, 1) and tables >= len(names) - 4
    assert not any("指标口径" in e.label for e in at.expander)


def test_the_worklist_filter_survives_turning_screens(app):
    at = switch_to(app, PAGE)
    at.toggle(key="lr_projector").set_value(True).run()
    names = at.session_state["_pv_names:丢分预警"]
    for _ in range(next(i for i, n in enumerate(names) if n.startswith("攻坚清单"))):
        at.button(key="cw_view_next").click().run()
    at.checkbox(key="lr_overdue").check().run()
    assert not at.exception
    at.button(key="cw_view_next").click().run()
    at.button(key="cw_view_prev").click().run()
    assert at.checkbox(key="lr_overdue").value is True
