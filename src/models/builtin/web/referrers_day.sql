-- materialized: incremental
-- partition_by: day
-- source: stg_requests
select day, referrer_host, count(*) as requests, count(distinct visitor_key) as visitors
from stg_requests where referrer_host is not null group by day, referrer_host
