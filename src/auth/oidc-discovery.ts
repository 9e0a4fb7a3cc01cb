import type { HttpService } from '@nestjs/axios';
import { z } from 'zod';
import { getIssuerJson, urlForLog } from './issuer-http';

const DISCOVERY_TIMEOUT_MS = 5000;
// Discovery documents are a few kB; refuse to buffer anything much larger.
const MAX_DOCUMENT_BYTES = 256 * 1024;

const discoverySchema = z.object({
  issuer: z.string(),
  // Not z.httpUrl(): it refuses IP-address hosts, which private IdPs do use.
  jwks_uri: z.string().refine((v) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol)),
});

/** `${issuer}/.well-known/openid-configuration`, per OpenID Connect Discovery 1.0 §4. */
export function discoveryUrlOf(issuer: string): string {
  return `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
}

/**
 * Fetches the issuer's discovery document and returns its `jwks_uri`. The document's `issuer`
 * must equal the configured issuer exactly (Discovery §4.3): a mismatch means AUTH_ISSUER is
 * not what the IdP puts in `iss`, and every token would fail anyway, so say so clearly.
 */
export async function discoverJwksUri(
  http: HttpService,
  issuer: string,
  signal?: AbortSignal,
): Promise<string> {
  const url = urlForLog(discoveryUrlOf(issuer));
  const json = await getIssuerJson(http, discoveryUrlOf(issuer), {
    maxBytes: MAX_DOCUMENT_BYTES,
    timeoutMs: DISCOVERY_TIMEOUT_MS,
    signal,
  });
  const doc = discoverySchema.safeParse(json);
  if (!doc.success) {
    const fields = [...new Set(doc.error.issues.map((i) => String(i.path[0] ?? 'document')))];
    throw new Error(`${url}: missing or invalid ${fields.join(', ')}`);
  }
  if (doc.data.issuer !== issuer) {
    throw new Error(
      `${url} names issuer "${doc.data.issuer}", not the configured AUTH_ISSUER "${issuer}" (must match exactly)`,
    );
  }
  return doc.data.jwks_uri;
}
