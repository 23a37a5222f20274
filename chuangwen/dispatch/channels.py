"""推送渠道：名称、种类、地址（遮住密钥后才给人看）、所属单位。

Webhook 地址里的 key / access_token、SMTP 口令与钉钉的加签密钥是密钥：整条地址存在库旁的 <库文件名>.secrets.json（0600，
只有看板的操作系统用户能读），状态库、审计、页面、命令行、日志里只有遮住的地址（mask）。
"""

from __future__ import annotations

import json
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from chuangwen import statedb

KINDS = {
    "webhook": "通用 Webhook",
    "wecom": "企业微信/政务微信群机器人",
    "dingtalk": "钉钉/浙政钉群机器人",
    "email": "内网邮件",
}
_NAME = re.compile(r"^[\w\u4e00-\u9fff.-]{1,40}$")
_SECRETS_LOCK = threading.Lock()


class ChannelError(ValueError):
    """渠道写错（中文说明）。"""


@dataclass(frozen=True)
class Channel:
    name: str
    kind: str
    shown_url: str
    unit_code: str | None
    signed: bool = False  # 钉钉加签（密钥只在密钥文件里）

    @property
    def kind_text(self) -> str:
        return KINDS[self.kind]


def secrets_path(db_path: str | os.PathLike[str]) -> Path:
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + ".secrets.json")


def mask(url: str) -> str:
    """遮住地址里的密钥：口令整段遮住，查询参数的值只留头尾各两个字符（key=ab…yz）；路径里长串（钉钉 access_token
    也可能在路径里）同样处理。"""
    parts = urlsplit(url)
    if not parts.netloc:  # 不是 scheme://主机 的写法（例如 javascript:…）：原样给写的人看，前 60 个字
        return url[:60]
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    if parts.username:
        host = f"{parts.username}{':***' if parts.password else ''}@{host}"
    path = re.sub(r"[A-Za-z0-9_-]{16,}", lambda m: _short(m.group(0)), parts.path)
    query = "&".join(f"{k}={_short(v) if k not in _PLAIN else v}" for k, v in parse_qsl(parts.query))
    return f"{parts.scheme}://{host}{path}" + (f"?{query}" if query else "")


_PLAIN = {"to", "from", "starttls", "ssl", "type", "limit_mb"}


def _short(value: str) -> str:
    return "***" if len(value) <= 6 else f"{value[:2]}…{value[-2:]}"


def check_url(kind: str, url: str) -> None:
    """地址的合法性：Webhook 与机器人只收 http(s)，邮件收 smtp://（或 smtps://）并须写明收件人 to=。"""
    if kind not in KINDS:
        raise ChannelError(f"渠道种类 {kind!r} 不认识，可选：{'、'.join(KINDS)}")
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 —— 端口写错时这里抛 ValueError
    except ValueError:
        raise ChannelError(f"地址写法不对：{mask(url)}") from None
    if kind == "email":
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ChannelError(
                f"邮件渠道的地址应为 smtp://用户名@服务器:端口?from=发件人&to=收件人（或 smtps://），实际为 {mask(url)}"
            )
        query = dict(parse_qsl(parts.query))
        if not query.get("to"):
            raise ChannelError(f"邮件渠道的地址缺少收件人（?to=地址，多个用逗号分开）：{mask(url)}")
        return
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ChannelError(f"{KINDS[kind]}的地址必须以 http:// 或 https:// 开头，实际为 {mask(url)}")


def _read_secrets(db_path: str | os.PathLike[str]) -> dict[str, str]:
    path = secrets_path(db_path)
    if not path.exists():
        return {}
    return dict(json.loads(path.read_text(encoding="utf-8")))


def _write_secrets(db_path: str | os.PathLike[str], secrets: dict[str, str]) -> None:
    """先写同目录临时文件（建时就是 0600），再原子替换：中途失败旧文件不动，任何时刻都没有别人能读的副本。"""
    path = secrets_path(db_path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(secrets, f, ensure_ascii=False)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def add(
    db_path: str | os.PathLike[str],
    name: str,
    kind: str,
    url: str,
    by: str,
    *,
    unit_code: str | None = None,
    password: str | None = None,
    sign_secret: str | None = None,
    replace: bool = True,
    page: str | None = None,
) -> Channel:
    """新建或替换一个渠道（同名的整条替换）；地址连同口令（邮件）或加签密钥（钉钉）存进密钥文件，
    状态库与审计只记遮住的地址与“加签”两个字。replace=False（页面上新建）时同名的不替换，中文报错。"""
    if not _NAME.match(name or ""):
        raise ChannelError(f"渠道名只能用汉字、字母、数字、点、下划线与连字符，1–40 个字，实际为 {name!r}")
    url = url.strip()
    check_url(kind, url)
    if password:
        if kind != "email":
            raise ChannelError("只有邮件渠道有口令")
        parts = urlsplit(url)
        if not parts.username:
            raise ChannelError("给了口令但地址里没有用户名（smtp://用户名@服务器:端口?…）")
    sign_secret = (sign_secret or "").strip()
    if sign_secret:
        check_sign_secret(kind, sign_secret)
    shown = mask(url)
    with _SECRETS_LOCK:
        secrets = _read_secrets(db_path)
        entry = {"url": url, "password": password or "", "sign": sign_secret}
        secrets[name] = json.dumps(entry, ensure_ascii=False)
        with statedb.connect(db_path) as con:
            if not replace and con.execute("select 1 from dispatch_channel where name = ?", (name,)).fetchone():
                raise ChannelError(f"已有叫 {name!r} 的渠道：换个名称，或先删掉原来的再新建")
            con.execute(
                "insert into dispatch_channel (name, kind, shown_url, unit_code, created_by, created_at, signed)"
                " values (?, ?, ?, ?, ?, ?, ?) on conflict (name) do update set"
                " kind = excluded.kind, shown_url = excluded.shown_url, unit_code = excluded.unit_code,"
                " created_by = excluded.created_by, created_at = excluded.created_at, signed = excluded.signed",
                (name, kind, shown, unit_code, by, statedb._now(), int(bool(sign_secret))),
            )
            statedb.record(
                con,
                by,
                "设推送渠道",
                f"{name}：{KINDS[kind]} {shown}"
                + ("；加签" if sign_secret else "")
                + (f"；单位 {unit_code}" if unit_code else ""),
                page=page,
            )
            _write_secrets(db_path, secrets)  # 事务提交前写好：写不成时状态库也回滚
    return Channel(name, kind, shown, unit_code, bool(sign_secret))


def check_sign_secret(kind: str, sign_secret: str) -> None:
    """加签密钥：只有钉钉/浙政钉机器人有；机器人安全设置里“加签”下的那串（钉钉的以 SEC 开头），不含空白。"""
    if kind != "dingtalk":
        raise ChannelError("只有钉钉/浙政钉机器人有加签密钥")
    if len(sign_secret) > 200 or not sign_secret.isascii() or not sign_secret.isprintable() or " " in sign_secret:
        raise ChannelError(
            "加签密钥写法不对：应为机器人安全设置里“加签”一栏的那串字母数字（钉钉的以 SEC 开头），不含空格、汉字，最多 200 个字符"
        )


def remove(db_path: str | os.PathLike[str], name: str, by: str, *, page: str | None = None) -> None:
    """删掉渠道连同它的密钥。还写着它的计划与规则不改：运行时发到它的记为“渠道已删除，没有发”（页面上也提示）。"""
    with _SECRETS_LOCK, statedb.connect(db_path) as con:
        if con.execute("delete from dispatch_channel where name = ?", (name,)).rowcount == 0:
            raise ChannelError(f"没有叫 {name!r} 的渠道（chuangwen channel list 列出全部）")
        statedb.record(con, by, "删推送渠道", name, page=page)
        secrets = _read_secrets(db_path)
        secrets.pop(name, None)
        _write_secrets(db_path, secrets)


def listing(db_path: str | os.PathLike[str]) -> list[Channel]:
    with statedb.connect(db_path) as con:
        rows = con.execute(
            "select name, kind, shown_url, unit_code, signed from dispatch_channel order by name"
        ).fetchall()
    return [Channel(r[0], r[1], r[2], r[3], bool(r[4])) for r in rows]


def secret(db_path: str | os.PathLike[str], name: str) -> tuple[str, str]:
    """发送时才读：（整条地址, 口令）；钉钉渠道的“口令”是加签密钥（没设加签为空串）。密钥文件缺了这个渠道时抛中文错误。"""
    got = _read_secrets(db_path).get(name)
    if got is None:
        raise ChannelError(
            f"渠道 {name} 的地址不在密钥文件 {secrets_path(db_path).name} 里，请重新 chuangwen channel add"
        )
    value = json.loads(got)
    return value["url"], value.get("sign") or value["password"]
