// The safetensors file layout (huggingface/safetensors): an 8-byte little-endian header length
// N, N bytes of JSON naming each tensor's dtype, shape and byte range [begin, end) in the data
// that follows, plus a `__metadata__` map of strings; then the raw little-endian data. PyTorch,
// NumPy, JAX and every other safetensors reader load such a file. Encoding and checked decoding.
export type SafeDtype = 'F32' | 'U32';
export type SafeArray = Float32Array | Uint32Array;

export interface SafeTensor {
  dtype: SafeDtype;
  shape: number[];
  data: SafeArray;
}

/** A file that is not a well-formed safetensors file; `why` says what is wrong. */
export class SafetensorsError extends Error {
  constructor(readonly why: string) {
    super(why);
    this.name = 'SafetensorsError';
  }
}

const BYTES: Record<SafeDtype, number> = { F32: 4, U32: 4 };
const MAX_HEADER = 100 * 1024 * 1024; // the reference implementation's limit

/** The file's bytes: header (padded with spaces to 8 bytes, as the reference writer does), then the tensors in order. */
export function encodeSafetensors(tensors: Record<string, SafeTensor>, metadata: Record<string, string>): Buffer {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  const names = Object.keys(tensors);
  for (const name of names) {
    const t = tensors[name];
    const size = t.shape.reduce((a, b) => a * b, 1);
    if (size !== t.data.length) throw new SafetensorsError(`${name}: shape ${JSON.stringify(t.shape)} holds ${size} values, the data ${t.data.length}`);
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const head = Buffer.from(json, 'utf8');
  const out = Buffer.alloc(8 + head.length + offset);
  out.writeBigUInt64LE(BigInt(head.length), 0);
  head.copy(out, 8);
  let at = 8 + head.length;
  for (const name of names) {
    const d = tensors[name].data;
    Buffer.from(d.buffer, d.byteOffset, d.byteLength).copy(out, at); // little-endian hosts (x86, ARM)
    at += d.byteLength;
  }
  return out;
}

/**
 * The tensors and metadata of a safetensors file, every field checked: header length within the
 * file, JSON, a known dtype, integer shapes, byte ranges that match the shapes, lie within the
 * data and cover it without gaps or overlaps.
 */
export function decodeSafetensors(buf: Buffer): { tensors: Record<string, SafeTensor>; metadata: Record<string, string> } {
  if (buf.length < 8) throw new SafetensorsError(`${buf.length} bytes: too short for the 8-byte header length`);
  const n = buf.readBigUInt64LE(0);
  if (n > BigInt(Math.min(MAX_HEADER, buf.length - 8))) throw new SafetensorsError(`header length ${n} exceeds the file (${buf.length} bytes)`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(buf.subarray(8, 8 + Number(n)).toString('utf8'));
  } catch (e) {
    throw new SafetensorsError(`header is not JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new SafetensorsError('header is not a JSON object');
  const dataStart = 8 + Number(n);
  const dataLength = buf.length - dataStart;
  const metadata = (header.__metadata__ ?? {}) as Record<string, string>;
  if (typeof metadata !== 'object' || Object.values(metadata).some((v) => typeof v !== 'string')) throw new SafetensorsError('__metadata__ must map names to strings');
  const entries = Object.entries(header).filter(([k]) => k !== '__metadata__');
  const ranges: [number, number, string][] = [];
  const tensors: Record<string, SafeTensor> = {};
  for (const [name, raw] of entries) {
    const e = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (e.dtype !== 'F32' && e.dtype !== 'U32') throw new SafetensorsError(`${name}: dtype ${JSON.stringify(e.dtype)}, expected F32 or U32`);
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isInteger(d) && d >= 0)) throw new SafetensorsError(`${name}: shape ${JSON.stringify(e.shape)} is not a list of sizes`);
    const offs = e.data_offsets;
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => Number.isInteger(o) && o >= 0) || offs[0] > offs[1] || offs[1] > dataLength) {
      throw new SafetensorsError(`${name}: data_offsets ${JSON.stringify(offs)} do not lie within the ${dataLength} data bytes`);
    }
    const size = (e.shape as number[]).reduce((a, b) => a * b, 1);
    if (offs[1] - offs[0] !== size * BYTES[e.dtype]) throw new SafetensorsError(`${name}: ${offs[1] - offs[0]} bytes for shape ${JSON.stringify(e.shape)} of ${e.dtype}`);
    ranges.push([offs[0], offs[1], name]);
    const bytes = buf.subarray(dataStart + offs[0], dataStart + offs[1]);
    const copy = new Uint8Array(bytes); // aligned, and independent of the file's buffer
    tensors[name] = { dtype: e.dtype, shape: e.shape as number[], data: e.dtype === 'F32' ? new Float32Array(copy.buffer) : new Uint32Array(copy.buffer) };
  }
  ranges.sort((a, b) => a[0] - b[0]);
  let end = 0;
  for (const [b, e, name] of ranges) {
    if (b !== end) throw new SafetensorsError(`${name}: starts at byte ${b} of the data, expected ${end} (gap or overlap)`);
    end = e;
  }
  if (end !== dataLength) throw new SafetensorsError(`the tensors cover ${end} of the ${dataLength} data bytes`);
  return { tensors, metadata };
}
