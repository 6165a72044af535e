-- Raf schema v10: `products.price1` is kept by the code that writes prices
-- (`catalog::prices`, `catalog::bulk`), no longer by triggers on `prices`. A trigger makes
-- every price write a multi-row statement, which opens a statement journal, and each
-- statement journal makes the search index (FTS5) flush its pending rows: an import of
-- 200k new products took twice as long with them.
DROP TRIGGER IF EXISTS prices_price1_insert;
DROP TRIGGER IF EXISTS prices_price1_update;
DROP TRIGGER IF EXISTS prices_price1_delete;
