import { describe, expect, it } from "vitest";
import { encodeTensor } from "./onnx.js";
import { encodeVarint, ProtoWriter } from "./protobuf.js";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

describe("protobuf encoding", () => {
  it("encodes varints, including negative int64 as ten bytes", () => {
    expect(hex(encodeVarint(0))).toBe("00");
    expect(hex(encodeVarint(1))).toBe("01");
    expect(hex(encodeVarint(300))).toBe("ac02");
    expect(hex(encodeVarint(2 ** 32))).toBe("8080808010");
    expect(hex(encodeVarint(-1))).toBe("ffffffffffffffffff01");
  });

  it("writes tags, floats, strings and nested messages per the wire format", () => {
    const inner = new ProtoWriter().varint(1, 150);
    const w = new ProtoWriter().string(2, "testing").float(5, 1.5).message(3, inner);
    expect(hex(w.toBytes())).toBe(`12077465737469 6e67 2d0000c03f 1a03089601`.replace(/ /g, ""));
    expect(w.length).toBe(w.toBytes().length);
  });

  it("encodes an ONNX tensor with dims, type, name and little-endian raw data", () => {
    const bytes = encodeTensor({ name: "w", dims: [2], data: Float32Array.of(1, -2) }).toBytes();
    // dims=2 (field 1), data_type=FLOAT (field 2), name="w" (field 8), raw_data (field 9)
    expect(hex(bytes)).toBe("0802" + "1001" + "420177" + "4a08" + "0000803f" + "000000c0");
  });
});
