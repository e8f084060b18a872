-- materialized: dimension
-- unique_key: geo_key
-- referenced_by: fact_requests
select md5(concat_ws('|', coalesce(ip_class, ''), coalesce(geo_country, ''), coalesce(geo_region, ''), coalesce(geo_city, ''), coalesce(cast(geo_asn as varchar), ''))) as geo_key, ip_class, geo_country, geo_region, geo_city, geo_asn, min(geo_as_org) as geo_as_org
from stg_requests
group by ip_class, geo_country, geo_region, geo_city, geo_asn
