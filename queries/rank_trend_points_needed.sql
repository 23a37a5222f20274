-- name: rank_trend_points_needed
-- 用途: 差距分析：某一轮本县要进入前 k 名（k = 1 … 其他有成绩单位数）各需再得多少分，以及边界上的单位（可能并列）
-- params: $county VARCHAR, $round_code VARCHAR
-- 指标: 距前k名所差分数 | 口径: 本轮其他有成绩单位中第 k 高的得分 − 本县得分（不小于 0），两位小数；追平第 k 高的得分即与其并列、名次 ≤ k（竞争排名）。与总览页的“距目标名次”同一口径 | 分母: —
-- 指标: 边界单位 | 口径: 其他单位中得分恰好等于第 k 高得分的单位（并列时全部列出，按地区代码） | 分母: —
-- 指标: 追平后名次 | 口径: 本县得分恰好追平第 k 高得分时的竞争排名名次 = 其他单位中得分高于该分数的单位数 + 1（≤ k；边界上有并列时小于 k） | 分母: —
-- 本县本轮缺测或无记录时不返回任何行；k = 组内单位数（最后一名）总能达到，不单列。
with ours as (
    select total, rank, group_size
    from score_ranked
    where round_code = $round_code and region_code = $county and score_status = '正常'
),
others as (
    select sr.region_code, rg.name as region_name, sr.total,
           row_number() over (order by sr.total desc, sr.region_code) as position
    from score_ranked sr
    join region rg on rg.code = sr.region_code
    where sr.round_code = $round_code and sr.region_code <> $county and sr.score_status = '正常'
),
boundary as (
    select total,
           count(*) as boundary_count,
           min(position) as rank_if_tied,
           string_agg(region_name, '、' order by region_code) as boundary_units
    from others
    group by total
)
select o.position as k,
       o.total as kth_other_total,
       ours.total as our_total,
       ours.rank as our_rank,
       ours.group_size,
       round(greatest(o.total - ours.total, 0), 2) as points_needed,
       b.rank_if_tied,
       b.boundary_count,
       b.boundary_units
from others o
cross join ours
join boundary b on b.total = o.total
order by o.position
