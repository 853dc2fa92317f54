/**
 * A tiny protocol-buffers encoder: just the wire types ONNX needs. A message is kept as a list of
 * byte chunks, so nesting a 40 MB weight tensor into a graph and the graph into a model copies
 * nothing; `writeProto` (build-model.ts) streams the chunks out at the end.
 */
export class ProtoWriter {
  readonly chunks: Uint8Array[] = [];
  length = 0;

  /** Field of wire type 0 (int32, int64, enum, bool). Negative numbers take the 10-byte form. */
  varint(field: number, value: number | bigint): this {
    this.tag(field, 0);
    this.push(encodeVarint(value));
    return this;
  }

  /** Field of wire type 5 (float). */
  float(field: number, value: number): this {
    this.tag(field, 5);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    this.push(bytes);
    return this;
  }

  /** Field of wire type 2 holding raw bytes (the bytes are kept, not copied). */
  bytes(field: number, value: Uint8Array): this {
    this.tag(field, 2);
    this.push(encodeVarint(value.length));
    this.push(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  /** Field of wire type 2 holding a nested message. */
  message(field: number, value: ProtoWriter): this {
    this.tag(field, 2);
    this.push(encodeVarint(value.length));
    for (const chunk of value.chunks) this.push(chunk);
    return this;
  }

  /** One concatenated buffer (for small messages and tests). */
  toBytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }

  private tag(field: number, wireType: number): void {
    this.push(encodeVarint(field * 8 + wireType));
  }

  private push(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
  }
}

export function encodeVarint(value: number | bigint): Uint8Array {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return Uint8Array.from(out);
}
