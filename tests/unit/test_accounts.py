"""账号、登录会话与审计（chuangwen.accounts）：口令与令牌不落明文、锁定、过期、退出、改口令与停用都在服务器这边生效。"""
from __future__ import annotations

import io
import sqlite3
from datetime import datetime, timedelta

import pytest

from chuangwen import accounts, appstate, cli

UNITS = {"D01": "城管局", "D02": "住建局"}
T0 = datetime(2026, 12, 1, 9, 0)
PASSWORD = "正确的口令-2026"


@pytest.fixture
def path(tmp_path, monkeypatch):
    monkeypatch.setenv("CHUANGWEN_LOGIN_ATTEMPTS", "3")
    monkeypatch.setenv("CHUANGWEN_LOCKOUT_MINUTES", "15")
    monkeypatch.setenv("CHUANGWEN_SESSION_HOURS", "8")
    p = tmp_path / "office.duckdb"    # 状态库在它旁边；账号不需要分析库本身
    accounts.add(p, "王主任", "领导", PASSWORD, units=UNITS, by="测试", now=T0)
    accounts.add(p, "城管局联络员", "责任单位", PASSWORD, unit_code="D01", units=UNITS, by="测试", now=T0)
    return p


def actions(path) -> list[tuple[str, str]]:
    return [(e["user"], e["action"]) for e in reversed(appstate.audit(path))]


def test_login_gives_the_viewer_with_role_and_scope(path):
    leader = accounts.login(path, "王主任", PASSWORD, now=T0).viewer
    unit = accounts.login(path, "城管局联络员", PASSWORD, now=T0).viewer
    assert (leader, leader.scope_unit, unit.scope_unit) == (accounts.Viewer("王主任", "领导", None), None, "D01")


def test_permissions_per_role():
    table = {role: sorted(a for a in accounts.ACTIONS if accounts.Viewer("x", role).may(a)) for role in accounts.ROLES}
    assert table == {"领导": ["briefing", "export"], "创建办": ["briefing", "export", "import", "settings"], "责任单位": ["export"],
                     "管理员": ["audit", "briefing", "export", "import", "restore", "rollback", "settings", "users"]}
    pages = {role: [p for p in ("总览", *accounts.PAGE_NEEDS) if accounts.Viewer("x", role).may_open(p)] for role in accounts.ROLES}
    assert pages == {"领导": ["总览", "通报导出"], "创建办": ["总览", "数据管理", "通报导出"], "责任单位": ["总览"],
                     "管理员": ["总览", "数据管理", "通报导出", "账号与审计"]}


def test_neither_password_nor_session_token_is_stored_in_clear(path):
    token = accounts.login(path, "王主任", PASSWORD, now=T0).token
    raw = b"".join(f.read_bytes() for f in path.parent.glob(path.name + ".app.sqlite*"))
    assert (PASSWORD.encode() in raw, token.encode() in raw, b"$argon2id$" in raw) == (False, False, True)


def test_wrong_passwords_lock_the_account_for_the_configured_time(path):
    for k in (1, 2):
        with pytest.raises(accounts.AccountError, match=f"再错 {3 - k} 次将锁定"):
            accounts.login(path, "王主任", "错的口令xx", now=T0)
    with pytest.raises(accounts.AccountError, match="已锁定到 2026-12-01 09:15"):
        accounts.login(path, "王主任", "错的口令xx", now=T0)
    with pytest.raises(accounts.AccountError, match="已锁定到 2026-12-01 09:15"):      # 锁定中，对的口令也不行
        accounts.login(path, "王主任", PASSWORD, now=T0 + timedelta(minutes=14))
    assert accounts.login(path, "王主任", PASSWORD, now=T0 + timedelta(minutes=16)).viewer.name == "王主任"
    assert actions(path)[2:] == [("王主任", "登录失败"), ("王主任", "登录失败"), ("王主任", "账号锁定"),
                                 ("王主任", "登录失败"), ("王主任", "登录")]


def test_unknown_name_and_wrong_password_get_the_same_message(path):
    messages = []
    for name in ("没有这个人", "王主任"):
        with pytest.raises(accounts.AccountError) as exc:
            accounts.login(path, name, "错的口令xx", now=T0)
        messages.append(str(exc.value).split("（")[0])
    assert messages == ["登录名或口令不对。", "登录名或口令不对"]


def test_session_expires_after_the_idle_hours_and_slides_with_use(path):
    token = accounts.login(path, "王主任", PASSWORD, now=T0).token
    assert accounts.session_viewer(path, token, now=T0 + timedelta(hours=7)).name == "王主任"
    assert accounts.session_viewer(path, token, now=T0 + timedelta(hours=14)).name == "王主任"   # 7 点用过：顺延到 15 点
    assert accounts.session_viewer(path, token, now=T0 + timedelta(hours=22, minutes=1)) is None
    assert accounts.session_viewer(path, "随便编的令牌", now=T0) is None


def test_logout_ends_the_session_on_the_server(path):
    token = accounts.login(path, "王主任", PASSWORD, now=T0).token
    accounts.logout(path, token, now=T0)
    assert (accounts.session_viewer(path, token, now=T0), actions(path)[-1]) == (None, ("王主任", "退出"))


def test_password_change_checks_the_old_one_and_ends_every_session(path):
    token = accounts.login(path, "王主任", PASSWORD, now=T0).token
    with pytest.raises(accounts.AccountError, match="旧口令不对"):
        accounts.set_password(path, "王主任", "新的口令-2026", by="王主任", old_password="不是旧口令", now=T0)
    assert accounts.session_viewer(path, token, now=T0) is not None
    accounts.set_password(path, "王主任", "新的口令-2026", by="王主任", old_password=PASSWORD, now=T0)
    assert accounts.session_viewer(path, token, now=T0) is None
    with pytest.raises(accounts.AccountError, match="登录名或口令不对"):
        accounts.login(path, "王主任", PASSWORD, now=T0)
    assert accounts.login(path, "王主任", "新的口令-2026", now=T0).viewer.role == "领导"
    assert actions(path)[2:] == [("王主任", "登录"), ("王主任", "改口令失败"), ("王主任", "改口令"),
                                 ("王主任", "登录失败"), ("王主任", "登录")]


def test_disabling_ends_sessions_and_refuses_login(path):
    token = accounts.login(path, "城管局联络员", PASSWORD, now=T0).token
    accounts.set_disabled(path, "城管局联络员", True, by="管理员甲", now=T0)
    assert accounts.session_viewer(path, token, now=T0) is None
    with pytest.raises(accounts.AccountError, match="已停用"):
        accounts.login(path, "城管局联络员", PASSWORD, now=T0)


@pytest.mark.parametrize("name, role, unit, password, message", [
    ("张 三", "领导", None, PASSWORD, "不含空格"),
    ("张三", "局长", None, PASSWORD, "角色应为"),
    ("张三", "责任单位", None, PASSWORD, "必须指定单位"),
    ("张三", "责任单位", "D99", PASSWORD, "库中没有单位代码 'D99'"),
    ("张三", "领导", "D01", PASSWORD, "只有责任单位账号绑定单位"),
    ("张三", "领导", None, "short1", "至少 8 个字符"),
    ("zhangsan1", "领导", None, "ZhangSan1", "不能与登录名相同"),
    ("王主任", "领导", None, PASSWORD, "已存在"),
])
def test_bad_accounts_are_refused_in_chinese(path, name, role, unit, password, message):
    with pytest.raises(accounts.AccountError, match=message):
        accounts.add(path, name, role, password, unit_code=unit, units=UNITS, by="测试")
    assert [a["name"] for a in accounts.accounts(path)] == ["城管局联络员", "王主任"]


def test_audit_records_are_append_only(path):
    accounts.login(path, "王主任", PASSWORD, now=T0)
    with appstate.connect(path) as con:
        with pytest.raises(sqlite3.DatabaseError, match="只能追加，不能修改"):
            con.execute("update audit_event set user = '别人'")
        with pytest.raises(sqlite3.DatabaseError, match="只能追加，不能删除"):
            con.execute("delete from audit_event")
    assert actions(path) == [("测试", "新建账号"), ("测试", "新建账号"), ("王主任", "登录")]


def test_a_crafted_login_name_is_stored_as_short_plain_text(path):
    with pytest.raises(accounts.AccountError, match="登录名或口令不对。"):
        accounts.login(path, "x'; drop table account; --\n" + "长" * 500, "口令口令口令口令", now=T0)
    last = appstate.audit(path)[0]
    assert (last["action"], len(last["user"]), "\n" in last["user"]) == ("登录失败", 41, False)
    assert len(accounts.accounts(path)) == 2


def test_cli_creates_lists_changes_and_disables_accounts(tmp_path, monkeypatch, capsys):
    from chuangwen import demo

    db_path = tmp_path / "d.duckdb"
    demo.build(db_path, seed=1, problems=200)
    unit = sorted(accounts_units := dict(__import__("duckdb").connect(str(db_path), read_only=True)
                                         .execute("select code, name from unit").fetchall()))[0]

    def run(*argv, stdin=""):
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        return cli.main([*argv, "--db", str(db_path)])

    assert run("user", "list") == 0 and "新建第一个管理员" in capsys.readouterr().out
    assert run("user", "add", "管理员甲", "--role", "管理员", "--password-stdin", stdin=PASSWORD + "\n") == 0
    assert run("user", "add", "联络员", "--role", "责任单位", "--unit", unit, "--password-stdin", stdin=PASSWORD + "\n") == 0
    assert run("user", "add", "联络员2", "--role", "责任单位", "--unit", "无此单位", "--password-stdin",
               stdin=PASSWORD + "\n") == 2
    assert "库中没有单位代码 '无此单位'" in capsys.readouterr().err
    assert run("user", "passwd", "联络员", "--password-stdin", stdin="另一个口令-2026\n") == 0
    assert run("user", "disable", "联络员") == 0
    capsys.readouterr()
    assert run("user", "list") == 0
    out = capsys.readouterr().out
    assert (f"联络员  责任单位  单位 {unit}  已停用" in out, "管理员甲  管理员  正常" in out, unit in accounts_units) == (True, True, True)
    assert accounts.login(db_path, "管理员甲", PASSWORD).viewer.role == "管理员"


def test_the_embedded_demo_gets_one_administrator_with_a_random_password(tmp_path):
    path = tmp_path / "demo.duckdb"
    first = accounts.ensure_demo_admin(path, by="测试")
    again = accounts.ensure_demo_admin(path, by="测试")
    other = accounts.ensure_demo_admin(tmp_path / "other.duckdb", by="测试")
    assert (again, len(first) >= 12, first != other) == (None, True, True)
    assert accounts.login(path, accounts.DEMO_ADMIN, first).viewer.role == "管理员"
