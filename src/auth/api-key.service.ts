import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { type ApiKeyEntry, loadApiKeysFile } from './api-keys.file';
import { apiKeyPrincipalKey, type Identity } from './claims-principal';

/** Service keys (`X-Api-Key`), loaded once at start from AUTH_API_KEYS_FILE when it is set. */
@Injectable()
export class ApiKeyService {
  private readonly logger = new Logger(ApiKeyService.name);
  private readonly entries: ReadonlyArray<{ entry: ApiKeyEntry; digest: Buffer }>;
  /** False when no keys file is configured: X-Api-Key is then refused outright. */
  readonly enabled: boolean;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const file = config.auth.apiKeysFile;
    const entries = file ? loadApiKeysFile(file) : [];
    this.enabled = file !== undefined;
    this.entries = entries.map((entry) => ({ entry, digest: Buffer.from(entry.sha256, 'hex') }));
    if (file) this.logger.log(`${this.entries.length} service key(s) loaded from ${file}`);
  }

  /**
   * The service a key belongs to, or undefined. Every entry is compared, in constant time,
   * so neither the position of a match nor a shared prefix shows in the response time.
   */
  identify(key: string): Identity | undefined {
    const digest = createHash('sha256').update(key, 'utf8').digest();
    let found: ApiKeyEntry | undefined;
    for (const { entry, digest: expected } of this.entries) {
      const same = timingSafeEqual(digest, expected);
      if (same && found === undefined) found = entry;
    }
    return (
      found && {
        id: found.id,
        key: apiKeyPrincipalKey(found.id),
        kind: 'service',
        name: found.id,
        username: found.id,
        roles: [...found.roles],
      }
    );
  }
}
