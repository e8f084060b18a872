-- materialized: table
-- Every day from the first to the last fact. Portable SQL (DuckDB and PostgreSQL): a recursive CTE
-- instead of generate_series, extract() instead of year()/isodow()/strftime().
with recursive days(d) as (
  select min(day) from fact_requests having count(*) > 0
  union all
  select d + 1 from days where d < (select max(day) from fact_requests)
)
select d as day, cast(extract(year from d) as bigint) as year, cast(extract(quarter from d) as bigint) as quarter,
       cast(extract(month from d) as bigint) as month, cast(extract(day from d) as bigint) as day_of_month,
       cast(extract(isodow from d) as bigint) as iso_day_of_week, cast(extract(week from d) as bigint) as iso_week,
       cast(extract(year from d) as varchar) || '-' || lpad(cast(extract(month from d) as varchar), 2, '0') as year_month,
       extract(isodow from d) >= 6 as is_weekend
from days
