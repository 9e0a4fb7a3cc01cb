import type { AuditRecord } from '../../src/audit/audit.types';
import { httpCall } from './gateway';

/**
 * Every audit record matching `filter`, read the way an auditor reads them: REST
 * /api/v1/audit-events, paging through nextCursor (bounded, so a paging bug fails the test
 * instead of looping). Each page read leaves its own audit.read record, which a
 * session.terminate filter leaves out.
 */
export async function readAuditRecords(
  baseUrl: string,
  auditorCredential: { token?: string; apiKey?: string },
  filter: Record<string, string> = { action: 'session.terminate' },
  maxPages = 50,
): Promise<AuditRecord[]> {
  const records: AuditRecord[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < maxPages; page++) {
    const params = new URLSearchParams({ ...filter, limit: '200' });
    if (cursor) params.set('cursor', cursor);
    const res = await httpCall(baseUrl, 'GET', `/api/v1/audit-events?${params.toString()}`, {
      token: auditorCredential.token,
      headers: auditorCredential.apiKey ? { 'x-api-key': auditorCredential.apiKey } : {},
    });
    if (res.status !== 200) throw new Error(`audit read failed: ${res.status} ${res.text}`);
    records.push(...(res.json.items as AuditRecord[]));
    cursor = res.json.nextCursor as string | null;
    if (!cursor) return records;
  }
  throw new Error(`audit paging did not end within ${maxPages} pages`);
}

/** The JSON log lines the audit log wrote ({audit: true, entry, event}), parsed. */
export function auditLogLines(
  lines: string[],
): Array<{ entry: 'intent' | 'outcome'; event: AuditRecord }> {
  const out: Array<{ entry: 'intent' | 'outcome'; event: AuditRecord }> = [];
  for (const line of lines) {
    let parsed: { audit?: unknown; entry?: 'intent' | 'outcome'; event?: AuditRecord };
    try {
      parsed = JSON.parse(line) as typeof parsed;
    } catch {
      continue;
    }
    if (parsed.audit === true && parsed.entry && parsed.event) {
      out.push({ entry: parsed.entry, event: parsed.event });
    }
  }
  return out;
}
