/**
 * RFC 5734 section 4 framing: each data unit is a 4-byte big-endian length (which counts the
 * 4 header bytes themselves) followed by the UTF-8 XML instance.
 */
export const HEADER_BYTES = 4;
/** Largest frame accepted from a server (a guard against a runaway length). */
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

/** A frame header with a length below 5 bytes or above the decoder's maximum (RFC 5734 section 4). */
export class FramingError extends Error {}

/** One RFC 5734 section 4 data unit: a 4-byte big-endian total length (header included), then `xml` as UTF-8. */
export function encodeFrame(xml: string): Buffer {
  const body = Buffer.from(xml, 'utf8');
  const out = Buffer.allocUnsafe(HEADER_BYTES + body.length);
  out.writeUInt32BE(HEADER_BYTES + body.length, 0);
  body.copy(out, HEADER_BYTES);
  return out;
}

/**
 * Reassembles frames from arbitrary chunks (partial frames, several frames per chunk). Chunks of an
 * incomplete frame are held as they came and joined once the frame is whole, so a large answer
 * arriving in many TLS records costs one copy, not one per chunk.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private held = 0;

  constructor(private readonly maxFrameBytes = DEFAULT_MAX_FRAME_BYTES) {}

  /** Feed a chunk; returns every frame it completes, in order. Throws FramingError on a bad length. */
  push(chunk: Buffer): string[] {
    this.chunks.push(chunk);
    this.held += chunk.length;
    const frames: string[] = [];
    while (this.held >= HEADER_BYTES) {
      if (this.chunks[0].length < HEADER_BYTES) this.join();
      const total = this.chunks[0].readUInt32BE(0);
      if (total < HEADER_BYTES + 1 || total > this.maxFrameBytes) {
        throw new FramingError(`bad EPP frame length ${total}`);
      }
      if (this.held < total) break;
      const buf = this.join();
      frames.push(buf.subarray(HEADER_BYTES, total).toString('utf8'));
      const rest = buf.subarray(total);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.held = rest.length;
    }
    return frames;
  }

  /** Bytes held of an incomplete frame. */
  get pending(): number {
    return this.held;
  }

  /** The held chunks as one buffer (kept as the only chunk). */
  private join(): Buffer {
    const buf = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.held);
    this.chunks = [buf];
    return buf;
  }
}
