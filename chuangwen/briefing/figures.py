"""通报的取数与内容（纯数据，测试直接核对）：统计区间、一期通报用到的全部查询结果（Brief）、数据指纹、各页的序列与表格。"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd

from chuangwen import formats, hotspots, league, queries, rank_trend, supervision, time_windows
from chuangwen.view import NoData as ViewNoData
from chuangwen.view import View, day_start
from chuangwen.vocabulary import DEFAULT_ROUND_TYPE, MONTH, PERIOD_DAYS, ROUND, WEEK

if TYPE_CHECKING:
    import docx.opc.coreprops
    import pptx.parts.coreprops

# 统计区间（允许清单）：周 = 统计时刻前 7 天，月 = 前 30 天（与红黑榜页同一口径），轮 = 最近一轮测评开始至统计时刻
# 口径页（幻灯片最后一页）列出定义的查询：通报里的数都出自它们
DEFINITION_QUERIES = (
    "overview_problem_summary",
    "league_units",
    "hotspot_summary",
    "overview_rank_history",
    "rank_trend_part_gap",
)
PERIODS = {WEEK: "周通报", MONTH: "月通报", ROUND: "测评轮次通报"}
PERIOD_WORDS = {WEEK: "本周", MONTH: "本月", ROUND: "本轮"}
PREVIOUS_WORDS = {WEEK: "上周", MONTH: "上月", ROUND: "上一轮"}
ROUND_TYPE = DEFAULT_ROUND_TYPE  # 通报看的测评轮次类型

TABLE_ROWS = 12
REBOUND_ROWS = 10


class NoData(Exception):
    """统计时刻没有可用数据（库里还没有问题、统计时刻早于最早的记录或晚于数据截至）；消息为中文。"""


@dataclass(frozen=True)
class Period:
    key: str
    start: datetime  # 本期起点（不含）
    prev_start: datetime  # 上期起点（不含）；上期终点 = start
    round_name: str | None = None


@dataclass
class Brief:
    """一期通报要用的全部数据（查询结果原样保存），以及由它们算出的数据指纹。"""

    county_code: str
    county_name: str
    province_name: str
    is_demo: bool
    cutoff: datetime
    as_of: datetime
    period: Period
    issue_no: int
    target_rank: int | None
    rival_codes: str | None = None  # meta.rival_region_codes（与排名趋势页同一默认对手）
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    params: dict[str, dict] = field(default_factory=dict)
    digest: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"{self.county_name}创建文明城市工作{PERIODS[self.period.key]}"

    @property
    def period_text(self) -> str:
        return _span_text(self.period.start, self.as_of)

    @property
    def previous_text(self) -> str:
        return _span_text(self.period.prev_start, self.period.start)

    @property
    def short_digest(self) -> str:
        return self.digest[:12]


def _span_text(start: datetime, end: datetime) -> str:
    """区间文字。起点不含；按轮次时起点是开始日 0 时前一微秒，写成“某日 0 时起”更好懂。"""
    if start.microsecond == 999999:
        tail = (
            f"{formats.moment(end + timedelta(microseconds=1))} 前"
            if end.microsecond == 999999
            else formats.moment(end)
        )
        return f"{formats.moment(start + timedelta(microseconds=1))} 起至 {tail}"
    return f"{formats.moment(start)} 至 {formats.moment(end)}（不含起点）"


# ---------------------------------------------------------------- 取数


def default_issue_no(as_of: datetime, period: str, rounds: pd.DataFrame | None = None) -> int:
    """默认期数：统计时刻所在年份中的第几周（1 月 1 日起每 7 天一期）、第几月；按轮次时为当年已开始的第几轮。"""
    if period == WEEK:
        return (as_of.timetuple().tm_yday - 1) // 7 + 1
    if period == MONTH:
        return as_of.month
    if rounds is not None and len(rounds):
        return max(1, int(rounds["rounds_in_year"].iloc[0]))
    return 1


def _frame_bytes(df: pd.DataFrame) -> bytes:
    # 列名与值都进指纹；geom 等二进制列转十六进制，浮点统一 repr，保证同一数据得到同一文本
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = [
                v.hex()
                if isinstance(v, (bytes, bytearray, memoryview)) and not isinstance(v, str) and hasattr(v, "hex")
                else v
                for v in out[col]
            ]
    return out.to_csv(index=False, float_format="%.10g", date_format="%Y-%m-%d %H:%M:%S.%f").encode("utf-8")


def data_digest(frames: dict[str, pd.DataFrame], params: dict[str, dict]) -> str:
    """数据指纹：按名称排序，依次写入查询参数与结果文本，取 SHA-256。"""
    h = hashlib.sha256()
    for key in sorted(frames):
        h.update(key.encode("utf-8"))
        h.update(json.dumps(params.get(key, {}), sort_keys=True, default=str, ensure_ascii=False).encode("utf-8"))
        h.update(_frame_bytes(frames[key]))
    return h.hexdigest()


def _period(view: View, period: str, runner: Callable[..., pd.DataFrame]) -> tuple[Period, pd.DataFrame | None]:
    if period not in PERIODS:
        raise ValueError(f"未知的通报周期：{period}（可选：{'、'.join(PERIODS)}）")
    as_of = view.as_of
    if period in PERIOD_DAYS:
        days = timedelta(days=PERIOD_DAYS[period])
        return Period(period, as_of - days, as_of - 2 * days), None
    rounds = runner("briefing_period_round", "briefing_period_round", view)
    if rounds.empty:
        raise NoData(
            f"统计时刻 {formats.moment(as_of)} 之前库里没有开始过的测评轮次，无法按轮次出通报；请改按周或按月。"
        )
    start = day_start(rounds.iloc[0]["start_date"])
    prev = day_start(rounds.iloc[1]["start_date"]) if len(rounds) > 1 else start - (as_of - start)
    return Period(period, start, prev, str(rounds.iloc[0]["name"])), rounds


def collect(
    con: duckdb.DuckDBPyConnection,
    view: View | None = None,
    *,
    as_of: datetime | None = None,
    period: str = WEEK,
    issue_no: int | None = None,
    scope_unit: str | None = None,
    chosen: dict | None = None,
    shared: queries.SourceCache | None = None,
) -> Brief:
    """按查看口径取齐一期通报的数据（只读；全部经 queries.run 执行已登记的查询）。

    view 为页面的口径（统计时刻、查看范围；侧栏的镇街、单位、轮次筛选不用：通报总是全县）；
    不给时由库构建（命令行、测试：as_of、scope_unit 两个参数）。scope_unit = None 为全部单位。"""
    frames: dict[str, pd.DataFrame] = {}
    params: dict[str, dict] = {}

    # 几个查询读同一份中间结果（红黑榜计数、筛过的热点问题）时，同样的参数只算一次；页面给跨会话的缓存（shared）
    reuse = shared if shared is not None else queries.OneRun()

    def run(key: str, name: str, at: View, **extra: Any) -> pd.DataFrame:
        p = queries.bind(queries.load(name), {**at.params(), **extra})
        df = queries.run(con, name, p, shared=reuse)
        frames[key], params[key] = df, p
        return df

    if view is None:
        try:
            view = View.of_store(con, scope_unit=scope_unit, chosen=chosen)  # chosen：库的设置（本县、目标名次）
        except ViewNoData:
            raise NoData("库里还没有任何问题与整改记录，也没有写明数据截至时间，无法生成通报。") from None
        if as_of is not None:
            view = view.at(as_of)
    if view.as_of > view.cutoff:
        raise NoData(
            f"统计时刻 {formats.moment(view.as_of)} 晚于数据截至 {formats.moment(view.cutoff)}：库里没有这段时间的数据，"
            "未生成通报。请把统计时刻改为数据截至或更早。"
        )
    whole = view.filtered()
    as_of = whole.as_of
    span = run("span", "briefing_data_span", whole).iloc[0]
    if int(span["problems"]) == 0:
        first = (
            "库里还没有任何问题"
            if pd.isna(span["first_found_at"])
            else f"最早的问题发现于 {formats.moment(span['first_found_at'])}"
        )
        raise NoData(
            f"统计时刻 {formats.moment(as_of)} 之前没有任何问题记录（{first}），未生成通报。请换一个统计时刻。"
        )

    per, rounds = _period(whole, period, run)
    current, previous = whole.at(as_of, per.start), whole.at(per.start, per.prev_start)
    board_params = league.configured_params()
    brief = Brief(
        county_code=view.county_code,
        county_name=view.county_name,
        province_name=view.province_name,
        is_demo=view.is_demo,
        cutoff=view.cutoff,
        as_of=as_of,
        period=per,
        issue_no=issue_no or default_issue_no(as_of, period, rounds),
        target_rank=view.target_rank,
        rival_codes=view.rival_codes,
    )

    # 测评名次（只取统计时刻之前结束的轮次）
    run("rank_history_ours", "overview_rank_history", current, round_type=ROUND_TYPE)
    run("rank_history_all", "rank_trend_history", current, round_type=ROUND_TYPE)
    run("rank_stats", "rank_trend_round_stats", current, round_type=ROUND_TYPE)
    stats = _before(frames["rank_stats"], as_of)
    latest = rank_trend.latest_scored_round(stats) if len(stats) else None
    if latest is not None:
        run("rank_parts", "rank_trend_part_gap", current, round_code=latest["round_code"])

    # 红黑榜：本期与上期（league 查询自带上一等长区间的名次）
    run("league_units", "league_units", current, **board_params)
    run("league_townships", "league_townships", current, **board_params)

    # 全县问题指标：本期末与上期末
    run("summary", "overview_problem_summary", current)
    run("summary_prev", "overview_problem_summary", previous)

    # 热点：镇街汇总、反弹
    ring = hotspots.ring_of(run("boundaries", "hotspot_boundaries", current))
    everything = hotspots.page_params(hotspots.PageFilters(), {}, county_ring=ring)
    rebounds = hotspots.page_params(hotspots.PageFilters(statuses=("反弹",)), {}, county_ring=ring)
    run("hot_townships", "hotspot_townships", current, **everything)
    run("hot_summary", "hotspot_summary", current, **everything)
    run("hot_summary_prev", "hotspot_summary", previous, **everything)
    run("rebounds", "hotspot_points", current, **rebounds, limit=REBOUND_ROWS)

    # 在办台账：期末的逾期清单（Word 通报的表与附件）与 7 天内到期的条数
    run("overdue_list", "supervision_ledger", current, **supervision.ledger_params(overdue_only=True), limit=None)
    run("ledger_summary", "supervision_ledger_summary", current, **supervision.ledger_params())

    # 丢分预警（与丢分预警页同一批查询）：期末的在办问题若明天暗访预计丢多少分；按上一轮成绩能换到第几名
    run("loss_inputs", "loss_risk_inputs", current)
    run("loss_groups", "loss_risk_groups", current)
    run("loss_items", "loss_risk_items", current)
    last = run("loss_last_round", "loss_risk_last_round", current)
    if len(last):
        run("loss_points_needed", "rank_trend_points_needed", current, round_code=last.iloc[0]["round_code"])

    brief.frames, brief.params = frames, params
    brief.digest = data_digest(frames, params)
    return brief


def _before(df: pd.DataFrame, as_of: datetime) -> pd.DataFrame:
    """统计时刻之前已结束的轮次（通报回看某一时刻时，不出现之后才测评的成绩）。"""
    if df.empty or "end_date" not in df:
        return df
    ends = pd.to_datetime(df["end_date"])
    return df[ends <= pd.Timestamp(as_of)].reset_index(drop=True)


# ---------------------------------------------------------------- 幻灯片内容（纯数据，测试可直接核对）


def rank_series(brief: Brief) -> tuple[list[str], list[int | None], int]:
    """名次走势原生图的数据：类别（轮次）、本县名次（缺测为空）、组内单位数上限。"""
    hist = _before(brief.frames["rank_history_ours"], brief.as_of)
    ranks = [None if pd.isna(r) else int(r) for r in hist["rank"]]
    size = int(hist["group_size"].max()) if hist["group_size"].notna().any() else 1
    return hist["round_label"].astype(str).tolist(), ranks, max(size, brief.target_rank or 1)


def stamp(cp: pptx.parts.coreprops.CorePropertiesPart | docx.opc.coreprops.CoreProperties, brief: Brief) -> None:
    """幻灯片与 Word 文稿共用的文档属性：标题、统计时刻与区间、数据指纹；文档时间取统计时刻（不取系统时钟），
    所以同一期重新生成的文件属性一致。cp 为 python-pptx / python-docx 的 core_properties（两者同形）。"""
    from chuangwen.escape import office_text

    cp.title = office_text(f"{brief.title} 第{brief.issue_no}期")
    cp.subject = f"统计时刻 {formats.moment(brief.as_of)}；统计区间 {brief.period_text}"
    cp.author = cp.last_modified_by = "创文看板"
    cp.category = PERIODS[brief.period.key]
    cp.keywords = f"数据指纹 sha256:{brief.digest}"
    cp.comments = (
        f"统计时刻 {brief.as_of.isoformat(sep=' ')}；数据截至 {brief.cutoff.isoformat(sep=' ')}；"
        f"数据指纹 sha256:{brief.digest}"
    )
    cp.identifier = f"sha256:{brief.digest}"
    cp.revision = brief.issue_no
    cp.created = cp.modified = cp.last_printed = brief.as_of


def rank_png(brief: Brief, width: int, height: int) -> bytes | None:
    """全组名次走势图（本县、对手与前 N 名；与排名趋势页同一构建）的 PNG，幻灯片与 Word 文稿共用。
    没有成绩时为 None；没有浏览器时记一条说明到 brief.notes 并返回 None（调用方写明没插图的原因）。"""
    from chuangwen import charts, export_png

    hist = _before(brief.frames["rank_history_all"], brief.as_of)
    if hist.empty:
        return None
    county = brief.county_code
    rivals = rank_trend.default_rivals(brief.rival_codes, sorted(hist["region_code"].unique()), hist, county)
    shown = rank_trend.shown_units(hist, county, brief.target_rank or 10, rivals)
    fig = charts.rank_bump(hist, county, shown, brief.target_rank, rivals, height=height)
    try:
        return export_png.figure_png(fig, width=width, height=height, scale=2)
    except export_png.PngUnavailable as exc:
        if str(exc) not in brief.notes:
            brief.notes.append(str(exc))
        return None


def part_series(brief: Brief) -> tuple[list[str], dict[str, list[float | None]]]:
    """板块差距原生图的数据：板块名，系列 本县/组内最高/组内平均/对标单位。"""
    parts = brief.frames.get("rank_parts")
    if parts is None or parts.empty:
        return [], {}
    rows = parts[parts["level"] == "板块"].sort_values("node_code")
    target = rows["target_unit_name"].dropna()
    target_label = f"对标单位（{target.iloc[0]}）" if len(target) else "对标单位"

    def vals(col):
        return [None if pd.isna(v) else round(float(v), 2) for v in rows[col]]

    return rows["node_name"].tolist(), {
        "本县": vals("our_score"),
        "组内最高": vals("best_score"),
        "组内平均": vals("average_score"),
        target_label: vals("target_unit_score"),
    }


def overdue_series(brief: Brief, top: int = TABLE_ROWS) -> tuple[list[str], dict[str, list[int]]]:
    """逾期按牵头单位（逾期数最多的前 top 个；并列按名称）：三段逾期天数。"""
    units = brief.frames["league_units"]
    rows = units[units["overdue"] > 0].sort_values(["overdue", "unit_name"], ascending=[False, True]).head(top)
    return rows["unit_name"].tolist(), {
        "逾期1–7天": [int(v) for v in rows["overdue_1_7"]],
        "逾期8–30天": [int(v) for v in rows["overdue_8_30"]],
        "逾期30天以上": [int(v) for v in rows["overdue_over_30"]],
    }


def _change(now: float | None, before: float | None) -> str:
    if now is None or before is None:
        return "—"
    diff = now - before
    if abs(diff) < 1e-9:
        return "持平"
    return f"+{diff:g}" if diff > 0 else f"−{-diff:g}"


def changes_table(brief: Brief) -> pd.DataFrame:
    """与上期相比：期内新增、期内销号、按期销号率、期末在办、期末逾期、反弹。"""
    now = brief.frames["summary"].query("grouping_kind == '合计'").iloc[0]
    before = brief.frames["summary_prev"].query("grouping_kind == '合计'").iloc[0]
    hot, hot_prev = brief.frames["hot_summary"].iloc[0], brief.frames["hot_summary_prev"].iloc[0]
    rows = [
        ("期内新增问题", int(hot["problems"]), int(hot["problems_prev"])),
        ("期内销号", int(now["closed_in_period"]), int(before["closed_in_period"])),
        (time_windows.at_period_end(time_windows.IN_WORK_STOCK), int(now["open_now"]), int(before["open_now"])),
        (time_windows.at_period_end(time_windows.OVERDUE_STOCK), int(now["overdue_now"]), int(before["overdue_now"])),
        ("期内反弹（同点位同类别再次发现）", int(hot["rebounds"]), int(hot_prev["rebounds"])),
    ]
    out = [
        {
            "指标": n,
            PERIOD_WORDS[brief.period.key]: formats.count(a),
            PREVIOUS_WORDS[brief.period.key]: formats.count(b),
            "变化": _change(a, b),
        }
        for n, a, b in rows
    ]
    rate_now = formats.rate(now["closed_on_time_in_period"], now["closed_in_period"])
    rate_before = formats.rate(before["closed_on_time_in_period"], before["closed_in_period"])
    rate_diff = formats.rate_change(
        now["closed_on_time_in_period"],
        now["closed_in_period"],
        before["closed_on_time_in_period"],
        before["closed_in_period"],
    )
    out.insert(
        2,
        {
            "指标": "按期销号率（期内）",
            PERIOD_WORDS[brief.period.key]: rate_now,
            PREVIOUS_WORDS[brief.period.key]: rate_before,
            "变化": rate_diff,
        },
    )
    ranks = rank_series(brief)[1]
    scored = [r for r in ranks if r is not None]
    if scored:
        out.append(
            {
                "指标": f"{ROUND_TYPE}全省名次（最近两轮）",
                PERIOD_WORDS[brief.period.key]: f"第{scored[-1]}名",
                PREVIOUS_WORDS[brief.period.key]: f"第{scored[-2]}名" if len(scored) > 1 else "—",
                "变化": formats.rank_change(scored[-1], scored[-2]) or "—" if len(scored) > 1 else "—",
            }
        )
    return pd.DataFrame(out)


def rebound_table(brief: Brief) -> pd.DataFrame:
    rows = brief.frames["rebounds"]
    return pd.DataFrame(
        {
            "问题编号": rows["problem_code"].astype(str).to_numpy(),
            "发现时间": [formats.moment(v) for v in rows["found_at"]],
            "点位": rows["site_name"].fillna("—").to_numpy(),
            "类别": rows["category"].to_numpy(),
            "牵头单位": rows["unit_name"].to_numpy(),
            "状态": rows["status"].to_numpy(),
        }
    )


def hot_townships_table(brief: Brief, top: int = 8) -> pd.DataFrame:
    rows = brief.frames["hot_townships"]
    rows = rows[rows["code"].notna()].sort_values(["problems", "sort_key"], ascending=[False, True]).head(top)
    return pd.DataFrame(
        {
            "镇街": rows["name"].to_numpy(),
            "问题数": [formats.count(v) for v in rows["problems"]],
            "其中在办": [formats.count(v) for v in rows["open_now"]],
            "其中逾期": [formats.count(v) for v in rows["overdue_now"]],
            "反弹": [formats.count(v) for v in rows["rebounds"]],
        }
    )


SLIDE_TITLES = (
    "封面",
    "全省名次走势：本县与对手",
    "各板块得分差距",
    "红黑榜：部门（条）",
    "红黑榜：镇街",
    "问题热点分布",
    "逾期问题（按牵头单位）",
    "反弹问题清单",
    "与上期相比",
    "丢分预警：若明天暗访",
    "数据来源与口径",
)


def slide_titles(brief: Brief) -> list[str]:
    """每页标题（页面预览用；封面显示通报名称与期数）。"""
    return [f"{brief.title} 第{brief.issue_no}期", *SLIDE_TITLES[1:]]
