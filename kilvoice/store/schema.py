"""SQLite schema, versioned. Each migration is applied once, in order, in one transaction.

The raw store is the tables whose names start with ``raw_``: the only place raw
resident text, speaker labels and conversationalist names live. Every other table
holds redacted text or no text.
"""

MIGRATIONS: list[str] = [
    # 1: initial schema
    """
    CREATE TABLE files (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        size INTEGER NOT NULL,
        version INTEGER NOT NULL DEFAULT 1,
        status TEXT NOT NULL,            -- ok | rejected
        error_code TEXT,
        error_message TEXT,
        n_notes INTEGER NOT NULL DEFAULT 0,
        ingested_at TEXT NOT NULL,
        UNIQUE (path, sha256)
    );
    CREATE TABLE raw_notes (
        conversation_id TEXT PRIMARY KEY REFERENCES conversations(id),
        raw_meta TEXT NOT NULL,          -- JSON: every metadata field as given
        raw_text TEXT NOT NULL
    );
    CREATE TABLE raw_utterances (
        conversation_id TEXT NOT NULL REFERENCES conversations(id),
        idx INTEGER NOT NULL,
        speaker TEXT,
        role TEXT NOT NULL,
        question TEXT,
        text TEXT NOT NULL,
        PRIMARY KEY (conversation_id, idx)
    );
    CREATE TABLE conversations (
        id TEXT PRIMARY KEY,
        note_id TEXT,                    -- the id given in the file, if any
        file_id INTEGER NOT NULL REFERENCES files(id),
        content_hash TEXT NOT NULL,
        conversationalist_id TEXT,       -- pseudonymous code, never the name
        organisation TEXT,
        setting TEXT,
        area TEXT,
        postcode_district TEXT,
        date TEXT,
        age_band TEXT,
        residents INTEGER,
        consent_to_quote INTEGER,        -- 1 yes, 0 no, NULL unknown
        language TEXT,
        extra_keys TEXT,                 -- JSON list of unknown metadata keys (values stay raw)
        status TEXT NOT NULL DEFAULT 'ok',   -- ok | duplicate | near_duplicate | empty | non_english | superseded
        status_reason TEXT,
        duplicate_of TEXT,
        created_at TEXT NOT NULL
    );
    CREATE INDEX conversations_hash ON conversations(content_hash);
    CREATE TABLE utterances (
        conversation_id TEXT NOT NULL REFERENCES conversations(id),
        idx INTEGER NOT NULL,
        role TEXT NOT NULL,
        question TEXT,
        text TEXT NOT NULL,              -- redacted
        redactor TEXT NOT NULL,          -- stage name that redacted it
        spans TEXT NOT NULL,             -- JSON: labels and offsets, never text
        PRIMARY KEY (conversation_id, idx)
    );
    CREATE TABLE flags (
        conversation_id TEXT NOT NULL REFERENCES conversations(id),
        kind TEXT NOT NULL,              -- safeguarding | ...
        reason TEXT NOT NULL,            -- a category, never resident text
        created_at TEXT NOT NULL,
        PRIMARY KEY (conversation_id, kind)
    );
    CREATE TABLE statements (
        id TEXT PRIMARY KEY,
        conversation_id TEXT NOT NULL REFERENCES conversations(id),
        utterance_idx INTEGER NOT NULL,
        idx INTEGER NOT NULL,
        question TEXT,
        text TEXT NOT NULL,              -- redacted
        text_hash TEXT NOT NULL
    );
    CREATE TABLE embeddings (
        model_id TEXT NOT NULL,
        text_hash TEXT NOT NULL,
        dim INTEGER NOT NULL,
        vector BLOB NOT NULL,            -- float32 little-endian
        PRIMARY KEY (model_id, text_hash)
    );
    CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        pipeline TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        status TEXT NOT NULL,            -- running | done | failed
        manifest TEXT                    -- JSON
    );
    CREATE TABLE themes (
        run_id TEXT NOT NULL REFERENCES runs(id),
        id TEXT NOT NULL,
        title TEXT NOT NULL,
        description TEXT NOT NULL,
        keywords TEXT NOT NULL,          -- JSON list
        size INTEGER NOT NULL,
        n_conversations INTEGER NOT NULL,
        parent TEXT,
        stance TEXT NOT NULL,            -- JSON {strength, problem, aspiration}
        representative TEXT NOT NULL,    -- JSON list of statement ids
        PRIMARY KEY (run_id, id)
    );
    CREATE TABLE assignments (
        run_id TEXT NOT NULL REFERENCES runs(id),
        statement_id TEXT NOT NULL,      -- statements may be re-segmented; runs keep their ids
        theme_id TEXT NOT NULL,
        score REAL NOT NULL,
        is_primary INTEGER NOT NULL,
        PRIMARY KEY (run_id, statement_id, theme_id)
    );
    CREATE TABLE links (
        run_id TEXT NOT NULL REFERENCES runs(id),
        source_kind TEXT NOT NULL,
        source_id TEXT NOT NULL,
        framework_id TEXT NOT NULL,
        item_id TEXT NOT NULL,
        score REAL NOT NULL,
        evidence TEXT NOT NULL,          -- JSON list of statement ids
        rationale TEXT NOT NULL,
        PRIMARY KEY (run_id, source_kind, source_id, framework_id, item_id)
    );
    CREATE TABLE rejects (
        run_id TEXT,
        stage TEXT NOT NULL,
        item TEXT NOT NULL,
        code TEXT NOT NULL,
        reason TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    """,
    # ingest: LSH band keys for near-duplicate screening, a per-project pseudonym salt,
    # and the status a conversation had before it was superseded (restored on revert)
    """
    CREATE TABLE dedup_bands (
        key INTEGER NOT NULL,            -- MinHash LSH band key (no text)
        conversation_id TEXT NOT NULL REFERENCES conversations(id)
    );
    CREATE INDEX dedup_bands_key ON dedup_bands(key);
    CREATE INDEX dedup_bands_conversation ON dedup_bands(conversation_id);
    CREATE TABLE ingest_settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    ALTER TABLE conversations ADD COLUMN superseded_status TEXT;
    CREATE INDEX conversations_file ON conversations(file_id)
    """,
    # review and web app: users, sessions, uploads, jobs, the append-only decision log and the
    # pre-review results of each run (so decisions can be re-applied from scratch)
    """
    CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL,              -- admin | officer | conversationalist
        password_hash TEXT NOT NULL,     -- argon2id
        active INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL
    );
    CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,     -- sha256 of the cookie token (the token itself is never stored)
        user_id INTEGER NOT NULL REFERENCES users(id),
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
    );
    CREATE TABLE uploads (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id),
        original_name TEXT NOT NULL,     -- as given, for display (escaped on output)
        stored_name TEXT NOT NULL,       -- safe name under the project's uploads folder
        size INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        meta TEXT NOT NULL,              -- JSON: the metadata form
        status TEXT NOT NULL,            -- ok | rejected
        result TEXT NOT NULL,            -- JSON: ingest counts and reject codes (never resident text)
        created_at TEXT NOT NULL
    );
    CREATE INDEX uploads_user ON uploads(user_id);
    CREATE TABLE jobs (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,              -- analysis
        user_id INTEGER,
        status TEXT NOT NULL,            -- queued | running | done | failed
        progress REAL NOT NULL DEFAULT 0,
        message TEXT NOT NULL DEFAULT '',
        run_id TEXT,
        created_at TEXT NOT NULL,
        finished_at TEXT
    );
    CREATE TABLE decisions (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,              -- rename | merge | split | delete | move | link | quote | signoff | redaction
        user_name TEXT NOT NULL,
        created_at TEXT NOT NULL,
        run_id TEXT,                     -- the run the officer was looking at
        payload TEXT NOT NULL,           -- JSON: what was decided (ids and titles, no resident text)
        snapshot TEXT NOT NULL,          -- JSON: statement ids of the themes named, to re-target on re-runs
        reason TEXT NOT NULL DEFAULT ''  -- append-only: kilvoice never updates or deletes a row
    );
    CREATE TABLE review_base (
        run_id TEXT PRIMARY KEY REFERENCES runs(id),
        themes TEXT NOT NULL,            -- JSON: the run's themes, assignments and links before review
        assignments TEXT NOT NULL,
        links TEXT NOT NULL
    )
    """,
    # redaction review queue: low-confidence spans (labels and offsets into raw text, never the text)
    """
    CREATE TABLE redaction_review (
        id INTEGER PRIMARY KEY,
        conversation_id TEXT NOT NULL REFERENCES conversations(id),
        utterance_idx INTEGER NOT NULL,
        start INTEGER NOT NULL,          -- offsets into the raw utterance text
        "end" INTEGER NOT NULL,
        label TEXT NOT NULL,
        score REAL NOT NULL,
        source TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending',   -- pending | accepted | rejected
        decided_by TEXT,
        decided_at TEXT,
        created_at TEXT NOT NULL,
        UNIQUE (conversation_id, utterance_idx, start, "end", label)
    );
    CREATE INDEX redaction_review_status ON redaction_review(status)
    """,
    # the decision log is append-only in the database itself, not only in code
    """
    CREATE TRIGGER decisions_append_only_update BEFORE UPDATE ON decisions
    BEGIN
        SELECT RAISE(ABORT, 'the decision log is append-only: record a new decision instead');
    END;
    CREATE TRIGGER decisions_append_only_delete BEFORE DELETE ON decisions
    BEGIN
        SELECT RAISE(ABORT, 'the decision log is append-only: record a new decision instead');
    END;
    """,
    # safeguarding flags per category and utterance: a note can match several categories (the old key,
    # conversation + kind, failed on exactly those notes), and a flag names the utterance it was found
    # in so only that part is withheld; indexes for the per-conversation queries of segment and report
    """
    CREATE TABLE flags_v2 (
        conversation_id TEXT NOT NULL REFERENCES conversations(id),
        kind TEXT NOT NULL,              -- safeguarding | ...
        reason TEXT NOT NULL,            -- a category, never resident text
        utterance_idx INTEGER NOT NULL DEFAULT -1,   -- the utterance it was found in; -1: the whole note
        created_at TEXT NOT NULL,
        PRIMARY KEY (conversation_id, kind, reason, utterance_idx)
    );
    INSERT OR IGNORE INTO flags_v2 (conversation_id, kind, reason, utterance_idx, created_at)
        SELECT conversation_id, kind, reason, -1, created_at FROM flags;
    DROP TABLE flags;
    ALTER TABLE flags_v2 RENAME TO flags;
    CREATE INDEX flags_kind ON flags(kind);
    CREATE INDEX statements_conversation ON statements(conversation_id);
    CREATE INDEX rejects_run ON rejects(run_id);
    CREATE INDEX assignments_statement ON assignments(statement_id);
    -- the process running a run: a run left 'running' by a process that is gone was interrupted
    ALTER TABLE runs ADD COLUMN pid INTEGER;
    """,
    # web login throttling (kilvoice/web/throttle.py): failed logins per account name and per client
    # address, keyed by an HMAC of the name or address (neither is stored); times are Unix seconds
    """
    CREATE TABLE IF NOT EXISTS login_throttle (
        scope TEXT NOT NULL,             -- account | address
        key TEXT NOT NULL,               -- HMAC-SHA256 (project secret) of the name or address
        failures INTEGER NOT NULL,       -- failures counted in the current window
        window_start REAL NOT NULL,
        last_at REAL NOT NULL,           -- the latest attempt (delays count from here)
        locked_until REAL,               -- NULL unless locked
        PRIMARY KEY (scope, key)
    )
    """,
    # calibrated theme links (kilvoice/mapping/themelinks.py): a theme's weaker candidates are kept
    # as 'possible' links, shown in the report but not counted, until an officer accepts one
    """
    ALTER TABLE links ADD COLUMN status TEXT NOT NULL DEFAULT 'link';   -- link | possible
    """,
    # ingest17b: the LSH band keys' index by conversation is never read (bands are looked up by key;
    # conversations are never deleted, so no foreign-key check needs it), and each note's 37 band keys
    # paid a random insert into it: 3.4 -> 2.5 CPU s for 100k statements' 813,038 keys
    """
    DROP INDEX IF EXISTS dedup_bands_conversation
    """,
    # lang17: statements (or parts of one) the segment step left out as another language (K682, K750),
    # redacted, so the report can list them for translation; replaced per conversation like statements
    """
    CREATE TABLE IF NOT EXISTS left_out (
        id TEXT PRIMARY KEY,             -- the statement id (a split-off part: <statement id>-x)
        conversation_id TEXT NOT NULL,
        language TEXT NOT NULL,          -- the detected language code
        text TEXT NOT NULL               -- redacted
    );
    CREATE INDEX IF NOT EXISTS left_out_conversation ON left_out(conversation_id);
    """,
]

SCHEMA_VERSION = len(MIGRATIONS)
