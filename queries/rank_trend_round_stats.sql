-- name: rank_trend_round_stats
-- 用途: 排名趋势页得分走势：某类测评每轮的组内最高分、中位数、平均分、第 k 名得分（目标线），以及本县得分与名次
-- params: $round_type VARCHAR, $county VARCHAR, $target_rank INTEGER
-- 指标: 组内最高分 | 口径: 该轮有成绩单位的最高总分（两位小数） | 分母: 该轮有成绩的单位数
-- 指标: 组内中位数 | 口径: 该轮有成绩单位总分的中位数（单位数为偶数时取中间两个的平均），缺测单位不计 | 分母: 该轮有成绩的单位数
-- 指标: 第k名得分（目标线） | 口径: 该轮全部有成绩单位（含本县）按总分降序第 k 个的得分，k = 目标名次；本县得分不低于它 ⇔ 本县名次 ≤ k；k 超过有成绩单位数时为空 | 分母: —
with rounds as (
    select r.code, r.name, r.end_date,
           -- 图上的轮次标签：该类测评一年只有一轮时写“2024年”，否则用轮次全名
           case when count(*) over (partition by r.year) = 1 then r.year || '年' else r.name end as label,
           row_number() over (order by r.end_date, r.code) as round_seq
    from round r
    where r.round_type = $round_type
      and r.is_ranked
      and exists (select 1 from score s where s.round_code = r.code)
),
scored as (
    select sr.round_code, sr.region_code, sr.total, sr.rank,
           row_number() over (partition by sr.round_code order by sr.total desc, sr.region_code) as position
    from score_ranked sr
    join rounds rd on rd.code = sr.round_code
    where sr.score_status = '正常'
),
stats as (
    select round_code,
           count(*) as group_size,
           max(total) as best_total,
           round(median(total), 2) as median_total,
           round(avg(total), 2) as average_total,
           max(total) filter (where position = $target_rank) as target_total
    from scored
    group by round_code
),
missing as (
    select sr.round_code, count(*) as missing_count
    from score_ranked sr
    where sr.score_status = '缺测'
    group by sr.round_code
)
select rd.round_seq,
       rd.code as round_code,
       rd.name as round_name,
       rd.label as round_label,
       rd.end_date,
       coalesce(st.group_size, 0) as group_size,
       coalesce(m.missing_count, 0) as missing_count,
       st.best_total,
       st.median_total,
       st.average_total,
       st.target_total,
       ours.total as our_total,
       ours.rank as our_rank,
       coalesce(ours.score_status, '无记录') as our_status
from rounds rd
left join stats st on st.round_code = rd.code
left join missing m on m.round_code = rd.code
left join score_ranked ours on ours.round_code = rd.code and ours.region_code = $county
order by rd.round_seq
