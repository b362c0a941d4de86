-- councilkpi warehouse schema (DuckDB). Applied by warehouse/db.py; every statement is idempotent.
-- Provenance invariant: pages.text[page_start:page_end] (0-based, end exclusive) = observations.value_text,
-- and sentences.text[sentence_start:sentence_end] = value_text for the observation's sentence.

CREATE TABLE IF NOT EXISTS schema_migrations (
    version     INTEGER PRIMARY KEY,
    applied_at  TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE IF NOT EXISTS runs (
    id                VARCHAR PRIMARY KEY,   -- uuid of the run
    started_at        TIMESTAMP NOT NULL,
    finished_at       TIMESTAMP,
    status            VARCHAR NOT NULL,      -- running | ok | failures | crashed
    n_files           INTEGER,
    n_loaded          INTEGER,
    n_skipped         INTEGER,
    n_failed          INTEGER,
    extractor_version VARCHAR,
    command           VARCHAR                -- how the run was started (cli, flow, api)
);

CREATE TABLE IF NOT EXISTS papers (
    id                VARCHAR PRIMARY KEY,   -- sha256 of the paper's bytes
    source            VARCHAR NOT NULL,      -- where it was first found (path or URL)
    title             VARCHAR,
    paper_date        DATE,                  -- the date relative periods ("currently") resolve against
    paper_date_source VARCHAR,               -- metadata | text:<how> | cli
    kind              VARCHAR,               -- pdf | html | text
    size              BIGINT,
    n_pages           INTEGER,
    status            VARCHAR NOT NULL,      -- ok | failed
    error_reason      VARCHAR,               -- empty | not_pdf | encrypted | truncated | corrupt | no_text_layer | ...
    error             VARCHAR,               -- human-readable message
    extractor_version VARCHAR,
    run_id            VARCHAR,
    ingested_at       TIMESTAMP NOT NULL DEFAULT current_timestamp,
    needs_ocr         BOOLEAN DEFAULT false, -- the paper has image-only pages (scanned)
    reporting_period_start  DATE,            -- the period the paper reports on (its cover: "Quarter 3 2024/25")
    reporting_period_end    DATE,
    reporting_period_source VARCHAR,         -- text:<rule> that read it (null: not stated)
    ocr_status        VARCHAR,               -- image-only pages: read (by OCR) | off (--no-ocr) | missing (no engine) | failed
    council           VARCHAR,               -- whose paper: "West Sussex County Council" (null: unknown)
    council_source    VARCHAR                -- source | manifest | text:<how> | cli
);

CREATE TABLE IF NOT EXISTS paper_sources (
    paper_id    VARCHAR NOT NULL,
    source      VARCHAR NOT NULL,            -- every path or URL the same bytes were seen at
    size        BIGINT,
    mtime       DOUBLE,
    first_seen  TIMESTAMP NOT NULL DEFAULT current_timestamp,
    path        VARCHAR,                     -- the local file it was read from (absolute), for unchanged-file skips
    PRIMARY KEY (paper_id, source)
);

CREATE TABLE IF NOT EXISTS pages (
    paper_id    VARCHAR NOT NULL,
    page        INTEGER NOT NULL,            -- 1-based
    text        VARCHAR NOT NULL,
    width       DOUBLE,
    height      DOUBLE,
    needs_ocr   BOOLEAN NOT NULL DEFAULT false,
    text_source VARCHAR NOT NULL DEFAULT 'text', -- text (the file's own) | ocr (read from the page image)
    PRIMARY KEY (paper_id, page)
);

CREATE TABLE IF NOT EXISTS sentences (
    id          VARCHAR PRIMARY KEY,
    paper_id    VARCHAR NOT NULL,
    page        INTEGER NOT NULL,
    idx         INTEGER NOT NULL,            -- order within the paper
    start_char  INTEGER NOT NULL,            -- offsets in pages.text
    end_char    INTEGER NOT NULL,
    text        VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS observations (
    id                VARCHAR PRIMARY KEY,
    paper_id          VARCHAR NOT NULL,
    page              INTEGER NOT NULL,
    sentence_id       VARCHAR NOT NULL,
    value             DOUBLE NOT NULL,
    unit              VARCHAR NOT NULL,      -- percent | count | rate_per_10000 | rate_per_100000 | rate_per_1000 | gbp | fte | days | weeks | months | score
    value_text        VARCHAR NOT NULL,      -- the value exactly as printed
    page_start        INTEGER NOT NULL,      -- offsets of value_text in pages.text
    page_end          INTEGER NOT NULL,
    sentence_start    INTEGER NOT NULL,      -- offsets of value_text in sentences.text
    sentence_end      INTEGER NOT NULL,
    period_start      DATE,
    period_end        DATE,
    period_text       VARCHAR,               -- the words the period was read from (null: paper date fallback)
    period_kind       VARCHAR,               -- month | day | year | financial_year | academic_year | quarter | range | since | relative | paper_date
    role              VARCHAR NOT NULL,      -- actual | forecast | target | baseline | change | benchmark | range_low | range_high | floor
    label             VARCHAR,               -- what is measured, in the paper's words
    kpi               VARCHAR,               -- canonical KPI id from models/kpi_taxonomy.toml (null: unmatched)
    rule              VARCHAR NOT NULL,      -- number rule | role rule | period rule that produced the figure
    confidence        DOUBLE NOT NULL,
    extractor_version VARCHAR NOT NULL,
    paper_date        DATE,                  -- the paper date used to resolve relative periods
    bbox_x0           DOUBLE,                -- box of the value on the PDF page (points, from top-left)
    bbox_top          DOUBLE,
    bbox_x1           DOUBLE,
    bbox_bottom       DOUBLE,
    digest            VARCHAR,               -- fingerprint of each field at load time (warehouse/digest.py), for verify
    rag               VARCHAR,               -- a scorecard's RAG rating of the figure (Red | Amber | Green | ...), never a value
    text_source       VARCHAR NOT NULL DEFAULT 'text', -- text | ocr (the page was read by OCR: check the figure)
    label_key         VARCHAR,               -- the label normalised: the series key of a figure without a KPI
    cell_x0           DOUBLE,                -- box of a PDF table figure's cell (points, from top-left; null: not a PDF table figure)
    cell_top          DOUBLE,
    cell_x1           DOUBLE,
    cell_bottom       DOUBLE
);

INSERT INTO schema_migrations (version) SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM schema_migrations WHERE version = 1);

-- Auditors' corrections: append-only (never updated or deleted; observations are never changed in place).
-- The latest row (highest seq) per observation wins; each row holds the figure's full effective values after it
-- (null values for a reject).
CREATE TABLE IF NOT EXISTS corrections (
    id              VARCHAR PRIMARY KEY,   -- uuid
    seq             BIGINT NOT NULL,       -- order of writing (1, 2, ...): the latest per observation wins
    observation_id  VARCHAR NOT NULL,
    action          VARCHAR NOT NULL,      -- accept | reject | set
    value           DOUBLE,
    unit            VARCHAR,
    period_start    DATE,
    period_end      DATE,
    role            VARCHAR,
    kpi             VARCHAR,
    changed         VARCHAR,               -- the fields a `set` changed, comma-separated
    reason          VARCHAR NOT NULL,
    reviewer        VARCHAR NOT NULL,
    created_at      TIMESTAMP NOT NULL
);

-- Collecting from the web (pipeline/sources): conditional-GET validators, fetch failures, publication metadata.
CREATE TABLE IF NOT EXISTS http_cache (
    url           VARCHAR PRIMARY KEY,       -- the URL as listed (before redirects)
    etag          VARCHAR,
    last_modified VARCHAR,
    sha256        VARCHAR NOT NULL,          -- bytes last received, kept in <data dir>/store/<sha[:2]>/<sha>
    size          BIGINT,
    content_type  VARCHAR,
    fetched_at    TIMESTAMP NOT NULL,        -- last 200 response
    checked_at    TIMESTAMP NOT NULL         -- last 200 or 304 response
);

CREATE TABLE IF NOT EXISTS fetch_failures (
    url           VARCHAR PRIMARY KEY,       -- a paper or listing page that could not be fetched (no bytes)
    source_name   VARCHAR,                   -- the configured source
    reason        VARCHAR NOT NULL,          -- timeout | http_500 | too_large | redirect_off_host | off_host | network | ...
    message       VARCHAR,
    attempts      INTEGER NOT NULL,          -- runs in a row that failed on it; the row goes when a fetch succeeds
    run_id        VARCHAR,
    first_failed  TIMESTAMP NOT NULL,
    last_failed   TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS paper_meta (
    paper_id         VARCHAR NOT NULL,       -- papers.id (sha256)
    url              VARCHAR NOT NULL,       -- paper_sources.source
    source_name      VARCHAR,                -- the configured source
    council          VARCHAR,
    committee        VARCHAR,
    meeting_date     DATE,                   -- becomes the paper date
    agenda_item      VARCHAR,
    title            VARCHAR,
    publication_date DATE,
    first_seen       TIMESTAMP NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (paper_id, url)
);

-- One row per source per collection run: what its listing yielded, so a source that broke shows at a glance
-- (`councilkpi sources` prints the latest row of every configured source).
CREATE TABLE IF NOT EXISTS source_runs (
    run_id             VARCHAR NOT NULL,     -- runs.id
    source_name        VARCHAR NOT NULL,     -- the configured source
    source_type        VARCHAR NOT NULL,     -- moderngov | rss | url | folder
    council            VARCHAR,
    started_at         TIMESTAMP NOT NULL,
    finished_at        TIMESTAMP,
    status             VARCHAR NOT NULL,     -- ok | failures | warning | unavailable
    meetings_seen      INTEGER NOT NULL,     -- meetings in the window, cancelled ones included
    meetings_cancelled INTEGER NOT NULL,
    documents_listed   INTEGER NOT NULL,     -- distinct document URLs (or files) found
    n_new              INTEGER NOT NULL,     -- papers loaded
    n_unchanged        INTEGER NOT NULL,     -- papers already loaded, or not modified
    n_failed           INTEGER NOT NULL,     -- papers or listing pages that failed
    skipped_restricted INTEGER NOT NULL,     -- documents marked restricted, not fetched
    skipped_links      INTEGER NOT NULL,     -- links to other sites, not fetched
    n_warnings         INTEGER NOT NULL,
    warnings           VARCHAR,              -- one per line
    PRIMARY KEY (run_id, source_name)
);

-- Columns added after the first release, for warehouses created before them (new ones have them above; DuckDB
-- cannot replay ADD COLUMN from its WAL on these tables, so fresh warehouses never run these ALTERs for real).
-- papers.needs_ocr: the paper has image-only pages (or, failed with no_text_layer, only such pages).
ALTER TABLE papers ADD COLUMN IF NOT EXISTS needs_ocr BOOLEAN DEFAULT false;

-- OCR of image-only pages: papers.ocr_status says what OCR did with them; pages and observations say whether
-- their text came from OCR.
ALTER TABLE papers ADD COLUMN IF NOT EXISTS ocr_status VARCHAR;
ALTER TABLE pages ADD COLUMN IF NOT EXISTS text_source VARCHAR DEFAULT 'text';
ALTER TABLE observations ADD COLUMN IF NOT EXISTS text_source VARCHAR DEFAULT 'text';

-- paper_sources.path: the local file a paper was read from (absolute); an unchanged file (same path, size and
-- mtime) is skipped on re-runs without reading its bytes.
ALTER TABLE paper_sources ADD COLUMN IF NOT EXISTS path VARCHAR;

-- observations.digest: per-field fingerprints made at load time; `verify` names the fields changed since.
-- Figures loaded before it have none (verify says so; re-ingest with --force to add them).
ALTER TABLE observations ADD COLUMN IF NOT EXISTS digest VARCHAR;

-- papers.reporting_period_*: the period a paper reports on, read from its cover and headings; observations.rag: the
-- RAG rating a scorecard gives a figure.
ALTER TABLE papers ADD COLUMN IF NOT EXISTS reporting_period_start DATE;
ALTER TABLE papers ADD COLUMN IF NOT EXISTS reporting_period_end DATE;
ALTER TABLE papers ADD COLUMN IF NOT EXISTS reporting_period_source VARCHAR;
ALTER TABLE observations ADD COLUMN IF NOT EXISTS rag VARCHAR;

-- papers.council / council_source and observations.label_key (issue 12): whose paper, and the normalised label
-- that keys a series when no KPI is named.
ALTER TABLE papers ADD COLUMN IF NOT EXISTS council VARCHAR;
ALTER TABLE papers ADD COLUMN IF NOT EXISTS council_source VARCHAR;
ALTER TABLE observations ADD COLUMN IF NOT EXISTS label_key VARCHAR;

-- observations.cell_*: the box of the table cell a PDF table figure was read from (issue 11), beside the box of
-- the printed value (bbox_*).
ALTER TABLE observations ADD COLUMN IF NOT EXISTS cell_x0 DOUBLE;
ALTER TABLE observations ADD COLUMN IF NOT EXISTS cell_top DOUBLE;
ALTER TABLE observations ADD COLUMN IF NOT EXISTS cell_x1 DOUBLE;
ALTER TABLE observations ADD COLUMN IF NOT EXISTS cell_bottom DOUBLE;

-- label_key_links (issue 12): a reworded indicator joined to its series. A label key of a later paper is linked to
-- the series key of an earlier paper of the same council when the two give the same values for the same periods
-- (warehouse/series_links.py); recomputed after every ingest. kpi_series.series uses it.
CREATE TABLE IF NOT EXISTS label_key_links (
    council           VARCHAR NOT NULL,
    unit              VARCHAR NOT NULL,
    paper_id          VARCHAR NOT NULL,      -- the later paper
    label_key         VARCHAR NOT NULL,      -- its label key, as extracted
    series_key        VARCHAR NOT NULL,      -- the series key it joins (the earliest linked paper's label key)
    linked_paper_id   VARCHAR NOT NULL,      -- the earlier paper it agrees with
    n_agreeing        INTEGER NOT NULL,      -- (period, value) pairs the two papers share
    evidence          VARCHAR NOT NULL,      -- up to three of them, "2025-04/2025-06 18.4"
    rule              VARCHAR NOT NULL,
    PRIMARY KEY (council, unit, paper_id, label_key)
);
