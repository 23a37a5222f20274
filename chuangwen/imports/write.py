"""写入：默认整批（一个事务，任何一行有错就什么都不写）；--partial 只写通过校验的行并返回被拒的行。

幂等：同一文件（SHA-256 相同）已成功导入过时不再写；相同的行（问题编号已在库中且状态未变、同一事件）跳过。
原始文件存档在库旁 `<库文件名>.imports/<sha256>.<扩展名>`，哈希与存档路径记入 import_log。
回滚：按导入编号删除该次导入写入的事件、问题与新增的参考数据，导入日志标记为“已回滚”。
DuckDB 不允许在同一事务内先删子表再删被外键引用的父表行，因此回滚分几步（每步一个事务，先子后父）；
中途失败时再次执行同一回滚即可接着完成。
"""
from __future__ import annotations

import getpass
import hashlib
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd

from chuangwen import db
from chuangwen.imports import readers, validate
from chuangwen.imports.kinds import KINDS
from chuangwen.imports.mapping import Mapping, identity


class ImportFailed(Exception):
    """导入未执行（文件读不了或有错误）；message 为中文，prepared 带逐行报告（若已读到行）。"""

    def __init__(self, message: str, prepared: validate.Prepared | None = None):
        super().__init__(message)
        self.prepared = prepared


@dataclass
class ImportResult:
    import_id: int | None
    kind: str
    file_name: str
    sha256: str
    rows_total: int
    rows_imported: int
    rows_rejected: int
    rows_skipped: int
    inserted: dict[str, int] = field(default_factory=dict)
    created: dict[str, list[str]] = field(default_factory=dict)
    status: str = "成功"
    message: str = ""
    prepared: validate.Prepared | None = None

    def summary(self) -> str:
        lines = [self.message]
        labels = {"problem": "问题", "problem_coop_unit": "配合单位关系", "rectify_event": "整改事件", "unit": "责任单位",
                  "region": "镇街/社区", "problem_category": "问题类别", "site": "点位", "site_type": "点位类型"}
        if self.inserted:
            lines.append("写入：" + "，".join(f"{labels.get(k, k)} {v:,} 行" for k, v in self.inserted.items()))
        for k, names in self.created.items():
            lines.append(f"新增{labels.get(k, k)}（--create-missing）：{'、'.join(names)}")
        return "\n".join(lines)


def archive_dir(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".imports")


def sha256(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def _insert(con, table: str, df: pd.DataFrame) -> int:
    if df is None or df.empty:
        return 0
    cols = ", ".join(f'"{c}"' for c in df.columns)
    con.register("_import_rows", df)
    try:
        con.execute(f'insert into "{table}" ({cols}) select {cols} from _import_rows')
    finally:
        con.unregister("_import_rows")
    return len(df)


def read(raw: bytes, file_name: str, kind: str, mapping: Mapping | None) -> readers.Table:
    mapping = mapping or identity(kind)
    expected = list(mapping.columns.values()) or KINDS[kind].names
    return readers.read_table(raw, file_name, expected)


def validate_only(con, raw: bytes, file_name: str, kind: str, mapping: Mapping | None = None, *, crs: str | None = None,
                  create_missing: bool = False) -> validate.Prepared:
    """只校验、不写（页面的“校验”按钮）；con 可以是只读连接。"""
    mapping = mapping or identity(kind)
    table = read(raw, file_name, kind, mapping)
    return validate.prepare(con, kind, table, mapping, crs=crs, create_missing=create_missing)


def run_import(db_path: str | os.PathLike, raw: bytes, file_name: str, kind: str, mapping: Mapping | None = None, *,
               crs: str | None = None, partial: bool = False, create_missing: bool = False,
               imported_by: str | None = None) -> ImportResult:
    """导入一个文件。失败（文件读不了、整批模式下有错误、部分模式下没有一行可用）时抛 ImportFailed，库不变。"""
    db_path = Path(db_path)
    if kind not in KINDS:
        raise ImportFailed(f"不认识的导入种类“{kind}”，应为：{'、'.join(KINDS)}")
    if not KINDS[kind].supported:
        raise ImportFailed(f"本版本暂不支持导入“{KINDS[kind].label}”（{kind}）；目前支持：问题台账、整改记录、责任单位、点位与镇街边界。")
    mapping = mapping or identity(kind)
    try:
        table = read(raw, file_name, kind, mapping)
    except readers.ReadError as exc:
        raise ImportFailed(str(exc)) from None
    digest = sha256(raw)
    db._check_is_duckdb_file(db_path)
    with db.writer(db_path) as con:
        prior = con.execute(
            "select id from import_log where file_sha256 = $h and kind = $k and status in ('成功', '部分导入') order by id limit 1",
            {"h": digest, "k": kind}).fetchone()
        if prior:
            return ImportResult(prior[0], kind, file_name, digest, len(table.data), 0, 0, len(table.data),
                                status="已导入过", message=f"这个文件已于导入编号 {prior[0]} 导入过（文件哈希相同），未做任何修改。")
        prep = validate.prepare(con, kind, table, mapping, crs=crs, create_missing=create_missing)
        rejected = int(prep.rejected.sum()) if prep.rejected is not None else 0
        if prep.errors and not partial:
            raise ImportFailed(f"校验发现 {prep.errors:,} 处错误（涉及 {rejected:,} 行），未导入任何数据。"
                               "请按报告改正后重新导入，或加 --partial 只导入通过校验的行。", prep)
        rows_ok = prep.rows_total - rejected
        if partial and rows_ok == 0:
            raise ImportFailed(f"所有 {prep.rows_total:,} 行都未通过校验，未导入任何数据。", prep)
        total_new = sum(len(df) for df in prep.frames.values()) + sum(len(df) for df in prep.created.values())
        if total_new == 0:
            return ImportResult(None, kind, file_name, digest, prep.rows_total, 0, rejected, prep.skipped,
                                status="无新数据", message=f"{prep.rows_total:,} 行与库中已有数据相同，没有新增任何内容。",
                                prepared=prep)
        archive = archive_dir(db_path) / f"{digest}{Path(file_name).suffix.lower()}"
        status = "部分导入" if rejected else "成功"
        import_id = con.execute(
            "insert into import_log (kind, file_name, file_sha256, rows_total, rows_imported, imported_by, imported_at,"
            " status, archive_path, note) values ($k, $f, $h, $t, $i, $by, $at, $s, $a, $n) returning id",
            {"k": kind, "f": file_name, "h": digest, "t": prep.rows_total, "i": rows_ok - prep.skipped if rows_ok > prep.skipped else 0,
             "by": imported_by or _user(), "at": datetime.now().replace(microsecond=0), "s": status,
             "a": str(archive), "n": f"跳过与库中相同的 {prep.skipped:,} 行；拒绝 {rejected:,} 行" if (prep.skipped or rejected) else None},
        ).fetchone()[0]
        inserted: dict[str, int] = {}
        created: dict[str, list[str]] = {}
        for table_name in ("region", "problem_category", "site_type", "unit"):
            df = prep.created.get(table_name)
            if df is not None and not df.empty:
                if table_name == "region":   # 上级先写：同一批插入里外键只对照已有的行
                    inserted[table_name] = sum(_insert(con, "region", df[df["level"] == lv]) for lv in ("省", "县级", "镇街", "社区村"))
                else:
                    inserted[table_name] = _insert(con, table_name, df)
                key_col = "name" if table_name in ("problem_category", "site_type") else "code"
                _insert(con, "import_created", pd.DataFrame({"import_id": import_id, "table_name": table_name,
                                                              "key": df[key_col].astype(str).to_numpy()}))
                created[table_name] = df["name"].tolist()
        for table_name in ("region", "unit", "site", "problem", "problem_coop_unit", "rectify_event"):
            df = prep.frames.get(table_name)
            if df is None or df.empty:
                continue
            if table_name in ("problem", "rectify_event"):
                df = df.assign(import_id=import_id)
            if table_name in ("unit", "site"):
                _insert(con, "import_created", pd.DataFrame({"import_id": import_id, "table_name": table_name,
                                                              "key": df["code"].astype(str).to_numpy()}))
            inserted[table_name] = inserted.get(table_name, 0) + _insert(con, table_name, df)
        archive.parent.mkdir(parents=True, exist_ok=True)
        if not archive.exists():
            tmp = archive.with_name(archive.name + f".tmp-{os.getpid()}")
            tmp.write_bytes(raw)
            os.replace(tmp, archive)
    msg = (f"导入成功（导入编号 {import_id}）：{file_name}，共 {prep.rows_total:,} 行" if not rejected else
           f"部分导入（导入编号 {import_id}）：{file_name}，共 {prep.rows_total:,} 行，拒绝 {rejected:,} 行")
    if prep.skipped:
        msg += f"，其中 {prep.skipped:,} 行与库中相同已跳过"
    return ImportResult(import_id, kind, file_name, digest, prep.rows_total, rows_ok, rejected, prep.skipped,
                        inserted, created, status, msg + "。", prep)


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "未知"


def list_imports(con) -> pd.DataFrame:
    cur = con.cursor()
    try:
        return cur.execute(
            "select id as 导入编号, kind as 种类, file_name as 文件, rows_total as 总行数, rows_imported as 导入行数,"
            " status as 状态, imported_by as 导入人, imported_at as 导入时间, file_sha256 as 文件哈希, note as 说明"
            " from import_log order by id desc").df().assign(
                种类=lambda d: d["种类"].map(lambda k: KINDS[k].label if k in KINDS else "镇街边界" if k == "boundaries" else k))
    finally:
        cur.close()


def rollback(db_path: str | os.PathLike, import_id: int) -> str:
    """回滚一次导入；返回中文结果说明。依赖它的后续导入（在它的问题上追加了事件、用了它新增的单位等）须先回滚。"""
    db_path = Path(db_path)
    db._check_is_duckdb_file(db_path)
    with db.writer(db_path) as con:
        row = con.execute("select status, kind, file_name from import_log where id = $i", {"i": import_id}).fetchone()
        if row is None:
            raise ImportFailed(f"没有导入编号 {import_id}。")
        if row[0] == "已回滚":
            raise ImportFailed(f"导入编号 {import_id} 已经回滚过。")
        if row[0] == "失败":
            raise ImportFailed(f"导入编号 {import_id} 未写入数据，无需回滚。")
        blockers = con.execute(
            """
            with mine as (select code from problem where import_id = $i),
                 made as (select key, table_name from import_created where import_id = $i)
            select distinct import_id from (
                select e.import_id from rectify_event e where e.problem_code in (select code from mine) and e.import_id <> $i
                union all select p.import_id from problem p where p.import_id <> $i and (
                    p.lead_unit_code in (select key from made where table_name = 'unit')
                    or p.category in (select key from made where table_name = 'problem_category')
                    or p.township_code in (select key from made where table_name = 'region')
                    or p.community_code in (select key from made where table_name = 'region'))
                union all select e.import_id from rectify_event e where e.import_id <> $i
                    and e.unit_code in (select key from made where table_name = 'unit')
            ) where import_id is not null and import_id in (select id from import_log where status in ('成功', '部分导入'))
            order by 1
            """, {"i": import_id}).fetchall()
        if blockers:
            ids = "、".join(str(b[0]) for b in blockers)
            raise ImportFailed(f"后续导入（编号 {ids}）用到了导入编号 {import_id} 写入的数据，请先回滚它们。")
        made = con.execute("select table_name, key from import_created where import_id = $i", {"i": import_id}).df()
        refs_outside = con.execute(
            """select count(*) from import_created m where m.import_id = $i and (
                (m.table_name = 'unit' and (exists (select 1 from problem p where p.lead_unit_code = m.key and coalesce(p.import_id, -1) <> $i)
                    or exists (select 1 from framework_node f where f.lead_unit_code = m.key)
                    or exists (select 1 from deduction_unit d where d.unit_code = m.key)))
                or (m.table_name = 'region' and exists (select 1 from site s where (s.township_code = m.key or s.community_code = m.key)
                    and s.code not in (select key from import_created where import_id = $i and table_name = 'site')))
                or (m.table_name = 'site' and exists (select 1 from problem p where p.site_code = m.key and coalesce(p.import_id, -1) <> $i))
                or (m.table_name = 'site' and exists (select 1 from deduction d where d.site_code = m.key))
                or (m.table_name = 'site_type' and exists (select 1 from site s where s.site_type = m.key
                    and s.code not in (select key from import_created where import_id = $i and table_name = 'site'))))""",
            {"i": import_id}).fetchone()[0]
        if refs_outside:
            raise ImportFailed(f"导入编号 {import_id} 新增的单位或镇街已被其他数据引用（手工录入或其他来源），不能自动回滚。")
        # 第 1 步：事件、配合单位、边界（子表）
        con.execute("delete from boundary where source like $p", {"p": f"import:{import_id}:%"})
        con.execute("delete from rectify_event where import_id = $i or problem_code in (select code from problem where import_id = $i)",
                    {"i": import_id})
        con.execute("delete from problem_coop_unit where problem_code in (select code from problem where import_id = $i)"
                    " or unit_code in (select key from import_created where import_id = $i and table_name = 'unit')",
                    {"i": import_id})
    steps = [
        ("delete from problem where import_id = $i", None),
        ("delete from site where code in (select key from import_created where import_id = $i and table_name = 'site')", None),
        ("delete from unit where code in (select key from import_created where import_id = $i and table_name = 'unit')", None),
        ("delete from site_type where name in (select key from import_created where import_id = $i and table_name = 'site_type')", None),
        ("delete from problem_category where name in (select key from import_created where import_id = $i and table_name = 'problem_category')", None),
        ("delete from region where level = '社区村' and code in (select key from import_created where import_id = $i and table_name = 'region')", None),
        ("delete from region where level = '镇街' and code in (select key from import_created where import_id = $i and table_name = 'region')", None),
        ("delete from region where level = '县级' and code in (select key from import_created where import_id = $i and table_name = 'region')", None),
        ("delete from region where level = '省' and code in (select key from import_created where import_id = $i and table_name = 'region')", None),
    ]
    for sql, _ in steps:
        with db.writer(db_path) as con:
            con.execute(sql, {"i": import_id})
    with db.writer(db_path) as con:
        con.execute("delete from import_created where import_id = $i", {"i": import_id})
        con.execute("update import_log set status = '已回滚', note = concat_ws('；', note, $n) where id = $i",
                    {"i": import_id, "n": f"已回滚 {datetime.now():%Y-%m-%d %H:%M}"})
    return f"已回滚导入编号 {import_id}（{row[1]}，{row[2]}）：该次导入写入的数据已删除，导入日志保留并标记为“已回滚”。"


def save_preset(db_path: str | os.PathLike, kind: str, name: str, mapping: Mapping) -> None:
    with db.writer(Path(db_path)) as con:
        con.execute("delete from import_preset where kind = $k and name = $n", {"k": kind, "n": name})
        con.execute("insert into import_preset values ($k, $n, $t, $at)",
                    {"k": kind, "n": name, "t": mapping.to_toml(), "at": datetime.now().replace(microsecond=0)})


def presets(con, kind: str) -> dict[str, str]:
    cur = con.cursor()
    try:
        return dict(cur.execute("select name, mapping_toml from import_preset where kind = $k order by name", {"k": kind}).fetchall())
    finally:
        cur.close()
