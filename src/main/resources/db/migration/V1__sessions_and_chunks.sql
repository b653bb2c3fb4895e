-- Upload sessions shared by every receiver node of a cluster (caravan.receiver.store=postgres).
-- The chunk bytes lie in the shared chunk folder; a chunk row is its commit point.

CREATE TABLE caravan_session (
    id          text        PRIMARY KEY,
    meta        text        NOT NULL,          -- the session's SessionMeta as JSON
    expires_at  timestamptz NOT NULL,
    version     bigint      NOT NULL DEFAULT 0 -- raised by every chunk commit: rows with a higher version changed since
);
CREATE INDEX caravan_session_expiry ON caravan_session (expires_at);

CREATE TABLE caravan_chunk (
    session_id  text    NOT NULL REFERENCES caravan_session (id) ON DELETE CASCADE,
    idx         integer NOT NULL,
    sha256      char(64) NOT NULL,
    size        bigint  NOT NULL,
    version     bigint  NOT NULL,
    CONSTRAINT caravan_chunk_one_per_index UNIQUE (session_id, idx)
);
CREATE INDEX caravan_chunk_changes ON caravan_chunk (session_id, version);

-- Results of finished sessions, so a repeated finish (on any node) gets the first one's answer.
CREATE TABLE caravan_finished (
    session_id  text        PRIMARY KEY,
    result      text        NOT NULL,
    finished_at timestamptz NOT NULL
);

-- Sessions removed because they expired: they answer 410, not 404, for a session lifetime.
CREATE TABLE caravan_expired (
    session_id  text        PRIMARY KEY,
    expires_at  text        NOT NULL,
    expired_at  timestamptz NOT NULL
);
