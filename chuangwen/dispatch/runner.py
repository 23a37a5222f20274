"""运行到点的作业：生成、存档、推送、提醒，再把该重试的发送重试一遍。

一个作业一个周期只运行一次：先往运行表（dispatch_run，主键（作业、周期））插一行，插进去的运行者才做，
第二个运行者、重启后再跑、重试都插不进去，什么也不做。发送也一样：每个（作业、周期、渠道）一行，
把状态从 待发/待重试 改成 发送中 的那个运行者才发；发出后记下，不会发第二次（宁可少发，不重发）。
错过的（服务停着）：回来后第一次运行时，最近一个计划时刻的那一期补运行一次，标明“补运行”（只补 3 天以内的：
新设的计划不会把上周那期当成错过的补发）。
生成失败的一期：按 BACKOFF 等一会儿再生成，最多 BUILD_ATTEMPTS 次；领重试也是比较后再改，两个运行者只有一个生成；
失败的一次放回占下的期号（期号不跳、不重）。运行表上写着已试几次、下次什么时候重试。

时间都用传进来的 now（命令行 --now、测试的假时钟、运行者的系统时钟），不在深处取系统时钟。
"""

from __future__ import annotations

import json
import logging
import os
import socket
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from chuangwen import briefing, dbinfo, formats, queries, settings, statedb
from chuangwen.dispatch import alerts, archive, channels, schedules, senders
from chuangwen.view import View

_LOG = logging.getLogger("chuangwen.dispatch")
BACKOFF = (timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))  # 第 1、2、3 次失败后等多久
MAX_ATTEMPTS = len(BACKOFF) + 1  # 一次发送最多试几次
BUILD_ATTEMPTS = 3  # 一期通报最多生成几次（失败后按 BACKOFF 的前两步重试）
BY = "定时任务"


def _t(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%S}"


STALE_RUN = timedelta(hours=2)  # “运行中”超过这么久还没完成：当它的运行者已不在（生成一期通报不过几分钟）


def _gone(runner: str) -> bool:
    """运行者（主机:进程号）已不在：同一台机器上这个进程号没有进程了。别的机器上的不判断（等 STALE_RUN）。"""
    host, _, pid = runner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _take_over(sq: sqlite3.Connection, job: str, period: str, now: datetime, me: str) -> bool:
    """上一个运行者在生成中途死掉（进程没了，或“运行中”超过 STALE_RUN）：接过这一期重新生成。
    按原来的运行者比较后再改（compare-and-swap），两个运行者同时来接也只有一个接到；期号沿用（archive 按周期取号）。"""
    row = sq.execute("select status, runner, started_at from dispatch_run where job = ? and period = ?", (job, period))
    found = row.fetchone()
    if found is None or found[0] != "running":
        return False
    status, runner, started = found
    if not (_gone(runner) or now - datetime.fromisoformat(started) > STALE_RUN):
        return False
    changed = sq.execute(
        "update dispatch_run set runner = ?, started_at = ? where job = ? and period = ? and status = 'running'"
        " and runner = ? and started_at = ?",
        (me, _t(now), job, period, runner, started),
    ).rowcount
    if changed:
        _LOG.warning("%s %s：上一个运行者 %s 没有做完（%s 开始），由 %s 接着生成", job, period, runner, started, me)
        statedb.record(sq, BY, "接续定时生成", f"{job} {period}：上一个运行者 {runner} 没有做完（{started} 开始）")
    return bool(changed)


@dataclass
class Options:
    """生成选项：画 PNG 图（要 Chromium）、Word 转 PDF（要 LibreOffice）。测试与没有这些的机器关掉。"""

    png: bool = True
    pdf: bool | None = None  # None：有 LibreOffice 就转


def run_due(db_path: str | os.PathLike[str], now: datetime, options: Options | None = None) -> list[str]:
    """运行 now 时到点的每个作业、登记并发出新的提醒、重试到时候的发送；返回给人看的几行结果（中文）。"""
    options = options or Options()
    path = Path(db_path)
    lines: list[str] = []
    con = dbinfo.open_checked(path, current=True)[0]
    try:
        chosen = statedb.office_settings(path)
        view = View.of_store(con, chosen=chosen)
        enabled = {s.job: s for s in schedules.listing(path) if s.enabled}
        for sched in enabled.values():
            lines.extend(_run_job(path, con, sched, now, view.cutoff, chosen, options))
        lines.extend(_retry_failed(path, con, enabled, now, view.cutoff, chosen, options))
        lines.extend(_alerts(path, con, view, now))
    finally:
        con.close()
    lines.extend(deliver_due(path, now))
    return lines


def _run_job(
    path: Path,
    con: duckdb.DuckDBPyConnection,
    sched: schedules.Schedule,
    now: datetime,
    cutoff: datetime,
    chosen: dict[str, str],
    options: Options,
) -> list[str]:
    when = schedules.parse(sched.job, sched.at_text)
    ends: list = []
    if sched.job == "round":
        rounds = queries.run(con, "timeline_rounds", {"start": now - timedelta(days=90), "end": now})
        ends = list(zip(rounds["code"], rounds["end_date"]))
    slot = schedules.latest_slot(sched.job, when, now, ends)
    if slot is None or now - slot > schedules.CATCH_UP:
        return []
    round_code = next((c for c, e in ends if datetime.combine(e + timedelta(days=1), when.at) == slot), None)
    period = schedules.period_key(sched.job, slot, round_code)
    late = now - slot > schedules.GRACE
    return _run_period(path, con, sched, slot, period, late, now, cutoff, chosen, options)


def _retry_failed(
    path: Path,
    con: duckdb.DuckDBPyConnection,
    enabled: dict[str, schedules.Schedule],
    now: datetime,
    cutoff: datetime,
    chosen: dict[str, str],
    options: Options,
) -> list[str]:
    """生成失败、到了重试时刻的各期（不只是最近一期：失败后下一期已到点的，上一期照样按退避重试）。"""
    with statedb.connect(path) as sq:
        due = sq.execute(
            "select job, period, slot, late from dispatch_run where status = 'failed' and next_try is not null"
            " and next_try <= ? order by slot",
            (_t(now),),
        ).fetchall()
    lines: list[str] = []
    for job, period, slot, late in due:
        if job in enabled:
            lines.extend(
                _run_period(
                    path,
                    con,
                    enabled[job],
                    datetime.fromisoformat(slot),
                    period,
                    bool(late),
                    now,
                    cutoff,
                    chosen,
                    options,
                )
            )
    return lines


def _retry(sq: sqlite3.Connection, job: str, period: str, now: datetime, me: str) -> bool:
    """生成失败、到了重试时刻：按原来的已试次数比较后再改，两个运行者同时来只有一个领到；期号重新占（失败时已放回）。"""
    found = sq.execute(
        "select attempts, next_try, error from dispatch_run where job = ? and period = ? and status = 'failed'",
        (job, period),
    ).fetchone()
    if found is None or found[1] is None or found[1] > _t(now):
        return False
    attempts, _, error = found
    changed = sq.execute(
        "update dispatch_run set status = 'running', runner = ?, started_at = ?, attempts = attempts + 1,"
        " next_try = null, error = null, finished_at = null"
        " where job = ? and period = ? and status = 'failed' and attempts = ?",
        (me, _t(now), job, period, attempts),
    ).rowcount
    if changed:
        _LOG.warning("%s %s：上次生成失败（%s），第 %d 次重试", job, period, error, attempts + 1)
        statedb.record(sq, BY, "重试定时生成", f"{job} {period}：第 {attempts + 1} 次（上次失败：{error}）")
    return bool(changed)


def _not_claimed(sq: sqlite3.Connection, sched: schedules.Schedule, period: str) -> str:
    """没领到这一期时给人看的一句：已运行过，或失败后等重试，或失败次数用完。"""
    found = sq.execute(
        "select status, attempts, next_try from dispatch_run where job = ? and period = ?", (sched.job, period)
    ).fetchone()
    if found is not None and found[0] == "failed":
        if found[2] is not None:
            return f"{sched.name} {period}：上次生成失败（已试 {found[1]} 次），{found[2][:16]} 重试"
        return f"{sched.name} {period}：生成失败 {found[1]} 次，不再自动重试（请查看原因后在通报导出页手工生成）"
    return f"{sched.name} {period}：这一期已运行过（或正由别的运行者运行），不再运行"


def _run_period(
    path: Path,
    con: duckdb.DuckDBPyConnection,
    sched: schedules.Schedule,
    slot: datetime,
    period: str,
    late: bool,
    now: datetime,
    cutoff: datetime,
    chosen: dict[str, str],
    options: Options,
) -> list[str]:
    """领到（作业、周期）这一期的运行者才生成：新的一期、接过死掉的运行者的、到了重试时刻的失败的。"""
    me = f"{socket.gethostname()}:{os.getpid()}"
    with statedb.connect(path) as sq:
        claimed = (
            sq.execute(
                "insert or ignore into dispatch_run (job, period, slot, started_at, late, status, runner)"
                " values (?, ?, ?, ?, ?, 'running', ?)",
                (sched.job, period, _t(slot), _t(now), int(late), me),
            ).rowcount
            or _take_over(sq, sched.job, period, now, me)
            or _retry(sq, sched.job, period, now, me)
        )
        if not claimed:
            return [_not_claimed(sq, sched, period)]
        attempts = sq.execute(
            "select attempts from dispatch_run where job = ? and period = ?", (sched.job, period)
        ).fetchone()[0]
    try:
        issue, bundle, files = _build(path, con, sched.job, slot, period, cutoff, chosen, options)
    except Exception as exc:
        return [_failed(path, sched, period, attempts, exc, now)]
    brief = bundle.brief
    with statedb.connect(path) as sq:
        sq.execute(
            "update dispatch_run set status = 'done', issue_id = ?, finished_at = ? where job = ? and period = ?",
            (issue.id, _t(now), sched.job, period),
        )
    queued = _queue_issue(path, sched, period, issue, bundle, files, late, now)
    head = f"{sched.name} {period}：已生成并存档 {brief.title} 第{issue.issue_no}期" + ("（补运行）" if late else "")
    return [f"{head}，数据截至 {formats.moment(brief.cutoff)}，数据指纹 {brief.short_digest}；待发 {queued} 个渠道"]


def _failed(path: Path, sched: schedules.Schedule, period: str, attempts: int, exc: Exception, now: datetime) -> str:
    """生成失败：记下原因；还没试满 BUILD_ATTEMPTS 次的，按 BACKOFF 定下次重试时刻（运行表、日志、审计都写明）。"""
    reason = str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
    retry_at = now + BACKOFF[attempts - 1] if attempts < BUILD_ATTEMPTS else None
    tail = (
        f"{formats.moment(retry_at)} 重试（第 {attempts + 1} 次）"
        if retry_at
        else f"已试 {attempts} 次，不再自动重试（请查看原因后在通报导出页手工生成）"
    )
    _LOG.error("%s %s 生成失败（第 %d 次）：%s；%s", sched.name, period, attempts, reason, tail)
    with statedb.connect(path) as sq:
        sq.execute(
            "update dispatch_run set status = 'failed', error = ?, finished_at = ?, next_try = ?"
            " where job = ? and period = ?",
            (reason, _t(now), _t(retry_at) if retry_at else None, sched.job, period),
        )
        statedb.record(sq, BY, "定时生成通报失败", f"{sched.name} {period}（第 {attempts} 次）：{reason}；{tail}")
    return f"{sched.name} {period}：生成失败（第 {attempts} 次）：{reason}；{tail}"


def _build(
    path: Path,
    con: duckdb.DuckDBPyConnection,
    job: str,
    slot: datetime,
    period_key: str,
    cutoff: datetime,
    chosen: dict[str, str],
    options: Options,
) -> tuple[archive.Issue, briefing.Bundle, dict[str, tuple[str, bytes]]]:
    """统计时刻取计划时刻与数据截至中早的那个；期号在生成之前占下（文件里写着它）。"""
    view = View.of_store(con, as_of=slot if slot < cutoff else None, chosen=chosen)
    period = schedules.PERIOD_OF[job]
    first = briefing.default_issue_no(view.as_of, period) if period != "round" else 1
    issue = archive.reserve(path, period, slot.year, period_key)
    try:
        if issue.issue_no == 1 and first > 1:
            issue = _renumber_first(path, issue, first)
        return issue, *_make(path, con, view, job, issue, options)
    except BaseException:
        archive.release(path, issue)  # 失败的一次不占期号：下一次（重试或下一期）重新取号，不跳号
        raise


def _make(
    path: Path, con: duckdb.DuckDBPyConnection, view: View, job: str, issue: archive.Issue, options: Options
) -> tuple[briefing.Bundle, dict[str, tuple[str, bytes]]]:
    period = schedules.PERIOD_OF[job]
    bundle = briefing.build_bundle(con, view, period=period, issue_no=issue.issue_no, png=options.png)
    brief = bundle.brief
    files: dict[str, tuple[str, bytes]] = {"deck": (bundle.deck_name, bundle.deck)}
    if bundle.docx is not None:
        files["docx"] = (bundle.docx_name, bundle.docx)
        pdf = briefing.document.pdf_available() if options.pdf is None else options.pdf
        if pdf:
            files["pdf"] = (bundle.docx_name.removesuffix(".docx") + ".pdf", briefing.document.to_pdf(bundle.docx))
    if bundle.notices is not None and bundle.notices.notices:
        files["notices"] = (bundle.notices.zip_name, bundle.notices.zip_bytes(pdf=False))
    archive.store(
        path,
        issue,
        files,
        title=brief.title,
        period_text=brief.period_text,
        as_of=_t(brief.as_of),
        cutoff=formats.moment(brief.cutoff),
        digest=brief.digest,
        by=BY,
    )
    return bundle, files


def _renumber_first(path: Path, issue: archive.Issue, first: int) -> archive.Issue:
    """当年第一期：从按统计时刻推算的期数（第几周、第几月）起编，与手工生成的通报接上；之后逐期加一。"""
    with statedb.connect(path) as sq:
        others = sq.execute(
            "select count(*) from dispatch_issue where kind = ? and year = ? and id <> ?",
            (issue.kind, issue.year, issue.id),
        ).fetchone()[0]
        if others:
            return issue
        sq.execute("update dispatch_issue set issue_no = ? where id = ?", (first, issue.id))
    return archive.Issue(issue.id, issue.kind, issue.year, first, issue.period)


def _link(issue_id: int) -> str | None:
    base = str(settings.get("public_url") or "").rstrip("/")
    return f"{base}/briefing?archive={issue_id}" if base else None


def office_message(
    issue: archive.Issue, bundle: briefing.Bundle, files: dict[str, tuple[str, bytes]], late: bool
) -> dict:
    """发给创建办工作群的消息：名次、在办、逾期、按期销号率、红黑榜名单、数据截至、数据指纹与存档文件。"""
    brief = bundle.brief
    fig = briefing.document.figures(brief)
    title = f"{brief.title} 第{issue.issue_no}期"
    link = _link(issue.id)
    numbers = {
        "名次": fig.get("全省名次") or "—（没有名次数据）",
        "在办": f"{fig.get('在办') or '0'} 条",
        "逾期": f"{fig.get('逾期') or '0'} 条",
        "按期销号率": fig.get("按期销号率") or "—",
        "红榜（部门）": fig.get("红榜部门") or "无",
        "黑榜（部门）": fig.get("黑榜部门") or "无",
        "红榜（镇街）": fig.get("红榜镇街") or "无",
        "黑榜（镇街）": fig.get("黑榜镇街") or "无",
    }
    cutoff = formats.moment(brief.cutoff)
    body = [
        f"统计区间：{brief.period_text}",
        f"数据截至：{cutoff}",
        *(f"{k}：{v}" for k, v in numbers.items()),
        f"数据指纹：{brief.short_digest}",
    ]
    if late:
        body.append("（服务停机错过了计划时刻，这一期为补发）")
    names = [name for name, _ in files.values()]
    markdown = "\n".join([f"**{title}**", *(f"> {line}" for line in body)])
    markdown += "\n文件：" + ("、".join(names) + (f"\n[在看板上下载]({link})" if link else ""))
    text = "\n".join([title, *body, "文件：" + "、".join(names), *([f"下载：{link}"] if link else [])])
    attach = [files[k][0] for k in ("pdf", "docx") if k in files][:1]
    return {
        "title": title,
        "markdown": markdown,
        "text": text,
        "payload": {
            "title": brief.title,
            "期号": f"第{issue.issue_no}期",
            "issue_no": issue.issue_no,
            "period": issue.period,
            "period_text": brief.period_text,
            "data_cutoff": cutoff,
            "fingerprint": brief.digest,
            "late": late,
            "headline": numbers,
            "files": [{"name": n, "url": link} for n in names],
        },
        "files": [[issue.id, n] for n in attach],
    }


def unit_message(issue: archive.Issue, bundle: briefing.Bundle, unit_code: str) -> dict | None:
    """发给一个责任单位自己渠道的消息：只有它自己的督办单与它的几个数（别的单位一行也不带）；本期没有它的督办单时为 None。"""
    brief = bundle.brief
    notice = bundle.notices.for_unit(unit_code) if bundle.notices is not None else None
    if notice is None:
        return None
    title = f"{notice.unit_name}整改督办单 第{issue.issue_no}期"
    body = [
        f"统计区间：{brief.period_text}",
        f"数据截至：{formats.moment(brief.cutoff)}",
        f"牵头逾期：{notice.overdue} 条（其中 30 天以上 {notice.overdue_over_30} 条）",
        f"7天内到期：{notice.due_soon} 条",
        f"配合逾期：{notice.coop_overdue} 条",
    ]
    return {
        "title": title,
        "markdown": "\n".join([f"**{title}**", *(f"> {line}" for line in body)]),
        "text": "\n".join([title, *body]),
        "payload": {
            "title": title,
            "期号": f"第{issue.issue_no}期",
            "issue_no": issue.issue_no,
            "period": issue.period,
            "unit_code": unit_code,
            "data_cutoff": formats.moment(brief.cutoff),
            "fingerprint": brief.digest,
            "headline": {"牵头逾期": notice.overdue, "7天内到期": notice.due_soon, "配合逾期": notice.coop_overdue},
            "files": [{"name": notice.file_name, "url": _link(issue.id)}],
        },
        "docx": (notice.file_name, notice.docx),
    }


def _queue_issue(
    path: Path,
    sched: schedules.Schedule,
    period: str,
    issue: archive.Issue,
    bundle: briefing.Bundle,
    files: dict[str, tuple[str, bytes]],
    late: bool,
    now: datetime,
) -> int:
    known = {c.name: c for c in channels.listing(path)}
    queued = []
    for name in sched.channels:  # 已删除的渠道也排上：发的时候记为“渠道已删除，没有发”，页面与日志看得到
        channel = known.get(name)
        if channel is not None and channel.unit_code:
            message = unit_message(issue, bundle, channel.unit_code)
            if message is None:
                continue
            notice_name, notice_bytes = message.pop("docx")
            archive.store_extra(path, issue, notice_name, notice_bytes)
            message["files"] = [[issue.id, notice_name]]
        else:
            message = office_message(issue, bundle, files, late)
        queued.append((name, message))
    return _queue(path, sched.job, period, queued, now)


def _queue(path: Path, job: str, period: str, queued: list[tuple[str, dict]], now: datetime) -> int:
    with statedb.connect(path) as sq:
        for name, message in queued:
            sq.execute(
                "insert or ignore into dispatch_delivery (job, period, channel, payload, status, next_try)"
                " values (?, ?, ?, ?, 'pending', ?)",
                (job, period, name, json.dumps(message, ensure_ascii=False), _t(now)),
            )
    return len(queued)


def _alerts(path: Path, con: duckdb.DuckDBPyConnection, view: View, now: datetime) -> list[str]:
    """新的提醒发给牵头单位自己的渠道与规则指定的渠道（单位渠道只收本单位的）。"""
    fresh = alerts.evaluate(path, con, view, now)
    if not fresh:
        return []
    known = channels.listing(path)
    cutoff = formats.moment(view.cutoff)
    by_job: dict[tuple[str, str], list[tuple[str, dict]]] = {}
    for setting, found in fresh:
        targets = [c for c in known if c.unit_code and c.unit_code == found.unit_code]
        targets += [c for c in known if c.name in setting.channels and not c.unit_code]
        text = f"{found.text}数据截至 {cutoff}。"
        rule_name = alerts.RULES[setting.kind].name.replace(" N ", f" {setting.threshold} ")
        message = {
            "title": f"创文看板提醒：{rule_name}",
            "markdown": text,
            "text": text,
            "payload": {
                "title": rule_name,
                "rule": setting.kind,
                "subject": found.subject,
                "crossing": found.crossing,
                "unit_code": found.unit_code,
                "text": text,
                "data_cutoff": cutoff,
            },
            "files": [],
        }
        key = (f"alert:{setting.kind}", f"{found.subject}|{found.crossing}")
        by_job.setdefault(key, []).extend((c.name, message) for c in targets)
    for (job, period), queued in by_job.items():
        _queue(path, job, period, queued, now)
    return [f"新提醒 {len(fresh)} 条"]


def deliver_due(db_path: str | os.PathLike[str], now: datetime) -> list[str]:
    """发出到时候的发送（待发、到了重试时刻的待重试）。每条先领（改成 发送中）再发：两个运行者不会发同一条。"""
    path = Path(db_path)
    known = {c.name: c for c in channels.listing(path)}
    with statedb.connect(path) as sq:
        due = sq.execute(
            "select id from dispatch_delivery where status in ('pending', 'retry') and next_try <= ? order by id",
            (_t(now),),
        ).fetchall()
    lines = []
    for (delivery_id,) in due:
        with statedb.connect(path) as sq:
            row = sq.execute(
                "update dispatch_delivery set status = 'sending', attempts = attempts + 1"
                " where id = ? and status in ('pending', 'retry') returning job, period, channel, payload, attempts",
                (delivery_id,),
            ).fetchone()
        if row is None:
            continue  # 别的运行者领走了
        job, period, name, payload, attempts = row
        lines.append(
            _deliver(path, delivery_id, job, period, known.get(name), name, json.loads(payload), attempts, now)
        )
    return lines


def send_test(db_path: str | os.PathLike[str], name: str, by: str, *, page: str | None = None) -> str:
    """管理员在页面上给一个渠道发一条测试消息（不进发送表、不重试）；成功或失败都记审计。失败抛 SendError（中文）。"""
    path = Path(db_path)
    channel = next((c for c in channels.listing(path) if c.name == name), None)
    text = f"创文看板测试消息：{by} 在看板上试发，收到说明渠道 {name} 设置正确。"
    message = senders.Message(
        "创文看板测试消息", f"**创文看板测试消息**\n> {text}", text, {"title": "创文看板测试消息", "text": text}
    )
    try:
        if channel is None:
            raise senders.SendError(f"渠道 {name} 已删除", retry=False)
        url, password = channels.secret(path, name)
        senders.send(channel, url, password, message)
    except (senders.SendError, channels.ChannelError) as exc:
        _LOG.warning("测试消息没有发出：渠道 %s：%s", name, exc)
        with statedb.connect(path) as sq:
            statedb.record(sq, by, "发测试消息", f"渠道 {name}：没有发出：{exc}", page=page)
        raise senders.SendError(str(exc), retry=False) from None
    with statedb.connect(path) as sq:
        statedb.record(sq, by, "发测试消息", f"渠道 {name}：已发出", page=page)
    return f"已给渠道 {name} 发出一条测试消息，请到群里或收件箱看是否收到。"


def _deliver(
    path: Path,
    delivery_id: int,
    job: str,
    period: str,
    channel: channels.Channel | None,
    name: str,
    payload: dict,
    attempts: int,
    now: datetime,
) -> str:
    what = f"{job} {period} → 渠道 {name}"
    try:
        if channel is None:
            raise senders.SendError(f"渠道 {name} 已删除，没有发", retry=False)
        url, password = channels.secret(path, name)
        files = [(n, archive.read(path, int(i), n)) for i, n in payload.get("files", [])]
        message = senders.Message(payload["title"], payload["markdown"], payload["text"], payload["payload"], files)
        notes = senders.send(channel, url, password, message)
    except (senders.SendError, channels.ChannelError, OSError, ValueError) as exc:
        retry = isinstance(exc, senders.SendError) and exc.retry and attempts < MAX_ATTEMPTS
        reason = str(exc)
        status = "retry" if retry else "failed"
        next_try = now + BACKOFF[attempts - 1] if retry else now
        _LOG.warning("推送失败（第 %d 次）：%s：%s", attempts, what, reason)
        with statedb.connect(path) as sq:
            sq.execute(
                "update dispatch_delivery set status = ?, last_error = ?, next_try = ? where id = ?",
                (status, reason, _t(next_try), delivery_id),
            )
            statedb.record(sq, BY, "推送失败", f"{what}（第 {attempts} 次）：{reason}")
        tail = f"，{formats.moment(next_try)} 重试" if retry else "，不再重试"
        return f"推送失败：{what}：{reason}{tail}"
    status = "partial" if notes else "sent"
    with statedb.connect(path) as sq:
        sq.execute(
            "update dispatch_delivery set status = ?, sent_at = ?, last_error = ? where id = ?",
            (status, _t(now), "；".join(notes) or None, delivery_id),
        )
        statedb.record(sq, BY, "推送通报" if not job.startswith("alert:") else "推送提醒", what)
    for note in notes:
        _LOG.warning("%s：%s", what, note)
    return f"已发出：{what}" + (f"（{'；'.join(notes)}）" if notes else "")


DELIVERY_COLUMNS = ("job", "period", "channel", "status", "attempts", "next_try", "sent_at", "last_error")
STATUS_TEXT = {
    "pending": "待发",
    "sending": "发送中",
    "sent": "已发出",
    "partial": "已发出（部分文件没发）",
    "retry": "待重试",
    "failed": "没有发出",
}


def deliveries(db_path: str | os.PathLike[str], limit: int = 100) -> list[dict]:
    """最近的发送（页面上看失败与重试）：中文列名。"""
    with statedb.connect(db_path) as sq:
        rows = sq.execute(
            f"select {', '.join(DELIVERY_COLUMNS)} from dispatch_delivery order by id desc limit ?", (limit,)
        ).fetchall()
    labels = ("作业", "周期", "渠道", "状态", "已试次数", "下次重试", "发出时间", "说明")
    out = []
    for r in rows:
        d = dict(zip(DELIVERY_COLUMNS, r))
        d["job"] = schedules.JOBS.get(d["job"], d["job"])
        d["status"] = STATUS_TEXT.get(d["status"], d["status"])
        d["next_try"] = d["next_try"] if d["status"] == "待重试" else ""
        out.append(dict(zip(labels, (d[k] if d[k] is not None else "" for k in DELIVERY_COLUMNS))))
    return out


def runs(db_path: str | os.PathLike[str], limit: int = 50) -> list[dict]:
    """最近的运行（页面与命令行）：作业、周期、计划时刻、开始、是否补运行、状态、已试次数、下次重试、期号、原因。"""
    with statedb.connect(db_path) as sq:
        rows = sq.execute(
            "select r.job, r.period, r.slot, r.started_at, r.late, r.status, r.attempts, r.next_try,"
            " coalesce(i.issue_no, ''), coalesce(r.error, '')"
            " from dispatch_run r left join dispatch_issue i on i.id = r.issue_id order by r.started_at desc limit ?",
            (limit,),
        ).fetchall()
    status = {"running": "运行中", "done": "完成", "failed": "失败"}
    return [
        {
            "作业": schedules.JOBS.get(r[0], r[0]),
            "周期": r[1],
            "计划时刻": r[2],
            "开始": r[3],
            "补运行": "是" if r[4] else "",
            "状态": ("失败，待重试" if r[7] else "失败，不再重试") if r[5] == "failed" else status.get(r[5], r[5]),
            "已试次数": r[6],
            "下次重试": r[7] or "",
            "期号": f"第 {r[8]} 期" if r[8] != "" else "",
            "原因": r[9],
        }
        for r in rows
    ]


def naming(db_path: str | os.PathLike[str]) -> dict[str, list[str]]:
    """渠道名 → 写着它的计划与提醒规则（删渠道前给管理员看；渠道删掉后这些还写着它时页面提示）。"""
    out: dict[str, list[str]] = {}
    for s in schedules.listing(db_path):
        for name in s.channels:
            out.setdefault(name, []).append(s.name)
    for r in alerts.settings(db_path):
        for name in r.channels:
            out.setdefault(name, []).append(f"提醒规则“{r.name}”")
    return out


def dangling(db_path: str | os.PathLike[str]) -> list[str]:
    """计划与提醒规则里写着、但已删除的渠道：每个一句中文说明。"""
    known = {c.name for c in channels.listing(db_path)}
    return [
        f"渠道 {name} 已删除，{'、'.join(users)}还写着它：运行时不会发到它（计划的发送记为“渠道已删除，没有发”），"
        "请在下面改选渠道并保存"
        for name, users in naming(db_path).items()
        if name not in known
    ]
