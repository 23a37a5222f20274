-- name: rank_trend_history
-- 用途: 排名趋势页：排名组全部单位在某类测评（公布排名的轮次）历轮的名次、得分与名次变化；名次只取自视图 score_ranked
-- params: $round_type VARCHAR
-- 指标: 名次 | 口径: 同一轮按总分（两位小数）降序的竞争排名，并列同名次（1,2,2,4）；缺测（总分为空）的单位不参与排名 | 分母: 该轮有成绩的单位数
-- 指标: 名次变化 | 口径: 与该单位上一个“有成绩”的同类轮次相比：上一轮名次 − 本轮名次，正数为上升；单位中间某轮缺测时跨过该轮，与它更早一次有成绩的轮次比较（表中写明比的是哪一轮、跨过了几轮）；此前从无成绩或本轮缺测时为空 | 分母: —
-- 指标: 得分变化 | 口径: 本轮总分 − 同一“上一个有成绩的同类轮次”的总分（两位小数） | 分母: —
-- 决定：跨过缺测轮次比较，而不是留空——推进会上问的是“比上次有成绩时进步还是退步”；名次组大小可能不同，表中同时给出组内单位数。
with
-- include: _round_label.sql  （轮次标签只写在这一处）
, rounds as (
    select r.code, r.name, r.end_date, r.label,
           row_number() over (order by r.end_date, r.code) as round_seq
    from round_labelled r
    where r.round_type = $round_type
      and r.is_ranked
      and exists (select 1 from score s where s.round_code = r.code)
),
ranked as (
    select rd.round_seq, rd.code as round_code, rd.name as round_name, rd.label as round_label, rd.end_date,
           sr.region_code, rg.name as region_name, rg.sort_order as region_sort,
           sr.total, sr.rank, sr.group_size, sr.score_status
    from rounds rd
    join score_ranked sr on sr.round_code = rd.code
    join region rg on rg.code = sr.region_code
),
scored as (
    select *,
           lag(round_code) over w as prev_round_code,
           lag(round_name) over w as prev_round_name,
           lag(round_seq) over w as prev_round_seq,
           lag(rank) over w as prev_rank,
           lag(total) over w as prev_total
    from ranked
    where score_status = '正常'
    window w as (partition by region_code order by round_seq)
)
select round_seq, round_code, round_name, round_label, end_date, region_code, region_name, total, rank, group_size, score_status,
       prev_round_code, prev_round_name, prev_rank, prev_total,
       prev_rank - rank as rank_change,
       round(total - prev_total, 2) as score_change,
       round_seq - prev_round_seq - 1 as skipped_rounds
from scored
union all
select round_seq, round_code, round_name, round_label, end_date, region_code, region_name, null, null, null, score_status,
       null, null, null, null, null, null, null
from ranked
where score_status = '缺测'
order by round_seq, rank nulls last, region_code
