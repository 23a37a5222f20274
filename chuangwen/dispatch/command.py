"""命令行：chuangwen channel add/list/remove、chuangwen schedule set/list/run、chuangwen alert set/list、chuangwen scheduler。
名称固定（运维写进操作手册）；都带 --db。"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from datetime import datetime
from pathlib import Path

from chuangwen.cli_common import ChineseParser, UsageError, cutoff, db_units, operator, positive_int
from chuangwen.dispatch import alerts, channels, runner, schedules

_LOG = logging.getLogger("chuangwen.dispatch")


def register(sub: argparse._SubParsersAction[ChineseParser], formatter: type[argparse.HelpFormatter]) -> None:
    """在 chuangwen 的子命令里登记 channel、schedule、alert、scheduler。"""

    def group(name: str, summary: str, description: str) -> argparse._SubParsersAction:
        p = sub.add_parser(name, help=summary, description=description, formatter_class=formatter)
        return p.add_subparsers(title="操作", dest="what", metavar="操作", required=True)

    def cmd(parent: argparse._SubParsersAction, name: str, summary: str) -> argparse.ArgumentParser:
        p = parent.add_parser(name, help=summary, description=summary, formatter_class=formatter)
        p.add_argument("--db", required=True, type=Path, metavar="路径", help="数据库文件路径（.duckdb）")
        return p

    ch = group(
        "channel",
        "推送渠道（企业微信、钉钉、邮件、Webhook）",
        "推送渠道：定时通报与提醒发到哪里。地址里的 key、口令是密钥：存在库旁的 <库文件名>.secrets.json（0600），"
        "列表、页面、审计里只显示遮住的地址。",
    )
    ca = cmd(ch, "add", "新建（或替换同名的）渠道")
    ca.add_argument("name", metavar="名称")
    ca.add_argument(
        "--kind", required=True, choices=tuple(channels.KINDS), metavar="种类", help="、".join(channels.KINDS)
    )
    ca.add_argument(
        "--url",
        required=True,
        metavar="地址",
        help="机器人或 Webhook 的 http(s) 地址；邮件写 smtp://用户名@服务器:端口?from=发件人&to=收件人[,收件人]&starttls=1",
    )
    ca.add_argument("--unit", default=None, metavar="单位代码", help="责任单位自己的渠道：只收本单位的督办单与提醒")
    ca.add_argument("--password-stdin", action="store_true", help="邮件口令从标准输入读一行（不写在命令行上）")
    ca.add_argument(
        "--secret",
        default=None,
        metavar="加签密钥",
        help="钉钉/浙政钉机器人的加签密钥（安全设置里“加签”下 SEC 开头的那串）；只存进 0600 的密钥文件",
    )
    ca.add_argument(
        "--secret-stdin", action="store_true", help="加签密钥从标准输入读一行（不留在命令行历史与进程列表里）"
    )
    ca.set_defaults(handler=_channel_add)
    cmd(ch, "list", "列出渠道（地址遮住密钥）").set_defaults(handler=_channel_list)
    cr = cmd(ch, "remove", "删除渠道（连同它的密钥）")
    cr.add_argument("name", metavar="名称")
    cr.set_defaults(handler=_channel_remove)

    sc = group(
        "schedule",
        "定时通报的计划与运行",
        "定时通报：每周（默认周五 17:00）、每月（默认 1 日 09:00）、测评轮次结束后（默认关）。"
        "run 运行此刻到点的作业后退出（运行者 chuangwen scheduler 按自己的时钟做同样的事）；"
        "同一作业同一周期只运行一次，再运行什么也不做。",
    )
    ss = cmd(sc, "set", "改一个作业的计划")
    ss.add_argument(
        "job", choices=tuple(schedules.JOBS), metavar="作业", help="weekly（每周）、monthly（每月）、round（测评轮次）"
    )
    ss.add_argument(
        "--at", default=None, metavar="时间", help="每周 'fri 17:00'（或 '周五 17:00'）；每月 '1 09:00'；轮次 '09:00'"
    )
    ss.add_argument("--channels", default=None, metavar="名称[,名称]", help="发到哪些渠道（逗号分开；写空串为不发）")
    ss.add_argument("--off", action="store_true", help="关掉这个作业")
    ss.set_defaults(handler=_schedule_set)
    cmd(sc, "list", "列出计划与最近的运行").set_defaults(handler=_schedule_list)
    sr = cmd(sc, "run", "运行此刻到点的作业、发出提醒与该重试的发送，然后退出")
    sr.add_argument(
        "--now", type=cutoff, default=None, metavar="时间", help="'YYYY-MM-DD HH:MM'，当作此刻（不写时用系统时钟）"
    )
    sr.add_argument("--no-png", action="store_true", help="幻灯片不画 PNG 图（没有 Chromium 时）")
    sr.add_argument("--no-pdf", action="store_true", help="不把 Word 通报转成 PDF（没有 LibreOffice 时自动如此）")
    sr.set_defaults(handler=_schedule_run)

    al = group(
        "alert",
        "逾期、负面清单提醒的规则",
        "提醒规则：问题逾期达到 N 天（overdue_days，默认 30）、发现负面清单问题（negative_list）、"
        "单位逾期问题数超过阈值（unit_overdue，默认 10）。每个（规则、对象、越线）只提醒一次，发给牵头单位自己的渠道"
        "与这里指定的渠道。",
    )
    ast = cmd(al, "set", "改一条规则")
    ast.add_argument("kind", choices=tuple(alerts.RULES), metavar="规则", help="、".join(alerts.RULES))
    ast.add_argument("--threshold", type=positive_int, default=None, metavar="N", help="阈值（天或条）")
    ast.add_argument("--channels", default=None, metavar="名称[,名称]", help="另外发到哪些渠道（创建办的群）")
    ast.add_argument("--off", action="store_true", help="关掉这条规则")
    ast.set_defaults(handler=_alert_set)
    cmd(al, "list", "列出规则").set_defaults(handler=_alert_list)

    sd = sub.add_parser(
        "scheduler",
        help="定时通报的运行者（常驻，systemd 管）",
        description="常驻进程：每隔 --interval 秒运行一次此刻到点的作业（与 chuangwen schedule run 相同）。"
        "与看板进程分开：看板开几个进程都只要一个运行者；多开一个也不会重发（运行表按作业与周期只认一次）。",
        formatter_class=formatter,
    )
    sd.add_argument("--db", required=True, type=Path, metavar="路径", help="数据库文件路径（.duckdb）")
    sd.add_argument("--interval", type=positive_int, default=60, metavar="秒", help="多久看一次（默认 60 秒）")
    sd.set_defaults(handler=_scheduler)


def _split(raw: str | None) -> list[str] | None:
    return None if raw is None else [c for c in raw.replace("，", ",").split(",") if c.strip()]


def _channel_add(args: argparse.Namespace) -> int:
    if args.unit is not None and args.unit not in db_units(args.db):
        raise UsageError(f"库里没有单位代码 {args.unit!r}")
    if args.password_stdin and args.secret_stdin:
        raise UsageError("--password-stdin 与 --secret-stdin 只能用一个（标准输入只读一行）")
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else None
    secret = sys.stdin.readline().rstrip("\n") if args.secret_stdin else args.secret
    try:
        made = channels.add(
            args.db,
            args.name,
            args.kind,
            args.url,
            operator(),
            unit_code=args.unit,
            password=password,
            sign_secret=secret,
        )
    except channels.ChannelError as exc:
        raise UsageError(str(exc)) from None
    print(
        f"已设渠道 {made.name}：{made.kind_text} {made.shown_url}"
        + ("，加签" if made.signed else "")
        + (f"（单位 {made.unit_code}）" if made.unit_code else "")
    )
    return 0


def _channel_list(args: argparse.Namespace) -> int:
    rows = channels.listing(args.db)
    if not rows:
        print("还没有渠道（chuangwen channel add 新建）")
    for c in rows:
        print(
            f"{c.name}\t{c.kind}\t{c.shown_url}"
            + ("\t加签" if c.signed else "")
            + (f"\t单位 {c.unit_code}" if c.unit_code else "")
        )
    return 0


def _channel_remove(args: argparse.Namespace) -> int:
    try:
        channels.remove(args.db, args.name, operator())
    except channels.ChannelError as exc:
        raise UsageError(str(exc)) from None
    print(f"已删除渠道 {args.name}")
    return 0


def _schedule_set(args: argparse.Namespace) -> int:
    try:
        s = schedules.set_schedule(
            args.db, args.job, operator(), at_text=args.at, channels=_split(args.channels), enabled=not args.off
        )
    except schedules.ScheduleError as exc:
        raise UsageError(str(exc)) from None
    print(f"{s.name}：{'开' if s.enabled else '关'}，{s.at_text}，渠道 {'、'.join(s.channels) or '（无）'}")
    return 0


def _schedule_list(args: argparse.Namespace) -> int:
    for s in schedules.listing(args.db):
        print(
            f"{s.job}\t{s.name}\t{'开' if s.enabled else '关'}\t{s.at_text}\t渠道 {'、'.join(s.channels) or '（无）'}"
        )
    recent = runner.runs(args.db, limit=10)
    if recent:
        print("最近的运行：")
        for r in recent:
            print("　" + "　".join(f"{k} {v}" for k, v in r.items() if v != ""))
    return 0


def _schedule_run(args: argparse.Namespace) -> int:
    now = args.now or datetime.now().replace(second=0, microsecond=0)
    options = runner.Options(png=not args.no_png, pdf=False if args.no_pdf else None)
    lines = runner.run_due(args.db, now, options)
    print("\n".join(lines) if lines else f"{now:%Y-%m-%d %H:%M}：没有到点的作业，也没有要发的")
    return 1 if any(line.startswith("推送失败") or "生成失败" in line for line in lines) else 0


def _alert_set(args: argparse.Namespace) -> int:
    try:
        r = alerts.set_rule(
            args.db,
            args.kind,
            operator(),
            threshold=args.threshold,
            channels=_split(args.channels),
            enabled=not args.off,
        )
    except alerts.AlertError as exc:
        raise UsageError(str(exc)) from None
    print(f"{r.name}：{'开' if r.enabled else '关'}" + (f"，阈值 {r.threshold}" if r.threshold is not None else ""))
    return 0


def _alert_list(args: argparse.Namespace) -> int:
    for r in alerts.settings(args.db):
        line = f"{r.kind}\t{r.name}\t{'开' if r.enabled else '关'}"
        line += f"\t阈值 {r.threshold}" if r.threshold is not None else ""
        print(line + f"\t渠道 {'、'.join(r.channels) or '（只发牵头单位自己的渠道）'}")
    return 0


def _scheduler(args: argparse.Namespace) -> int:
    """常驻：每 interval 秒运行一次；SIGTERM（systemd 停止）时做完手上这一轮再退出。"""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    _LOG.info("定时通报运行者启动：%s，每 %d 秒看一次", args.db, args.interval)
    while not stop.is_set():
        try:
            for line in runner.run_due(args.db, datetime.now().replace(microsecond=0)):
                _LOG.info("%s", line)
        except Exception:  # 一轮出错不让进程退出：记下，下一轮再来
            _LOG.exception("定时通报这一轮出错")
        stop.wait(args.interval)
    _LOG.info("定时通报运行者退出")
    return 0
