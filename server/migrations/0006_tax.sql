-- Tax, from the shop's own records: each product's rate (percent, decimal string;
-- every product has one or none does), whether the catalogue's prices include it,
-- and the tax each order charges (decimal string; NULL for a shop without rates).
ALTER TABLE products ADD COLUMN tax_rate TEXT;
ALTER TABLE catalogue_version ADD COLUMN prices_include_tax BIGINT NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN tax TEXT;
