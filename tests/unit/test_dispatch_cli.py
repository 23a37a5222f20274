"""命令行 chuangwen channel / schedule / alert（名称固定，运维写进手册）与 issue 33 的门槛：
示例库上，通用 Webhook 渠道、每周五 17:00 的周通报，`schedule run --now "2026-11-20 17:05"` 恰好发一条、写明第几期与数据截至；
同一命令再运行一次，什么也不再发。"""

from __future__ import annotations

import pytest

from chuangwen import cli, demo
from tests import fakes

SECRET = "k3yK3yK3yK3yK3y99"


@pytest.fixture
def hook():
    got, server = fakes.start_hook()
    yield got
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    demo.build(path, problems=3000)
    return path


def test_bar_weekly_webhook_posts_once_naming_issue_and_cutoff(demo_db, hook, capsys):
    db = str(demo_db)
    assert (
        cli.main(["channel", "add", "工作群", "--kind", "webhook", "--url", f"{hook.url}/h?key={SECRET}", "--db", db])
        == 0
    )
    assert cli.main(["schedule", "set", "weekly", "--at", "fri 17:00", "--channels", "工作群", "--db", db]) == 0
    assert cli.main(["schedule", "set", "monthly", "--off", "--db", db]) == 0
    run = ["schedule", "run", "--now", "2026-11-20 17:05", "--no-png", "--no-pdf", "--db", db]
    capsys.readouterr()
    assert cli.main(run) == 0
    out = capsys.readouterr().out
    assert "每周通报 2026-W47：已生成并存档 " in out and "第46期，数据截至 2026年11月15日 18:00" in out
    assert "已发出：weekly 2026-W47 → 渠道 工作群" in out
    (body,) = hook.json_bodies()
    assert (body["期号"], body["data_cutoff"]) == ("第46期", "2026年11月15日 18:00")
    assert cli.main(run) == 0
    assert capsys.readouterr().out.startswith("每周通报 2026-W47：这一期已运行过")
    assert len(hook.requests) == 1
    assert SECRET not in out


def test_channel_list_masks_and_remove(tiny_db, capsys):
    db = str(tiny_db)
    url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693axxx6-7aoc-4bc4-97a0-0ec2sifa5aaa"
    assert cli.main(["channel", "add", "创建办群", "--kind", "wecom", "--url", url, "--db", db]) == 0
    assert (
        cli.main(
            [
                "channel",
                "add",
                "城管",
                "--kind",
                "dingtalk",
                "--url",
                "https://oapi.dingtalk.com/robot/send?access_token=abcdefabcdef123456",
                "--unit",
                "D01",
                "--db",
                db,
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert cli.main(["channel", "list", "--db", db]) == 0
    assert capsys.readouterr().out == (
        "创建办群\twecom\thttps://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=69…aa\n"
        "城管\tdingtalk\thttps://oapi.dingtalk.com/robot/send?access_token=ab…56\t单位 D01\n"
    )
    assert cli.main(["channel", "remove", "城管", "--db", db]) == 0
    assert cli.main(["channel", "remove", "城管", "--db", db]) == 2
    assert "没有叫 '城管' 的渠道" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["schedule", "set", "weekly", "--at", "每周八"], "每周通报的时间 '每周八' 写法不对"),
        (
            ["channel", "add", "群", "--kind", "webhook", "--url", "file:///etc/passwd"],
            "必须以 http:// 或 https:// 开头",
        ),
        (
            ["channel", "add", "群", "--kind", "webhook", "--url", "https://x.example/h", "--unit", "NOPE"],
            "库里没有单位代码 'NOPE'",
        ),
        (["schedule", "set", "weekly", "--channels", "没有的群"], "没有这些渠道：没有的群"),
        (["alert", "set", "negative_list", "--threshold", "3"], "没有阈值"),
    ],
)
def test_bad_cli_input_exits_2_with_chinese(tiny_db, capsys, argv, message):
    assert cli.main([*argv, "--db", str(tiny_db)]) == 2
    assert message in capsys.readouterr().err


def test_schedule_and_alert_lists(tiny_db, capsys):
    db = str(tiny_db)
    assert cli.main(["alert", "set", "overdue_days", "--threshold", "15", "--db", db]) == 0
    capsys.readouterr()
    assert cli.main(["schedule", "list", "--db", db]) == 0
    assert capsys.readouterr().out == (
        "weekly\t每周通报\t开\tfri 17:00\t渠道 （无）\n"
        "monthly\t每月通报\t开\t1 09:00\t渠道 （无）\n"
        "round\t测评轮次通报\t关\t09:00\t渠道 （无）\n"
    )
    assert cli.main(["alert", "list", "--db", db]) == 0
    assert (
        capsys.readouterr().out.splitlines()[0]
        == "overdue_days\t问题逾期达到 N 天\t开\t阈值 15\t渠道 （只发牵头单位自己的渠道）"
    )
