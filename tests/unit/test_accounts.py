"""账号、登录会话与审计（chuangwen.accounts）：口令与令牌不落明文、一句失败消息、按登录名与地址限速（不锁账号）、
口令策略、闲置过期、退出、改口令与停用都在服务器这边生效。"""

from __future__ import annotations

import io
import sqlite3
from datetime import datetime, timedelta

import pytest

from chuangwen import accounts, cli, statedb

UNITS = {"D01": "城管局", "D02": "住建局"}
T0 = datetime(2026, 12, 1, 9, 0)
PASSWORD = "Right-口令-2026"
NEW_PASSWORD = "New-口令-2026"


@pytest.fixture
def path(tmp_path, monkeypatch):
    monkeypatch.setenv("CHUANGWEN_LOGIN_FREE_ATTEMPTS", "3")
    monkeypatch.setenv("CHUANGWEN_LOGIN_MAX_DELAY", "300")
    monkeypatch.setenv("CHUANGWEN_SESSION_IDLE_MINUTES", "30")
    p = tmp_path / "office.duckdb"  # 状态库在它旁边；账号不需要分析库本身
    accounts.add(p, "王主任", "领导", PASSWORD, units=UNITS, by="测试", now=T0)
    accounts.add(p, "城管局联络员", "责任单位", PASSWORD, unit_code="D01", units=UNITS, by="测试", now=T0)
    return p


def actions(path) -> list[tuple[str, str]]:
    return [(e["user"], e["action"]) for e in reversed(statedb.audit(path))]


def test_login_gives_the_viewer_with_role_and_scope(path):
    leader = accounts.login(path, "王主任", PASSWORD, now=T0).viewer
    unit = accounts.login(path, "城管局联络员", PASSWORD, now=T0).viewer
    assert (leader, leader.scope_unit, unit.scope_unit) == (accounts.Viewer("王主任", "领导", None), None, "D01")


def test_permissions_per_role():
    table = {role: sorted(a for a in accounts.ACTIONS if accounts.Viewer("x", role).may(a)) for role in accounts.ROLES}
    assert table == {
        "领导": ["briefing", "export"],
        "创建办": ["briefing", "export", "import", "settings"],
        "责任单位": ["export"],
        "管理员": ["audit", "briefing", "dispatch", "export", "import", "restore", "rollback", "settings", "users"],
    }
    pages = {
        role: [p for p in ("总览", *accounts.PAGE_NEEDS) if accounts.Viewer("x", role).may_open(p)]
        for role in accounts.ROLES
    }
    assert pages == {
        "领导": ["总览", "通报导出"],
        "创建办": ["总览", "数据管理", "通报导出"],
        "责任单位": ["总览"],
        "管理员": ["总览", "数据管理", "通报导出", "账号与审计"],
    }


def test_neither_password_nor_session_token_is_stored_in_clear(path):
    token = accounts.login(path, "王主任", PASSWORD, now=T0).token
    raw = b"".join(f.read_bytes() for f in path.parent.glob(path.name + ".app.sqlite*"))
    assert (PASSWORD.encode() in raw, token.encode() in raw, b"$argon2id$" in raw) == (False, False, True)


def test_the_delay_doubles_after_the_free_attempts_up_to_the_limit():
    assert [accounts.throttle_delay(n, 3, 300) for n in range(1, 13)] == [0, 0, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300]


def test_wrong_passwords_slow_down_that_name_from_that_address_and_never_lock_the_account(path):
    for _ in range(2):
        with pytest.raises(accounts.AccountError, match="^登录没有成功"):
            accounts.login(path, "王主任", "Wrong-口令-1", client="10.0.0.66", now=T0)
    with pytest.raises(accounts.AccountError, match="^登录没有成功"):  # 第 3 次：之后要等 2 秒
        accounts.login(path, "王主任", "Wrong-口令-1", client="10.0.0.66", now=T0)
    with pytest.raises(accounts.LoginThrottled, match="^尝试太频繁，请 1 秒后再试。$"):  # 等待中：对的口令也不核对
        accounts.login(path, "王主任", PASSWORD, client="10.0.0.66", now=T0 + timedelta(seconds=1))
    # 别的地址上的本人照常登录；等够了，同一地址也照常
    assert (
        accounts.login(path, "王主任", PASSWORD, client="10.0.0.8", now=T0 + timedelta(seconds=1)).viewer.name
        == "王主任"
    )
    assert (
        accounts.login(path, "王主任", PASSWORD, client="10.0.0.66", now=T0 + timedelta(seconds=2)).viewer.name
        == "王主任"
    )
    assert actions(path)[2:] == [
        ("王主任", "登录失败"),
        ("王主任", "登录失败"),
        ("王主任", "登录失败"),
        ("王主任", "登录限速"),
        ("王主任", "登录"),
        ("王主任", "登录"),
    ]


def test_fifty_wrong_passwords_from_one_address_do_not_stop_the_administrator_elsewhere(path):
    accounts.add(path, "管理员甲", "管理员", PASSWORD, units=UNITS, by="测试", now=T0)
    moment = T0
    refused = 0
    for _ in range(50):
        try:
            accounts.login(path, "管理员甲", "Guess-口令-1", client="203.0.113.9", now=moment)
        except accounts.LoginThrottled as exc:
            refused += 1
            moment += timedelta(seconds=exc.seconds)  # 攻击者老老实实等：仍然越等越久
        except accounts.AccountError:
            pass
    assert refused > 0 and moment - T0 > timedelta(minutes=30)
    assert accounts.login(path, "管理员甲", PASSWORD, client="10.1.1.1", now=moment).viewer.role == "管理员"


def test_one_address_trying_many_names_is_slowed_down_too(path):
    for k in range(12):
        with pytest.raises(accounts.AccountError, match="^登录没有成功"):
            accounts.login(path, f"猜的名字{k}", "Wrong-口令-1", client="198.51.100.7", now=T0)
    with pytest.raises(accounts.LoginThrottled, match="^尝试太频繁，请 \\d+ 秒后再试。$"):
        accounts.login(path, "王主任", PASSWORD, client="198.51.100.7", now=T0)
    assert accounts.login(path, "王主任", PASSWORD, client="10.0.0.8", now=T0).viewer.name == "王主任"


def test_unknown_wrong_and_disabled_get_the_same_message(path):
    accounts.set_disabled(path, "城管局联络员", True, by="测试", now=T0)
    messages = []
    for name, password in (("没有这个人", PASSWORD), ("王主任", "Wrong-口令-1"), ("城管局联络员", PASSWORD)):
        with pytest.raises(accounts.AccountError) as exc:
            accounts.login(path, name, password, client=f"10.9.9.{len(messages)}", now=T0)
        messages.append(str(exc.value))
    assert messages == [accounts.LOGIN_FAILED] * 3
    details = [e["detail"] for e in statedb.audit(path, 3)]
    assert details == ["账号已停用（来自 10.9.9.2）", "口令不对（来自 10.9.9.1）", "没有这个账号（来自 10.9.9.0）"]


def test_session_expires_after_the_idle_minutes_and_slides_with_use(path):
    token = accounts.login(path, "王主任", PASSWORD, now=T0).token
    assert accounts.session_viewer(path, token, now=T0 + timedelta(minutes=29)).name == "王主任"
    assert (
        accounts.session_viewer(path, token, now=T0 + timedelta(minutes=58)).name == "王主任"
    )  # 29 分用过：顺延到 59 分
    assert accounts.session_viewer(path, token, now=T0 + timedelta(minutes=89)) is None
    assert accounts.session_viewer(path, "随便编的令牌", now=T0) is None


def test_logout_ends_the_session_on_the_server(path):
    token = accounts.login(path, "王主任", PASSWORD, now=T0).token
    accounts.logout(path, token, now=T0)
    assert (accounts.session_viewer(path, token, now=T0), actions(path)[-1]) == (None, ("王主任", "退出"))


def test_password_change_checks_the_old_one_and_ends_every_session(path):
    token = accounts.login(path, "王主任", PASSWORD, now=T0).token
    with pytest.raises(accounts.AccountError, match="旧口令不对"):
        accounts.set_password(path, "王主任", NEW_PASSWORD, by="王主任", old_password="不是旧口令", now=T0)
    assert accounts.session_viewer(path, token, now=T0) is not None
    accounts.set_password(path, "王主任", NEW_PASSWORD, by="王主任", old_password=PASSWORD, now=T0)
    assert accounts.session_viewer(path, token, now=T0) is None
    with pytest.raises(accounts.AccountError, match="^登录没有成功"):
        accounts.login(path, "王主任", PASSWORD, now=T0)
    assert accounts.login(path, "王主任", NEW_PASSWORD, now=T0).viewer.role == "领导"
    assert actions(path)[2:] == [
        ("王主任", "登录"),
        ("王主任", "改口令失败"),
        ("王主任", "改口令"),
        ("王主任", "登录失败"),
        ("王主任", "登录"),
    ]


def test_disabling_ends_sessions_and_refuses_login(path):
    token = accounts.login(path, "城管局联络员", PASSWORD, now=T0).token
    accounts.set_disabled(path, "城管局联络员", True, by="管理员甲", now=T0)
    assert accounts.session_viewer(path, token, now=T0) is None
    with pytest.raises(accounts.AccountError, match="^登录没有成功"):
        accounts.login(path, "城管局联络员", PASSWORD, now=T0)


@pytest.mark.parametrize(
    "name, role, unit, password, message",
    [
        ("张 三", "领导", None, PASSWORD, "不含空格"),
        ("张三", "局长", None, PASSWORD, "角色应为"),
        ("张三", "责任单位", None, PASSWORD, "必须绑定一个单位"),
        ("张三", "责任单位", "D99", PASSWORD, "库中没有单位代码“D99”"),
        ("张三", "领导", "D01", PASSWORD, "只有责任单位账号绑定单位"),
        ("张三", "领导", None, "Short-1", "至少 8 个字符"),
        ("张三", "领导", None, "只有汉字和数字12345", "至少 3 类"),
        ("张三", "领导", None, "alllowercase", "至少 3 类"),
        ("zhangsan-1", "领导", None, "ZhangSan-1", "不能与登录名相同"),
        ("王主任", "领导", None, PASSWORD, "已存在"),
    ],
)
def test_bad_accounts_are_refused_in_chinese(path, name, role, unit, password, message):
    with pytest.raises(accounts.AccountError, match=message):
        accounts.add(path, name, role, password, unit_code=unit, units=UNITS, by="测试")
    assert [a["name"] for a in accounts.accounts(path)] == ["城管局联络员", "王主任"]


def test_audit_records_are_append_only(path):
    accounts.login(path, "王主任", PASSWORD, now=T0)
    with statedb.connect(path) as con:
        with pytest.raises(sqlite3.DatabaseError, match="只能追加，不能修改"):
            con.execute("update audit_event set user = '别人'")
        with pytest.raises(sqlite3.DatabaseError, match="只能追加，不能删除"):
            con.execute("delete from audit_event")
    assert actions(path) == [("测试", "新建账号"), ("测试", "新建账号"), ("王主任", "登录")]


def test_a_crafted_login_name_is_stored_as_short_plain_text(path):
    with pytest.raises(accounts.AccountError, match="^登录没有成功"):
        accounts.login(path, "x'; drop table account; --\n" + "长" * 500, "口令口令口令口令", now=T0)
    last = statedb.audit(path)[0]
    assert (last["action"], len(last["user"]), "\n" in last["user"]) == ("登录失败", 41, False)
    assert len(accounts.accounts(path)) == 2


def test_cli_creates_lists_changes_and_disables_accounts(tmp_path, monkeypatch, capsys):
    from chuangwen import demo

    db_path = tmp_path / "d.duckdb"
    demo.build(db_path, seed=1, problems=200)
    unit = sorted(
        accounts_units := dict(
            __import__("duckdb").connect(str(db_path), read_only=True).execute("select code, name from unit").fetchall()
        )
    )[0]

    def run(*argv, stdin=""):
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        return cli.main([*argv, "--db", str(db_path)])

    assert run("user", "list") == 0 and "新建第一个管理员" in capsys.readouterr().out
    assert run("user", "add", "管理员甲", "--role", "管理员", "--password-stdin", stdin=PASSWORD + "\n") == 0
    assert (
        run("user", "add", "联络员", "--role", "责任单位", "--unit", unit, "--password-stdin", stdin=PASSWORD + "\n")
        == 0
    )
    assert (
        run(
            "user",
            "add",
            "联络员2",
            "--role",
            "责任单位",
            "--unit",
            "无此单位",
            "--password-stdin",
            stdin=PASSWORD + "\n",
        )
        == 2
    )
    assert capsys.readouterr().err.endswith(
        f"库中没有单位代码“无此单位”。查单位代码：chuangwen units list --db {db_path} --search 无此单位\n"
    )
    assert run("user", "passwd", "联络员", "--password-stdin", stdin="Another-口令-2026\n") == 0
    assert run("user", "disable", "联络员") == 0
    capsys.readouterr()
    assert run("user", "list") == 0
    out = capsys.readouterr().out
    assert (
        f"联络员  责任单位  单位 {unit}  已停用" in out,
        "管理员甲  管理员  正常" in out,
        unit in accounts_units,
    ) == (True, True, True)
    assert accounts.login(db_path, "管理员甲", PASSWORD).viewer.role == "管理员"


def test_generated_passwords_meet_the_policy():
    for _ in range(50):
        assert accounts.check_password(accounts.generated_password(), "x") is not None


def test_the_embedded_demo_gets_one_administrator_with_a_random_password(tmp_path):
    path = tmp_path / "demo.duckdb"
    first = accounts.ensure_demo_admin(path, by="测试")
    again = accounts.ensure_demo_admin(path, by="测试")
    other = accounts.ensure_demo_admin(tmp_path / "other.duckdb", by="测试")
    assert (again, len(first) >= 12, first != other) == (None, True, True)
    assert accounts.login(path, accounts.DEMO_ADMIN, first).viewer.role == "管理员"
