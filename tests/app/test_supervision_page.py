"""整改督办页在示例库上跑通：台账与指标卡、筛选、时间线、在办问题走势与导出按钮。"""

import json

from tests.app.conftest import switch_to
from tests.oracles import events_of, ledger_cards_by_definition, open_by_definition, unit_codes


def supervision_page(app):
    return switch_to(app, "app_pages/supervision.py")


def cards(at) -> dict[str, int]:
    return {m.label: int(m.value.replace(",", "")) for m in at.metric}


def test_supervision_page_shows_ledger_cards_and_burndown(app, demo_db):
    at = supervision_page(app)
    shown = cards(at)
    assert shown.pop("记录顺序存疑") == 0  # 示例库的整改记录顺序都可能
    assert shown == ledger_cards_by_definition(demo_db)
    ledger = at.dataframe[0].value
    assert {"问题编号", "整改期限", "逾期天数", "牵头单位", "配合单位", "当前状态"} <= set(ledger.columns)
    assert len(ledger) == open_by_definition(demo_db)
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert any("在办问题走势" in s["layout"]["title"]["text"] for s in specs)
    export = next(b for b in at.get("download_button") if b.key == "sv_export")
    assert export.label == f"导出 Excel：全部单位的在办问题清单（{open_by_definition(demo_db):,} 条）"


def test_supervision_filters_narrow_the_ledger(app, demo_db):
    at = supervision_page(app)
    at.checkbox(key="sv_overdue").check().run()
    only_overdue = cards(at)
    # 涉及单位（牵头或配合）选逾期问题最多的那个：筛到 0 条的单位说明不了筛选对不对
    unit = max(
        unit_codes(demo_db),
        key=lambda u: ledger_cards_by_definition(demo_db, unit=u, overdue_only=True)["在办问题（存量）"],
    )
    at.selectbox(key="sv_unit").set_value(unit).run()
    assert not at.exception
    only_unit = cards(at)
    assert 0 < only_unit["在办问题（存量）"] < only_overdue["在办问题（存量）"]
    assert (only_overdue, only_unit) == (
        {**ledger_cards_by_definition(demo_db, overdue_only=True), "记录顺序存疑": 0},
        {**ledger_cards_by_definition(demo_db, unit=unit, overdue_only=True), "记录顺序存疑": 0},
    )


def test_supervision_timeline_follows_the_picked_problem(app, demo_db):
    at = supervision_page(app)
    at.selectbox(key="sv_problem").select_index(1).run()
    assert not at.exception
    code = at.selectbox(key="sv_problem").value
    timeline = next(d.value for d in at.dataframe if list(d.value.columns) == ["时间", "事件", "经办单位", "备注"])
    assert len(timeline) == events_of(demo_db, code)
