"""通报存档：每期发出的幻灯片、Word、PDF、督办单连同期号、周期、数据指纹与时间存起来，通报导出页列出往期、经审计再下载。

期号按（周期种类、年份）连续编号：在同一个 begin immediate 事务里取“已用的最大期号 + 1”并占下，不会重、不会跳；
运行者死掉后接续的沿用已占的期号；生成失败时放回（release），重试时重新取号：失败的一次不占号。
文件放在库旁的 <库文件名>.briefings/年份/种类/期号/（目录 0700、文件 0600）。
"""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from chuangwen import statedb


@dataclass(frozen=True)
class Issue:
    id: int
    kind: str
    year: int
    issue_no: int
    period: str


def root(db_path: str | os.PathLike[str]) -> Path:
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + ".briefings")


def reserve(db_path: str | os.PathLike[str], kind: str, year: int, period: str) -> Issue:
    """占一个期号（已为这个周期占过的沿用）。"""
    with statedb.connect(db_path) as con:
        got = con.execute(
            "select id, issue_no from dispatch_issue where kind = ? and period = ?", (kind, period)
        ).fetchone()
        if got is None:
            no = con.execute(
                "select coalesce(max(issue_no), 0) + 1 from dispatch_issue where kind = ? and year = ?", (kind, year)
            ).fetchone()[0]
            cur = con.execute(
                "insert into dispatch_issue (kind, year, issue_no, period, created_at) values (?, ?, ?, ?, ?)",
                (kind, year, no, period, statedb._now()),
            )
            got = (cur.lastrowid, no)
    return Issue(int(got[0]), kind, year, int(got[1]), period)


def release(db_path: str | os.PathLike[str], issue: Issue) -> None:
    """生成失败：放回还没存好（没有数据指纹）的这一期的期号，连同写了一半的文件；存好的不动。"""
    with statedb.connect(db_path) as con:
        stored = con.execute("select digest from dispatch_issue where id = ?", (issue.id,)).fetchone()
        if stored is None or stored[0] is not None:
            return
        con.execute("delete from dispatch_file where issue_id = ?", (issue.id,))
        con.execute("delete from dispatch_issue where id = ?", (issue.id,))
    shutil.rmtree(_folder(db_path, issue), ignore_errors=True)


def _folder(db_path: str | os.PathLike[str], issue: Issue) -> Path:
    return root(db_path) / str(issue.year) / issue.kind / f"{issue.issue_no:03d}"


def store(
    db_path: str | os.PathLike[str],
    issue: Issue,
    files: dict[str, tuple[str, bytes]],
    *,
    title: str,
    period_text: str,
    as_of: str,
    cutoff: str,
    digest: str,
    by: str,
) -> None:
    """写入一期的文件（role → (文件名, 字节)）并登记；同名文件再写时替换（同一期重试）。"""
    rows = [_write(db_path, issue, role, name, data) for role, (name, data) in files.items()]
    with statedb.connect(db_path) as con:
        con.execute(
            "update dispatch_issue set title = ?, period_text = ?, as_of = ?, cutoff = ?, digest = ? where id = ?",
            (title, period_text, as_of, cutoff, digest, issue.id),
        )
        con.executemany("insert or replace into dispatch_file values (?, ?, ?, ?, ?, ?)", rows)
        statedb.record(
            con,
            by,
            "存档通报",
            f"{title} 第{issue.issue_no}期（{issue.period}）：{'、'.join(name for name, _ in files.values())}",
            filters=f"统计区间 {period_text}；数据截至 {cutoff}；数据指纹 {digest[:12]}",
            rows=len(rows),
        )


def _write(db_path: str | os.PathLike[str], issue: Issue, role: str, name: str, data: bytes) -> tuple:
    """一个文件先写临时文件（建时就是 0600）再原子改名；返回登记行。"""
    base = root(db_path)
    base.mkdir(exist_ok=True, mode=0o700)
    os.chmod(base, 0o700)  # 存档里有各单位的督办单：只有看板的操作系统用户能进
    folder = _folder(db_path, issue)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = folder / name
    tmp = folder / f".{name}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, target)
    return (issue.id, name, role, str(target.relative_to(root(db_path))), hashlib.sha256(data).hexdigest(), len(data))


def store_extra(db_path: str | os.PathLike[str], issue: Issue, name: str, data: bytes, role: str = "notice") -> None:
    """一期里另存一个文件（发给某个单位的它自己的督办单）。"""
    row = _write(db_path, issue, role, name, data)
    with statedb.connect(db_path) as con:
        con.execute("insert or replace into dispatch_file values (?, ?, ?, ?, ?, ?)", row)


ISSUE_COLUMNS = {
    "id": "编号",
    "title": "通报",
    "issue_no": "期号",
    "period": "周期",
    "period_text": "统计区间",
    "cutoff": "数据截至",
    "digest": "数据指纹",
    "created_at": "存档时间",
}


def issues(db_path: str | os.PathLike[str], limit: int = 200) -> list[dict]:
    """往期通报（新的在前；只列已存好文件的）。"""
    with statedb.connect(db_path) as con:
        rows = con.execute(
            f"select {', '.join(ISSUE_COLUMNS)} from dispatch_issue where digest is not null order by id desc limit ?",
            (limit,),
        ).fetchall()
    return [dict(zip(ISSUE_COLUMNS, r)) for r in rows]


def issue_table(rows: list[dict]) -> list[dict]:
    """页面上的往期表：中文列名，期号写成“第 N 期”，指纹取前 12 位。"""
    return [
        {
            ISSUE_COLUMNS[k]: (f"第 {v} 期" if k == "issue_no" else v[:12] if k == "digest" and v else v)
            for k, v in r.items()
        }
        for r in rows
    ]


def files(db_path: str | os.PathLike[str], issue_id: int) -> list[dict]:
    with statedb.connect(db_path) as con:
        rows = con.execute(
            "select name, role, path, sha256, size from dispatch_file where issue_id = ? order by role, name",
            (issue_id,),
        ).fetchall()
    return [dict(zip(("name", "role", "path", "sha256", "size"), r)) for r in rows]


def read(db_path: str | os.PathLike[str], issue_id: int, name: str) -> bytes:
    """读存档的一个文件，并核对 SHA-256（被改过的不给）。"""
    entry = next((f for f in files(db_path, issue_id) if f["name"] == name), None)
    if entry is None:
        raise FileNotFoundError(f"存档里没有这个文件：第 {issue_id} 号存档的 {name}")
    data = (root(db_path) / entry["path"]).read_bytes()
    if hashlib.sha256(data).hexdigest() != entry["sha256"]:
        raise ValueError(f"存档文件 {name} 与登记的 SHA-256 不符（被改过），不提供下载；请管理员检查存档目录")
    return data
