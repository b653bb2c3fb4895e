-- The published-parcels catalog that receivers sharing this database read and write: one row per name,
-- its generation raised by every record of that name, whichever node publishes it.
CREATE TABLE caravan_parcel (
    name         text   PRIMARY KEY COLLATE "C",  -- listed in byte order of the name, as the disk catalog does
    kind         text   NOT NULL,
    files        bigint NOT NULL,
    bytes        bigint NOT NULL,
    published_at text   NOT NULL,                 -- ISO-8601 UTC, milliseconds
    published    timestamptz NOT NULL,
    codec        text,
    generation   bigint NOT NULL,
    sha256       text
);
CREATE INDEX caravan_parcel_published ON caravan_parcel (published);
