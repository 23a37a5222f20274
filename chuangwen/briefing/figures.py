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


def _clock(t: datetime, year: bool) -> str:
    """公文里的时刻：11月8日18时、18时30分；23:59:59 写成当天 24 时（统计日取当天末）。"""
    if (t.hour, t.minute, t.second) == (23, 59, 59):
        hour, minute = 24, 0
    else:
        hour, minute = t.hour, t.minute
    text = f"{t.month}月{t.day}日{hour}时" + (f"{minute}分" if minute else "")
    return f"{t.year}年{text}" if year else text


def clock(t: datetime) -> str:
    """一个时刻的公文写法：2026年11月15日18时。"""
    return _clock(t, True)


def _span_text(start: datetime, end: datetime) -> str:
    """区间文字，公文写法：11月8日18时至11月15日18时（跨年时写年份）。区间不含起点、含终点，这在口径里写一次，
    不在每处区间后加括号；按轮次时起点是开始日 0 时前一微秒，写成开始日 0 时。"""
    one = timedelta(microseconds=1)
    start = start + one if start.microsecond == 999999 else start
    end = end + one if end.microsecond == 999999 else end
    year = start.year != end.year
    return f"{_clock(start, year)}至{_clock(end, year)}"


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
    # 7 天内到期的清单（各单位督办单用；与整改督办页的“7天内到期”同一查询）
    run(
        "due_soon_list", "supervision_ledger", current, **supervision.ledger_params(due_this_week_only=True), limit=None
    )
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


def rank_png(brief: Brief, width: int, height: int, *, for_print: bool = False) -> bytes | None:
    """全组名次走势图（本县、对手与前 N 名；与排名趋势页同一构建）的 PNG，幻灯片与 Word 文稿共用。
    图例只列本县、对手与目标（前 N 名的灰线不进图例，末端只标本县与对手）；for_print 时是印在公文里的黑白版：
    线型区分本县与对手、目标名次以内画浅灰底带、字号按版心宽度放大。
    没有成绩时为 None；没有浏览器时记一条说明到 brief.notes 并返回 None（调用方写明没插图的原因）。"""
    from chuangwen import charts, export_png

    hist = _before(brief.frames["rank_history_all"], brief.as_of)
    if hist.empty:
        return None
    county = brief.county_code
    rivals = rank_trend.default_rivals(brief.rival_codes, sorted(hist["region_code"].unique()), hist, county)
    shown = rank_trend.shown_units(hist, county, brief.target_rank or 10, rivals)
    fig = charts.rank_bump(hist, county, shown, brief.target_rank, rivals, height=height)
    names = hist.drop_duplicates("region_code").set_index("region_code")["region_name"]
    keep = {f"{names.get(county, '')}（本县）", *(names.get(c, "") for c in rivals)}
    for trace in fig.data:
        if trace.name not in keep and not str(trace.name).startswith("目标"):
            trace.showlegend = False
    if for_print:
        _grey(fig, keep, brief.target_rank)
    try:
        return export_png.figure_png(fig, width=width, height=height, scale=2)
    except export_png.PngUnavailable as exc:
        if str(exc) not in brief.notes:
            brief.notes.append(str(exc))
        return None


def _grey(fig: Any, keep: set[str], target_rank: int | None) -> None:
    """名次走势的黑白印刷版：本县黑色粗实线，对手深灰的虚线、点线（各用不同的点形），其余浅灰细线；
    目标名次以内一条浅灰底带；字号放大（图宽 800 像素印成 156 毫米时约 9 磅）。"""
    dashes, symbols = ("dash", "dot", "dashdot", "longdash"), ("square", "diamond", "triangle-up", "x")
    rival = 0
    for trace in fig.data:
        if str(trace.name).endswith("（本县）"):
            trace.line.update(color="#000000", width=4, dash="solid")
            trace.marker.update(color="#000000", size=10, symbol="circle")
        elif trace.name in keep:
            trace.line.update(color="#4D4D4D", width=2.5, dash=dashes[rival % len(dashes)])
            trace.marker.update(color="#4D4D4D", size=8, symbol=symbols[rival % len(symbols)])
            rival += 1
        elif str(trace.name).startswith("目标"):
            trace.line.update(color="#000000", width=1.5, dash="longdash")
        else:
            trace.line.update(color="#C8C8C8", width=1)
            trace.marker.update(color="#C8C8C8", size=4)
    for note in fig.layout.annotations:
        note.font.update(color="#000000", size=16)
        note.arrowcolor = "#000000"
    if target_rank:
        fig.add_hrect(y0=0.5, y1=target_rank + 0.5, fillcolor="#EBEBEB", line_width=0, layer="below")
    axis = {"tickfont": {"size": 16, "color": "#000000"}, "linecolor": "#000000", "gridcolor": "#E0E0E0"}
    fig.update_layout(
        font={"size": 16, "color": "#000000"},
        title={"font": {"size": 18, "color": "#000000"}},
        legend={"font": {"size": 16}, "orientation": "h", "y": -0.14, "x": 0},
        margin={"l": 60, "t": 50, "b": 90},
    )
    fig.update_xaxes(**axis)
    fig.update_yaxes(**axis)


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
        (NEW_FOUND, int(hot["problems"]), int(hot["problems_prev"])),
        (CLOSED, int(now["closed_in_period"]), int(before["closed_in_period"])),
        (time_windows.at_period_end(time_windows.IN_WORK_STOCK), int(now["open_now"]), int(before["open_now"])),
        (time_windows.at_period_end(time_windows.OVERDUE_STOCK), int(now["overdue_now"]), int(before["overdue_now"])),
        (REBOUNDS, int(hot["rebounds"]), int(hot_prev["rebounds"])),
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
            "指标": ON_TIME,
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
                "指标": f"{ROUND_TYPE}{PROVINCE_RANK}（最近两轮）",
                PERIOD_WORDS[brief.period.key]: f"第{scored[-1]}名",
                PREVIOUS_WORDS[brief.period.key]: f"第{scored[-2]}名" if len(scored) > 1 else "—",
                "变化": formats.rank_change(scored[-1], scored[-2]) or "—" if len(scored) > 1 else "—",
            }
        )
    return pd.DataFrame(out)


# 通报里每个数的名称（幻灯片“与上期相比”、Word 正文与口径附件用同一个名称、同一条口径）
NEW_FOUND = "期内新发现问题"
CLOSED = "期内销号"
ON_TIME = "按期销号率（期内）"
REBOUNDS = "期内反弹"
PROVINCE_RANK = "全省名次"


def glossary(brief: Brief) -> list[tuple[str, str]]:
    """数据来源与口径（写给读纸面的人）：通报里每个数一条，幻灯片口径页与 Word 口径附件逐字相同。
    与各页查询的口径（queries/*.sql 的“指标”行）说的是同一件事，只是不提页面上的筛选与控件。"""
    from chuangwen import settings

    days = settings.get("rebound_days")
    word = PERIOD_WORDS[brief.period.key]
    return [
        (
            "统计区间",
            f"{word}为{brief.period_text}（不含起点时刻、含终点时刻）；{PREVIOUS_WORDS[brief.period.key]}为紧接在前、"
            f"等长的区间（{brief.previous_text}）。“存量”的数截至统计时刻{clock(brief.as_of)}，不论问题何时发现。",
        ),
        (NEW_FOUND, "发现时间在统计区间内的问题数（全县，各种来源）。与“交办”不同：交办以首次交办的时间计。"),
        (CLOSED, "截至统计时刻仍为已销号、且最后一次销号在统计区间内的问题数。"),
        (ON_TIME, "期内销号的问题中，销号时间不晚于整改期限的比例；没有整改期限的视为按期。分母为期内销号数。"),
        (
            time_windows.IN_WORK_STOCK,
            "截至统计时刻已发现、尚未销号的问题数（含待交办、已交办、整改中、申请销号、退回整改、反弹重开），不论何时发现。",
        ),
        (
            time_windows.OVERDUE_STOCK,
            "在办问题中整改期限早于统计时刻的问题数，不论何时发现；没有整改期限的不计逾期。"
            "逾期天数 = 统计时刻与整改期限相差的天数，不足一天按一天计，分 1–7 天、8–30 天、30 天以上三段。"
            "按牵头单位统计（红黑榜、逾期表、督办单）时，整改记录顺序存疑的问题不计入。",
        ),
        (time_windows.OVERDUE_30_STOCK, "逾期天数超过 30 天的在办问题数。"),
        (time_windows.DUE_7_DAYS, "在办、整改期限在统计时刻之后 7 天内的问题数。"),
        (
            REBOUNDS,
            f"期内发现的问题中，同一点位、同一类别的问题在上一次销号后 {days} 天内再次发现，"
            f"或本条销号后 {days} 天内被“反弹重开”的问题数；没有登记点位的问题不计反弹。反弹清单按发现时间从新到旧。",
        ),
        (
            "红黑榜",
            "部门按自己牵头的问题排名，镇、街道、开发区按辖区内的问题排名，各排一次；综合得分与红榜资格见红黑榜部分。",
        ),
        (
            PROVINCE_RANK,
            f"每轮{ROUND_TYPE}按总分从高到低的名次，并列同名次，缺测的轮次不排名；第 1 名最好。",
        ),
        (
            "预计丢分",
            "假设统计时刻的次日测评、实地考察：每条测评标准在它考察的每类点位里按抽样方案抽查几处，有在办问题落在这条标准上的"
            "点位算不合格，按这条标准的扣分方式（按比例、一处即扣完、每处扣分扣完为止）算丢分的期望值，各标准相加。"
            "没有点位的街面问题算在所在镇街的路段上。只估实地考察部分（网上申报、问卷调查不在内），不是预测的成绩。",
        ),
        (
            "攻坚清单",
            "在办问题按点位归并，按“改完这一处少丢的分 ÷ 剩余天数”从大到小排；剩余天数按这一处最早的整改期限，已逾期按 1 天，"
            "没有期限按 7 天。“改完前 N 处累计少丢”是这几处同时改完后预计丢分的减少。可到的名次按上一轮全组成绩，"
            "本县上一轮得分加上少丢的分，别的单位不变。",
        ),
        (
            "数据指纹",
            "本期所用全部数据（查询条件与结果）的 SHA-256 摘要。同一统计时刻、同一份数据重新生成，所有数字与指纹都相同；"
            "数据有更新时指纹随之改变。",
        ),
    ]


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
            "期内发现": [formats.count(v) for v in rows["problems"]],
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
