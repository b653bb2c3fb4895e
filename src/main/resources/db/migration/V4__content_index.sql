-- The content index (dedup) that receivers sharing this database and an inbox share: published files by
-- SHA-256, and published files waiting to be hashed. A row holds the file's identity as the node that saw
-- it read it; the device number is that machine's own, so a node checks a row another node recorded by
-- inode, size, mtime and ctime (what a shared inbox shows every machine alike) and never answers a file
-- whose identity differs. Paths are relative to the inbox, '/'-separated; byte order lets a folder's rows
-- be found as one index range.
CREATE TABLE caravan_content (
    path      text     PRIMARY KEY COLLATE "C",
    sha256    char(64) NOT NULL,
    size      bigint   NOT NULL,
    mtime_ns  bigint   NOT NULL,
    ctime_ns  bigint   NOT NULL,
    ino       bigint   NOT NULL,
    dev       bigint   NOT NULL,               -- on the machine of node
    node      text     NOT NULL,               -- the node that hashed the file (or checked it last)
    seen_ms   bigint   NOT NULL                -- when node read that identity (its wall clock)
);
CREATE INDEX caravan_content_sha256 ON caravan_content (sha256);

-- Files published from archives, hashed after their publish by whichever node gets to them first (in
-- queued order); a node hashing one holds an advisory lock on it, so no two nodes hash the same file.
CREATE TABLE caravan_content_queue (
    path      text     PRIMARY KEY COLLATE "C",
    queued    bigserial NOT NULL UNIQUE,       -- order, and a new value whenever the path is queued again
    size      bigint   NOT NULL,
    mtime_ns  bigint   NOT NULL,
    ctime_ns  bigint   NOT NULL,
    ino       bigint   NOT NULL,
    dev       bigint   NOT NULL,
    node      text     NOT NULL,               -- the node that queued it
    seen_ms   bigint   NOT NULL
);
