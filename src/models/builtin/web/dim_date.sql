-- materialized: table
select d::date as day, year(d) as year, quarter(d) as quarter, month(d) as month, day(d) as day_of_month,
       isodow(d) as iso_day_of_week, weekofyear(d) as iso_week, strftime(d, '%Y-%m') as year_month,
       isodow(d) >= 6 as is_weekend
from (select unnest(generate_series(min(day), max(day), interval 1 day)) as d from fact_requests)
