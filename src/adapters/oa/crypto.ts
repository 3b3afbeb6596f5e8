import {
  createCipheriv,
  createDecipheriv,
  createHash,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';

/**
 * WeChat's message signatures and its "safe mode" encryption, as WeChat documents them for
 * Official Accounts (the same scheme as WeCom's; checked against @wecom/crypto in the tests):
 *
 * - signature = sha1 of the sorted strings [token, timestamp, nonce] (plus the `Encrypt` field
 *   for `msg_signature`), joined.
 * - AES-256-CBC with key = base64(EncodingAESKey + "=") (32 bytes) and IV = its first 16 bytes;
 *   PKCS#7 padding to 32-byte blocks; plaintext = 16 random bytes, the message length (4
 *   bytes, big-endian), the message, and the app id.
 */
export function signature(token: string, ...parts: string[]): string {
  return createHash('sha1')
    .update([token, ...parts].sort().join(''))
    .digest('hex');
}

/** Compares without leaking where the strings differ. */
export function sameSignature(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given.toLowerCase());
  return a.length === b.length && timingSafeEqual(a, b);
}

const BLOCK = 32;

export class CryptoError extends Error {
  override readonly name = 'CryptoError';
}

/** The 32-byte key of a 43-character EncodingAESKey; throws on anything else. */
export function aesKey(encodingAesKey: string): Buffer {
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  if (encodingAesKey.length !== 43 || key.length !== 32)
    throw new CryptoError('EncodingAESKey must be the 43 characters shown in the admin console');
  return key;
}

export function encrypt(
  key: Buffer,
  message: string,
  appId: string,
  random = randomBytes(16),
): string {
  const body = Buffer.from(message, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length, 0);
  const plain = Buffer.concat([random, length, body, Buffer.from(appId, 'utf8')]);
  const pad = BLOCK - (plain.length % BLOCK);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([
    cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])),
    cipher.final(),
  ]).toString('base64');
}

/** The message and the app id it was encrypted for; throws CryptoError when it is not valid. */
export function decrypt(key: Buffer, encrypted: string): { message: string; appId: string } {
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
    decipher.setAutoPadding(false);
    plain = Buffer.concat([decipher.update(Buffer.from(encrypted, 'base64')), decipher.final()]);
  } catch {
    throw new CryptoError('cannot decrypt');
  }
  const pad = plain.at(-1) ?? 0;
  if (pad < 1 || pad > BLOCK || plain.length < 20 + pad) throw new CryptoError('bad padding');
  const content = plain.subarray(16, plain.length - pad);
  const length = content.readUInt32BE(0);
  if (4 + length > content.length) throw new CryptoError('bad length');
  return {
    message: content.subarray(4, 4 + length).toString('utf8'),
    appId: content.subarray(4 + length).toString('utf8'),
  };
}
