-- Rule catalogs: every published version of every named rule set.

-- The latest version of each rule set; Publish increments it.
CREATE TABLE catalogs (
    name   text   PRIMARY KEY,
    latest bigint NOT NULL
);

CREATE TABLE catalog_versions (
    name         text        NOT NULL,
    version      bigint      NOT NULL,
    rules        text        NOT NULL, -- the rule file, as published
    published_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (name, version)
);
