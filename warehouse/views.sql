-- Analyst views over the councilkpi warehouse. Recreated on every connection that may write.

CREATE OR REPLACE VIEW kpi_series AS
SELECT
    coalesce(o.kpi, o.label)   AS series,      -- the KPI id, or the paper's own label when unmatched
    o.kpi,
    o.label,
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
JOIN sentences s ON s.id = o.sentence_id;

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

-- The latest actual value of each KPI (per unit: a KPI reported both as a count and a percent has two rows),
-- with its source. Latest = latest period_end, then latest paper_date, then higher confidence.
CREATE OR REPLACE VIEW kpi_latest AS
SELECT
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
    count(*) OVER (PARTITION BY kpi, unit) AS n_actuals
FROM kpi_series
WHERE kpi IS NOT NULL AND role = 'actual'
QUALIFY row_number() OVER (
    PARTITION BY kpi, unit
    ORDER BY period_end DESC NULLS LAST, paper_date DESC NULLS LAST, confidence DESC, observation_id
) = 1;
