import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createScanDetector, keystrokeChar, normalizeDigits, splitQuantity } from '../src/js/scanner.js';

/** Keystrokes of `text` then Enter, `gap` ms apart, as a US-layout scanner sends them. */
function strokes(text, gap, start = 1000) {
  const keys = [...text].map((ch, i) => ({
    key: ch,
    code: /\d/.test(ch) ? `Digit${ch}` : /[a-z]/i.test(ch) ? `Key${ch.toUpperCase()}` : '',
    shiftKey: /[A-Z]/.test(ch),
    timeStamp: start + i * gap,
  }));
  keys.push({ key: 'Enter', code: 'Enter', shiftKey: false, timeStamp: start + text.length * gap });
  return keys;
}

function feedAll(detector, keys) {
  return keys.map((k) => detector.feed(k)).filter((e) => e !== null);
}

test('a fast run ended by Enter is a scan', () => {
  const detector = createScanDetector();
  assert.deepEqual(feedAll(detector, strokes('8690000000019', 8)), [{ type: 'scan', code: '8690000000019' }]);
});

test('slow keys ended by Enter are typing, not a scan', () => {
  const detector = createScanDetector();
  assert.deepEqual(feedAll(detector, strokes('12', 180)), [{ type: 'enter', text: '12' }]);
  assert.deepEqual(feedAll(detector, strokes('86900001', 120, 5000)), [{ type: 'enter', text: '86900001' }]);
});

test('one slow gap inside a code makes it typing', () => {
  const detector = createScanDetector();
  const keys = strokes('869000', 5);
  keys[3].timeStamp += 400;
  keys[4].timeStamp += 400;
  keys[5].timeStamp += 400;
  keys[6].timeStamp += 400;
  assert.equal(feedAll(detector, keys)[0].type, 'enter');
});

test('scans follow each other without mixing', () => {
  const detector = createScanDetector();
  const events = [...feedAll(detector, strokes('1111', 5, 0)), ...feedAll(detector, strokes('2222', 5, 500))];
  assert.deepEqual(events, [{ type: 'scan', code: '1111' }, { type: 'scan', code: '2222' }]);
});

test('too short a fast run is not a scan', () => {
  const detector = createScanDetector({ minLength: 4 });
  assert.equal(feedAll(detector, strokes('12', 5))[0].type, 'enter');
});

test('a Turkish Q layout seen through Shift still gives digits', () => {
  assert.equal(normalizeDigits("!'^+%&/()=", 'tr-q'), '1234567890');
  assert.equal(normalizeDigits('!"^$%&\'()=', 'tr-f'), '1234567890');
  assert.equal(normalizeDigits('ABC-ı', 'tr-q'), 'ABC-i');
});

test('the physical key wins over what the layout typed', () => {
  // A Turkish F layout types "ğ" on the key a US scanner means as "w".
  assert.equal(keystrokeChar({ key: 'ğ', code: 'KeyW', timeStamp: 0 }, 'tr-f'), 'w');
  assert.equal(keystrokeChar({ key: "'", code: 'Digit2', shiftKey: true, timeStamp: 0 }, 'tr-q'), '2');
  assert.equal(keystrokeChar({ key: '7', code: 'Numpad7', timeStamp: 0 }, 'tr-q'), '7');
  assert.equal(keystrokeChar({ key: '*', code: 'Minus', timeStamp: 0 }, 'tr-q'), '-');
  assert.equal(keystrokeChar({ key: 'Shift', code: 'ShiftLeft', timeStamp: 0 }, 'tr-q'), null);
});

test('a scan typed through a Turkish Q layout with Shift on gives the digits', () => {
  const detector = createScanDetector({ layout: 'tr-q' });
  const shifted = "!'^+%&/()=";
  const keys = [...'1234567890'].map((d, i) => ({ key: shifted[i], code: `Digit${d}`, shiftKey: true, timeStamp: i * 4 }));
  keys.push({ key: 'Enter', code: 'Enter', shiftKey: false, timeStamp: 44 });
  assert.deepEqual(feedAll(detector, keys), [{ type: 'scan', code: '1234567890' }]);
});

test('reset forgets a half-read code', () => {
  const detector = createScanDetector();
  feedAll(detector, strokes('123', 5).slice(0, 3));
  detector.reset();
  assert.deepEqual(feedAll(detector, strokes('4567', 5, 100)), [{ type: 'scan', code: '4567' }]);
});

test('a quantity typed before the code counts that many', () => {
  assert.deepEqual(splitQuantity('5*8690000000019', '1', 'tr'), { code: '8690000000019', qty: '5' });
  assert.deepEqual(splitQuantity(' 2,5 x KALEM ', '1', 'tr'), { code: 'KALEM', qty: '2.5' });
  assert.deepEqual(splitQuantity('8690000000019', '3', 'tr'), { code: '8690000000019', qty: '3' });
  assert.deepEqual(splitQuantity('8690000000019', 'üç', 'tr'), { code: '8690000000019', qty: null });
});
