/**
 * RFC 5734 section 4 framing: each data unit is a 4-byte big-endian length (which counts the
 * 4 header bytes themselves) followed by the UTF-8 XML instance.
 */
export const HEADER_BYTES = 4;
/** Largest frame accepted from a server (a guard against a runaway length). */
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

export class FramingError extends Error {}

export function encodeFrame(xml: string): Buffer {
  const body = Buffer.from(xml, 'utf8');
  const out = Buffer.allocUnsafe(HEADER_BYTES + body.length);
  out.writeUInt32BE(HEADER_BYTES + body.length, 0);
  body.copy(out, HEADER_BYTES);
  return out;
}

/** Reassembles frames from arbitrary chunks (partial frames, several frames per chunk). */
export class FrameDecoder {
  private buf: Buffer = Buffer.alloc(0);

  constructor(private readonly maxFrameBytes = DEFAULT_MAX_FRAME_BYTES) {}

  /** Feed a chunk; returns every frame it completes, in order. Throws FramingError on a bad length. */
  push(chunk: Buffer): string[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const frames: string[] = [];
    while (this.buf.length >= HEADER_BYTES) {
      const total = this.buf.readUInt32BE(0);
      if (total < HEADER_BYTES + 1 || total > this.maxFrameBytes) {
        throw new FramingError(`bad EPP frame length ${total}`);
      }
      if (this.buf.length < total) break;
      frames.push(this.buf.subarray(HEADER_BYTES, total).toString('utf8'));
      this.buf = this.buf.subarray(total);
    }
    return frames;
  }

  /** Bytes held of an incomplete frame. */
  get pending(): number {
    return this.buf.length;
  }
}
