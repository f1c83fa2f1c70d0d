import { Fingerprint, PrivateKey } from '@signalapp/libsignal-client';
import { expect, it } from 'vitest';
import { safetyNumber } from '../../../../main/core/messaging/safety-number.js';

const key = () => PrivateKey.generate().getPublicKey();

it('is Signal’s safety number when each person has one device', () => {
  const [a, b] = [key(), key()];
  const signal = Fingerprint.new(5200, 2, Buffer.from('alice'), a, Buffer.from('bob'), b);
  const ours = safetyNumber(
    { accountId: 'alice', identityKeys: [a] },
    { accountId: 'bob', identityKeys: [b] },
  );
  expect(ours.digits).toBe(signal.displayableFingerprint().toString());
});

it('covers every device: the same whatever the order, different when a device is added', () => {
  const [a, b1, b2, b3] = [key(), key(), key(), key()];
  const alice = { accountId: 'alice', identityKeys: [a] };
  const two = safetyNumber(alice, { accountId: 'bob', identityKeys: [b1, b2] }).digits;
  expect(safetyNumber(alice, { accountId: 'bob', identityKeys: [b2, b1] }).digits).toBe(two);
  expect(safetyNumber({ accountId: 'bob', identityKeys: [b2, b1] }, alice).digits).toBe(two);
  expect(safetyNumber(alice, { accountId: 'bob', identityKeys: [b1] }).digits).not.toBe(two);
  expect(safetyNumber(alice, { accountId: 'bob', identityKeys: [b1, b2, b3] }).digits).not.toBe(
    two,
  );
  expect(two).toMatch(/^[0-9]{60}$/);
});
