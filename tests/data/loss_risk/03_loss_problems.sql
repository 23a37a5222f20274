-- 截至 2026-11-15 18:00 的在办问题（都已交办）：
-- Q01、Q02 在 S01 都是出店经营（同一处同一标准只算一处；Q02 自带测评标准编号，Q01 按类别对照；Q01 配合单位 T01）；
-- Q03 在 M2 出店经营；Q04 在 M3 出店经营，统计时刻前一天（11-14 18:00）已销号，不计；
-- Q05、Q06 在 M4、M5 卫生死角（Q06 没有整改期限）；Q07、Q08 在 M2、M3 乱贴小广告；
-- Q09、Q10 暴露垃圾，一处在农贸市场 M4、一处在背街小巷 S02（同一标准两类点位）；
-- Q11、Q12 城关街道、Q13 东坝镇的街面乱停车（没有点位）；Q14 乱堆乱放在 S02，没有对照，不计。
insert into problem (code, found_at, source, edition, standard_code, category, site_code, township_code,
                     description, severity, lead_unit_code, deadline) values
    ('Q01', timestamp '2026-11-01 09:00', '县自查', null, null, '出店经营', 'S01', '990101001', '南门农贸市场门口占道摆摊', '一般', 'D01', timestamp '2026-11-08 09:00'),
    ('Q02', timestamp '2026-11-10 09:00', '市督查', 'L版', '1.1.1.1', '出店经营', 'S01', '990101001', '南门农贸市场商品出店', '一般', 'D01', timestamp '2026-11-20 09:00'),
    ('Q03', timestamp '2026-11-12 09:00', '县自查', null, null, '出店经营', 'M2', '990101001', '西街农贸市场出店经营', '一般', 'T01', timestamp '2026-11-16 09:00'),
    ('Q04', timestamp '2026-11-10 09:00', '县自查', null, null, '出店经营', 'M3', '990101001', '北门农贸市场出店经营', '一般', 'T01', timestamp '2026-11-17 09:00'),
    ('Q05', timestamp '2026-11-05 09:00', '县自查', null, null, '卫生死角', 'M4', '990101002', '东坝农贸市场卫生死角', '一般', 'T02', timestamp '2026-11-25 09:00'),
    ('Q06', timestamp '2026-11-06 09:00', '县自查', null, null, '卫生死角', 'M5', '990101002', '东坝新区农贸市场卫生死角', '一般', 'D03', null),
    ('Q07', timestamp '2026-11-11 09:00', '县自查', null, null, '乱贴小广告', 'M2', '990101001', '西街农贸市场小广告', '一般', 'D01', timestamp '2026-11-18 18:00'),
    ('Q08', timestamp '2026-11-11 09:00', '县自查', null, null, '乱贴小广告', 'M3', '990101001', '北门农贸市场小广告', '一般', 'D01', timestamp '2026-11-19 18:00'),
    ('Q09', timestamp '2026-11-13 09:00', '县自查', null, null, '暴露垃圾', 'M4', '990101002', '东坝农贸市场暴露垃圾', '一般', 'T02', timestamp '2026-11-16 18:00'),
    ('Q10', timestamp '2026-11-13 09:00', '县自查', null, null, '暴露垃圾', 'S02', '990101002', '东坝老街暴露垃圾', '一般', 'D02', timestamp '2026-11-20 18:00'),
    ('Q11', timestamp '2026-11-14 09:00', '12345热线', null, null, '乱停车', null, '990101001', '人民路机动车占用人行道', '一般', 'D02', timestamp '2026-11-17 18:00'),
    ('Q12', timestamp '2026-11-14 09:00', '12345热线', null, null, '乱停车', null, '990101001', '解放路电动车乱停', '一般', 'D02', timestamp '2026-11-21 18:00'),
    ('Q13', timestamp '2026-11-14 09:00', '12345热线', null, null, '乱停车', null, '990101002', '东坝大道车辆乱停', '一般', 'D02', timestamp '2026-11-22 18:00'),
    ('Q14', timestamp '2026-11-14 09:00', '县自查', null, null, '乱堆乱放', 'S02', '990101002', '东坝老街门前堆放建材', '一般', 'T02', timestamp '2026-11-21 18:00');

insert into problem_coop_unit values ('Q01', 'T01');

insert into rectify_event (problem_code, event_at, action, unit_code)
select code, found_at + interval 1 hour, '交办', lead_unit_code from problem;
insert into rectify_event (problem_code, event_at, action, unit_code) values
    ('Q04', timestamp '2026-11-14 18:00', '已销号', 'D03');
