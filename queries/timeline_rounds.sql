-- name: timeline_rounds
-- 用途: 时间图（总览近 12 周、整改督办走势、红黑榜单位名次走势）上标出的检查轮次：与图的时间范围有交集的测评、暗访、模拟测评、督查
-- params: $start TIMESTAMP, $end TIMESTAMP
-- 指标: 轮次标注 | 口径: 轮次表中类型为年度测评、年中暗访、模拟测评、督查，且从开始日期 0 时到结束日期次日 0 时与图的时间范围有交集的轮次；县级自查每月都有，不标 | 分母: —
select code, name, round_type, level, start_date, end_date
from round
where round_type in ('年度测评', '年中暗访', '模拟测评', '督查')
  and start_date::timestamp <= $end
  and (end_date + interval 1 day)::timestamp > $start
order by start_date, code
