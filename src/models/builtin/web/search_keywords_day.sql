-- materialized: incremental
-- partition_by: day
-- source: stg_requests
select day, referrer_host as search_engine, lower(search_keyword) as keyword, count(*) as requests
from stg_requests where search_keyword is not null and search_keyword <> '' group by day, referrer_host, lower(search_keyword)
