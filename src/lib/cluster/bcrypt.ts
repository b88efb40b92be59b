import { randomBytes } from 'node:crypto';

/**
 * bcrypt (Provos and Mazières, 1999) in plain TypeScript, for Traefik's basicAuth middleware.
 *
 * Why here: Traefik's basicAuth accepts bcrypt, apr1/MD5-crypt and unsalted `{SHA}` hashes
 * (shared/notes/traefik.md §2.1; go-http-auth's CheckSecret). bcrypt is the only one of them
 * that is salted *and* slow, Node's crypto has no bcrypt, and the project takes no new
 * dependencies. The algorithm is small and fully specified, and the unit tests pin it to
 * published test vectors and to `htpasswd -B`, so a slip can't go unnoticed.
 */

/** The version Apache's htpasswd writes and every go-http-auth release (Traefik) accepts. */
const VERSION = '2y';

/**
 * The work factor Apache's `htpasswd -B` uses by default. The password traefikctl hashes is
 * 32 random characters (about 190 bits), which no work factor makes harder to guess; what a high
 * cost would do is make Traefik, which checks the hash on every API request and caches nothing,
 * spend tens of milliseconds of its 0.25 vCPU per request while `routes --watch` pages the API.
 */
export const DEFAULT_COST = 5;

const BCRYPT_ALPHABET = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const SALT_BYTES = 16;
/** The 24-byte magic text bcrypt encrypts 64 times. */
const MAGIC = 'OrpheanBeholderScryDoubt';

interface BlowfishState {
  p: Uint32Array;
  s: Uint32Array;
}

let initialState: BlowfishState | undefined;

/**
 * Blowfish's initial P-array (18 words) and S-boxes (4 × 256 words) are, by definition, the
 * hexadecimal digits of pi's fractional part, in that order. Computing them (Machin's formula,
 * about 0.2 s once per process) instead of pasting 1,042 magic numbers keeps them checkable.
 */
function blowfishInitialState(): BlowfishState {
  if (initialState !== undefined) return initialState;
  const words = 18 + 4 * 256;
  const bits = BigInt(words * 32);
  const guard = 64n;
  const one = 1n << (bits + guard);
  const arctanOfInverse = (x: number): bigint => {
    const square = BigInt(x * x);
    let term = one / BigInt(x);
    let sum = term;
    for (let k = 1n, sign = -1n; term !== 0n; k++, sign = -sign) {
      term /= square;
      sum += (sign * term) / (2n * k + 1n);
    }
    return sum;
  };
  const pi = 16n * arctanOfInverse(5) - 4n * arctanOfInverse(239);
  const fraction = (pi >> guard) & ((1n << bits) - 1n);
  const all = new Uint32Array(words);
  for (let i = 0; i < words; i++) all[i] = Number((fraction >> (bits - 32n * BigInt(i + 1))) & 0xffffffffn);
  initialState = { p: all.slice(0, 18), s: all.slice(18) };
  return initialState;
}

function encipher(state: BlowfishState, block: Uint32Array, offset: number): void {
  const { p, s } = state;
  let left = block[offset] ?? 0;
  let right = block[offset + 1] ?? 0;
  const f = (x: number): number =>
    ((((s[x >>> 24] ?? 0) + (s[256 | ((x >>> 16) & 0xff)] ?? 0)) ^ (s[512 | ((x >>> 8) & 0xff)] ?? 0)) +
      (s[768 | (x & 0xff)] ?? 0)) >>>
    0;
  left ^= p[0] ?? 0;
  for (let i = 1; i <= 16; i += 2) {
    right ^= f(left) ^ (p[i] ?? 0);
    left ^= f(right) ^ (p[i + 1] ?? 0);
  }
  block[offset] = (right ^ (p[17] ?? 0)) >>> 0;
  block[offset + 1] = left >>> 0;
}

/** The next 32 bits of `data` read cyclically, big-endian. */
function streamWord(data: Uint8Array, position: { at: number }): number {
  let word = 0;
  for (let i = 0; i < 4; i++) {
    word = ((word << 8) | (data[position.at] ?? 0)) >>> 0;
    position.at = (position.at + 1) % data.length;
  }
  return word;
}

/** Blowfish key schedule, with bcrypt's salt mixed into every block when `salt` is given. */
function expandKey(state: BlowfishState, key: Uint8Array, salt: Uint8Array | undefined): void {
  const keyPosition = { at: 0 };
  for (let i = 0; i < 18; i++) state.p[i] = ((state.p[i] ?? 0) ^ streamWord(key, keyPosition)) >>> 0;
  const block = new Uint32Array(2);
  const saltPosition = { at: 0 };
  const fill = (target: Uint32Array) => {
    for (let i = 0; i < target.length; i += 2) {
      if (salt !== undefined) {
        block[0] = ((block[0] ?? 0) ^ streamWord(salt, saltPosition)) >>> 0;
        block[1] = ((block[1] ?? 0) ^ streamWord(salt, saltPosition)) >>> 0;
      }
      encipher(state, block, 0);
      target[i] = block[0] ?? 0;
      target[i + 1] = block[1] ?? 0;
    }
  };
  fill(state.p);
  fill(state.s);
}

function encodeBase64(bytes: Uint8Array, length: number): string {
  let out = '';
  for (let i = 0; i < length;) {
    const c1 = bytes[i++] ?? 0;
    out += BCRYPT_ALPHABET[c1 >> 2];
    let carry = (c1 & 0x03) << 4;
    if (i >= length) {
      out += BCRYPT_ALPHABET[carry];
      break;
    }
    const c2 = bytes[i++] ?? 0;
    out += BCRYPT_ALPHABET[carry | (c2 >> 4)];
    carry = (c2 & 0x0f) << 2;
    if (i >= length) {
      out += BCRYPT_ALPHABET[carry];
      break;
    }
    const c3 = bytes[i++] ?? 0;
    out += BCRYPT_ALPHABET[carry | (c3 >> 6)];
    out += BCRYPT_ALPHABET[c3 & 0x3f];
  }
  return out;
}

function decodeBase64(text: string, length: number): Uint8Array {
  const values = [...text].map((char) => {
    const value = BCRYPT_ALPHABET.indexOf(char);
    if (value === -1) throw new Error(`Not a bcrypt base64 character: ${JSON.stringify(char)}`);
    return value;
  });
  const out = new Uint8Array(length);
  let n = 0;
  for (let i = 0; n < length; i += 4) {
    const [a = 0, b = 0, c = 0, d = 0] = values.slice(i, i + 4);
    out[n++] = (a << 2) | (b >> 4);
    if (n < length) out[n++] = ((b & 0x0f) << 4) | (c >> 2);
    if (n < length) out[n++] = ((c & 0x03) << 6) | d;
  }
  return out;
}

/** The raw 23-byte bcrypt digest of `password` (UTF-8, NUL-terminated, at most 72 bytes). */
function digest(password: string, salt: Uint8Array, cost: number): Uint8Array {
  const key = new Uint8Array(Buffer.from(`${password}\0`, 'utf8').subarray(0, 72));
  const initial = blowfishInitialState();
  const state: BlowfishState = { p: initial.p.slice(), s: initial.s.slice() };
  expandKey(state, key, salt);
  for (let round = 0; round < 2 ** cost; round++) {
    expandKey(state, key, undefined);
    expandKey(state, salt, undefined);
  }
  const text = new Uint32Array(6);
  const magic = { at: 0 };
  const magicBytes = new Uint8Array(Buffer.from(MAGIC, 'latin1'));
  for (let i = 0; i < 6; i++) text[i] = streamWord(magicBytes, magic);
  for (let round = 0; round < 64; round++) {
    for (let block = 0; block < 6; block += 2) encipher(state, text, block);
  }
  const out = new Uint8Array(24);
  text.forEach((word, i) => {
    out[4 * i] = word >>> 24;
    out[4 * i + 1] = (word >>> 16) & 0xff;
    out[4 * i + 2] = (word >>> 8) & 0xff;
    out[4 * i + 3] = word & 0xff;
  });
  return out.subarray(0, 23);
}

function assertCost(cost: number): void {
  if (!Number.isInteger(cost) || cost < 4 || cost > 31)
    throw new Error(`bcrypt cost must be 4..31, not ${cost}`);
}

/** `$2y$<cost>$<salt><hash>`, the form `htpasswd -B` writes and Traefik's basicAuth reads. */
export function bcryptHash(
  password: string,
  cost = DEFAULT_COST,
  salt: Uint8Array = randomBytes(SALT_BYTES),
): string {
  assertCost(cost);
  if (salt.length !== SALT_BYTES) throw new Error(`bcrypt salt must be ${SALT_BYTES} bytes`);
  const setting = `$${VERSION}$${String(cost).padStart(2, '0')}$${encodeBase64(salt, SALT_BYTES)}`;
  return setting + encodeBase64(digest(password, salt, cost), 23);
}

/** Whether `password` matches a `$2a$`, `$2b$` or `$2y$` bcrypt hash. */
export function bcryptVerify(password: string, hash: string): boolean {
  const match = /^\$2[aby]\$(\d{2})\$([./A-Za-z0-9]{22})([./A-Za-z0-9]{31})$/.exec(hash);
  if (match === null) return false;
  const [, costText = '', saltText = '', expected = ''] = match;
  const cost = Number(costText);
  if (cost < 4 || cost > 31) return false;
  const salt = decodeBase64(saltText, SALT_BYTES);
  const actual = encodeBase64(digest(password, salt, cost), 23);
  // Constant time is not a concern for a local check, but costs nothing.
  let difference = 0;
  for (let i = 0; i < expected.length; i++) difference |= actual.charCodeAt(i) ^ expected.charCodeAt(i);
  return difference === 0;
}
