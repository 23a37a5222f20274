-- name: league_townships
-- 用途: 红黑榜·镇街（按问题所在镇街归属，不论牵头单位）：统计区间与上一等长区间的交办、销号、按期销号率、逾期（按逾期天数分段）、平均销号天数、反弹重开、退回、测评丢分与综合得分、名次
-- params: $as_of TIMESTAMP, $period_start TIMESTAMP, $county VARCHAR, $unit VARCHAR, $round VARCHAR, $min_sample INTEGER, $prior DOUBLE, $red_max_overdue_rate DOUBLE, $w_on_time DOUBLE, $w_overdue DOUBLE, $w_rebound DOUBLE, $w_reject DOUBLE, $w_points DOUBLE
-- reads: league_counts  （本期与上期 × 牵头单位 × 镇街的计数，见 league_counts.sql；单位榜、镇街榜共用一份）
-- 指标: 交办 | 口径: 首次“交办”事件落在统计区间内（不含起点、含统计时刻）的问题数 | 分母: —
-- 指标: 销号 | 口径: 截至统计时刻仍为已销号、且最后一次销号落在统计区间内的问题数 | 分母: —
-- 指标: 按期销号率（区间内） | 口径: 区间内销号的问题中，销号时间不晚于整改期限的比例；没有整改期限的视为按期 | 分母: 区间内销号数
-- 指标: 逾期（存量） | 口径: 截至统计时刻未销号、且整改期限早于统计时刻的问题数（存量，不限交办时间）；逾期天数 = 向上取整（(统计时刻 − 整改期限) ÷ 24 小时），分 1–7 天、8–30 天、30 天以上三段；没有期限的问题永不逾期 | 分母: —
-- 指标: 逾期率（存量） | 口径: 逾期数 ÷ 截至统计时刻在办（未销号）的问题数 | 分母: 在办问题数
-- 指标: 平均销号天数 | 口径: 区间内销号的问题，从首次交办到最后一次销号的平均天数（24 小时为 1 天） | 分母: 区间内销号数
-- 指标: 反弹重开 | 口径: 区间内出现“反弹重开”事件的问题数（整改事件日志口径；问题热点页按同点位同类别再次发现另算） | 分母: —
-- 指标: 反弹率 | 口径: 反弹重开数 ÷ (区间内销号数 + 反弹重开数) | 分母: 区间内销号数 + 反弹重开数
-- 指标: 退回 | 口径: 区间内“退回”事件次数（申请销号被驳回，假性整改信号） | 分母: —
-- 指标: 退回率 | 口径: 区间内退回次数 ÷ 区间内审核次数（已销号 + 退回事件） | 分母: 区间内审核次数
-- 指标: 测评丢分 | 口径: 结束日期（当日 0 时）落在统计区间内的测评轮次中，扣分 × 该镇街（块）责任单位的责任份额之和 | 分母: —
-- 指标: 样本数 | 口径: 区间内交办、或区间内销号、或截至统计时刻在办的问题数；少于最少样本数的镇街显示“样本不足”，不按比率排名 | 分母: —
-- 指标: 综合得分 | 口径: 100 × (Σ 权重ᵢ × 得分项ᵢ) ÷ (Σ 有分母的权重ᵢ) − 丢分权重 × 测评丢分，得分项 = 按期销号率、1 − 逾期率、1 − 反弹率、1 − 退回率，各比率先向全县比率收缩：(分子 + k × 全县比率) ÷ (分母 + k)，k 为设置的“小样本收缩强度”（默认 10）（小样本不会因一两条就排到最前或最后）；某项无分母时不计入，其余按权重比例放大；保留两位小数 | 分母: —
-- 指标: 名次 | 口径: 本县镇街按综合得分降序的竞争排名（并列同名次 1,2,2,4）；样本不足的不排名。黑榜 = 有名次的倒数 5 名（有名次的不足 10 个时取后一半），红榜 = 不在黑榜且有资格（截至统计时刻没有逾期 30 天以上的问题、逾期率不超过设置的“上红榜逾期率上限”（默认 20%）、区间内销过号，且按期销号率、逾期率、退回率、反弹率、平均销号天数每一项都不比全部镇街合起来差）的前 5 名；并列一起列入；镇街只在这张榜上按辖区评价一次 | 分母: 有名次的镇街数
-- 指标: 每点位、每千人 | 口径: 交办、逾期、反弹重开数 ÷ 该镇街的点位数，或 ÷ (常住人口 ÷ 1000)；点位数或人口为 0/未填时为空 | 分母: 点位数；常住人口（千人）
-- 记录顺序存疑的问题（见 quality_event_order）整体排除在本表之外
with checkpoints as (
    -- 本期与上一等长期（终点 = 本期起点），两期同一口径
    select 'cur' as period, $period_start as p_start, $as_of as p_end
    union all
    select 'prev', $period_start - ($as_of - $period_start), $period_start
),
counts as (select * from league_counts),
per_township as (
    select period, township_code,
           sum(sample) as sample, sum(assigned) as assigned, sum(closed) as closed, sum(closed_on_time) as closed_on_time,
           sum(open_now) as open_now, sum(overdue) as overdue, sum(overdue_1_7) as overdue_1_7,
           sum(overdue_8_30) as overdue_8_30, sum(overdue_over_30) as overdue_over_30,
           sum(days_to_close_sum) as days_to_close_sum, sum(days_to_close_n) as days_to_close_n,
           sum(reopened) as reopened, sum(rejected) as rejected, sum(reviewed) as reviewed, sum(excluded) as excluded
    from counts
    where ($unit is null or unit_code = $unit)
    group by all
),
points as (
    select c.period, u.region_code as township_code, sum(d.points * du.share) as points_lost
    from checkpoints c
    join round r on r.end_date::timestamp > c.p_start and r.end_date::timestamp <= c.p_end
    join deduction d on d.round_code = r.code
    join deduction_unit du on du.deduction_id = d.id
    join unit u on u.code = du.unit_code and u.kind = '块'
    where ($round is null or r.code = $round)
      and ($unit is null or du.unit_code = $unit)
    group by all
),
sites as (
    select township_code, count(*) as sites
    from site
    group by township_code
),
board as (
    select c.period, t.code as township_code, t.name as township_name, t.sort_order, '镇街' as kind,
           coalesce(si.sites, 0) as sites, t.population,
           coalesce(pu.sample, 0) as sample,
           coalesce(pu.assigned, 0) as assigned,
           coalesce(pu.closed, 0) as closed,
           coalesce(pu.closed_on_time, 0) as closed_on_time,
           coalesce(pu.open_now, 0) as open_now,
           coalesce(pu.overdue, 0) as overdue,
           coalesce(pu.overdue_1_7, 0) as overdue_1_7,
           coalesce(pu.overdue_8_30, 0) as overdue_8_30,
           coalesce(pu.overdue_over_30, 0) as overdue_over_30,
           coalesce(pu.days_to_close_sum, 0) as days_to_close_sum,
           coalesce(pu.days_to_close_n, 0) as days_to_close_n,
           coalesce(pu.reopened, 0) as reopened,
           coalesce(pu.rejected, 0) as rejected,
           coalesce(pu.reviewed, 0) as reviewed,
           coalesce(pt.points_lost, 0) as points_lost,
           coalesce(pu.excluded, 0) as excluded
    from checkpoints c
    cross join (select * from region where level = '镇街' and parent_code = $county) t
    left join sites si on si.township_code = t.code
    left join per_township pu on pu.period = c.period and pu.township_code = t.code
    left join points pt on pt.period = c.period and pt.township_code = t.code
),
-- include: _league_score.sql  （比率与综合得分，单位与镇街同一公式）
-- include: _league_rank.sql  （名次、黑榜与红榜，单位与镇街同一规则）
select cur.township_code,
       cur.township_name,
       cur.sites,
       cur.population,
       cur.sample,
       cur.enough_sample,
       cur.assigned,
       cur.closed,
       cur.closed_on_time,
       cur.on_time_rate,
       cur.open_now,
       cur.overdue,
       cur.overdue_1_7,
       cur.overdue_8_30,
       cur.overdue_over_30,
       cur.overdue_rate,
       cur.avg_days_to_close,
       cur.reopened,
       cur.rebound_rate,
       cur.rejected,
       cur.reviewed,
       cur.reject_rate,
       cur.points_lost,
       cur.excluded,
       cur.assigned / nullif(cur.sites, 0) as assigned_per_site,
       cur.overdue / nullif(cur.sites, 0) as overdue_per_site,
       cur.reopened / nullif(cur.sites, 0) as reopened_per_site,
       cur.assigned / nullif(cur.population / 1000, 0) as assigned_per_1000,
       cur.overdue / nullif(cur.population / 1000, 0) as overdue_per_1000,
       cur.reopened / nullif(cur.population / 1000, 0) as reopened_per_1000,
       cur.score,
       cur.rank,
       cur.ranked_count,
       cur.is_red,
       cur.is_black,
       cur.red_eligible,
       prev.score as prev_score,
       prev.rank as prev_rank,
       prev.rank - cur.rank as rank_change
from ranked cur
join ranked prev on prev.period = 'prev' and prev.township_code = cur.township_code
where cur.period = 'cur'
order by cur.rank nulls last, cur.sort_order, cur.township_code
