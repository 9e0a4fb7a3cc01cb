/** Who is calling, as established by src/auth for every non-public route. */
export interface Principal {
  /** `sub` of the JWT, or the service key's id. */
  id: string;
  kind: 'user' | 'service';
  /** preferred_username / name / email / client_id of the token, or the key id. */
  name: string;
  roles: string[];
  ip: string;
  userAgent?: string;
}
