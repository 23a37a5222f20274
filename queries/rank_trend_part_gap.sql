-- name: rank_trend_part_gap
-- 用途: 差距分析：某一轮按板块、测评项目比较本县得分与组内最高、组内平均、目标名次对标单位的得分
-- params: $county VARCHAR, $round_code VARCHAR, $target_rank INTEGER
-- 指标: 分项组内最高 | 口径: 该轮有总分（非缺测）且有该分项成绩的单位中，该分项的最高得分 | 分母: 有该分项成绩的单位数
-- 指标: 分项组内平均 | 口径: 同上单位该分项得分的算术平均（两位小数） | 分母: 有该分项成绩的单位数
-- 指标: 目标名次对标单位 | 口径: 本轮其他有成绩单位中总分第 k 高的单位（k = 目标名次；并列时取地区代码最小者），与“距前k名所差分数”对标的是同一个单位 | 分母: —
-- 指标: 分项差距 | 口径: 对比得分 − 本县得分（两位小数），正数表示本县落后、可争取的分数 | 分母: —
with scored as (
    select region_code
    from score_ranked
    where round_code = $round_code and score_status = '正常'
),
others_ranked as (
    select sr.region_code,
           row_number() over (order by sr.total desc, sr.region_code) as position
    from score_ranked sr
    where sr.round_code = $round_code and sr.region_code <> $county and sr.score_status = '正常'
),
target_unit as (
    select o.region_code, rg.name
    from others_ranked o
    join region rg on rg.code = o.region_code
    where o.position = $target_rank
),
parts as (
    select sp.region_code, sp.edition, sp.node_code, sp.score
    from score_part sp
    join scored s on s.region_code = sp.region_code
    where sp.round_code = $round_code
),
nodes as (
    select distinct n.edition, n.code, n.name, n.level, n.parent_code, n.points, n.sort_order
    from framework_node n
    join parts p on p.edition = n.edition and p.node_code = n.code
    where n.level in ('板块', '测评项目')
),
agg as (
    select n.edition, n.code,
           max(p.score) filter (where p.region_code = $county) as our_score,
           max(p.score) as best_score,
           round(avg(p.score), 2) as average_score,
           count(p.score) as units_with_score,
           max(p.score) filter (where p.region_code = (select region_code from target_unit)) as target_unit_score
    from nodes n
    join parts p on p.edition = n.edition and p.node_code = n.code
    group by n.edition, n.code
)
select n.level,
       n.code as node_code,
       n.name as node_name,
       n.parent_code,
       parent.name as parent_name,
       n.points as full_points,
       a.our_score,
       a.best_score,
       a.average_score,
       a.units_with_score,
       (select name from target_unit) as target_unit_name,
       a.target_unit_score,
       round(a.best_score - a.our_score, 2) as gap_to_best,
       round(a.average_score - a.our_score, 2) as gap_to_average,
       round(a.target_unit_score - a.our_score, 2) as gap_to_target
from nodes n
join agg a on a.edition = n.edition and a.code = n.code
left join framework_node parent on parent.edition = n.edition and parent.code = n.parent_code
order by n.level, n.code
