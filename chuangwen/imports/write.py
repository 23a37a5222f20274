"""写入：默认整批（一个事务，任何一行有错就什么都不写）；--partial 只写通过校验的行并返回被拒的行。

幂等：同一文件（SHA-256 相同）已成功导入过时不再写；相同的行（问题编号已在库中且状态未变、同一事件）跳过。
原始文件存档在库旁 `<库文件名>.imports/<sha256>.<扩展名>`，哈希与存档路径记入 import_log。
回滚：按导入编号删除该次导入写入的事件、问题与新增的参考数据，导入日志标记为“已回滚”。
DuckDB 不允许在同一事务内先删子表再删被外键引用的父表行，因此回滚分几步（每步一个事务，先子后父）；
中途失败时再次执行同一回滚即可接着完成。
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

from chuangwen import db, osuser, statedb, store
from chuangwen.imports import checks, readers, validate
from chuangwen.imports.kinds import KINDS, TABLE_LABELS
from chuangwen.imports.mapping import Mapping, identity


class ImportFailed(Exception):
    """导入未执行（文件读不了或有错误）；message 为中文，prepared 带逐行报告（若已读到行）。"""

    def __init__(self, message: str, prepared: checks.Prepared | None = None):
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
    prepared: checks.Prepared | None = None

    def summary(self) -> str:
        lines = [self.message]
        labels = TABLE_LABELS
        if self.inserted:
            lines.append("写入：" + "，".join(f"{labels.get(k, k)} {v:,} 行" for k, v in self.inserted.items()))
        for k, names in self.created.items():
            lines.append(f"自动新增{labels.get(k, k)}：{'、'.join(names)}")
        return "\n".join(lines)


# 写入顺序：被引用的表先写
WRITE_ORDER = (
    "region",
    "unit",
    "site",
    "framework_edition",
    "framework_node",
    "sampling_plan",
    "standard_scoring",
    "standard_category",
    "round",
    "score",
    "score_part",
    "deduction",
    "deduction_unit",
    "problem",
    "problem_coop_unit",
    "rectify_event",
)
# 没有 import_id 列的表：写入的行记入 import_created（复合主键以 | 连接），回滚时按此删除
KEY_SEP = "|"
CREATED_KEYS = {
    "region": ("code",),
    "problem_category": ("name",),
    "site_type": ("name",),
    "unit": ("code",),
    "site": ("code",),
    "framework_edition": ("edition",),
    "framework_node": ("edition", "code"),
    "round": ("code",),
    "score": ("round_code", "region_code"),
    "score_part": ("round_code", "region_code", "edition", "node_code"),
    "deduction": ("id",),
    "sampling_plan": ("edition", "site_type"),
    "standard_scoring": ("edition", "standard_code"),
    "standard_category": ("edition", "category", "site_type"),
}


def record_created(con: duckdb.DuckDBPyConnection, import_id: int, table_name: str, df: pd.DataFrame) -> None:
    """记下本次导入写入某表的行（按 CREATED_KEYS 的键），回滚时按此删除。"""
    cols = CREATED_KEYS[table_name]
    keys = df[cols[0]].astype(str)
    for col in cols[1:]:
        keys = keys + KEY_SEP + df[col].astype(str)
    _insert(
        con,
        "import_created",
        pd.DataFrame({"import_id": import_id, "table_name": table_name, "key": keys.to_numpy()}).drop_duplicates(),
    )


def _refresh_edition_totals(con: duckdb.DuckDBPyConnection, editions: list[str]) -> None:
    """测评体系版本的满分 = 各板块分值之和（导入新增板块、回滚删掉板块后重算）。"""
    if editions:
        con.execute(
            "update framework_edition e set total_points = s.total from ("
            " select edition, sum(points) as total from framework_node where level = '板块' group by edition) s"
            " where s.edition = e.edition and e.edition in (select unnest($e::varchar[])) and s.total > 0",
            {"e": editions},
        )


def archive_dir(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".imports")


# 原始台账里有人名、电话、地址：存档目录只给运行看板的账号（0700），文件 0600
ARCHIVE_DIR_MODE = 0o700
ARCHIVE_FILE_MODE = 0o600


def archive_raw(archive: Path, raw: bytes) -> None:
    """把原始文件存进存档（同名已有则不动）：先写临时文件再改名，目录与文件都不给别人读。"""
    archive.parent.mkdir(mode=ARCHIVE_DIR_MODE, parents=True, exist_ok=True)
    os.chmod(archive.parent, ARCHIVE_DIR_MODE)  # 旧版本建的目录是 0755
    if archive.exists():
        return
    tmp = archive.with_name(archive.name + f".tmp-{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, ARCHIVE_FILE_MODE)
    with os.fdopen(fd, "wb") as fh:
        fh.write(raw)
    os.chmod(tmp, ARCHIVE_FILE_MODE)
    os.replace(tmp, archive)


def sha256(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def _insert(con: duckdb.DuckDBPyConnection, table: str, df: pd.DataFrame | None) -> int:
    if df is None or df.empty:
        return 0
    cols = ", ".join(f'"{c}"' for c in df.columns)
    con.register("_import_rows", df)
    try:
        con.execute(f'insert into "{table}" ({cols}) select {cols} from _import_rows')
    finally:
        con.unregister("_import_rows")
    return len(df)


def read(
    raw: bytes, file_name: str, kind: str, mapping: Mapping | None, *, header_row: int | None = None
) -> readers.Table:
    """读要导入的文件。表头行按映射的源列（没有映射时按模板列名）找；header_row（从 1 起）给出时就用这一行
    （数据管理页预览时定下的表头行，导入时读的必是同一张表）。给了映射、前几行里却找不到它的源列时取第一行作表头，
    让校验逐列写明“文件中没有列 X”，而不是笼统地说找不到表头。"""
    if header_row is not None:
        return readers.read_table(raw, file_name, [], header_row=header_row)
    if mapping is None:
        return readers.read_table(raw, file_name, KINDS[kind].names)
    expected = [*mapping.columns.values(), *KINDS[kind].names]
    try:
        return readers.read_table(raw, file_name, expected)
    except readers.ReadError as exc:
        if "找不到表头行" not in str(exc):
            raise
        return readers.read_table(raw, file_name, expected, header_row=1)


def validate_table(
    con: duckdb.DuckDBPyConnection,
    table: readers.Table,
    kind: str,
    mapping: Mapping,
    *,
    crs: str | None = None,
    create_missing: bool = False,
    chosen: dict[str, str] | None = None,
    place: checks.Place = checks.CLI,
) -> checks.Prepared:
    """校验一张已经读出来的表（数据管理页读一次、换映射只重新校验）；不写库，con 可以是只读连接。"""
    return validate.prepare(
        con, kind, table, mapping, crs=crs, create_missing=create_missing, chosen=chosen, place=place
    )


def validate_only(
    con: duckdb.DuckDBPyConnection,
    raw: bytes,
    file_name: str,
    kind: str,
    mapping: Mapping | None = None,
    *,
    crs: str | None = None,
    create_missing: bool = False,
    chosen: dict[str, str] | None = None,
    place: checks.Place = checks.CLI,
) -> checks.Prepared:
    """只校验、不写；con 可以是只读连接；chosen 为库的设置（statedb.office_settings）。"""
    table = read(raw, file_name, kind, mapping)
    return validate_table(
        con,
        table,
        kind,
        mapping or identity(kind),
        crs=crs,
        create_missing=create_missing,
        chosen=chosen,
        place=place,
    )


def run_import(
    db_path: str | os.PathLike,
    raw: bytes,
    file_name: str,
    kind: str,
    mapping: Mapping | None = None,
    *,
    crs: str | None = None,
    partial: bool = False,
    create_missing: bool = False,
    imported_by: str | None = None,
    page: str | None = None,
    place: checks.Place = checks.CLI,
    header_row: int | None = None,
) -> ImportResult:
    """导入一个文件。失败（文件读不了、整批模式下有错误、部分模式下没有一行可用）时抛 ImportFailed，库不变。
    成功、未改动与失败都恰好留一条审计（导入人 imported_by，命令行时为操作系统用户；page 为发起的页面）。
    place：从命令行还是数据管理页导入（报告里的建议指向那里）；header_row：页面预览时定下的表头行。"""
    if kind not in KINDS:
        raise ImportFailed(f"不认识的导入种类“{kind}”，应为：{'、'.join(KINDS)}")
    with statedb.audited(
        db_path, imported_by, "导入", f"{KINDS[kind].label}：{file_name}", page=page, file_sha256=sha256(raw)
    ) as outcome:
        result = _run_import(
            Path(db_path),
            raw,
            file_name,
            kind,
            mapping,
            crs=crs,
            partial=partial,
            create_missing=create_missing,
            imported_by=imported_by,
            place=place,
            header_row=header_row,
        )
        outcome.update(
            rows=result.rows_imported,
            detail=f"{KINDS[kind].label}：{file_name}：{result.status}"
            + (f"（导入编号 {result.import_id}）" if result.import_id else ""),
        )
    return result


def _run_import(
    db_path: Path,
    raw: bytes,
    file_name: str,
    kind: str,
    mapping: Mapping | None,
    *,
    crs: str | None,
    partial: bool,
    create_missing: bool,
    imported_by: str | None,
    place: checks.Place,
    header_row: int | None,
) -> ImportResult:
    try:
        table = read(raw, file_name, kind, mapping, header_row=header_row)
    except readers.ReadError as exc:
        raise ImportFailed(str(exc)) from None
    digest = sha256(raw)
    db.check_is_duckdb_file(db_path)
    command = f"导入{KINDS[kind].label}：{file_name}"
    # 外面这层发布只为把导入人记进写入锁与 store.log（db.writer 并入它）；命令行 imported_by 为 None，记操作系统用户
    with store.publishing(db_path, command, user=imported_by), db.writer(db_path, command) as con:
        prior = con.execute(
            "select id from import_log where file_sha256 = $h and kind = $k and status in ('成功', '部分导入') order by id limit 1",
            {"h": digest, "k": kind},
        ).fetchone()
        if prior:
            return ImportResult(
                prior[0],
                kind,
                file_name,
                digest,
                len(table.data),
                0,
                0,
                len(table.data),
                status="已导入过",
                message=f"这个文件已于导入编号 {prior[0]} 导入过（文件哈希相同），未做任何修改。",
            )
        prep = validate.prepare(
            con,
            kind,
            table,
            mapping or identity(kind),
            crs=crs,
            create_missing=create_missing,
            chosen=statedb.office_settings(db_path),
            place=place,
        )
        rejected = int(prep.rejected.sum()) if prep.rejected is not None else 0
        if prep.errors and not partial:
            # 全部被拒时不提“只导入通过校验的行”：没有能导入的行
            tail = f"，或{place.partial}" if rejected < prep.rows_total else ""
            raise ImportFailed(
                f"校验发现 {prep.errors:,} 处错误（涉及 {rejected:,} 行），未导入任何数据。请按报告改正后重新导入{tail}。",
                prep,
            )
        rows_ok = prep.rows_total - rejected
        if partial and rows_ok == 0:
            raise ImportFailed(f"所有 {prep.rows_total:,} 行都未通过校验，未导入任何数据。", prep)
        total_new = sum(len(df) for df in prep.frames.values()) + sum(len(df) for df in prep.created.values())
        if total_new == 0:
            return ImportResult(
                None,
                kind,
                file_name,
                digest,
                prep.rows_total,
                0,
                rejected,
                prep.skipped,
                status="无新数据",
                message=f"{prep.rows_total:,} 行与库中已有数据相同，没有新增任何内容。",
                prepared=prep,
            )
        archive = archive_dir(db_path) / f"{digest}{Path(file_name).suffix.lower()}"
        status = "部分导入" if rejected else "成功"
        import_id = db.scalar(
            con,
            "insert into import_log (kind, file_name, file_sha256, rows_total, rows_imported, imported_by, imported_at,"
            " status, archive_path, note) values ($k, $f, $h, $t, $i, $by, $at, $s, $a, $n) returning id",
            {
                "k": kind,
                "f": file_name,
                "h": digest,
                "t": prep.rows_total,
                "i": rows_ok - prep.skipped if rows_ok > prep.skipped else 0,
                "by": imported_by or osuser.name(),
                "at": datetime.now().replace(microsecond=0),
                "s": status,
                "a": str(archive),
                "n": f"跳过与库中（或文件中前面的行）相同的 {prep.skipped:,} 行；拒绝 {rejected:,} 行"
                if (prep.skipped or rejected)
                else None,
            },
        )
        inserted: dict[str, int] = {}
        created: dict[str, list[str]] = {}
        for table_name in ("region", "problem_category", "site_type", "unit", "site"):
            df = prep.created.get(table_name)
            if df is not None and not df.empty:
                if table_name == "region":  # 上级先写：同一批插入里外键只对照已有的行
                    inserted[table_name] = sum(
                        _insert(con, "region", df[df["level"] == lv]) for lv in ("省", "县级", "镇街", "社区村")
                    )
                else:
                    inserted[table_name] = _insert(con, table_name, df)
                record_created(con, import_id, table_name, df)
                created[table_name] = df["name"].tolist()
        if "deduction" in prep.frames and len(prep.frames["deduction"]):
            # 编号接在库中最大编号之后（示例库与手工录入的扣分带显式编号，序列不一定跟得上）
            start = con.execute("select coalesce(max(id), 0) + 1 from deduction").fetchall()[0][0]
            ids = list(range(start, start + len(prep.frames["deduction"])))
            prep.frames["deduction"] = prep.frames["deduction"].assign(id=ids)
            du = prep.frames.get("deduction_unit")
            if du is not None and len(du):
                prep.frames["deduction_unit"] = du.assign(deduction_id=[ids[k] for k in du["_deduction_row"]]).drop(
                    columns="_deduction_row"
                )
        for table_name in WRITE_ORDER:
            df = prep.frames.get(table_name)
            if df is None or df.empty:
                continue
            if table_name in ("problem", "rectify_event"):
                df = df.assign(import_id=import_id)
            if table_name in CREATED_KEYS:
                record_created(con, import_id, table_name, df)
            inserted[table_name] = inserted.get(table_name, 0) + _insert(con, table_name, df)
        if "framework_node" in inserted:
            _refresh_edition_totals(con, prep.frames["framework_node"]["edition"].unique().tolist())
        archive_raw(archive, raw)
    msg = (
        f"导入成功（导入编号 {import_id}）：{file_name}，共 {prep.rows_total:,} 行"
        if not rejected
        else f"部分导入（导入编号 {import_id}）：{file_name}，共 {prep.rows_total:,} 行，拒绝 {rejected:,} 行"
    )
    if prep.skipped:
        msg += f"，其中 {prep.skipped:,} 行与库中（或文件中前面的行）相同已跳过"
    return ImportResult(
        import_id,
        kind,
        file_name,
        digest,
        prep.rows_total,
        rows_ok,
        rejected,
        prep.skipped,
        inserted,
        created,
        status,
        msg + "。",
        prep,
    )


OTHER_KINDS = {"boundaries": "镇街边界", "restore": "从备份恢复"}


def list_imports(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    cur = con.cursor()
    try:
        return (
            cur.execute(
                "select id as 导入编号, kind as 种类, file_name as 文件, rows_total as 总行数, rows_imported as 导入行数,"
                " status as 状态, imported_by as 导入人, imported_at as 导入时间, file_sha256 as 文件哈希, note as 说明"
                " from import_log order by id desc"
            )
            .df()
            .assign(
                种类=lambda d: d["种类"].map(lambda k: KINDS[k].label if k in KINDS else OTHER_KINDS.get(k, k)),
                说明=lambda d: d["说明"].astype(object).where(d["说明"].notna(), ""),  # 没有说明就空着，不写 None
            )
        )
    finally:
        cur.close()


def rollbackable(log: pd.DataFrame) -> list[int]:
    """可以回滚的导入（list_imports 的结果中）：成功或部分导入、不是从备份恢复的那些，新的在前。"""
    ok = log["状态"].isin(["成功", "部分导入"]) & (log["种类"] != OTHER_KINDS["restore"])
    return log.loc[ok, "导入编号"].tolist()


def rollback(db_path: str | os.PathLike, import_id: int, *, by: str | None = None, page: str | None = None) -> str:
    """回滚一次导入；返回中文结果说明。依赖它的后续导入（在它的问题上追加了事件、用了它新增的单位等）须先回滚。
    成功或失败都恰好留一条审计（by：操作的人，命令行时为操作系统用户）。"""
    db_path = Path(db_path)
    with statedb.audited(db_path, by, "回滚导入", f"导入编号 {import_id}", page=page):
        db.check_is_duckdb_file(db_path)
        # 一次发布：DuckDB 同一事务里删了子行仍不能删父行，回滚分几个事务先子后父，但都在同一个快照副本上，
        # 全部成功才发布；中途出错什么都不发布，读者只会看到回滚前或回滚后
        with store.publishing(db_path, f"回滚导入 {import_id}", user=by):
            return _rollback(db_path, import_id)


def _rollback(db_path: Path, import_id: int) -> str:
    with db.writer(db_path) as con:
        row = con.execute("select status, kind, file_name from import_log where id = $i", {"i": import_id}).fetchone()
        if row is None:
            raise ImportFailed(f"没有导入编号 {import_id}。")
        if row[0] == "已回滚":
            raise ImportFailed(f"导入编号 {import_id} 已经回滚过。")
        if row[0] == "失败":
            raise ImportFailed(f"导入编号 {import_id} 未写入数据，无需回滚。")
        if row[1] == "restore":
            raise ImportFailed(
                f"导入编号 {import_id} 是从备份恢复，不能回滚；要回到恢复前的数据，"
                "请在快照列表里重新发布恢复前的版本（chuangwen republish 版本号 --db 路径）。"
            )
        # 边界导入的重新归属：后续边界导入又改动过同一批问题或点位时，须先回滚后者；否则恢复原镇街与原社区。
        # 恢复放在下面的检查之前：被归入本次新增镇街的问题、点位恢复后，不再算作引用了新增的镇街。
        later = [
            r[0]
            for r in con.execute(
                "select distinct b.import_id from region_reassignment a join region_reassignment b"
                " on b.entity = a.entity and b.entity_code = a.entity_code and b.import_id > a.import_id"
                " where a.import_id = $i and b.import_id in (select id from import_log where status in ('成功', '部分导入'))"
                " order by 1 desc",
                {"i": import_id},
            ).fetchall()
        ]
        if later:
            ids = "、".join(map(str, later))
            raise ImportFailed(
                f"后续的边界导入（编号 {ids}）又重新归属了导入编号 {import_id} 改动过的问题或点位，"
                f"请先{'按此顺序' if len(later) > 1 else ''}回滚导入编号 {ids}。"
            )
        for entity in ("problem", "site"):  # 之后又被改动的行（镇街已不是本次归入的）不动
            # 表名不能绑定（只取自上面两个固定名字）；取值一律绑定
            con.execute(
                f"update {entity} set township_code = r.old_township_code, community_code = r.old_community_code"
                f" from region_reassignment r where r.import_id = $i and r.entity = $entity"
                f" and {entity}.code = r.entity_code and {entity}.township_code = r.new_township_code",
                {"i": import_id, "entity": entity},
            )
        con.execute("delete from region_reassignment where import_id = $i", {"i": import_id})
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
            """,
            {"i": import_id},
        ).fetchall()
        if blockers:
            ids = "、".join(str(b[0]) for b in blockers)
            raise ImportFailed(f"后续导入（编号 {ids}）用到了导入编号 {import_id} 写入的数据，请先回滚它们。")
        outside = [label for label, sql in _OUTSIDE_REFERENCES if db.scalar(con, _MINE + sql, {"i": import_id})]
        if outside:
            raise ImportFailed(
                f"导入编号 {import_id} 新增的{'、'.join(outside)}已被其他数据引用（后续导入或手工录入），不能自动回滚；请先回滚用到它们的后续导入。"
            )
        touched_editions = [
            r[0]
            for r in con.execute(
                "select distinct split_part(key, '|', 1) from import_created where import_id = $i and table_name = 'framework_node'",
                {"i": import_id},
            ).fetchall()
        ]
        # 第 1 步：事件、配合单位、扣分分摊、边界（子表）
        con.execute("delete from boundary where source like $p", {"p": f"import:{import_id}:%"})
        con.execute(
            "delete from rectify_event where import_id = $i or problem_code in (select code from problem where import_id = $i)",
            {"i": import_id},
        )
        con.execute(
            "delete from problem_coop_unit where problem_code in (select code from problem where import_id = $i)"
            " or unit_code in (select key from import_created where import_id = $i and table_name = 'unit')",
            {"i": import_id},
        )
        con.execute(
            _MINE
            + "delete from deduction_unit where cast(deduction_id as varchar) in (select key from mine where t = 'deduction')",
            {"i": import_id},
        )
    # 其后每步一个事务，先子后父（DuckDB 同一事务里删了子行仍不能删父行）
    for sql in _DELETE_STEPS:
        with db.writer(db_path) as con:
            con.execute(_MINE + sql, {"i": import_id})
    with db.writer(db_path) as con:
        _refresh_edition_totals(con, touched_editions)
    with db.writer(db_path) as con:
        con.execute("delete from import_created where import_id = $i", {"i": import_id})
        con.execute(
            "update import_log set status = '已回滚', note = concat_ws('；', note, $n) where id = $i",
            {"i": import_id, "n": f"已回滚 {datetime.now():%Y-%m-%d %H:%M}"},
        )
    label = KINDS[row[1]].label if row[1] in KINDS else "镇街边界"
    return f"已回滚导入编号 {import_id}（{label}，{row[2]}）：该次导入写入的数据已删除，导入日志保留并标记为“已回滚”。"


# 本次导入写入/新增的行（表名 t、键 key）
_MINE = "with mine as (select table_name as t, key from import_created where import_id = $i) "
# 回滚前的检查：本次导入新增的参考数据是否被“不是本次导入写入的”行引用
_OUTSIDE_REFERENCES = [
    (
        "单位",
        """select count(*) from mine m where m.t = 'unit' and (
        exists (select 1 from problem p where p.lead_unit_code = m.key and coalesce(p.import_id, -1) <> $i)
        or exists (select 1 from framework_node f where f.lead_unit_code = m.key
                   and f.edition || '|' || f.code not in (select key from mine where t = 'framework_node'))
        or exists (select 1 from deduction_unit d where d.unit_code = m.key
                   and cast(d.deduction_id as varchar) not in (select key from mine where t = 'deduction')))""",
    ),
    (
        "镇街",
        """select count(*) from mine m where m.t = 'region' and exists (
        select 1 from site s where (s.township_code = m.key or s.community_code = m.key)
        and s.code not in (select key from mine where t = 'site'))""",
    ),
    (
        "地区",
        """select count(*) from mine m where m.t = 'region' and (
        exists (select 1 from score s where s.region_code = m.key
                and s.round_code || '|' || s.region_code not in (select key from mine where t = 'score'))
        or exists (select 1 from region r where r.parent_code = m.key and r.code not in (select key from mine where t = 'region')))""",
    ),
    (
        "点位",
        """select count(*) from mine m where m.t = 'site' and (
        exists (select 1 from problem p where p.site_code = m.key and coalesce(p.import_id, -1) <> $i)
        or exists (select 1 from deduction d where d.site_code = m.key
                   and cast(d.id as varchar) not in (select key from mine where t = 'deduction')))""",
    ),
    (
        "点位类型",
        """select count(*) from mine m where m.t = 'site_type' and (
        exists (select 1 from site s where s.site_type = m.key and s.code not in (select key from mine where t = 'site'))
        or exists (select 1 from sampling_plan p where p.site_type = m.key)
        or exists (select 1 from standard_category c where c.site_type = m.key))""",
    ),
    (
        "问题类别",
        """select count(*) from mine m where m.t = 'problem_category' and (
        exists (select 1 from framework_node f where f.category = m.key
                and f.edition || '|' || f.code not in (select key from mine where t = 'framework_node'))
        or exists (select 1 from standard_category c where c.category = m.key))""",
    ),
    (
        "测评轮次",
        """select count(*) from mine m where m.t = 'round' and (
        exists (select 1 from score s where s.round_code = m.key
                and s.round_code || '|' || s.region_code not in (select key from mine where t = 'score'))
        or exists (select 1 from score_part s where s.round_code = m.key and s.round_code || '|' || s.region_code || '|'
                   || s.edition || '|' || s.node_code not in (select key from mine where t = 'score_part'))
        or exists (select 1 from deduction d where d.round_code = m.key
                   and cast(d.id as varchar) not in (select key from mine where t = 'deduction'))
        or exists (select 1 from problem p where p.round_code = m.key and coalesce(p.import_id, -1) <> $i))""",
    ),
    (
        "测评体系条目",
        """select count(*) from mine m where m.t = 'framework_node' and (
        exists (select 1 from score_part s where s.edition || '|' || s.node_code = m.key and s.round_code || '|' || s.region_code
                || '|' || s.edition || '|' || s.node_code not in (select key from mine where t = 'score_part'))
        or exists (select 1 from deduction d where d.edition || '|' || d.standard_code = m.key
                   and cast(d.id as varchar) not in (select key from mine where t = 'deduction'))
        or exists (select 1 from problem p where p.edition || '|' || p.standard_code = m.key and coalesce(p.import_id, -1) <> $i)
        or exists (select 1 from standard_scoring s where s.edition || '|' || s.standard_code = m.key)
        or exists (select 1 from standard_category c where c.edition || '|' || c.standard_code = m.key))""",
    ),
    (
        "测评体系版本",
        """select count(*) from mine m where m.t = 'framework_edition' and (
        exists (select 1 from round r where r.edition = m.key and r.code not in (select key from mine where t = 'round'))
        or exists (select 1 from framework_node f where f.edition = m.key
                   and f.edition || '|' || f.code not in (select key from mine where t = 'framework_node'))
        or exists (select 1 from negative_item x where x.edition = m.key)
        or exists (select 1 from sampling_plan p where p.edition = m.key))""",
    ),
]
_DELETE_STEPS = [
    "delete from deduction where cast(id as varchar) in (select key from mine where t = 'deduction')",
    "delete from sampling_plan where edition || '|' || site_type in (select key from mine where t = 'sampling_plan')",
    "delete from standard_scoring where edition || '|' || standard_code"
    " in (select key from mine where t = 'standard_scoring')",
    "delete from standard_category where edition || '|' || category || '|' || site_type"
    " in (select key from mine where t = 'standard_category')",
    "delete from score_part where round_code || '|' || region_code || '|' || edition || '|' || node_code"
    " in (select key from mine where t = 'score_part')",
    "delete from score where round_code || '|' || region_code in (select key from mine where t = 'score')",
    "delete from problem where import_id = $i",
    "delete from site where code in (select key from mine where t = 'site')",
    "delete from round where code in (select key from mine where t = 'round')",
    "delete from framework_node where edition || '|' || code in (select key from mine where t = 'framework_node')",
    "delete from framework_edition where edition in (select key from mine where t = 'framework_edition')",
    "delete from unit where code in (select key from mine where t = 'unit')",
    "delete from site_type where name in (select key from mine where t = 'site_type')",
    "delete from problem_category where name in (select key from mine where t = 'problem_category')",
    *(
        f"delete from region where level = '{level}' and code in (select key from mine where t = 'region')"
        for level in ("社区村", "镇街", "县级", "省")
    ),
]


def save_preset(
    db_path: str | os.PathLike,
    kind: str,
    name: str,
    mapping: Mapping,
    saved_by: str | None = None,
    header_signature: str | None = None,
) -> None:
    """列映射预设存在看板状态库（SQLite）里：小写入，不发布分析快照。存的就是映射文件（TOML）的文字，
    与命令行 --mapping 读的、页面下载的是同一种格式；header_signature 记下它是为哪种表头存的。"""
    statedb.save_preset(db_path, kind, name, mapping.to_toml(), saved_by or osuser.name(), header_signature)


def presets(db_path: str | os.PathLike, kind: str) -> dict[str, str]:
    """这种导入的预设：名称 → 映射文件（TOML）的文字。"""
    return statedb.presets(db_path, kind)


def preset_for_layout(db_path: str | os.PathLike, kind: str, header_signature: str) -> str | None:
    """为这种表头存过的预设名称（最近存的）；没有时 None。"""
    return statedb.preset_for_layout(db_path, kind, header_signature)
