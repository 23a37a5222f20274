-- 005 千万条问题时的派生布局（派生数据：每次发布时由 chuangwen.derived.rebuild 按事件日志整表重建）
--
-- 状态时段表带上问题的属性（期限、镇街、牵头单位、点位、类别、来源、轮次、严重程度、经纬度）：查状态不再连接问题表
-- （1,000 万条时那两次按编号的连接占了红黑榜查询九成的时间）。存放分两块，让按时刻查找只读到有用的行组：
--   在办的时段（最后动作不是“已销号”，含第一个事件之前的“待交办”段）按（止点，发现时间）排序：看某一时刻，止点更早的行组整块跳过；
--   已销号的时段按 active_from = greatest(起点, 发现时间) 排序：统计区间里“有事”的已销号问题只是区间内销号（或发现）的那些，
--   起点更早的行组整块跳过。
-- 整改事件按时间排序的副本 rectify_event_by_time（带问题的镇街、牵头单位、轮次）：按区间数事件时只读那一段。
-- 记录顺序存疑的标记也带上这些属性与全部事件时刻。
drop table problem_state_interval;
create table problem_state_interval (
    problem_code   varchar   not null,
    valid_from     timestamp not null,
    valid_to       timestamp not null,
    last_action    varchar,            -- 第一个事件之前的一段为空（待交办）
    last_event_at  timestamp,
    last_closed_at timestamp,
    assigned_at    timestamp,
    rejected_count bigint    not null,
    reopened_count bigint    not null,
    -- 问题的属性（抄自 problem）
    found_at       timestamp not null,
    deadline       timestamp,
    township_code  varchar,
    lead_unit_code varchar   not null,
    site_code      varchar,
    category       varchar   not null,
    source         varchar   not null,
    round_code     varchar,
    severity       varchar   not null,
    lon            double,
    lat            double,
    is_closed      boolean   not null,  -- last_action = '已销号'
    active_from    timestamp not null   -- greatest(valid_from, found_at)：这一段从何时起算“有事”
);

-- 记录顺序存疑的标记带上问题的发现时间、牵头单位、镇街与轮次（同样抄自 problem）
drop table event_order_flag;
create table event_order_flag (
    problem_code   varchar   not null,
    reason         varchar   not null,
    flag_at        timestamp not null,
    found_at       timestamp not null,
    lead_unit_code varchar   not null,
    township_code  varchar,
    round_code     varchar,
    event_times    timestamp[] not null   -- 这条问题全部整改事件的时刻（按时间、编号排序）
);

create table rectify_event_by_time (
    id             bigint    not null,
    problem_code   varchar   not null,
    event_at       timestamp not null,
    action         varchar   not null,
    township_code  varchar,
    lead_unit_code varchar   not null,
    round_code     varchar
);

-- 状态的宏（参照 problem_state_as_of 与各按区间查找的宏）：唯一定义在 queries/macros/problem_state.sql
-- load: macros/problem_state.sql
