-- Raf schema v11: what an import created is known by id range, no longer journaled row by
-- row. An import is one write transaction and the only writer while it runs, and rows are
-- never deleted from `products`, `variants` or `stock_movements` (ids are not reused): the
-- products, variants and ledger movements with ids in a batch's ranges are exactly the
-- ones it made. `import_changes` keeps only what the import changed, with the values it
-- replaced. Two journal rows per new product were a fifth of a large import's time.
-- A range is `*_from` .. `*_to`, inclusive; empty when `_to < _from`, none when NULL.
ALTER TABLE import_batches ADD COLUMN products_from INTEGER;
ALTER TABLE import_batches ADD COLUMN products_to INTEGER;
ALTER TABLE import_batches ADD COLUMN variants_from INTEGER;
ALTER TABLE import_batches ADD COLUMN variants_to INTEGER;
ALTER TABLE import_batches ADD COLUMN movements_from INTEGER;
ALTER TABLE import_batches ADD COLUMN movements_to INTEGER;

-- Journals written before: their created rows and movements become the batch's ranges.
UPDATE import_batches SET
    products_from = (SELECT min(product_id) FROM import_changes c WHERE c.batch_id = import_batches.id AND c.change = 'product_created'),
    products_to = (SELECT max(product_id) FROM import_changes c WHERE c.batch_id = import_batches.id AND c.change = 'product_created'),
    variants_from = (SELECT min(variant_id) FROM import_changes c WHERE c.batch_id = import_batches.id AND c.change = 'variant_created'),
    variants_to = (SELECT max(variant_id) FROM import_changes c WHERE c.batch_id = import_batches.id AND c.change = 'variant_created'),
    movements_from = (SELECT min(movement_id) FROM import_changes c WHERE c.batch_id = import_batches.id AND c.change = 'movement'),
    movements_to = (SELECT max(movement_id) FROM import_changes c WHERE c.batch_id = import_batches.id AND c.change = 'movement');
DELETE FROM import_changes WHERE change IN ('product_created', 'variant_created', 'movement');
