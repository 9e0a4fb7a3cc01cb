import {
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
} from 'node:crypto';

type Json = Record<string, unknown>;

const b64 = (v: Json): string => Buffer.from(JSON.stringify(v)).toString('base64url');

/** Hand-made tokens for the cases a well-behaved issuer never produces. */
export const forge = {
  rs256(header: Json, payload: Json, key: KeyObject): string {
    const input = `${b64({ typ: 'JWT', alg: 'RS256', ...header })}.${b64(payload)}`;
    return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
  },
  hs256(header: Json, payload: Json, secret: string | Buffer): string {
    const input = `${b64({ typ: 'JWT', alg: 'HS256', ...header })}.${b64(payload)}`;
    return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
  },
  unsigned(header: Json, payload: Json): string {
    return `${b64({ typ: 'JWT', alg: 'none', ...header })}.${b64(payload)}.`;
  },
  privateKeyOf(jwk: Json): KeyObject {
    return createPrivateKey({ key: jwk as never, format: 'jwk' });
  },
  publicPemOf(jwk: Json): string {
    return createPublicKey({ key: jwk as never, format: 'jwk' })
      .export({ format: 'pem', type: 'spki' })
      .toString();
  },
  otherRsaKey(): KeyObject {
    return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  },
};

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** Splits a compact JWT for assertions. */
export function decodeJwt(token: string): { header: Json; payload: Json } {
  const [h, p] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString()) as Json,
    payload: JSON.parse(Buffer.from(p, 'base64url').toString()) as Json,
  };
}
