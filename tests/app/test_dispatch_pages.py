"""定时通报在页面上：通报导出页列出往期存档并经审计的下载再给出文件；账号与审计页改计划（写错的中文说明）；
整改督办页列出提醒与发出时间，单位账号只见本单位的。库是这里自己的小示例库（定时任务会往状态库里写）。"""

from __future__ import annotations

from datetime import datetime

import pytest
from streamlit.testing.v1 import AppTest

from chuangwen import demo, statedb
from chuangwen.dispatch import alerts, channels, runner, schedules
from tests import fakes
from tests.app.conftest import DASHBOARD, SIGNED_IN, login_token, switch_to


@pytest.fixture(scope="module")
def sent_db(tmp_path_factory):
    """跑过一次 2026-11-20 17:00 的每周通报、发过提醒的示例库（假 Webhook 收）。"""
    hook, server = fakes.start_hook()
    path = tmp_path_factory.mktemp("dispatch") / "demo.duckdb"
    demo.build(path, seed=7, problems=3000)
    channels.add(path, "群", "webhook", f"{hook.url}/h?key=secretsecret99", "测试")
    schedules.set_schedule(path, "weekly", "测试", channels=["群"])
    schedules.set_schedule(path, "monthly", "测试", enabled=False)
    alerts.set_rule(path, "overdue_days", "测试", channels=["群"])
    runner.run_due(path, datetime(2026, 11, 20, 17, 0), runner.Options(png=False, pdf=False))
    server.shutdown()
    server.server_close()
    return path


@pytest.fixture
def app(sent_db, monkeypatch):
    monkeypatch.setenv("CHUANGWEN_DB", str(sent_db))
    monkeypatch.delenv("CHUANGWEN_TARGET_RANK", raising=False)
    return AppTest.from_file(DASHBOARD, default_timeout=60)


def test_briefing_page_lists_past_issues_and_offers_their_files(app):
    at = switch_to(app, "app_pages/briefing.py")
    table = next(df.value for df in at.dataframe if "期号" in df.value.columns)
    assert list(table["期号"]) == ["第 46 期"]
    assert list(table["周期"]) == ["2026-W47"]
    labels = [b.proto.label.replace("\\", "") for b in at.get("download_button")]  # 标签经 md 转义
    assert [label for label in labels if "第46期" in label] == [
        "下载 澜溪县周通报_第46期_20261115.pptx",
        "下载 澜溪县周通报_第46期_20261115.docx",
        "下载 澜溪县周通报_第46期_20261115_督办单.zip",
    ]


def test_admin_changes_a_schedule_and_a_malformed_time_is_refused_in_chinese(app, sent_db):
    at = switch_to(app, "app_pages/accounts_audit.py")
    form_inputs = [t for t in at.text_input if t.label == "时间"]
    form_inputs[0].set_value("每周八")
    at.button(key="FormSubmitter:ad_sched_weekly-保存").click().run()
    assert any("每周通报的时间 '每周八' 写法不对" in e.value.replace("\\", "") for e in at.error)  # 页面上经 md 转义
    assert schedules.listing(sent_db)[0].at_text == "fri 17:00"
    form_inputs = [t for t in at.text_input if t.label == "时间"]
    form_inputs[0].set_value("周五 16:30")
    at.button(key="FormSubmitter:ad_sched_weekly-保存").click().run()
    assert schedules.listing(sent_db)[0].at_text == "周五 16:30"
    (row,) = statedb.audit(sent_db, 1, action="改定时通报")
    assert (row["user"], row["detail"], row["page"]) == (
        "测试管理员",
        "每周通报：开，周五 16:30，渠道 群",
        "账号与审计",
    )
    shown = next(df.value for df in at.dataframe if "地址（密钥已遮住）" in df.value.columns)
    assert "secretsecret99" not in shown.to_string()


def test_supervision_lists_alerts_with_when_they_were_sent(app, sent_db):
    at = switch_to(app, "app_pages/supervision.py")
    table = next(df.value for df in at.dataframe if "提醒时间" in df.value.columns)
    assert len(table) == len(alerts.listing(sent_db)) > 0
    overdue = table[table["规则"] == "问题逾期达到 N 天"]
    assert len(overdue) > 0 and set(overdue["发送"]) == {"群：已发 2026-11-20 17:00:00"}
    assert set(table[table["规则"] != "问题逾期达到 N 天"]["发送"]) == {"（没有可发的渠道）"}  # 别的规则没设渠道


def test_a_unit_account_sees_only_its_own_alerts(app, sent_db):
    rows = alerts.listing(sent_db)
    unit = rows[0]["单位代码"]
    app.session_state[SIGNED_IN] = login_token(sent_db, "单位甲", "责任单位", unit)
    at = switch_to(app, "app_pages/supervision.py")
    table = next(df.value for df in at.dataframe if "提醒时间" in df.value.columns)
    assert set(table["单位代码"]) == {unit}
    assert len(table) == len([r for r in rows if r["单位代码"] == unit]) < len(rows)
