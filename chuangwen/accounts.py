"""账号、角色、登录会话与审计（不依赖 streamlit，命令行、页面与测试共用）。

账号放在库旁的状态库（chuangwen.statedb，SQLite），不进分析快照：登录、改口令这样许多人同时发生的小写入，不该每次发布一个快照。
- 口令只存 argon2id 散列（argon2-cffi 的默认参数）；会话令牌只存 SHA-256。库、日志、审计里都没有明文。
- 登录失败只有一句话（不说是没有这个人、口令不对还是账号停用）；不锁账号，而是按“登录名 + 来源地址”与“来源地址”
  限速：连续失败越多要等得越久（CHUANGWEN_LOGIN_FREE_ATTEMPTS、CHUANGWEN_LOGIN_MAX_DELAY）。外人错多少次也挡不住管理员从别处登录。
- 口令策略与闲置退出是声明的设置：至少 8 个字符、3 类字符；闲置 30 分钟退出（CHUANGWEN_SESSION_IDLE_MINUTES）。
  退出、改口令、改角色、停用账号都在服务器这边立即结束会话。
- 四种角色能做什么只写在 PERMISSIONS 一处；责任单位账号绑定一个单位，查看范围（Viewer.scope_unit）就是它。
- 每次登录（成功、失败、锁定）、退出、账号变动都记一条审计（只追加，迁移里的触发器拒绝改与删）。
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from chuangwen import settings, statedb
from chuangwen.vocabulary import ROLE_ADMIN, ROLE_LEADER, ROLE_OFFICE, ROLE_UNIT, ROLES

if TYPE_CHECKING:
    import pandas as pd

# 角色 → 能做的事（页面与控件按它出现或不出现；查询的查看范围另由 Viewer.scope_unit 决定）
PERMISSIONS: dict[str, frozenset[str]] = {
    ROLE_LEADER: frozenset({"export", "briefing"}),
    ROLE_OFFICE: frozenset({"export", "briefing", "import", "settings"}),
    ROLE_UNIT: frozenset({"export"}),
    ROLE_ADMIN: frozenset(
        {"export", "briefing", "import", "rollback", "restore", "users", "audit", "settings", "dispatch"}
    ),
}

ACTIONS = {
    "export": "导出与下载",
    "briefing": "导出全县通报",
    "import": "导入数据",
    "rollback": "回滚导入",
    "restore": "重新发布旧版本或从备份恢复",
    "users": "管理账号",
    "audit": "查看审计记录",
    "settings": "选定本县与目标名次",
    "dispatch": "设定时通报、推送渠道与提醒",
}

# 页面 → 打开它要能做的事之一（不在这里的页面人人可看，内容按查看范围）。导航里只列出这个人能打开的页面
PAGE_NEEDS: dict[str, tuple[str, ...]] = {
    "数据管理": ("import",),
    "通报导出": ("briefing",),
    "账号与审计": ("users", "audit"),
}

NAME_PATTERN = re.compile(r"^[\w.\-@\u4e00-\u9fff]{1,32}$")
_HASHER = PasswordHasher()


class AccountError(ValueError):
    """账号操作或登录被拒绝；消息是给用户看的中文。"""


# 登录失败一律这一句：不让试探的人知道是没有这个人、口令不对，还是账号停用了
LOGIN_FAILED = "登录没有成功：登录名或口令不对，或账号不可用。忘记口令或账号不可用请联系本单位的看板管理员。"


class LoginThrottled(AccountError):
    """这个登录名从这个地址（或这个地址）失败太多次，要等一会儿才受理。"""

    def __init__(self, seconds: int):
        self.seconds = seconds
        super().__init__(f"尝试太频繁，请 {seconds} 秒后再试。")


@dataclass(frozen=True)
class Viewer:
    """正在看板上的人：登录名、角色、绑定的单位（责任单位账号）。"""

    name: str
    role: str
    unit_code: str | None = None

    @property
    def scope_unit(self) -> str | None:
        """查看范围：责任单位账号只看自己单位（牵头或配合）的问题；其余角色为 None（全部单位）。"""
        return self.unit_code if self.role == ROLE_UNIT else None

    def may(self, action: str) -> bool:
        if action not in ACTIONS:
            raise KeyError(action)
        return action in PERMISSIONS.get(self.role, frozenset())

    def may_open(self, page: str) -> bool:
        """导航里有没有这一页（按页面标题）。"""
        return any(self.may(a) for a in PAGE_NEEDS[page]) if page in PAGE_NEEDS else True


def role_label(role: str, unit_code: str | None, units: dict[str, str]) -> str:
    """“领导”“责任单位（城管局）”：角色，责任单位另写单位名称。"""
    if role == ROLE_UNIT and unit_code:
        return f"{role}（{units.get(unit_code, unit_code)}）"
    return role


def what_it_sees(role: str, unit_code: str | None, units: dict[str, str]) -> str:
    """这个角色（责任单位带着单位）登录后看得到什么、能做什么、导航里有哪些页：改账号之前给管理员确认的一句话。"""
    from chuangwen import sitemap

    who = Viewer("", role, unit_code)
    scope = (
        f"只看得到“{units.get(unit_code, unit_code)}”牵头或配合的问题"
        if role == ROLE_UNIT and unit_code
        else "看得到全县全部单位的问题"
    )
    can = "、".join(text for action, text in ACTIONS.items() if who.may(action))
    pages = "、".join(p.title for p in sitemap.PAGES if who.may_open(p.title))
    return f"{scope}，能{can}；导航里有：{pages}"


def role_change(
    name: str, old: tuple[str, str | None], new: tuple[str, str | None], units: dict[str, str]
) -> str | None:
    """改角色或单位之前要管理员确认的话（写明改后这个账号看得到什么）；角色与单位都没变时 None。"""
    if (old[0], old[1] if old[0] == ROLE_UNIT else None) == (new[0], new[1] if new[0] == ROLE_UNIT else None):
        return None
    return (
        f"把账号 {name} 从“{role_label(old[0], old[1], units)}”改为“{role_label(new[0], new[1], units)}”。"
        f"改后它{what_it_sees(new[0], new[1], units)}。它已登录的会话会立即结束，下次登录按新的角色与单位。"
    )


def roles_for_page(page: str) -> list[str]:
    """能打开这一页的角色（没有权限页上的说明）。"""
    return [role for role in ROLES if Viewer("", role, "").may_open(page)]


@dataclass(frozen=True)
class Login:
    """登录成功：令牌（只交给这一个浏览器会话，库里只有它的 SHA-256）与登录的人。"""

    token: str
    viewer: Viewer


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


def _text(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _shown_name(name: str) -> str:
    """写进审计的登录名（失败时是别人输入的任意文字）：截短，去掉控制字符。"""
    clean = "".join(ch for ch in str(name) if ch.isprintable())
    return clean[:40] + ("…" if len(clean) > 40 else "")


def check_name(name: str) -> str:
    name = (name or "").strip()
    if not NAME_PATTERN.match(name):
        raise AccountError("登录名应为 1–32 个汉字、字母、数字或 . - _ @，不含空格。")
    return name


PASSWORD_KINDS = ("大写字母", "小写字母", "数字", "其他字符")


def _kind(ch: str) -> str:
    if ch.isascii() and ch.isupper():
        return "大写字母"
    if ch.isascii() and ch.islower():
        return "小写字母"
    if ch.isdigit():
        return "数字"
    return "其他字符"


def password_rule() -> str:
    """口令策略的一句话（表单与命令行的提示）。"""
    return (
        f"口令至少 {settings.get('password_min_length')} 个字符，含{'、'.join(PASSWORD_KINDS)}中的至少 "
        f"{min(settings.get('password_min_kinds'), len(PASSWORD_KINDS))} 类，且不能与登录名相同。"
    )


def check_password(password: str, name: str) -> str:
    password = password or ""
    if len(password) < settings.get("password_min_length") or len({_kind(ch) for ch in password}) < min(
        settings.get("password_min_kinds"), len(PASSWORD_KINDS)
    ):
        raise AccountError(password_rule())
    if password.strip().lower() == name.lower():
        raise AccountError("口令不能与登录名相同。")
    return password


def check_role(role: str, unit_code: str | None, units: dict[str, str]) -> str | None:
    """角色在四种之内；责任单位必须绑定库里有的单位，其他角色不绑定单位。返回要存的单位代码。"""
    if role not in ROLES:
        raise AccountError(f"角色应为 {'、'.join(ROLES)} 之一，实际为 {role!r}。")
    if role == ROLE_UNIT:
        if not unit_code:
            raise AccountError("责任单位账号必须绑定一个单位。")
        if unit_code not in units:
            raise AccountError(
                f"库中没有单位代码“{unit_code}”；请先导入责任单位，或检查代码（chuangwen units list 列出库里的单位代码）。"
            )
        return unit_code
    if unit_code:
        raise AccountError(f"只有责任单位账号绑定单位；{role}账号看全部单位，不要指定 --unit。")
    return None


# ---------------------------------------------------------------- 账号


def has_accounts(db_path: str | os.PathLike[str]) -> bool:
    with statedb.connect(db_path) as con:
        return con.execute("select exists (select 1 from account)").fetchone()[0] == 1


def add(
    db_path: str | os.PathLike[str],
    name: str,
    role: str,
    password: str,
    *,
    unit_code: str | None = None,
    units: dict[str, str],
    by: str,
    now: datetime | None = None,
) -> Viewer:
    """新建账号（units：库里的单位代码 → 名称，用来核对责任单位账号绑定的单位）。"""
    name = check_name(name)
    unit_code = check_role(role, unit_code, units)
    check_password(password, name)
    at = _text(now or _now())
    with statedb.connect(db_path) as con:
        if con.execute("select 1 from account where name = ?", (name,)).fetchone():
            raise AccountError(f"账号 {name} 已存在。")
        con.execute(
            "insert into account (name, role, unit_code, pw_hash, created_at, created_by, changed_at)"
            " values (?, ?, ?, ?, ?, ?, ?)",
            (name, role, unit_code, _HASHER.hash(password), at, by, at),
        )
        statedb.record(con, by, "新建账号", f"{name}（{role}{'，' + unit_code if unit_code else ''}）", at=at)
    return Viewer(name, role, unit_code)


DEMO_ADMIN = "演示管理员"


def generated_password() -> str:
    """随机口令（12 个字符，大小写字母、数字与符号各至少一个）：满足默认口令策略，也满足更严的设置。"""
    import string

    pools = (string.ascii_uppercase, string.ascii_lowercase, string.digits, "-_.")
    while True:
        chars = [secrets.choice(pool) for pool in pools] + [secrets.choice("".join(pools)) for _ in range(8)]
        secrets.SystemRandom().shuffle(chars)
        password = "".join(chars)
        if len({_kind(ch) for ch in password}) == 4:
            return password


def ensure_demo_admin(db_path: str | os.PathLike[str], *, by: str) -> str | None:
    """内置示例库第一次启动、还没有任何账号时：建一个管理员，口令随机生成（不是固定的默认口令），返回给启动的人看一次。
    已有账号时什么都不做，返回 None。只用于内置的示例库（虚构数据）。"""
    if has_accounts(db_path):
        return None
    password = generated_password()
    add(db_path, DEMO_ADMIN, ROLE_ADMIN, password, units={}, by=by)
    return password


def accounts(db_path: str | os.PathLike[str]) -> list[dict]:
    with statedb.connect(db_path) as con:
        rows = con.execute(
            "select name, role, unit_code, disabled, created_at, created_by, changed_at from account order by name"
        ).fetchall()
    keys = ("name", "role", "unit_code", "disabled", "created_at", "created_by", "changed_at")
    return [dict(zip(keys, r)) for r in rows]


def accounts_table(rows: list[dict], units: dict[str, str]) -> pd.DataFrame:
    """账号列表（管理员页面）：中文列名，单位写名称，状态写“可用 / 已停用”。"""
    import pandas as pd

    def state(r: dict) -> str:
        return "已停用" if r["disabled"] else "可用"

    return pd.DataFrame(
        {
            "登录名": [r["name"] for r in rows],
            "角色": [r["role"] for r in rows],
            "单位": [units.get(r["unit_code"], r["unit_code"]) if r["unit_code"] else "" for r in rows],
            "状态": [state(r) for r in rows],
            "建立时间": [r["created_at"] for r in rows],
            "建立人": [r["created_by"] for r in rows],
            "最近变动": [r["changed_at"] for r in rows],
        }
    )


def set_password(
    db_path: str | os.PathLike[str],
    name: str,
    password: str,
    *,
    by: str,
    old_password: str | None = None,
    now: datetime | None = None,
) -> None:
    """改口令：本人改要核对旧口令（old_password）；管理员改不要。清掉这个登录名的限速，并结束这个账号的全部会话。"""
    at = _text(now or _now())
    check_password(password, name)
    with statedb.connect(db_path) as con:
        row = con.execute("select pw_hash from account where name = ?", (name,)).fetchone()
        if row is None:
            raise AccountError(f"没有账号 {_shown_name(name)}。")
        wrong_old = old_password is not None and not _verify(row[0], old_password)
        if wrong_old:
            statedb.record(con, by, "改口令失败", "旧口令不对", at=at)  # 先记下（提交），出了事务再报错
        else:
            con.execute(
                "update account set pw_hash = ?, changed_at = ? where name = ?", (_HASHER.hash(password), at, name)
            )
            con.execute(
                "delete from login_throttle where key like ? escape '\\'", (_like_prefix(_account_key(name, "")),)
            )
            con.execute("update login_session set ended_at = ? where name = ? and ended_at is null", (at, name))
            statedb.record(con, by, "改口令", name, at=at)
    if wrong_old:
        raise AccountError("旧口令不对。")


def set_disabled(
    db_path: str | os.PathLike[str], name: str, disabled: bool, *, by: str, now: datetime | None = None
) -> None:
    """停用（或恢复）账号；停用立即结束它的全部会话。"""
    at = _text(now or _now())
    with statedb.connect(db_path) as con:
        if (
            disabled
            and con.execute("select role from account where name = ?", (name,)).fetchone() == (ROLE_ADMIN,)
            and _last_admin(con, name)
        ):
            raise AccountError("这是最后一个可用的管理员账号，不能停用。")
        if (
            con.execute(
                "update account set disabled = ?, changed_at = ? where name = ?", (int(disabled), at, name)
            ).rowcount
            == 0
        ):
            raise AccountError(f"没有账号 {_shown_name(name)}。")
        if disabled:
            con.execute("update login_session set ended_at = ? where name = ? and ended_at is null", (at, name))
        statedb.record(con, by, "停用账号" if disabled else "恢复账号", name, at=at)


def set_role(
    db_path: str | os.PathLike[str],
    name: str,
    role: str,
    *,
    unit_code: str | None = None,
    units: dict[str, str],
    by: str,
    now: datetime | None = None,
) -> Viewer:
    """改角色（或责任单位账号绑定的单位）；立即结束这个账号的全部会话，下次登录按新角色。"""
    unit_code = check_role(role, unit_code, units)
    at = _text(now or _now())
    with statedb.connect(db_path) as con:
        row = con.execute("select role, unit_code from account where name = ?", (name,)).fetchone()
        if row is None:
            raise AccountError(f"没有账号 {_shown_name(name)}。")
        if row[0] == ROLE_ADMIN and role != ROLE_ADMIN and _last_admin(con, name):
            raise AccountError("这是最后一个可用的管理员账号，不能改成别的角色。")
        con.execute(
            "update account set role = ?, unit_code = ?, changed_at = ? where name = ?", (role, unit_code, at, name)
        )
        con.execute("update login_session set ended_at = ? where name = ? and ended_at is null", (at, name))
        statedb.record(
            con,
            by,
            "改角色",
            f"{name}：{row[0]}{'（' + row[1] + '）' if row[1] else ''} → "
            f"{role}{'（' + unit_code + '）' if unit_code else ''}",
            at=at,
        )
    return Viewer(name, role, unit_code)


def _last_admin(con: sqlite3.Connection, name: str) -> bool:
    return (
        con.execute(
            "select count(*) from account where role = ? and disabled = 0 and name <> ?", (ROLE_ADMIN, name)
        ).fetchone()[0]
        == 0
    )


def _verify(pw_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(pw_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# ---------------------------------------------------------------- 登录与会话

# 没有这个账号时也核对一次口令（对一个固定的散列），让“没有这个人”与“口令不对”用时相同
_DUMMY_HASH = _HASHER.hash("没有这个账号时拿来比对的口令")


def _account_key(name: str, client: str) -> str:
    return f"acct:{name}|ip:{client}"


def _client_key(client: str) -> str:
    return f"ip:{client}"


def _like_prefix(key: str) -> str:
    return key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def throttle_delay(failures: int, free: int, max_delay: int) -> int:
    """连续失败 failures 次之后要等几秒：前 free 次不等，之后 2、4、8……秒翻倍，最长 max_delay 秒。"""
    if failures < free:
        return 0
    return min(2 ** (failures - free + 1), max_delay)


def login(
    db_path: str | os.PathLike[str], name: str, password: str, *, client: str = "本机", now: datetime | None = None
) -> Login:
    """核对口令，成功时开一个会话。client 是来源地址（限速按它与登录名分开计）。
    失败一律抛 AccountError(LOGIN_FAILED)；限速中抛 LoginThrottled（不核对口令）。失败与限速都记审计（先提交再报错）。"""
    moment = now or _now()
    with statedb.connect(db_path) as con:
        outcome = _attempt(con, name, password, str(client)[:64] or "未知", moment)
    if isinstance(outcome, AccountError):
        raise outcome
    return outcome


def _throttled(con: sqlite3.Connection, keys: list[str], at: str) -> int:
    """这些键里最晚的解除时刻离现在还有几秒（0 = 不限速）。"""
    until = con.execute(
        f"select max(blocked_until) from login_throttle where key in ({', '.join('?' * len(keys))})"
        " and blocked_until > ?",
        (*keys, at),
    ).fetchone()[0]
    if until is None:
        return 0
    return max(
        1,
        int(
            (datetime.strptime(until, "%Y-%m-%d %H:%M:%S") - datetime.strptime(at, "%Y-%m-%d %H:%M:%S")).total_seconds()
        ),
    )


def _count_failure(con: sqlite3.Connection, key: str, free: int, max_delay: int, moment: datetime) -> int:
    """这个键再记一次失败，返回从现在起要等的秒数。"""
    at = _text(moment)
    row = con.execute("select failures from login_throttle where key = ?", (key,)).fetchone()
    failures = (row[0] if row else 0) + 1
    delay = throttle_delay(failures, free, max_delay)
    until = _text(moment + timedelta(seconds=delay)) if delay else None
    con.execute(
        "insert into login_throttle values (?, ?, ?, ?) on conflict (key) do update set"
        " failures = excluded.failures, blocked_until = excluded.blocked_until, last_failure = excluded.last_failure",
        (key, failures, until, at),
    )
    return delay


def _attempt(con: sqlite3.Connection, name: str, password: str, client: str, moment: datetime) -> Login | AccountError:
    """一次登录尝试（在状态库事务里）：成功给 Login，失败给要抛的错；计数与审计都写进同一事务。"""
    at = _text(moment)
    shown = _shown_name(name)
    keys = [_account_key(name, client), _client_key(client)]
    wait = _throttled(con, keys, at)
    if wait:
        # 限速中不核对口令（不给猜口令的人任何回答）；审计只在开始限速时记，免得被刷满
        return LoginThrottled(wait)
    row = con.execute("select role, unit_code, pw_hash, disabled from account where name = ?", (name,)).fetchone()
    matches = _verify(row[2] if row else _DUMMY_HASH, password)
    if row is None or row[3] or not matches:
        why = "没有这个账号" if row is None else ("账号已停用" if row[3] else "口令不对")
        statedb.record(con, shown, "登录失败", f"{why}（来自 {client}）", at=at)
        free, max_delay = settings.get("login_free_attempts"), settings.get("login_max_delay_seconds")
        delays = [
            _count_failure(con, keys[0], free, max_delay, moment),
            _count_failure(con, keys[1], free * 4, max_delay, moment),
        ]
        if max(delays):
            failures = con.execute("select failures from login_throttle where key = ?", (keys[0],)).fetchone()[0]
            statedb.record(
                con,
                shown,
                "登录限速",
                f"来自 {client}：这个登录名连续 {failures} 次失败，{max(delays)} 秒内不受理",
                at=at,
            )
        return AccountError(LOGIN_FAILED)
    role, unit_code = row[0], row[1]
    token = secrets.token_urlsafe(32)
    expires = _text(moment + timedelta(minutes=settings.get("session_idle_minutes")))
    con.execute("delete from login_throttle where key = ?", (keys[0],))
    con.execute("insert into login_session values (?, ?, ?, ?, ?, null)", (_digest(token), name, at, at, expires))
    statedb.record(con, name, "登录", f"{role}（来自 {client}）", at=at)
    return Login(token, Viewer(name, role, unit_code))


def token_digest(token: str) -> str:
    """会话令牌的 SHA-256（库里只存它）：也用作这个登录会话的标识（下载、页面会话归谁）。"""
    return _digest(token)


def session_viewer(db_path: str | os.PathLike[str], token: str | None, *, now: datetime | None = None) -> Viewer | None:
    """令牌对应的、仍有效的会话 → 登录的人，并把闲置期限顺延；过期、已退出、账号停用或不存在时 None。"""
    if not token:
        return None
    moment = now or _now()
    at = _text(moment)
    with statedb.connect(db_path) as con:
        row = con.execute(
            "select a.name, a.role, a.unit_code from login_session s join account a on a.name = s.name"
            " where s.token_sha256 = ? and s.ended_at is null and s.expires_at >= ? and a.disabled = 0",
            (_digest(token), at),
        ).fetchone()
        if row is None:
            return None
        # 顺延闲置期限；一分钟内只记一次（每个请求、每次页面运行都来问，不必每次都写）
        con.execute(
            "update login_session set last_seen = ?, expires_at = ? where token_sha256 = ? and last_seen < ?",
            (
                at,
                _text(moment + timedelta(minutes=settings.get("session_idle_minutes"))),
                _digest(token),
                _text(moment - timedelta(minutes=1)),
            ),
        )
    return Viewer(*row)


def viewer_named(db_path: str | os.PathLike[str], name: str) -> Viewer | None:
    """反向代理（内网统一认证）已认证的登录名 → 账号；没有这个账号或已停用时 None。"""
    with statedb.connect(db_path) as con:
        row = con.execute(
            "select name, role, unit_code from account where name = ? and disabled = 0", (name,)
        ).fetchone()
    return Viewer(*row) if row else None


def logout(db_path: str | os.PathLike[str], token: str | None, *, now: datetime | None = None) -> None:
    """在服务器这边结束会话：同一令牌之后再也不认。"""
    if not token:
        return
    at = _text(now or _now())
    with statedb.connect(db_path) as con:
        row = con.execute(
            "select name from login_session where token_sha256 = ? and ended_at is null", (_digest(token),)
        ).fetchone()
        if row is None:
            return
        con.execute("update login_session set ended_at = ? where token_sha256 = ?", (at, _digest(token)))
        statedb.record(con, row[0], "退出", None, at=at)
