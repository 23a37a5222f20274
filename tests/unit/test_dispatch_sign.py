"""钉钉/浙政钉机器人的加签（issue 33 续）：地址后带 timestamp（毫秒）与 sign；假机器人（本机）按钉钉开放平台的说法
独立核对，对不上就像钉钉一样拒收（错误码 310000）。加签密钥只在 0600 的密钥文件里，不进状态库、审计、日志、列表。

SIGN 是用 openssl 在测试之外算出的值：
printf '%s\\n%s' 1763629500000 SECd1n9T4lkS3cr3tF0rT3st | openssl dgst -sha256 -hmac SECd1n9T4lkS3cr3tF0rT3st -binary | base64
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import stat
import urllib.parse
from datetime import datetime

import pytest

from chuangwen import cli, statedb
from chuangwen.dispatch import alerts, channels, runner, schedules, senders
from tests import fakes
from tests.builders import build_briefing_db

KEY = "SECd1n9T4lkS3cr3tF0rT3st"
TIMESTAMP = 1763629500000  # 2026-11-20 17:05（北京时间）的毫秒时间戳
SIGN = "IZRiR22H4z87huVYG2ahcEB1KJS6EeV2QGYNwUYVOYI="
TOKEN = "acc3ssT0kenAbcdef123456"
FAST = runner.Options(png=False, pdf=False)


@pytest.fixture
def hook():
    got, server = fakes.start_hook()
    got.sign_secret = KEY
    yield got
    server.shutdown()
    server.server_close()


@pytest.fixture
def db(tmp_path, monkeypatch):
    monkeypatch.setattr(senders, "now_ms", lambda: TIMESTAMP)
    path = build_briefing_db(tmp_path / "b.duckdb")
    schedules.set_schedule(path, "monthly", "测试", enabled=False)
    for kind in alerts.RULES:
        alerts.set_rule(path, kind, "测试", enabled=False)
    return path


def test_the_signature_is_the_documented_hmac_sha256():
    mac = hmac.new(KEY.encode(), f"{TIMESTAMP}\n{KEY}".encode(), hashlib.sha256).digest()
    assert base64.b64encode(mac).decode() == SIGN
    assert senders.dingtalk_sign(KEY, TIMESTAMP) == urllib.parse.quote(SIGN, safe="")  # '+' '/' '=' 都编码
    assert senders.signed_url(f"https://oapi.dingtalk.com/robot/send?access_token={TOKEN}", KEY, TIMESTAMP) == (
        f"https://oapi.dingtalk.com/robot/send?access_token={TOKEN}&timestamp={TIMESTAMP}"
        "&sign=IZRiR22H4z87huVYG2ahcEB1KJS6EeV2QGYNwUYVOYI%3D"
    )


def test_a_signed_dingtalk_channel_is_accepted_by_a_robot_that_checks_the_signature(db, hook, caplog):
    caplog.set_level(logging.DEBUG)
    channels.add(db, "钉钉群", "dingtalk", f"{hook.url}/robot/send?access_token={TOKEN}", "测试", sign_secret=KEY)
    schedules.set_schedule(db, "weekly", "测试", channels=["钉钉群"])
    lines = runner.run_due(db, datetime(2026, 11, 20, 17, 5), FAST)
    assert lines[1] == "已发出：weekly 2026-W47 → 渠道 钉钉群"
    ((path, body),) = hook.requests
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
    assert query == {"access_token": [TOKEN], "timestamp": [str(TIMESTAMP)], "sign": [SIGN]}
    assert json.loads(body)["msgtype"] == "markdown"
    assert KEY not in caplog.text


def test_a_wrong_secret_is_refused_in_chinese_and_not_retried(db, hook, caplog):
    caplog.set_level(logging.DEBUG)
    channels.add(
        db, "钉钉群", "dingtalk", f"{hook.url}/robot/send?access_token={TOKEN}", "测试", sign_secret="SECwrong1"
    )
    schedules.set_schedule(db, "weekly", "测试", channels=["钉钉群"])
    lines = runner.run_due(db, datetime(2026, 11, 20, 17, 5), FAST)
    assert lines[1] == (
        "推送失败：weekly 2026-W47 → 渠道 钉钉群：渠道 钉钉群（"
        f"{hook.url}/robot/send?access_token=ac…56）拒收：加签不对（错误码 310000）：请核对加签密钥"
        "（机器人安全设置里“加签”下 SEC 开头的那串）与服务器时钟（相差不能超过 1 小时），不再重试"
    )
    assert "加签不对" in caplog.text and "SECwrong1" not in caplog.text
    assert runner.deliveries(db)[0]["状态"] == "没有发出"
    assert runner.run_due(db, datetime(2026, 11, 20, 18, 0), FAST)[-1].endswith("不再运行")
    assert len(hook.requests) == 1  # 不重试


def test_without_a_secret_no_signature_is_added(db, hook):
    hook.sign_secret = None
    channels.add(db, "钉钉群", "dingtalk", f"{hook.url}/robot/send?access_token={TOKEN}", "测试")
    schedules.set_schedule(db, "weekly", "测试", channels=["钉钉群"])
    runner.run_due(db, datetime(2026, 11, 20, 17, 5), FAST)
    assert [p for p, _ in hook.requests] == [f"/robot/send?access_token={TOKEN}"]


@pytest.mark.parametrize(
    ("kind", "url", "secret", "message"),
    [
        ("webhook", "https://x.example/h", KEY, "只有钉钉/浙政钉机器人有加签密钥"),
        ("dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=x", "SEC 有空格", "加签密钥写法不对"),
        ("dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=x", "SEC密钥", "加签密钥写法不对"),
    ],
)
def test_a_bad_secret_is_refused(tmp_path, kind, url, secret, message):
    with pytest.raises(channels.ChannelError, match=message):
        channels.add(tmp_path / "x.duckdb", "群", kind, url, "测试", sign_secret=secret)
    assert channels.listing(tmp_path / "x.duckdb") == []


def test_cli_stores_the_secret_only_in_the_0600_secrets_file(tiny_db, capsys):
    db = str(tiny_db)
    url = f"https://oapi.dingtalk.com/robot/send?access_token={TOKEN}"
    assert cli.main(["channel", "add", "钉钉群", "--kind", "dingtalk", "--url", url, "--secret", KEY, "--db", db]) == 0
    assert capsys.readouterr().out == (
        "已设渠道 钉钉群：钉钉/浙政钉群机器人 https://oapi.dingtalk.com/robot/send?access_token=ac…56，加签\n"
    )
    assert cli.main(["channel", "list", "--db", db]) == 0
    assert capsys.readouterr().out == (
        "钉钉群\tdingtalk\thttps://oapi.dingtalk.com/robot/send?access_token=ac…56\t加签\n"
    )
    assert channels.secret(db, "钉钉群") == (url, KEY)
    assert stat.S_IMODE(os.stat(channels.secrets_path(db)).st_mode) == 0o600
    assert KEY.encode() not in statedb.state_path(db).read_bytes()
    (row,) = statedb.audit(db, 1, action="设推送渠道")
    assert row["detail"] == "钉钉群：钉钉/浙政钉群机器人 https://oapi.dingtalk.com/robot/send?access_token=ac…56；加签"
    args = ["channel", "add", "群", "--kind", "webhook", "--url", "https://x.example/h", "--secret", KEY, "--db", db]
    assert cli.main(args) == 2
    assert "只有钉钉/浙政钉机器人有加签密钥" in capsys.readouterr().err
