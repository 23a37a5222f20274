"""看板自己写的状态：列映射预设、操作审计（之后还有登录会话、筛选预设）。

这些是许多人同时发生的小写入，不该每次都复制、发布一个分析快照：放在库旁的 SQLite（WAL 模式，标准库自带），
`demo.duckdb.app.sqlite`，有自己的迁移（chuangwen/statedb_migrations/NNN_名称.sql）。文件 0600。备份时与快照一起复制（chuangwen backup）。
审计记录只追加，连成一条散列链（row_sha256）：触发器拦住看板与命令行的改、删、覆盖，绕过触发器的改动由 verify_chain 查出。
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chuangwen import osuser

if TYPE_CHECKING:
    import pandas as pd

_LOG = logging.getLogger("chuangwen.statedb")
_MIGRATION = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")
# 切换 WAL 与迁移要独占整个库，SQLite 在这一步遇到别的连接时可能不等 busy_timeout 就报“database is locked”
# （8 个线程同时第一次打开时实测约六次一次）：同一进程里这一步排队做；别的进程并发时重试几次
_SETUP = threading.Lock()
_SETUP_TRIES = 20


def state_path(db_path: str | os.PathLike) -> Path:
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + ".app.sqlite")


def _migrations() -> list[tuple[int, str, str]]:
    found = sorted(
        (int(m.group(1)), m.group(2), e.read_text(encoding="utf-8"))
        for e in resources.files("chuangwen.statedb_migrations").iterdir()
        if (m := _MIGRATION.match(e.name))
    )
    if [v for v, _, _ in found] != list(range(1, len(found) + 1)):
        raise RuntimeError("看板状态库的迁移脚本编号必须从 001 连续递增")
    return found


@contextlib.contextmanager
def connect(db_path: str | os.PathLike) -> Iterator[sqlite3.Connection]:
    """打开（必要时新建并迁移）状态库；每次调用一个短连接，with 块结束即提交并关闭。"""
    path = state_path(db_path)
    created = not path.exists()
    con = sqlite3.connect(path, timeout=30, isolation_level=None)
    try:
        if created:
            os.chmod(path, 0o600)
        con.execute("pragma synchronous = normal")
        con.execute("pragma busy_timeout = 30000")
        with _SETUP:
            _set_up(con, Path(db_path))
        con.execute("begin immediate")
        try:
            yield con
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
    finally:
        con.close()


def _set_up(con: sqlite3.Connection, db_path: Path) -> None:
    """WAL 模式（写进文件，只需切换一次）与迁移；别的进程正在做同一步时稍等重试。"""
    for attempt in range(_SETUP_TRIES):
        try:
            if con.execute("pragma journal_mode").fetchone()[0] != "wal":
                con.execute("pragma journal_mode = wal")
            _migrate(con, db_path)
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == _SETUP_TRIES - 1:
                raise
            time.sleep(0.05 * (attempt + 1))


def _migrate(con: sqlite3.Connection, db_path: Path) -> None:
    con.execute(
        "create table if not exists schema_version (version integer primary key, name text not null,"
        " applied_at text not null)"
    )
    current = con.execute("select coalesce(max(version), 0) from schema_version").fetchone()[0]
    todo = [m for m in _migrations() if m[0] > current]
    if not todo:
        return
    con.execute("begin immediate")
    try:
        current = con.execute("select coalesce(max(version), 0) from schema_version").fetchone()[0]  # 别的进程刚迁过
        for version, name, sql in todo:
            if version <= current:
                continue
            for statement in _statements(sql):
                con.execute(statement)
            con.execute("insert into schema_version values (?, ?, ?)", (version, name, _now()))
            if version == 1:
                _carry_over_presets(con, db_path)
            if version == 4:
                _chain_existing(con)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def _statements(sql: str) -> list[str]:
    """迁移脚本拆成一条条语句：按分号切，但触发器 begin … end 里的分号不算（sqlite3.complete_statement 判断一条是否完整）。"""
    out, pending = [], ""
    for piece in sql.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                out.append(pending)
            pending = ""
    return out


def _carry_over_presets(con: sqlite3.Connection, db_path: Path) -> None:
    """旧版本把列映射预设存在分析库的 import_preset 表里：第一次建状态库时搬过来。"""
    import duckdb

    from chuangwen import store
    from chuangwen.dbfile import DatabaseError

    try:
        snap = store.current(db_path)
        src = duckdb.connect(str(snap.file), read_only=True)
    except (DatabaseError, duckdb.Error, OSError) as exc:  # 库还不存在或打不开：没有可搬的
        _LOG.info("没有可搬的旧列映射预设（%s）", exc)
        return
    try:
        rows = src.execute(
            "select kind, name, mapping_toml, strftime(saved_at, '%Y-%m-%d %H:%M:%S') from import_preset"
        ).fetchall()
    except duckdb.Error:
        rows = []
    finally:
        src.close()
    con.executemany("insert or ignore into import_preset values (?, ?, ?, ?, '（旧版本）')", rows)


def _now() -> str:
    return datetime.now().strftime("%Y-%m-%d %H:%M:%S")


def save_preset(
    db_path: str | os.PathLike[str],
    kind: str,
    name: str,
    mapping_toml: str,
    saved_by: str,
    header_signature: str | None = None,
) -> None:
    """存（或改写同名的）列映射预设；header_signature 是它为之而存的源表头（同样表头的文件再来时自动选上它）。"""
    with connect(db_path) as con:
        con.execute(
            "insert into import_preset (kind, name, mapping_toml, saved_at, saved_by, header_signature)"
            " values (?, ?, ?, ?, ?, ?) on conflict (kind, name) do update set"
            " mapping_toml = excluded.mapping_toml, saved_at = excluded.saved_at, saved_by = excluded.saved_by,"
            " header_signature = coalesce(excluded.header_signature, import_preset.header_signature)",
            (kind, name, mapping_toml, _now(), saved_by, header_signature),
        )
        record(con, saved_by, "保存列映射预设", f"{kind}：{name}")


def preset_for_layout(db_path: str | os.PathLike[str], kind: str, header_signature: str) -> str | None:
    """为这种表头存过的预设（几个时取最近存的）的名称；没有时 None。"""
    with connect(db_path) as con:
        row = con.execute(
            "select name from import_preset where kind = ? and header_signature = ?"
            " order by saved_at desc, rowid desc limit 1",
            (kind, header_signature),
        ).fetchone()
    return row[0] if row else None


def presets(db_path: str | os.PathLike[str], kind: str) -> dict[str, str]:
    with connect(db_path) as con:
        return dict(con.execute("select name, mapping_toml from import_preset where kind = ? order by name", (kind,)))


# 库的设置：在看板里（管理员、创建办）或用 chuangwen settings set 选；优先于环境变量与库内 meta
OFFICE_SETTINGS = {"our_region_code": "本县", "target_rank": "目标名次"}
OFFICE_SETTING_ALIASES = {
    "our_code": "our_region_code",
    "our_region_code": "our_region_code",
    "target_rank": "target_rank",
}


def office_settings(db_path: str | os.PathLike[str]) -> dict[str, str]:
    """库的设置（键 → 值）；没有状态库或没设过时为空。"""
    if not state_path(db_path).exists():
        return {}
    with connect(db_path) as con:
        return dict(con.execute("select key, value from store_setting"))


def set_office_setting(
    db_path: str | os.PathLike[str], key: str, value: str | int | None, by: str, *, page: str | None = None
) -> None:
    """设定（value 为 None 时清除）一项库的设置，同一事务里记一条审计“改设置”。"""
    key = OFFICE_SETTING_ALIASES.get(key, key)
    if key not in OFFICE_SETTINGS:
        raise ValueError(f"没有这项设置：{key}（可设：{'、'.join(OFFICE_SETTING_ALIASES)}）")
    with connect(db_path) as con:
        if value is None:
            con.execute("delete from store_setting where key = ?", (key,))
        else:
            con.execute(
                "insert into store_setting values (?, ?, ?, ?) on conflict (key) do update set"
                " value = excluded.value, set_by = excluded.set_by, set_at = excluded.set_at",
                (key, str(value), by, _now()),
            )
        record(con, by, "改设置", f"{OFFICE_SETTINGS[key]}：{'（清除）' if value is None else value}", page=page)


AUDIT_COLUMNS = ("at", "user", "action", "detail", "page", "filters", "rows", "file_sha256")
AUDIT_LABELS = {
    "at": "时间",
    "user": "谁",
    "action": "操作",
    "detail": "内容",
    "page": "页面",
    "filters": "筛选",
    "rows": "行数",
    "file_sha256": "文件 SHA-256",
}


# 散列链（迁移 004）。本条的 row_sha256 = SHA-256（UTF-8）of
#   json.dumps({id, at, user, action, detail, page, filters, rows, file_sha256, prev_sha256},
#              sort_keys=True, ensure_ascii=False, separators=(",", ":"))
# 值照库里存的类型：id、rows 为整数，其余为文本，没有的为 null。只有文本、整数与 null，这与 RFC 8785（JCS）的写法一致，
# 别的语言也能照样重算。prev_sha256 是前一条（按编号）的 row_sha256，第一条为 64 个 0
# 写成字面量、不从 AUDIT_COLUMNS 推出：页面多显示一列不能改变已有记录的散列
_CHAINED = ("id", "at", "user", "action", "detail", "page", "filters", "rows", "file_sha256", "prev_sha256")
CHAIN_START = "0" * 64


def row_sha256(entry: dict) -> str:
    """一条审计记录的内容散列（规范序列化见上）。"""
    canonical = json.dumps({k: entry[k] for k in _CHAINED}, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _chain_existing(con: sqlite3.Connection) -> None:
    """迁移 004：升级前已有的审计记录按编号补算一次散列链（之前被改过的，从这里起就当作原样）。
    更新触发器拒绝一切 UPDATE：在迁移这一个事务里先删掉它，补完再按 sqlite_master 里原样的定义建回来。
    SQLite 的 DDL 也在事务里：别的连接看不到没有触发器的那一刻，中途出错连同补算一起回滚。"""
    guard = con.execute(
        "select sql from sqlite_master where type = 'trigger' and name = 'audit_event_no_update'"
    ).fetchone()
    if guard is not None:
        con.execute("drop trigger audit_event_no_update")
    columns = [k for k in _CHAINED if k != "prev_sha256"]
    prev = CHAIN_START
    for values in con.execute(f"select {', '.join(columns)} from audit_event order by id").fetchall():
        entry = {**dict(zip(columns, values)), "prev_sha256": prev}
        digest = row_sha256(entry)
        con.execute("update audit_event set prev_sha256 = ?, row_sha256 = ? where id = ?", (prev, digest, entry["id"]))
        prev = digest
    if guard is not None:
        con.execute(guard[0])


@dataclass(frozen=True)
class ChainBreak:
    """散列链上第一处对不上的记录。"""

    id: int | None  # 记录全被删掉时为 None
    at: str
    user: str
    action: str
    problem: str

    def text(self) -> str:
        if self.id is None:
            return self.problem
        return f"第 {self.id} 条（{self.at}，{self.user}，{self.action}）{self.problem}"


@dataclass(frozen=True)
class ChainCheck:
    """重算散列链的结果：记录条数、末条的散列（可另行抄存，之后比对）、第一处断裂（完整时为 None）。"""

    rows: int
    last_sha256: str | None
    broken: ChainBreak | None

    def text(self) -> str:
        if self.broken is not None:
            return f"审计记录的散列链断了：{self.broken.text()}。共 {self.rows:,} 条记录。"
        tail = f"；末条散列 {self.last_sha256}" if self.last_sha256 else ""
        return f"{self.rows:,} 条记录，链完整{tail}"


def verify_chain(db_path: str | os.PathLike[str]) -> ChainCheck:
    """按编号重算每条审计记录的散列与它和前一条的链接，报出第一处对不上的；末条之后有记录被删（编号用到过更大的）也算。"""
    with connect(db_path) as con:
        rows = con.execute(f"select {', '.join(_CHAINED)}, row_sha256 from audit_event order by id").fetchall()
        used = con.execute("select seq from sqlite_sequence where name = 'audit_event'").fetchone()
    return check_chain([dict(zip((*_CHAINED, "row_sha256"), r)) for r in rows], used[0] if used else 0)


def check_chain(rows: list[dict], used: int = 0) -> ChainCheck:
    """重算一串（按编号排好的）审计记录；used 为用到过的最大编号（sqlite_sequence）。"""
    prev_id, prev_sha = 0, CHAIN_START
    for r in rows:
        problems = []
        if r["id"] != prev_id + 1:
            missing = f"第 {prev_id + 1} 条" if r["id"] == prev_id + 2 else f"第 {prev_id + 1}–{r['id'] - 1} 条"
            problems.append(f"之前的{missing}不见了（被删除）")
        elif r["prev_sha256"] != prev_sha:
            problems.append(
                "与前一条的链接对不上（"
                + ("链的起点应为 64 个 0" if prev_id == 0 else "记下的前一条散列与实际不符：前一条被改过、删除或替换")
                + "）"
            )
        if r["row_sha256"] is None:
            problems.append("没有散列（不是经看板写入的）")
        elif row_sha256(r) != r["row_sha256"]:
            problems.append("内容与它的散列不符（这条记录被改过）")
        if problems:
            return ChainCheck(
                len(rows), prev_sha, ChainBreak(r["id"], r["at"], r["user"], r["action"], "；".join(problems))
            )
        prev_id, prev_sha = r["id"], r["row_sha256"]
    if used > prev_id:  # 末尾的记录被删：链本身看不出来，编号用到过的最大值看得出来
        gone = f"第 {prev_id + 1} 条" if used == prev_id + 1 else f"第 {prev_id + 1}–{used} 条"
        if not rows:
            return ChainCheck(0, None, ChainBreak(None, "", "", "", f"记录全都不见了（{gone}被删除）"))
        last = rows[-1]
        return ChainCheck(
            len(rows),
            prev_sha,
            ChainBreak(last["id"], last["at"], last["user"], last["action"], f"之后的{gone}不见了（被删除）"),
        )
    return ChainCheck(len(rows), prev_sha if rows else None, None)


def record(
    con: sqlite3.Connection,
    user: str,
    action: str,
    detail: str | None = None,
    *,
    page: str | None = None,
    filters: str | None = None,
    rows: int | None = None,
    file_sha256: str | None = None,
    at: str | None = None,
) -> None:
    """在调用方的事务里追加一条审计记录（谁、何时、做了什么、在哪一页、什么筛选、多少行、文件散列），接在散列链上。
    只追加：改、删、覆盖由触发器拒绝。"""
    entry = {
        "at": _text(at) or _now(),
        "user": str(user),
        "action": str(action),
        "detail": _text(detail),
        "page": _text(page),
        "filters": _text(filters),
        "rows": None if rows is None else int(rows),
        "file_sha256": _text(file_sha256),
    }
    # 编号在写入前定下（散列里有它）：与 AUTOINCREMENT 自己选的一样，取用过的最大编号加一。connect() 的事务是
    # begin immediate，读到的末条与写入之间没有别人能插进来
    entry["id"] = con.execute(
        "select max(coalesce((select seq from sqlite_sequence where name = 'audit_event'), 0),"
        " coalesce((select max(id) from audit_event), 0)) + 1"
    ).fetchone()[0]
    last = con.execute("select row_sha256 from audit_event order by id desc limit 1").fetchone()
    entry["prev_sha256"] = last[0] if last is not None else CHAIN_START
    con.execute(
        f"insert into audit_event ({', '.join(_CHAINED)}, row_sha256) values ({', '.join('?' * len(_CHAINED))}, ?)",
        (*(entry[k] for k in _CHAINED), row_sha256(entry)),
    )


def _text(value: object) -> str | None:
    """审计的文本项照库里会存的样子（散列按它算）。"""
    return None if value is None else str(value)


def audit_event(
    db_path: str | os.PathLike[str], user: str, action: str, detail: str | None = None, **extra: Any
) -> None:
    """追加一条审计记录（自己开一个短事务）。"""
    with connect(db_path) as con:
        record(con, user, action, detail, **extra)


@contextlib.contextmanager
def audited(
    db_path: str | os.PathLike[str], user: str | None, action: str, detail: str, **extra: Any
) -> Iterator[dict[str, Any]]:
    """一次有后果的操作（导入、回滚、恢复、重新发布）恰好留一条审计：成功时记 action，失败时记“action失败”与原因，
    然后照样抛出。调用方可在 with 里往给出的 dict 填 rows、file_sha256、detail（结果知道了才有）。"""
    outcome = dict(extra)
    try:
        yield outcome
    except Exception as exc:
        reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        fields = {k: v for k, v in outcome.items() if k != "detail"}
        audit_event(db_path, user or osuser.name(), f"{action}失败", f"{detail}：{reason}", **fields)
        raise
    fields = {k: v for k, v in outcome.items() if k != "detail"}
    audit_event(db_path, user or osuser.name(), action, outcome.get("detail", detail), **fields)


def audit(
    db_path: str | os.PathLike[str],
    limit: int | None = 200,
    *,
    user: str | None = None,
    action: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> list[dict]:
    """审计记录，新的在前；可按人、操作、时间（since 含、until 不含，文本时刻）筛选。limit=None 为全部。"""
    where: list[str] = []
    args: list[str | int] = []
    for clause, value in (("user = ?", user), ("action = ?", action), ("at >= ?", since), ("at < ?", until)):
        if value is not None:
            where.append(clause)
            args.append(value)
    sql = (
        f"select {', '.join(AUDIT_COLUMNS)} from audit_event"
        f"{' where ' + ' and '.join(where) if where else ''} order by id desc"
    )
    if limit is not None:
        sql += " limit ?"
        args.append(limit)
    with connect(db_path) as con:
        rows = con.execute(sql, args).fetchall()
    return [dict(zip(AUDIT_COLUMNS, r)) for r in rows]


def audit_table(rows: list[dict]) -> pd.DataFrame:
    """审计记录的表（页面与 Excel）：中文列名，没有的项留空（行数写成带千分位的文字）。"""
    import pandas as pd

    df = pd.DataFrame(rows, columns=list(AUDIT_COLUMNS))
    text = [c for c in AUDIT_COLUMNS if c != "rows"]
    df[text] = df[text].astype("object").fillna("")
    df["rows"] = ["" if pd.isna(v) else f"{int(v):,}" for v in df["rows"]]
    return df.rename(columns=AUDIT_LABELS)


def audit_file(rows: list[dict], suffix: str, *, note: str | None = None) -> bytes:
    """审计记录导出文件的内容：.xlsx（与“账号与审计”页导出的相同，note 写在表下）或 .csv（UTF-8 带 BOM，
    Excel 直接打开；登录名、文件名是别人写的，可能被当成公式的文字前加单引号，与 .xlsx 同一防护）。"""
    from chuangwen import excel

    table = audit_table(rows)
    if suffix == ".xlsx":
        return excel.to_xlsx({"审计记录": table}, note=note)
    if suffix != ".csv":
        raise ValueError(f"审计记录只能导出成 .xlsx 或 .csv，实际为 {suffix!r}")
    return table.map(lambda v: excel.neutralise(v) if isinstance(v, str) else v).to_csv(index=False).encode("utf-8-sig")


def day_window(start: date, end: date) -> tuple[str, str]:
    """按日期筛审计：start 那天 0 点（含）到 end 次日 0 点（不含），文本时刻。"""
    return (
        datetime.combine(start, datetime.min.time()).strftime("%Y-%m-%d %H:%M:%S"),
        datetime.combine(end + timedelta(days=1), datetime.min.time()).strftime("%Y-%m-%d %H:%M:%S"),
    )


def recent_days(today: date, days: int = 30) -> tuple[date, date]:
    """审计页默认的日期范围：最近 days 天（含今天）。"""
    return today - timedelta(days=days - 1), today


def audit_choices(db_path: str | os.PathLike[str]) -> tuple[list[str], list[str]]:
    """审计记录里出现过的人与操作（筛选的选项）。"""
    with connect(db_path) as con:
        users = [r[0] for r in con.execute("select distinct user from audit_event order by 1").fetchall()]
        actions = [r[0] for r in con.execute("select distinct action from audit_event order by 1").fetchall()]
    return users, actions


def backup_to(db_path: str | os.PathLike[str], target: Path) -> bool:
    """一致地复制状态库（SQLite 在线备份，写入照常）；还没有状态库时返回 False。"""
    if not state_path(db_path).exists():
        return False
    src = sqlite3.connect(state_path(db_path), timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    os.chmod(target, 0o600)
    return True
