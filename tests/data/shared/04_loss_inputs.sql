-- 丢分预警的三份输入里的两份（迁移 007 的表）：单独一个文件，只执行迁移 1–2 的旧库（tests/data/tiny）不列它。
-- 丢分预警的输入：每类点位抽查 1 处（库里各只有 1 处）；出店经营在农贸市场、背街小巷都落到“无出店经营”（按比例，没有扣分方式行）
insert into sampling_plan (edition, site_type, scope, sample_size, per_township) values
    ('T版', '农贸市场', '全县', 1, null),
    ('T版', '背街小巷', '全县', 1, null);
insert into standard_category values
    ('T版', '出店经营', '农贸市场', '1.1.1.1'),
    ('T版', '出店经营', '背街小巷', '1.1.1.1');
