-- materialized: incremental
-- partition_by: day
-- source: stg_requests
select day, endpoint, count(*) as requests, avg(case when status >= 500 then 1.0 else 0.0 end) as error_rate,
       coalesce(sum(bytes_sent), 0) as bytes,
       percentile_cont(0.50) within group (order by request_time_ms) as p50_ms,
       percentile_cont(0.95) within group (order by request_time_ms) as p95_ms,
       percentile_cont(0.99) within group (order by request_time_ms) as p99_ms
from stg_requests group by day, endpoint
