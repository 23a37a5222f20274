"""整改督办页在示例库上跑通：台账与指标卡、筛选、时间线、燃尽图与导出按钮。"""

import json

from tests.app.conftest import events_of, open_by_definition, switch_to


def supervision_page(app):
    return switch_to(app, "app_pages/supervision.py")


def test_supervision_page_shows_ledger_cards_and_burndown(app, demo_db):
    at = supervision_page(app)
    values = {m.label: m.value for m in at.metric}
    assert int(values["在办问题（存量）"].replace(",", "")) == open_by_definition(demo_db)
    assert set(values) == {"在办问题（存量）", "逾期（存量）", "逾期30天以上（存量）", "7天内到期", "记录顺序存疑"}
    ledger = at.dataframe[0].value
    assert {"问题编号", "整改期限", "逾期天数", "牵头单位", "配合单位", "当前状态"} <= set(ledger.columns)
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert any("燃尽" in s["layout"]["title"]["text"] for s in specs)
    assert at.get("download_button")


def test_supervision_filters_narrow_the_ledger(app):
    at = supervision_page(app)
    before = int(at.metric[0].value.replace(",", ""))
    at.checkbox(key="sv_overdue").check().run()
    overdue = int(at.metric[0].value.replace(",", ""))
    assert overdue == int(at.metric[1].value.replace(",", "")) and overdue <= before
    at.selectbox(key="sv_unit").select_index(1).run()
    assert not at.exception
    assert int(at.metric[0].value.replace(",", "")) < overdue


def test_supervision_timeline_follows_the_picked_problem(app, demo_db):
    at = supervision_page(app)
    at.selectbox(key="sv_problem").select_index(1).run()
    assert not at.exception
    code = at.selectbox(key="sv_problem").value
    timeline = next(d.value for d in at.dataframe if list(d.value.columns) == ["时间", "事件", "经办单位", "备注"])
    assert len(timeline) == events_of(demo_db, code)
