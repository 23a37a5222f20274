"""定时通报（issue 33）：假时钟下按时只运行一次、两个运行者只发一次、错过的补一次、消息逐字、单位渠道只收本单位的、
密钥不进日志与审计、各种坏输入的中文说明。假 Webhook 与假 SMTP 都在本机（tests/fakes.py）。

小库（tests/data/shared）：数据截至 2026-11-15 18:00；在办 P3–P8 六条，逾期 P3（交警大队 D02，期限 11-10 10:00）与
P7（城管局 D01，期限 10-08 08:00）两条；本周（11-08 18:00, 11-15 18:00] 销号只有 P2 一条且逾期销号 → 按期销号率 0.0%；
负面清单 P6（N02）、P8（N01 一票否决），牵头都是城关街道 T01。
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import stat
import threading
from datetime import datetime
from email.header import decode_header, make_header

import pytest

from chuangwen import statedb
from chuangwen.dispatch import alerts, archive, channels, runner, schedules, senders
from tests import fakes
from tests.builders import build_briefing_db

FRIDAY = datetime(2026, 11, 20, 17, 0)  # 2026-11-20 是星期五
FAST = runner.Options(png=False, pdf=False)
SECRET = "tok3nS3cretValue42"


@pytest.fixture
def hook():
    got, server = fakes.start_hook()
    yield got
    server.shutdown()
    server.server_close()


@pytest.fixture
def inbox():
    got, server = fakes.start_smtp()
    yield got
    server.shutdown()
    server.server_close()


@pytest.fixture
def db(tmp_path):
    path = build_briefing_db(tmp_path / "b.duckdb")
    schedules.set_schedule(path, "monthly", "测试", enabled=False)  # 只看每周通报
    for kind in alerts.RULES:
        alerts.set_rule(path, kind, "测试", enabled=False)  # 提醒另测
    return path


def _weekly_to(db, hook, name="群", kind="webhook", path="/hook"):
    channels.add(db, name, kind, f"{hook.url}{path}?token={SECRET}", "测试")
    schedules.set_schedule(db, "weekly", "测试", at_text="fri 17:00", channels=[name])


def test_weekly_job_runs_once_at_its_time_with_a_fake_clock(db, hook):
    _weekly_to(db, hook)
    assert runner.run_due(db, datetime(2026, 11, 20, 16, 59), FAST) == []
    assert hook.requests == []
    lines = runner.run_due(db, FRIDAY, FAST)
    assert lines[0] == (
        "每周通报 2026-W47：已生成并存档 甲县创建文明城市工作周通报 第46期，数据截至 2026年11月15日 18:00，"
        f"数据指纹 {lines[0].split('数据指纹 ')[1][:12]}；待发 1 个渠道"
    )
    assert lines[1] == "已发出：weekly 2026-W47 → 渠道 群"
    assert len(hook.requests) == 1
    assert runner.run_due(db, datetime(2026, 11, 20, 17, 30), FAST) == [
        "每周通报 2026-W47：这一期已运行过（或正由别的运行者运行），不再运行"
    ]
    assert len(hook.requests) == 1
    runner.run_due(db, datetime(2026, 11, 27, 17, 1), FAST)  # 下一周：第 47 期，期号接着编
    assert [b["期号"] for b in hook.json_bodies()] == ["第46期", "第47期"]


def test_generic_webhook_message_is_exact_on_tiny_data(db, hook):
    _weekly_to(db, hook)
    runner.run_due(db, FRIDAY, FAST)
    (body,) = hook.json_bodies()
    assert len(body.pop("fingerprint")) == 64
    assert body == {
        "title": "甲县创建文明城市工作周通报",
        "期号": "第46期",
        "issue_no": 46,
        "period": "2026-W47",
        "period_text": "11月8日18时至11月15日18时",
        "data_cutoff": "2026年11月15日 18:00",
        "late": False,
        "headline": {
            "名次": "在全省 4 个县（市、区）中排第 2 名（2025年度测评）",
            "在办": "6 条",
            "逾期": "2 条",
            "按期销号率": "0.0%",
            "红榜（部门）": "无（没有符合资格的单位）",
            "黑榜（部门）": "无",
            "红榜（镇街）": "无（没有符合资格的单位）",
            "黑榜（镇街）": "无",
        },
        "files": [
            {"name": "甲县周通报_第46期_20261115.pptx", "url": None},
            {"name": "甲县周通报_第46期_20261115.docx", "url": None},
            {"name": "甲县周通报_第46期_20261115_督办单.zip", "url": None},
        ],
    }


def test_links_point_at_the_archive_on_the_dashboard(db, hook, monkeypatch):
    monkeypatch.setenv("CHUANGWEN_PUBLIC_URL", "https://kanban.example.gov.cn/")
    _weekly_to(db, hook)
    runner.run_due(db, FRIDAY, FAST)
    (issue,) = archive.issues(db)
    urls = {f["url"] for f in hook.json_bodies()[0]["files"]}
    assert urls == {f"https://kanban.example.gov.cn/briefing?archive={issue['id']}"}


def test_wecom_gets_the_markdown_summary_then_the_file(db, hook):
    _weekly_to(db, hook, name="企微", kind="wecom", path="/cgi-bin/webhook/send")
    runner.run_due(db, FRIDAY, FAST)
    first, second = hook.json_bodies()
    digest = archive.issues(db)[0]["digest"][:12]
    assert first == {
        "msgtype": "markdown",
        "markdown": {
            "content": "**甲县创建文明城市工作周通报 第46期**\n"
            "> 统计区间：11月8日18时至11月15日18时\n"
            "> 数据截至：2026年11月15日 18:00\n"
            "> 名次：在全省 4 个县（市、区）中排第 2 名（2025年度测评）\n"
            "> 在办：6 条\n"
            "> 逾期：2 条\n"
            "> 按期销号率：0.0%\n"
            "> 红榜（部门）：无（没有符合资格的单位）\n"
            "> 黑榜（部门）：无\n"
            "> 红榜（镇街）：无（没有符合资格的单位）\n"
            "> 黑榜（镇街）：无\n"
            f"> 数据指纹：{digest}\n"
            "文件：甲县周通报_第46期_20261115.pptx、甲县周通报_第46期_20261115.docx、甲县周通报_第46期_20261115_督办单.zip"
        },
    }
    assert second == {"msgtype": "file", "file": {"media_id": "MEDIA1"}}
    (upload,) = hook.uploads()
    assert 'filename="甲县周通报_第46期_20261115.docx"' in upload.decode("utf-8", "replace")


def test_dingtalk_gets_markdown_with_the_summary(db, hook):
    _weekly_to(db, hook, name="钉钉", kind="dingtalk", path="/robot/send")
    runner.run_due(db, FRIDAY, FAST)
    (body,) = hook.json_bodies()
    assert body["msgtype"] == "markdown"
    assert body["markdown"]["title"] == "甲县创建文明城市工作周通报 第46期"
    assert "> 数据截至：2026年11月15日 18:00\n" in body["markdown"]["text"]


def test_two_runners_at_once_send_once(db, hook):
    _weekly_to(db, hook)
    results: list[list[str]] = []
    threads = [threading.Thread(target=lambda: results.append(runner.run_due(db, FRIDAY, FAST))) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(hook.requests) == 1
    assert sorted(r[0].split("：")[1][:4] for r in results) == ["已生成并", "这一期已"]
    with statedb.connect(db) as con:
        assert con.execute("select count(*) from dispatch_run").fetchone()[0] == 1
        assert con.execute("select count(*) from dispatch_issue").fetchone()[0] == 1


def test_a_missed_run_catches_up_once_marked_late(db, hook):
    _weekly_to(db, hook)
    monday = datetime(2026, 11, 23, 9, 0)  # 周五到周一服务停着
    lines = runner.run_due(db, monday, FAST)
    assert "第46期（补运行）" in lines[0]
    assert hook.json_bodies()[0]["late"] is True
    assert runner.run_due(db, datetime(2026, 11, 23, 9, 1), FAST)[0].endswith("不再运行")
    assert len(hook.requests) == 1
    assert runner.runs(db)[0]["补运行"] == "是"


def test_a_runner_that_died_mid_build_is_taken_over_once_and_the_issue_number_kept(db, hook):
    """上一个运行者生成到一半死掉（同一台机器上进程没了）：下一次运行接过这一期，只发一次；活着的运行者的不接。"""
    import socket

    _weekly_to(db, hook)
    with statedb.connect(db) as con:
        con.execute(
            "insert into dispatch_run (job, period, slot, started_at, late, status, runner)"
            " values ('weekly', '2026-W47', '2026-11-20 17:00:00', '2026-11-20 17:00:00', 0, 'running', ?)",
            (f"{socket.gethostname()}:{os.getpid()}",),  # 活着的（就是这个进程）：还在生成，不接
        )
    assert runner.run_due(db, datetime(2026, 11, 20, 17, 5), FAST)[0].endswith("不再运行")
    with statedb.connect(db) as con:
        con.execute("update dispatch_run set runner = ?", (f"{socket.gethostname()}:{2**22 + 12345}",))  # 没有这个进程
    lines = runner.run_due(db, datetime(2026, 11, 20, 17, 10), FAST)
    assert "已生成并存档 甲县创建文明城市工作周通报 第46期" in lines[0]
    assert runner.run_due(db, datetime(2026, 11, 20, 17, 15), FAST)[0].endswith("不再运行")
    assert len(hook.requests) == 1
    with statedb.connect(db) as con:
        assert con.execute("select count(*) from audit_event where action = '接续定时生成'").fetchone()[0] == 1


def test_a_new_schedule_does_not_catch_up_an_old_week(db, hook):
    _weekly_to(db, hook)
    assert runner.run_due(db, datetime(2026, 11, 25, 10, 0), FAST) == []  # 周三：上周五那期已过 3 天
    assert hook.requests == []


def test_issue_numbers_never_repeat_or_skip_within_a_year(tmp_path):
    path = tmp_path / "x.duckdb"
    numbers = [
        archive.reserve(path, "week", 2026, p).issue_no for p in ("2026-W47", "2026-W48", "2026-W47", "2026-W50")
    ]
    assert numbers == [1, 2, 1, 3]
    assert archive.reserve(path, "week", 2027, "2027-W01").issue_no == 1
    assert archive.reserve(path, "month", 2026, "2026-11").issue_no == 1


def test_archive_keeps_files_with_period_fingerprint_and_time_and_checks_them(db, hook):
    _weekly_to(db, hook)
    runner.run_due(db, FRIDAY, FAST)
    (issue,) = archive.issues(db)
    assert (issue["issue_no"], issue["period"], issue["cutoff"]) == (46, "2026-W47", "2026年11月15日 18:00")
    assert len(issue["digest"]) == 64 and issue["created_at"]
    names = [f["name"] for f in archive.files(db, issue["id"])]
    assert names == [
        "甲县周通报_第46期_20261115.pptx",
        "甲县周通报_第46期_20261115.docx",
        "甲县周通报_第46期_20261115_督办单.zip",
    ]
    data = archive.read(db, issue["id"], names[0])
    assert data[:2] == b"PK"
    stored = archive.root(db) / archive.files(db, issue["id"])[0]["path"]
    assert stat.S_IMODE(os.stat(stored).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(archive.root(db)).st_mode) == 0o700
    stored.write_bytes(b"changed")
    with pytest.raises(ValueError, match="SHA-256 不符"):
        archive.read(db, issue["id"], names[0])


def test_a_unit_channel_gets_only_its_own_notice_and_alerts(db, hook):
    channels.add(db, "城管局", "webhook", f"{hook.url}/d01?token={SECRET}", "测试", unit_code="D01")
    channels.add(db, "交警", "webhook", f"{hook.url}/d02?token={SECRET}", "测试", unit_code="D02")
    schedules.set_schedule(db, "weekly", "测试", channels=["城管局", "交警"])
    alerts.set_rule(db, "overdue_days", "测试", threshold=5)
    runner.run_due(db, FRIDAY, FAST)
    by_path: dict[str, list[dict]] = {}
    for path, body in hook.requests:
        by_path.setdefault(path.split("?")[0], []).append(json.loads(body))
    d01, d02 = by_path["/d01"], by_path["/d02"]
    assert [m["title"] for m in d01] == ["城管局整改督办单 第46期", "问题逾期达到 5 天"]
    assert [m["title"] for m in d02] == ["交警大队整改督办单 第46期", "问题逾期达到 5 天"]
    assert d01[0]["headline"] == {"牵头逾期": 1, "7天内到期": 0, "配合逾期": 1}  # P7 牵头；P3 配合
    assert d02[0]["headline"] == {"牵头逾期": 1, "7天内到期": 1, "配合逾期": 0}  # P3 牵头；P4 期限 11-17
    assert d01[1]["text"] == (
        "【逾期提醒】城管局：问题 P7（南门农贸市场：出店经营反弹）整改期限 2026-10-08 08:00，"
        "到 2026-11-15 18:00 已逾期 39 天（提醒线 5 天）。数据截至 2026年11月15日 18:00。"
    )
    assert "P7" not in json.dumps(d02, ensure_ascii=False)
    assert "P3" in d02[1]["text"] and "P3" not in d01[1]["text"]
    assert not any(m.get("unit_code") not in ("D01", None) for m in d01)


def test_alerts_go_once_per_rule_subject_and_crossing_and_show_when_sent(db, hook):
    channels.add(db, "创建办", "webhook", f"{hook.url}/office?token={SECRET}", "测试")
    alerts.set_rule(db, "negative_list", "测试", channels=["创建办"])
    alerts.set_rule(db, "unit_overdue", "测试", threshold=1, channels=["创建办"])
    runner.run_due(db, FRIDAY, FAST)
    texts = [b["text"] for b in hook.json_bodies()]  # 一票否决项在前
    assert texts == [
        "【负面清单·一票否决】城关街道：问题 P8（城关街道：施工现场安全隐患）触及负面清单“发生重大安全生产事故”，"
        "当前状态 已交办，发现于 2026-11-14 15:00。数据截至 2026年11月15日 18:00。",
        "【负面清单】城关街道：问题 P6（南门农贸市场：垃圾桶破损）触及负面清单“发生严重破坏公共设施事件”，当前状态 退回整改，"
        "发现于 2026-11-13 13:00。数据截至 2026年11月15日 18:00。",
    ]
    runner.run_due(db, datetime(2026, 11, 21, 9, 0), FAST)
    assert len(hook.requests) == 2  # 同样的越线不再提醒
    listed = alerts.listing(db)
    assert [r["发送"] for r in listed] == [f"创建办：已发 {FRIDAY:%Y-%m-%d %H:%M:%S}"] * 2
    assert alerts.listing(db, unit_code="D01") == []


def test_unit_overdue_crossing_counts_again_after_dropping_below(db):
    found = [alerts.Found("D01", ">1", "D01", "x")]
    with statedb.connect(db) as con:
        assert [f.crossing for f in alerts._episodes(con, "unit_overdue", found)] == [">1#1"]
        assert [f.crossing for f in alerts._episodes(con, "unit_overdue", found)] == [">1#1"]
        alerts._episodes(con, "unit_overdue", [])
        assert [f.crossing for f in alerts._episodes(con, "unit_overdue", found)] == [">1#2"]


# ---------------------------------------------------------------- 坏输入


def test_unreachable_webhook_retries_with_back_off_and_keeps_the_archive(db, hook, caplog):
    channels.add(db, "群", "webhook", f"http://127.0.0.1:9/hook?token={SECRET}", "测试")  # 端口 9 没人听
    schedules.set_schedule(db, "weekly", "测试", channels=["群"])
    lines = runner.run_due(db, FRIDAY, FAST)
    assert lines[-1] == (
        "推送失败：weekly 2026-W47 → 渠道 群：连不上渠道 群（http://127.0.0.1:9/hook?token=to…42）："
        "对方拒绝连接（服务没开或端口不对），稍后重试，2026年11月20日 17:05 重试"
    )
    assert "连不上渠道 群" in caplog.text
    assert len(archive.issues(db)) == 1  # 存档照旧
    assert runner.run_due(db, datetime(2026, 11, 20, 17, 2), FAST)[-1].endswith("不再运行")  # 没到重试时刻
    channels.add(db, "群", "webhook", f"{hook.url}/hook?token={SECRET}", "测试")  # 修好地址
    assert runner.run_due(db, datetime(2026, 11, 20, 17, 6), FAST)[-1] == "已发出：weekly 2026-W47 → 渠道 群"
    runner.run_due(db, datetime(2026, 11, 20, 18, 0), FAST)
    assert len(hook.requests) == 1


def test_a_4xx_answer_is_not_retried_and_shows_in_chinese(db, hook):
    hook.answer = (404, {"error": "no"})
    _weekly_to(db, hook)
    lines = runner.run_due(db, FRIDAY, FAST)
    assert lines[-1].startswith("推送失败：weekly 2026-W47 → 渠道 群：渠道 群")
    assert "回答 HTTP 404，没有收下消息：请检查地址与机器人设置（重试也一样，不再重试），不再重试" in lines[-1]
    runner.run_due(db, datetime(2026, 11, 21, 17, 0), FAST)
    assert len(hook.requests) == 1
    (row,) = runner.deliveries(db)
    assert (row["状态"], row["已试次数"]) == ("没有发出", 1)


def test_a_robot_errcode_is_a_refusal(db, hook):
    hook.answer = (200, {"errcode": 93000, "errmsg": "invalid webhook url"})
    _weekly_to(db, hook, name="企微", kind="wecom", path="/cgi-bin/webhook/send")
    line = runner.run_due(db, FRIDAY, FAST)[-1]
    assert "拒收：错误码 93000（invalid webhook url）" in line


def test_a_file_over_the_wecom_limit_is_not_sent_but_the_summary_is(db, hook, monkeypatch):
    monkeypatch.setattr(senders, "WECOM_FILE_LIMIT", 1024)
    _weekly_to(db, hook, name="企微", kind="wecom", path="/cgi-bin/webhook/send")
    line = runner.run_due(db, FRIDAY, FAST)[-1]
    (issue,) = archive.issues(db)
    size = next(f["size"] for f in archive.files(db, issue["id"]) if f["name"].endswith(".docx"))
    assert line == (
        f"已发出：weekly 2026-W47 → 渠道 企微（甲县周通报_第46期_20261115.docx 有 {size / 1024 / 1024:.1f} MB，"
        "超过企业微信的上限 0.0 MB，没有发这个文件（摘要已发，存档里有））"
    )
    assert [b["msgtype"] for b in hook.json_bodies()] == ["markdown"]
    assert hook.uploads() == []
    runner.run_due(db, datetime(2026, 11, 20, 18, 0), FAST)
    assert len(hook.requests) == 1
    assert runner.deliveries(db)[0]["状态"] == "已发出（部分文件没发）"


def test_email_goes_through_smtp_with_the_pdf_or_word_attached(db, inbox):
    channels.add(
        db,
        "邮件",
        "email",
        f"smtp://kanban@127.0.0.1:{inbox.port}?from=kanban@xx.gov.cn&to=a@xx.gov.cn,b@xx.gov.cn",
        "测试",
        password="right",
    )
    schedules.set_schedule(db, "weekly", "测试", channels=["邮件"])
    assert runner.run_due(db, FRIDAY, FAST)[-1] == "已发出：weekly 2026-W47 → 渠道 邮件"
    (mail,) = inbox.mails
    assert inbox.logins == [("kanban", "right")]
    assert mail["To"] == "a@xx.gov.cn, b@xx.gov.cn"
    assert str(make_header(decode_header(mail["Subject"]))) == "甲县创建文明城市工作周通报 第46期"
    parts = [p.get_filename() for p in mail.walk() if p.get_filename()]
    assert parts == ["甲县周通报_第46期_20261115.docx"]


def test_smtp_login_failure_is_chinese_and_not_retried(db, inbox, caplog):
    channels.add(
        db, "邮件", "email", f"smtp://kanban@127.0.0.1:{inbox.port}?to=a@xx.gov.cn", "测试", password="wrong-pass-1"
    )
    schedules.set_schedule(db, "weekly", "测试", channels=["邮件"])
    line = runner.run_due(db, FRIDAY, FAST)[-1]
    assert f"邮件服务器拒绝登录（渠道 邮件，smtp://kanban@127.0.0.1:{inbox.port}?to=a@xx.gov.cn）：" in line
    assert line.endswith("用户名或口令不对，请重新设置渠道（不再重试），不再重试")
    assert inbox.mails == []
    assert "wrong-pass-1" not in caplog.text


@pytest.mark.parametrize(
    ("job", "text", "message"),
    [
        ("weekly", "每周八", "每周通报的时间 '每周八' 写法不对：应为 星期 时:分，例如 fri 17:00（或 周五 17:00）"),
        ("weekly", "fri 25:00", "时间 'fri 25:00' 写法不对：时刻应为 时:分（24 小时制），例如 'fri 17:00'"),
        (
            "monthly",
            "31 09:00",
            "每月通报的时间 '31 09:00' 写法不对：应为 几号（1–28） 时:分，例如 1 09:00（每月 1 日 9 点）",
        ),
        (
            "round",
            "fri 09:00",
            "测评轮次通报的时间 'fri 09:00' 写法不对：只写时:分（轮次结束后第二天的这个时刻），例如 '09:00'",
        ),
    ],
)
def test_malformed_schedule_is_a_chinese_error(job, text, message):
    with pytest.raises(schedules.ScheduleError) as err:
        schedules.parse(job, text)
    assert str(err.value) == message


def test_chinese_weekdays_parse():
    assert schedules.parse("weekly", "周五 17:00") == schedules.When(4, None, datetime(2026, 1, 1, 17, 0).time())


@pytest.mark.parametrize(
    ("job", "text", "shown"),
    [
        ("weekly", "fri 17:00", "周五 17:00"),
        ("weekly", "Sunday 7:05", "周日 07:05"),
        ("weekly", "星期天 9：30", "周日 09:30"),
        ("monthly", "1 09:00", "1日 09:00"),
        ("monthly", "28号 18:00", "28日 18:00"),
        ("round", "9:00", "09:00"),
        ("weekly", "每周八", "每周八"),  # 写错的原样给回，好让人改
    ],
)
def test_the_page_shows_schedule_times_in_chinese_that_parse_back(job, text, shown):
    assert schedules.chinese(job, text) == shown
    if shown != text or job == "round":
        assert schedules.parse(job, shown) == schedules.parse(job, text)


@pytest.mark.parametrize(
    ("kind", "url", "message"),
    [
        ("webhook", "ftp://host/x", "通用 Webhook的地址必须以 http:// 或 https:// 开头，实际为 ftp://host/x"),
        (
            "wecom",
            "javascript:alert(1)",
            "企业微信/政务微信群机器人的地址必须以 http:// 或 https:// 开头，实际为 javascript:alert(1)",
        ),
        (
            "email",
            "smtp://mail.xx.gov.cn:25",
            "邮件渠道的地址缺少收件人（?to=地址，多个用逗号分开）：smtp://mail.xx.gov.cn:25",
        ),
    ],
)
def test_channel_url_that_is_not_right_is_refused(tmp_path, kind, url, message):
    with pytest.raises(channels.ChannelError) as err:
        channels.add(tmp_path / "x.duckdb", "群", kind, url, "测试")
    assert str(err.value) == message
    assert channels.listing(tmp_path / "x.duckdb") == []


def test_schedule_refuses_unknown_channels(db):
    with pytest.raises(schedules.ScheduleError, match="没有这些渠道：不存在"):
        schedules.set_schedule(db, "weekly", "测试", channels=["不存在"])


def test_secrets_stay_out_of_logs_audit_state_db_and_listing(db, hook, caplog):
    caplog.set_level(logging.DEBUG)
    hook.answer = (500, {})
    _weekly_to(db, hook)
    runner.run_due(db, FRIDAY, FAST)
    shown = channels.listing(db)[0].shown_url
    assert shown == f"{hook.url}/hook?token=to…42"
    assert SECRET not in caplog.text
    assert all(SECRET not in json.dumps(r, ensure_ascii=False) for r in statedb.audit(db, None))
    raw = sqlite3.connect(statedb.state_path(db)).execute("select group_concat(shown_url) from dispatch_channel")
    assert SECRET not in raw.fetchone()[0]
    assert SECRET.encode() not in statedb.state_path(db).read_bytes()
    assert stat.S_IMODE(os.stat(channels.secrets_path(db)).st_mode) == 0o600
    assert channels.secret(db, "群")[0].endswith(SECRET)


def test_schedule_changes_are_audited(db):
    channels.add(db, "群", "webhook", "https://robot.example/send?key=abcdefgh12345678", "管理员甲")
    schedules.set_schedule(db, "weekly", "管理员甲", at_text="周五 16:30", channels=["群"])
    rows = statedb.audit(db, 2, user="管理员甲")
    assert [(r["action"], r["detail"]) for r in rows] == [
        ("改定时通报", "每周通报：开，周五 16:30，渠道 群"),
        ("设推送渠道", "群：通用 Webhook https://robot.example/send?key=ab…78"),
    ]


@pytest.mark.parametrize(
    ("job", "at", "now", "slot", "period"),
    [
        ("weekly", "fri 17:00", datetime(2026, 11, 20, 17, 0), datetime(2026, 11, 20, 17, 0), "2026-W47"),
        ("weekly", "fri 17:00", datetime(2026, 11, 20, 16, 59), datetime(2026, 11, 13, 17, 0), "2026-W46"),
        ("weekly", "周日 08:00", datetime(2027, 1, 3, 9, 0), datetime(2027, 1, 3, 8, 0), "2026-W53"),
        ("monthly", "1 09:00", datetime(2026, 12, 1, 8, 59), datetime(2026, 11, 1, 9, 0), "2026-11"),
        ("monthly", "1 09:00", datetime(2027, 1, 1, 9, 0), datetime(2027, 1, 1, 9, 0), "2027-01"),
    ],
)
def test_latest_slot_and_period(job, at, now, slot, period):
    got = schedules.latest_slot(job, schedules.parse(job, at), now)
    assert (got, schedules.period_key(job, got)) == (slot, period)


def test_round_job_is_due_the_day_after_a_round_closes():
    when = schedules.parse("round", "09:00")
    ends = [("R1", datetime(2026, 6, 30).date()), ("R2", datetime(2026, 11, 10).date())]
    assert schedules.latest_slot("round", when, datetime(2026, 11, 11, 8, 59), ends) == datetime(2026, 7, 1, 9, 0)
    assert schedules.latest_slot("round", when, datetime(2026, 11, 11, 9, 0), ends) == datetime(2026, 11, 11, 9, 0)
    assert schedules.latest_slot("round", when, datetime(2026, 6, 1), ends) is None
    assert schedules.period_key("round", datetime(2026, 11, 11, 9, 0), "R2") == "R2"
