// Day filters in the user's time zone. TZ is set before any Date is made, in its own
// test file, so the other tests keep the machine's zone.
process.env.TZ = 'Europe/Istanbul';
const { test } = await import('node:test');
const assert = (await import('node:assert/strict')).default;
const { localDay } = await import('../src/js/format.js');

test('a picked day spans the local calendar day in UTC instants', () => {
  assert.deepEqual(localDay('2026-11-22'), { first: '2026-11-21T21:00:00.000Z', last: '2026-11-22T20:59:59.999Z' });
  assert.deepEqual(localDay('2026-12-31'), { first: '2026-12-30T21:00:00.000Z', last: '2026-12-31T20:59:59.999Z' }, 'month and year roll over');
  assert.equal(localDay(''), null);
  assert.equal(localDay('22.11.2026'), null);
});
