-- Raf schema v14: no index on prices by (group, sale). Nothing reads it: price sorting
-- reads `products.price1` (0008), and a price filter looks up a product's own rows in
-- `prices_item`. Keeping it cost every price write a random insert into an index of all
-- prices: a third of the time an import of 1M new products spent writing prices.
DROP INDEX IF EXISTS prices_sale;
