"""定时通报在页面上：通报导出页列出往期存档并经审计的下载再给出文件；管理员在同一页改计划（写错的中文说明）、
新建与删除渠道（与命令行同样的检查，审计里没有密钥）、发测试消息；别的角色看不到这些；生成失败的一期写明已试次数与
下次重试；整改督办页列出提醒与发出时间，单位账号只见本单位的。库是这里自己的小示例库（定时任务会往状态库里写）。"""

from __future__ import annotations

from datetime import datetime

import pytest
from streamlit.testing.v1 import AppTest

from chuangwen import accounts, briefing, demo, statedb
from chuangwen.dispatch import alerts, channels, runner, schedules
from tests import fakes
from tests.app.conftest import DASHBOARD, SIGNED_IN, login_token, switch_to
from tests.builders import build_briefing_db


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
    at = switch_to(app, "app_pages/briefing.py")
    form_inputs = [t for t in at.text_input if t.label == "时间"]
    assert [t.value for t in form_inputs] == ["周五 17:00", "1日 09:00", "09:00"]  # 库里存的是 fri 17:00、1 09:00
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
        "通报导出",
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


@pytest.fixture
def hook():
    got, server = fakes.start_hook()
    yield got
    server.shutdown()
    server.server_close()


@pytest.fixture
def small(tmp_path, monkeypatch):
    """小库（tests/data/briefing）：一个渠道“群”，每周通报发到它。"""
    path = build_briefing_db(tmp_path / "b.duckdb")
    channels.add(path, "群", "webhook", "https://hooks.example.gov.cn/h?key=oldoldoldold", "测试")
    schedules.set_schedule(path, "weekly", "测试", channels=["群"])
    monkeypatch.setenv("CHUANGWEN_DB", str(path))
    monkeypatch.delenv("CHUANGWEN_TARGET_RANK", raising=False)
    return path


def _page(path):
    return switch_to(AppTest.from_file(DASHBOARD, default_timeout=60), "app_pages/briefing.py")


def _add(at, name, url, kind="webhook", secret="", unit=None, password=""):
    next(t for t in at.text_input if t.label == "名称").set_value(name)
    next(t for t in at.text_input if t.label == "地址").set_value(url)
    next(t for t in at.text_input if t.label.startswith("加签密钥")).set_value(secret)
    next(t for t in at.text_input if t.label.startswith("邮件口令")).set_value(password)
    next(s for s in at.selectbox if s.label == "种类").set_value(kind)
    if unit is not None:
        next(s for s in at.selectbox if s.label.startswith("单位")).set_value(unit)
    return at.button(key="FormSubmitter:ad_channel_add-新建渠道").click().run()


def _text(elements):
    """页面上的字经 md 转义（反斜杠、网址的 :// 后加零宽空格）：去掉再比。"""
    return [e.value.replace("\\", "").replace("\u200b", "") for e in elements]


def test_admin_adds_channels_on_the_page_with_the_cli_checks_and_no_secret_in_the_audit(small, hook):
    at = _page(small)
    at = _add(at, "值班群", "ftp://files.example/x")
    assert _text(at.error) == ["通用 Webhook的地址必须以 http:// 或 https:// 开头，实际为 ftp://files.example/x"]
    at = _add(at, "坏 名字", f"{hook.url}/x")
    assert "渠道名只能用汉字、字母、数字、点、下划线与连字符" in _text(at.error)[0]
    at = _add(at, "群", f"{hook.url}/x")
    assert _text(at.error) == ["已有叫 '群' 的渠道：换个名称，或先删掉原来的再新建"]
    assert [c.name for c in channels.listing(small)] == ["群"]
    at = _add(at, "值班群", f"{hook.url}/x?key=abcdefgh12345678")
    assert _text(at.success) == [f"已新建渠道 值班群：通用 Webhook {hook.url}/x?key=ab…78"]
    at = _add(at, "钉钉群", f"{hook.url}/robot/send?access_token=t0k3nT0k3nT0k3n99", kind="dingtalk", secret="SECp4ge")
    assert _text(at.success) == [
        f"已新建渠道 钉钉群：钉钉/浙政钉群机器人 {hook.url}/robot/send?access_token=t0…99，加签"
    ]
    assert channels.secret(small, "钉钉群") == (f"{hook.url}/robot/send?access_token=t0k3nT0k3nT0k3n99", "SECp4ge")
    rows = statedb.audit(small, 2, action="设推送渠道")
    assert [(r["user"], r["page"], r["detail"]) for r in rows] == [
        ("测试管理员", "通报导出", f"钉钉群：钉钉/浙政钉群机器人 {hook.url}/robot/send?access_token=t0…99；加签"),
        ("测试管理员", "通报导出", f"值班群：通用 Webhook {hook.url}/x?key=ab…78"),
    ]
    table = next(df.value for df in at.dataframe if "地址（密钥已遮住）" in df.value.columns)
    assert list(table["名称"]) == ["值班群", "群", "钉钉群"] and list(table["加签"]) == ["", "", "有"]
    for secret in ("abcdefgh12345678", "t0k3nT0k3nT0k3n99", "SECp4ge"):
        assert secret not in table.to_string()  # 表里遮住了（口令框提交后由浏览器清空：浏览器测试看）
        assert all(secret not in str(r) for r in statedb.audit(small, None))
    assert hook.requests == []


def test_admin_adds_an_email_channel_with_its_password_in_its_own_box(small):
    """口令含 @、: 时写进地址很难：单独一栏，存进密钥文件，表、提示与审计里都没有。"""
    at = _page(small)
    at = _add(at, "值班群", "https://hooks.example.gov.cn/x?key=abcdefgh1234", password="p@ss:1")
    assert _text(at.error) == ["只有邮件渠道有口令"]
    at = _add(at, "邮件", "smtp://mail.xx.gov.cn:25?to=a@xx.gov.cn", kind="email", password="p@ss:1")
    assert _text(at.error) == ["给了口令但地址里没有用户名（smtp://用户名@服务器:端口?…）"]
    at = _add(at, "邮件", "smtp://kanban@mail.xx.gov.cn:25?to=a@xx.gov.cn", kind="email", password="p@ss:1")
    assert _text(at.success) == ["已新建渠道 邮件：内网邮件 smtp://kanban@mail.xx.gov.cn:25?to=a@xx.gov.cn"]
    assert channels.secret(small, "邮件") == ("smtp://kanban@mail.xx.gov.cn:25?to=a@xx.gov.cn", "p@ss:1")
    table = next(df.value for df in at.dataframe if "地址（密钥已遮住）" in df.value.columns)
    assert "p@ss:1" not in table.to_string()
    assert all("p@ss:1" not in str(r) for r in statedb.audit(small, None))


def test_admin_sends_a_test_message_and_a_failure_is_chinese_and_audited(small, hook):
    channels.add(small, "值班群", "webhook", f"{hook.url}/x?key=abcdefgh12345678", "测试")
    at = _page(small)
    next(s for s in at.selectbox if s.label == "渠道").set_value("值班群")
    at = at.button(key="ad_channel_test").click().run()
    assert _text(at.success) == ["已给渠道 值班群 发出一条测试消息，请到群里或收件箱看是否收到。"]
    assert hook.json_bodies() == [
        {
            "title": "创文看板测试消息",
            "text": "创文看板测试消息：测试管理员 在看板上试发，收到说明渠道 值班群 设置正确。",
        }
    ]
    hook.answer = (404, {})
    at = at.button(key="ad_channel_test").click().run()
    assert _text(at.error) == [
        f"测试消息没有发出：渠道 值班群（{hook.url}/x?key=ab…78）回答 HTTP 404，没有收下消息："
        "请检查地址与机器人设置（重试也一样，不再重试）"
    ]
    rows = statedb.audit(small, 2, action="发测试消息")
    assert [r["detail"] for r in rows] == [
        f"渠道 值班群：没有发出：渠道 值班群（{hook.url}/x?key=ab…78）回答 HTTP 404，没有收下消息："
        "请检查地址与机器人设置（重试也一样，不再重试）",
        "渠道 值班群：已发出",
    ]
    assert {r["page"] for r in rows} == {"通报导出"}


def test_removing_a_channel_asks_first_and_a_schedule_still_naming_it_is_flagged(small):
    at = _page(small)
    at = at.button(key="ad_channel_drop").click().run()
    assert _text(at.warning) == [
        "确认删除渠道 群（连同它的密钥）？每周通报还写着它：删除后不会再发到它，请之后改选渠道。"
    ]
    at = at.button(key="ad_channel_drop_no").click().run()
    assert [c.name for c in channels.listing(small)] == ["群"] and not at.warning
    at = at.button(key="ad_channel_drop").click().run()
    at = at.button(key="ad_channel_drop_yes").click().run()
    assert channels.listing(small) == []
    assert _text(at.success) == ["已删除渠道 群。"]
    assert _text(at.warning) == [
        "渠道 群 已删除，每周通报还写着它：运行时不会发到它（计划的发送记为“渠道已删除，没有发”），请在下面改选渠道并保存"
    ]
    (row,) = statedb.audit(small, 1, action="删推送渠道")
    assert (row["user"], row["detail"], row["page"]) == ("测试管理员", "群", "通报导出")
    lines = runner.run_due(small, datetime(2026, 11, 20, 17, 0), runner.Options(png=False, pdf=False))
    assert lines[-1] == "推送失败：weekly 2026-W47 → 渠道 群：渠道 群 已删除，没有发，不再重试"
    assert len(archive_rows := runner.runs(small)) == 1 and archive_rows[0]["状态"] == "完成"  # 存档照旧


def test_a_failed_build_shows_its_attempts_and_next_retry_on_the_page(small, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("模板写错了")

    monkeypatch.setattr(briefing, "build_bundle", broken)
    runner.run_due(small, datetime(2026, 11, 20, 17, 0), runner.Options(png=False, pdf=False))
    at = _page(small)
    assert "每周通报 2026-W47 生成失败（已试 1 次）：模板写错了；2026-11-20 17:05 重试" in _text(at.warning)
    table = next(df.value for df in at.dataframe if "已试次数" in df.value.columns)
    assert table[["状态", "已试次数", "下次重试"]].values.tolist() == [["失败，待重试", 1, "2026-11-20 17:05:00"]]


@pytest.mark.parametrize("role", ["领导", "创建办"])
def test_other_roles_see_none_of_the_dispatch_settings(small, role):
    app = AppTest.from_file(DASHBOARD, default_timeout=60)
    app.session_state[SIGNED_IN] = login_token(small, f"测试{role}", role)
    at = switch_to(app, "app_pages/briefing.py")
    assert [t.value for t in at.title] == ["通报导出"]
    assert not [h for h in at.header if "定时通报" in h.value]
    assert not [t for t in at.text_input if t.label == "地址"] and not [
        b for b in at.button if b.key == "ad_channel_test"
    ]
    assert not [df for df in at.dataframe if "地址（密钥已遮住）" in df.value.columns]
    assert [r for r in accounts.ROLES if accounts.Viewer("x", r).may("dispatch")] == ["管理员"]


def test_a_new_database_shows_chinese_lines_not_empty_tables(tmp_path, monkeypatch):
    """新库没有渠道、运行与发送：各说一句中文，不放空表（st.dataframe 的空表写着英文“empty”）。"""
    path = build_briefing_db(tmp_path / "new.duckdb")
    monkeypatch.setenv("CHUANGWEN_DB", str(path))
    monkeypatch.delenv("CHUANGWEN_TARGET_RANK", raising=False)
    at = _page(path)
    assert [df for df in at.dataframe if df.value.empty] == []
    captions = [c.value for c in at.caption]
    assert "还没有运行记录：到了计划的时间由定时任务生成（或命令行 chuangwen schedule run）。" in captions
    assert "还没有发送记录。" in captions
    assert "还没有渠道：在左边新建（或用 chuangwen channel add）。" in _text(at.info)
