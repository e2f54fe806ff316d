-- Counts the catalogue's changes: a server holding the catalogue in memory reads
-- this one row to know whether its copy is still the database's.
CREATE TABLE catalogue_version (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO catalogue_version (id, version) VALUES (1, 0);
