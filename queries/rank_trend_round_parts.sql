-- name: rank_trend_round_parts
-- 用途: 排名表：某一轮排名组各单位的各板块得分（缺测单位即使录了分项也不返回，与名次口径一致）
-- params: $round_code VARCHAR
-- 指标: 板块得分 | 口径: 该轮、该单位在各板块（测评体系第一级）的得分 | 分母: 该板块满分
select sp.region_code,
       n.code as node_code,
       n.name as node_name,
       n.points as full_points,
       n.sort_order,
       sp.score
from score_part sp
join framework_node n on n.edition = sp.edition and n.code = sp.node_code
join score_ranked sr on sr.round_code = sp.round_code and sr.region_code = sp.region_code and sr.score_status = '正常'
where sp.round_code = $round_code
  and n.level = '板块'
order by n.sort_order, n.code, sp.region_code
