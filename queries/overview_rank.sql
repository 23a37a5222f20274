-- name: overview_rank
-- 用途: 总览页：本县在某类测评最近两轮的名次、得分，以及达到目标名次所需分差
-- params: $county VARCHAR, $round_type VARCHAR, $target_rank INTEGER
-- 指标: 全省排名 | 口径: 最近一轮该类测评中按总分降序的竞争排名（并列同名次，缺测单位不参与） | 分母: 该轮有成绩的单位数
-- 指标: 测评得分 | 口径: 最近一轮该类测评的总分（百分制，两位小数），变化与上一轮相比 | 分母: 满分 100
-- 指标: 距目标名次 | 口径: 要进入前 k 名，得分至少要追平本轮其他单位中第 k 高的得分；分差 = 该得分 − 本县得分，≤0 表示已达到 | 分母: —
with rounds as (
    select r.code, r.name, r.end_date,
           row_number() over (order by r.end_date desc, r.code desc) as recency
    from round r
    where r.round_type = $round_type
      and r.is_ranked
      and exists (select 1 from score s where s.round_code = r.code and s.region_code = $county and s.total is not null)
),
ours as (
    select rd.code as round_code, rd.name as round_name, rd.end_date, rd.recency, sr.total, sr.rank, sr.group_size
    from rounds rd
    join score_ranked sr on sr.round_code = rd.code and sr.region_code = $county
    where rd.recency <= 2
),
kth_other as (
    select sr.round_code, sr.total,
           row_number() over (partition by sr.round_code order by sr.total desc) as position
    from score_ranked sr
    join ours o on o.round_code = sr.round_code
    where sr.region_code <> $county and sr.total is not null
)
select cur.round_code,
       cur.round_name,
       cur.end_date,
       cur.total,
       cur.rank,
       cur.group_size,
       prev.round_name as prev_round_name,
       prev.total as prev_total,
       prev.rank as prev_rank,
       round(greatest(k.total - cur.total, 0), 2) as points_to_target,
       k.total is null as target_beyond_group
from ours cur
left join ours prev on prev.recency = 2
left join kth_other k on k.round_code = cur.round_code and k.position = $target_rank
where cur.recency = 1
