import type { TypedDocumentString } from './gql/graphql';
import { ApiError } from './errors';

interface GraphqlAnswer<T> {
  data?: T | null;
  errors?: Array<{
    message: string;
    extensions?: { code?: string; requestId?: string; field?: string };
  }>;
}

export type TokenSource = () => string | undefined;

/** Typed GraphQL calls with the user's access token; errors arrive as ApiError by code. */
export class Api {
  constructor(
    private readonly token: TokenSource,
    private readonly onUnauthenticated: () => void,
  ) {}

  async call<R, V>(doc: TypedDocumentString<R, V>, variables: V): Promise<R> {
    const token = this.token();
    if (!token) {
      this.onUnauthenticated();
      throw new ApiError('UNAUTHENTICATED', 'not signed in');
    }
    let res: Response;
    try {
      res = await fetch('/graphql', {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ query: doc.toString(), variables }),
      });
    } catch (err) {
      throw new ApiError('NETWORK', err instanceof Error ? err.message : 'network error');
    }
    let body: GraphqlAnswer<R>;
    try {
      body = (await res.json()) as GraphqlAnswer<R>;
    } catch {
      throw new ApiError(res.status === 429 ? 'RATE_LIMITED' : 'INTERNAL', `HTTP ${res.status}`);
    }
    const first = body.errors?.[0];
    if (first) {
      const code = first.extensions?.code ?? 'INTERNAL';
      if (code === 'UNAUTHENTICATED') this.onUnauthenticated();
      throw new ApiError(code, first.message, first.extensions?.requestId, first.extensions?.field);
    }
    if (!body.data) throw new ApiError('INTERNAL', `HTTP ${res.status} without data`);
    return body.data;
  }
}
