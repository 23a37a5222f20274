-- 9 个问题与整改事件；数据截至 2026-11-15 18:00，本周 = (11-08 18:00, 11-15 18:00]。
-- P1 按期销号（11-05）；P2 逾期销号（期限 11-09，11-12 销号，本周销号）；P3 逾期未整改（配合单位 城管局）；
-- P4 本周新增、整改中；P5 本周新增、无期限；P6 本周新增、申请销号后被退回、触及负面清单 N02；
-- P7 10 月销号后 11-11 反弹重开、已逾期；P8 本周新增、严重、触及一票否决项 N01；P9 在截至时间之后发现。
insert into problem (code, found_at, source, round_code, edition, standard_code, category, site_code,
                     township_code, community_code, lon, lat, crs_source, lon_source, lat_source,
                     description, severity, negative_item_code, lead_unit_code, deadline) values
    ('P1', timestamp '2026-11-01 08:00', '县自查', null, 'T版', '1.1.1.1', '出店经营', 'S01', '990101001', '990101001001', 117.04, 31.04, 'WGS84', 117.04, 31.04, '南门农贸市场：出店经营', '一般', null, 'D01', timestamp '2026-11-08 08:00'),
    ('P2', timestamp '2026-11-02 09:00', '市督查', null, 'T版', '1.1.1.1', '出店经营', 'S01', '990101001', '990101001001', 117.041, 31.041, 'WGS84', 117.041, 31.041, '南门农贸市场：占道摆摊', '一般', null, 'D01', timestamp '2026-11-09 09:00'),
    ('P3', timestamp '2026-11-03 10:00', '省暗访', 'R2026-06-ZA', 'T版', '1.1.1.1', '出店经营', 'S02', '990101002', '990101002001', 117.16, 31.06, 'WGS84', 117.16, 31.06, '东坝老街：出店经营', '较重', null, 'D02', timestamp '2026-11-10 10:00'),
    ('P4', timestamp '2026-11-10 11:00', '12345热线', null, null, null, '暴露垃圾', 'S02', '990101002', null, null, null, null, null, null, '东坝老街：暴露垃圾', '一般', null, 'D02', timestamp '2026-11-17 11:00'),
    ('P5', timestamp '2026-11-12 12:00', '县自查', null, null, null, '暴露垃圾', null, '990101002', null, 117.17, 31.07, 'WGS84', 117.17, 31.07, '东坝镇：暴露垃圾', '一般', null, 'T02', null),
    ('P6', timestamp '2026-11-13 13:00', '媒体曝光', null, null, null, '暴露垃圾', 'S01', '990101001', null, 117.04, 31.04, 'WGS84', 117.04, 31.04, '南门农贸市场：垃圾桶破损', '较重', 'N02', 'T01', timestamp '2026-11-20 13:00'),
    ('P7', timestamp '2026-10-01 08:00', '县自查', null, null, null, '出店经营', 'S01', '990101001', null, 117.04, 31.04, 'WGS84', 117.04, 31.04, '南门农贸市场：出店经营反弹', '一般', null, 'D01', timestamp '2026-10-08 08:00'),
    ('P8', timestamp '2026-11-14 15:00', '县自查', null, null, null, '暴露垃圾', null, '990101001', null, 117.05, 31.05, 'WGS84', 117.05, 31.05, '城关街道：施工现场安全隐患', '严重', 'N01', 'T01', timestamp '2026-11-17 15:00'),
    ('P9', timestamp '2026-11-16 09:00', '县自查', null, null, null, '出店经营', 'S01', '990101001', null, 117.04, 31.04, 'WGS84', 117.04, 31.04, '截至时间之后发现', '一般', null, 'D01', timestamp '2026-11-23 09:00');

insert into problem_coop_unit values ('P3', 'D01'), ('P8', 'D02');

insert into rectify_event (problem_code, event_at, action, unit_code, note) values
    ('P1', timestamp '2026-11-01 09:00', '交办', 'D01', null),
    ('P1', timestamp '2026-11-04 09:00', '申请销号', 'D01', null),
    ('P1', timestamp '2026-11-05 09:00', '已销号', 'D03', null),
    ('P2', timestamp '2026-11-02 10:00', '交办', 'D01', null),
    ('P2', timestamp '2026-11-10 10:00', '申请销号', 'D01', null),
    ('P2', timestamp '2026-11-12 10:00', '已销号', 'D03', null),
    ('P3', timestamp '2026-11-03 11:00', '交办', 'D02', null),
    ('P4', timestamp '2026-11-10 12:00', '交办', 'D02', null),
    ('P4', timestamp '2026-11-11 12:00', '整改中', 'D02', null),
    ('P5', timestamp '2026-11-12 13:00', '交办', 'T02', null),
    ('P6', timestamp '2026-11-13 14:00', '交办', 'T01', null),
    ('P6', timestamp '2026-11-14 14:00', '申请销号', 'T01', null),
    ('P6', timestamp '2026-11-15 10:00', '退回', 'D03', '现场仍有破损'),
    ('P7', timestamp '2026-10-01 09:00', '交办', 'D01', null),
    ('P7', timestamp '2026-10-05 09:00', '已销号', 'D03', null),
    ('P7', timestamp '2026-11-11 09:00', '反弹重开', 'D03', '同一点位再次出店经营'),
    ('P8', timestamp '2026-11-14 16:00', '交办', 'T01', null),
    ('P9', timestamp '2026-11-16 10:00', '交办', 'D01', null);
