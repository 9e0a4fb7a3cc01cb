/** Who is calling, as established by src/auth for every non-public route. */
export interface Principal {
  /** `sub` of the JWT, or the service key's id. */
  id: string;
  /**
   * The key of every per-principal store (idempotent answers, rate limits): where the credential
   * came from and its id, `jwt:<verified iss>:<sub>` or `apikey:<id>`, set by the code that
   * verified it. Never built from claims a token chooses, so no token can pose as a service key.
   */
  key: string;
  kind: 'user' | 'service';
  /** preferred_username / name / email / client_id of the token, or the key id. */
  name: string;
  roles: string[];
  ip: string;
  userAgent?: string;
}
