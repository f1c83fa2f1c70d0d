import fc from 'fast-check';

/** One WebSocket frame as a hostile client might write it, every header field under its control. */
export interface RawFrame {
  fin: boolean;
  /** RSV1-3 as a 3-bit number; anything but 0 is a protocol error without extensions. */
  rsv: number;
  /** 0-15; 3-7 and 11-15 are reserved. */
  opcode: number;
  masked: boolean;
  payload: Uint8Array;
  /** Force the 16- or 64-bit length form even for short payloads (non-minimal encoding). */
  lengthForm: 'minimal' | '16' | '64';
}

export function encodeFrame(frame: RawFrame): Buffer {
  const length = frame.payload.length;
  const form =
    frame.lengthForm === 'minimal'
      ? length < 126
        ? '7'
        : length < 65536
          ? '16'
          : '64'
      : frame.lengthForm;
  const header: number[] = [(frame.fin ? 0x80 : 0) | ((frame.rsv & 7) << 4) | (frame.opcode & 15)];
  const maskBit = frame.masked ? 0x80 : 0;
  const extra = Buffer.alloc(form === '7' ? 0 : form === '16' ? 2 : 8);
  if (form === '7') header.push(maskBit | length);
  else if (form === '16') {
    header.push(maskBit | 126);
    extra.writeUInt16BE(length & 0xffff);
  } else {
    header.push(maskBit | 127);
    extra.writeBigUInt64BE(BigInt(length));
  }
  const key = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  const body = Buffer.from(frame.payload);
  if (frame.masked) for (let i = 0; i < body.length; i += 1) body[i]! ^= key[i % 4]!;
  return Buffer.concat([Buffer.from(header), extra, frame.masked ? key : Buffer.alloc(0), body]);
}

/** A text frame as a well-behaved client sends it. */
export function textFrame(text: string): Buffer {
  return encodeFrame({
    fin: true,
    rsv: 0,
    opcode: 1,
    masked: true,
    payload: Buffer.from(text),
    lengthForm: 'minimal',
  });
}

/** Invalid UTF-8: a lone continuation byte, an overlong form, a surrogate, a truncated sequence. */
const invalidUtf8 = fc.constantFrom(
  Uint8Array.from([0x80]),
  Uint8Array.from([0xc0, 0xaf]),
  Uint8Array.from([0xed, 0xa0, 0x80]),
  Uint8Array.from([0x7b, 0x22, 0xe2, 0x82]),
  Uint8Array.from([0xff, 0xfe, 0xfd]),
);

const payloads = fc.oneof(
  { weight: 4, arbitrary: fc.uint8Array({ maxLength: 200 }) },
  { weight: 2, arbitrary: invalidUtf8 },
  { weight: 2, arbitrary: fc.json().map((json) => Buffer.from(json)) },
  // Above the relay's 64 KiB frame limit, and oversize for a control frame (> 125 bytes).
  { weight: 1, arbitrary: fc.integer({ min: 65_537, max: 72_000 }).map((n) => new Uint8Array(n)) },
  { weight: 1, arbitrary: fc.integer({ min: 126, max: 400 }).map((n) => new Uint8Array(n)) },
);

export const rawFrames: fc.Arbitrary<RawFrame> = fc.record({
  fin: fc.boolean(),
  rsv: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 7 })),
  opcode: fc.oneof(fc.constantFrom(0, 1, 2, 8, 9, 10), fc.integer({ min: 0, max: 15 })),
  masked: fc.oneof(
    { weight: 5, arbitrary: fc.constant(true) },
    { weight: 1, arbitrary: fc.constant(false) },
  ),
  payload: payloads,
  lengthForm: fc.constantFrom('minimal', 'minimal', 'minimal', '16', '64'),
});

/** What a hostile client writes after its upgrade request: frames, or plain random bytes. */
export const hostileBytes: fc.Arbitrary<Buffer> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .array(rawFrames, { minLength: 1, maxLength: 4 })
      .map((fs) => Buffer.concat(fs.map(encodeFrame))),
  },
  {
    weight: 1,
    arbitrary: fc.uint8Array({ minLength: 1, maxLength: 300 }).map((b) => Buffer.from(b)),
  },
);
