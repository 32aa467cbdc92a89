-- One hour of accepted events, by source and type: distinct events, the mean of the payload's numeric `value`
-- where there is one, and the median delay from occurrence to arrival. Parameter: the hour partition
-- (yyyy/MM/dd/HH).
SELECT
    source,
    type,
    count(DISTINCT event_id) AS events,
    round(avg(try_cast(json_extract_scalar(payload, '$.value') AS double)), 3) AS mean_value,
    round(approx_percentile(date_diff('millisecond', occurred_at, received_at), 0.5)) AS median_delay_ms,
    min(occurred_at) AS first_occurred_at,
    max(occurred_at) AS last_occurred_at
FROM events
WHERE dt = ? AND status = 'accepted'
GROUP BY source, type
ORDER BY source, type
