-- Analyst views over the councilkpi warehouse. Recreated on every connection that may write.

-- Every figure as extracted (corrections not applied): `--raw` / `raw=True` read this.
CREATE OR REPLACE VIEW kpi_series_raw AS
SELECT
    -- the KPI id; else the normalised label, or the series key of an earlier report it restates (label_key_links)
    coalesce(o.kpi, lk.series_key, o.label_key) AS series,
    p.council,                                 -- a series is per council: (council, series, unit)
    o.kpi,
    o.label,
    o.label_key,
    o.period_start,
    o.period_end,
    o.period_kind,
    o.value,
    o.unit,
    o.role,
    o.confidence,
    p.id                       AS paper_id,
    p.title                    AS paper_title,
    p.paper_date,
    o.page,
    s.text                     AS sentence,
    o.value_text,
    o.id                       AS observation_id
FROM observations o
JOIN papers p ON p.id = o.paper_id AND p.status = 'ok'
JOIN sentences s ON s.id = o.sentence_id
LEFT JOIN label_key_links lk
    ON lk.paper_id = o.paper_id AND lk.label_key = o.label_key AND lk.unit = o.unit AND lk.council = p.council;

CREATE OR REPLACE VIEW paper_summary AS
SELECT
    p.id AS paper_id,
    p.title,
    p.source,
    p.paper_date,
    p.kind,
    p.status,
    p.error_reason,
    p.n_pages,
    (SELECT count(*) FROM observations o WHERE o.paper_id = p.id) AS n_observations,
    (SELECT count(*) FROM observations o WHERE o.paper_id = p.id AND o.kpi IS NOT NULL) AS n_with_kpi,
    p.ingested_at,
    (SELECT count(DISTINCT o.kpi) FROM observations o WHERE o.paper_id = p.id) AS n_kpis,
    (SELECT min(o.period_start) FROM observations o WHERE o.paper_id = p.id) AS first_period,
    (SELECT max(o.period_end) FROM observations o WHERE o.paper_id = p.id) AS last_period
FROM papers p;

CREATE OR REPLACE VIEW failures AS
SELECT id AS paper_id, source, error_reason, error, ingested_at
FROM papers WHERE status = 'failed';

-- The latest correction of each observation (corrections are append-only; the highest seq wins).
CREATE OR REPLACE VIEW latest_corrections AS
SELECT * FROM corrections
QUALIFY row_number() OVER (PARTITION BY observation_id ORDER BY seq DESC) = 1;

-- Every figure after review, the view analysts, exports, the API and the report read: rejected figures left out,
-- `set` values applied (a changed kpi moves the figure to that series), with who/when/why of the review.
-- `k.*` carries every column of kpi_series_raw, so columns added there show up here too.
CREATE OR REPLACE VIEW kpi_series AS
SELECT
    k.* REPLACE (
        coalesce(c.kpi, k.kpi, k.series)           AS series,   -- unmatched: the raw series key
        coalesce(c.kpi, k.kpi)                     AS kpi,
        coalesce(c.period_start, k.period_start)   AS period_start,
        coalesce(c.period_end, k.period_end)       AS period_end,
        CASE WHEN c.action = 'set' AND (c.period_start IS DISTINCT FROM k.period_start
                                        OR c.period_end IS DISTINCT FROM k.period_end)
             THEN 'corrected' ELSE k.period_kind END AS period_kind,
        coalesce(c.value, k.value)                 AS value,
        coalesce(c.unit, k.unit)                   AS unit,
        coalesce(c.role, k.role)                   AS role
    ),
    k.value                                    AS extracted_value,
    coalesce(c.action, 'unreviewed')           AS review_status,   -- unreviewed | accept | set (latest wins)
    coalesce(c.action = 'accept', false)       AS accepted,
    coalesce(c.action = 'set' AND (c.value IS DISTINCT FROM k.value OR c.unit IS DISTINCT FROM k.unit
        OR c.period_start IS DISTINCT FROM k.period_start OR c.period_end IS DISTINCT FROM k.period_end
        OR c.role IS DISTINCT FROM k.role OR c.kpi IS DISTINCT FROM k.kpi), false)
                                               AS corrected,       -- values differ from the extracted ones
    c.reviewer                                 AS reviewed_by,
    c.created_at                               AS reviewed_at,
    c.reason                                   AS review_reason
FROM kpi_series_raw k
LEFT JOIN latest_corrections c ON c.observation_id = k.observation_id
WHERE c.action IS DISTINCT FROM 'reject';

-- Before corrections applied everywhere, kpi_series_corrected held what kpi_series now holds.
DROP VIEW IF EXISTS kpi_series_corrected;

-- The latest actual value of each KPI of each council (per unit: a KPI reported both as a count and a percent has
-- two rows), with its source, from `figures` (kpi_series: after review; kpi_series_raw: as extracted). A figure
-- dated by its paper's own text beats one dated only by a fallback (the paper date or the report's period); then
-- latest period_end, latest paper_date, higher confidence.
CREATE OR REPLACE MACRO latest_actuals(figures) AS TABLE
SELECT
    council,
    kpi,
    unit,
    value,
    period_start,
    period_end,
    period_kind,
    confidence,
    paper_id,
    paper_title,
    paper_date,
    page,
    sentence,
    value_text,
    observation_id,
    count(*) OVER (PARTITION BY council, kpi, unit) AS n_actuals
FROM query_table(figures)
WHERE kpi IS NOT NULL AND role = 'actual'
QUALIFY row_number() OVER (
    PARTITION BY council, kpi, unit
    ORDER BY coalesce(period_kind IN ('paper_date', 'report'), true), period_end DESC NULLS LAST,
             paper_date DESC NULLS LAST, confidence DESC, observation_id
) = 1;

-- After review: a rejected figure is never a KPI's latest value; a corrected one counts with its new values.
CREATE OR REPLACE VIEW kpi_latest AS SELECT * FROM latest_actuals('kpi_series');
-- As extracted, corrections not applied.
CREATE OR REPLACE VIEW kpi_latest_raw AS SELECT * FROM latest_actuals('kpi_series_raw');

-- One council's KPI, period and unit reported as an actual with different values, in one paper or several
-- (after review; figures dated only by a fallback, the paper's date or the report's period, are left out).
CREATE OR REPLACE VIEW kpi_conflicts AS
SELECT
    council,
    kpi,
    period_start,
    period_end,
    unit,
    count(DISTINCT value)                               AS n_values,
    count(DISTINCT paper_id)                            AS n_papers,
    list(DISTINCT value ORDER BY value)                 AS "values",
    list(DISTINCT paper_id ORDER BY paper_id)           AS paper_ids,
    list(observation_id ORDER BY value, observation_id) AS observation_ids
FROM kpi_series
WHERE kpi IS NOT NULL AND role = 'actual' AND period_kind NOT IN ('paper_date', 'report')
GROUP BY council, kpi, period_start, period_end, unit
HAVING count(DISTINCT value) > 1;
