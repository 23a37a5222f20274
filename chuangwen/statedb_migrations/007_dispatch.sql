-- 定时通报、存档、推送与提醒（issue 33）。渠道的密钥（Webhook 地址里的 key、SMTP 口令）不在这里：
-- 在库旁的 <库文件名>.secrets.json（0600），这里与审计里只有遮住的地址
create table dispatch_schedule (
    job      text primary key check (job in ('weekly', 'monthly', 'round')),
    enabled  integer not null,
    at_text  text not null,                 -- 'fri 17:00'、'1 09:00'、'09:00'（轮次结束后第二天）
    channels text not null default '',      -- 渠道名，逗号分隔
    set_by   text not null,
    set_at   text not null
);

create table dispatch_channel (
    name       text primary key,
    kind       text not null check (kind in ('webhook', 'wecom', 'dingtalk', 'email')),
    shown_url  text not null,               -- 遮住密钥的地址（页面、命令行、审计只见这个）
    unit_code  text,                        -- 责任单位自己的渠道：只收本单位的督办单与提醒
    created_by text not null,
    created_at text not null
);

-- 一个作业一个周期只运行一次：第二个运行者、重启、重试插不进同一行
create table dispatch_run (
    job         text not null,
    period      text not null,              -- '2026-W47'、'2026-11'、轮次代码
    slot        text not null,              -- 按计划应运行的时刻
    started_at  text not null,
    finished_at text,
    late        integer not null default 0, -- 错过了（服务停着）后补运行
    status      text not null,              -- running / done / failed
    issue_id    integer,
    error       text,
    runner      text not null,
    primary key (job, period)
);

-- 存档：期号按（年份、周期种类）连续编号，不重、不跳；同一周期重试沿用同一期号
create table dispatch_issue (
    id          integer primary key autoincrement,
    kind        text not null,              -- week / month / round
    year        integer not null,
    issue_no    integer not null,
    period      text not null,
    period_text text,
    as_of       text,
    cutoff      text,
    digest      text,
    title       text,
    created_at  text not null,
    unique (kind, year, issue_no),
    unique (kind, period)
);

create table dispatch_file (
    issue_id  integer not null references dispatch_issue (id),
    name      text not null,
    role      text not null,                -- deck / docx / pdf / notices / league
    path      text not null,                -- 相对存档目录
    sha256    text not null,
    size      integer not null,
    primary key (issue_id, name)
);

-- 每次发送（通报或提醒）发到一个渠道一行：领到（status 由 pending/retry 改成 sending）的运行者才发，发过的不再发
create table dispatch_delivery (
    id         integer primary key autoincrement,
    job        text not null,               -- 'weekly' 等，或 'alert:规则'
    period     text not null,               -- 周期，或 提醒的 对象|越线
    channel    text not null,
    payload    text not null,               -- JSON：标题、正文、附件（存档文件编号）；不含密钥
    status     text not null,               -- pending / sending / sent / retry / failed / partial
    attempts   integer not null default 0,
    next_try   text not null,
    last_error text,
    sent_at    text,
    unique (job, period, channel)
);

create table alert_rule (
    kind      text primary key,
    enabled   integer not null,
    threshold integer,
    channels  text not null default '',
    set_by    text not null,
    set_at    text not null
);

-- 一条提醒：（规则、对象、越线）只一次
create table alert_event (
    rule       text not null,
    subject    text not null,               -- 问题编号或单位代码
    crossing   text not null,               -- 越过的线（'30天'、'N01'、'>3#2'）
    unit_code  text,                        -- 责任单位（牵头）：提醒发给它自己的渠道
    text       text not null,
    found_at   text not null,
    primary key (rule, subject, crossing)
);

-- 单位逾期数越线的状态：回落到线下再越过，算新的一次
create table alert_state (
    rule    text not null,
    subject text not null,
    above   integer not null,
    episode integer not null,
    primary key (rule, subject)
);
