import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_SCROLL_HEIGHT, PageCache, pagesFor, scrollHeight, scrollTopFor, virtualTop, visibleRange } from '../src/js/vlist.js';

const ROW = 32;

test('a short list maps scroll positions one to one', () => {
  const v = { scrollTop: 320, viewportHeight: 640, rowHeight: ROW, total: 1000 };
  assert.equal(scrollHeight(1000, ROW), 32000);
  assert.deepEqual(visibleRange({ ...v, overscan: 0 }), { first: 10, last: 30, offset: 0 });
  assert.deepEqual(visibleRange({ ...v, overscan: 5 }), { first: 5, last: 35, offset: -160 });
});

test('a million rows fit under the browser limit and still reach the last row', () => {
  const total = 1_000_000;
  const viewportHeight = 640;
  const spacer = scrollHeight(total, ROW);
  assert.equal(spacer, MAX_SCROLL_HEIGHT);
  const bottom = { scrollTop: spacer - viewportHeight, viewportHeight, rowHeight: ROW, total, overscan: 0 };
  const end = visibleRange(bottom);
  assert.equal(end.last, total, 'the last row is reachable');
  assert.equal(end.first, total - viewportHeight / ROW);
  const top = visibleRange({ ...bottom, scrollTop: 0 });
  assert.deepEqual(top, { first: 0, last: 20, offset: 0 });
});

test('scrollTopFor is the inverse of virtualTop, scaled or not', () => {
  for (const total of [500, 1_000_000]) {
    const v = { viewportHeight: 640, rowHeight: ROW, total };
    for (const index of [0, 17, Math.floor(total / 2), total - 20]) {
      const top = virtualTop({ ...v, scrollTop: scrollTopFor(index, v) });
      assert.ok(Math.abs(top - index * ROW) < 1e-6, `row ${index} of ${total}`);
    }
  }
});

test('empty lists render nothing', () => {
  assert.deepEqual(visibleRange({ scrollTop: 0, viewportHeight: 600, rowHeight: ROW, total: 0 }), { first: 0, last: 0, offset: 0 });
});

test('pages covering a row range', () => {
  assert.deepEqual(pagesFor(0, 20, 200), [0]);
  assert.deepEqual(pagesFor(190, 230, 200), [0, 1]);
  assert.deepEqual(pagesFor(400, 400, 200), []);
  assert.deepEqual(pagesFor(999_990, 1_000_000, 200), [4999]);
});

test('the page cache keeps the most recently used pages', () => {
  const cache = new PageCache(2);
  cache.set(1, 'a');
  cache.set(2, 'b');
  cache.get(1);
  cache.set(3, 'c');
  assert.equal(cache.get(2), undefined, 'least recently used page evicted');
  assert.equal(cache.get(1), 'a');
  assert.equal(cache.get(3), 'c');
});
