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
  /** For people reading logs and the audit: preferred_username / name / email / client_id of the token, or the key id. */
  name: string;
  /**
   * What `${principal.name}` in a policy stands for: the string value of the AUTH_USERNAME_CLAIM
   * claim (no fallback to display claims a user may edit), or a service key's id. Absent when
   * the token lacks that claim: rules using the placeholder then match nothing.
   */
  username?: string;
  roles: string[];
  ip: string;
  userAgent?: string;
}
