import { type MouseEvent, useEffect, useState } from 'react';
import { BASE } from './settings';

/** The console's own routes under /console (the gateway answers index.html for each). */
export type Route =
  | { page: 'sessions' }
  | { page: 'session'; id: string }
  | { page: 'bulk' }
  | { page: 'audit'; query: URLSearchParams }
  | { page: 'callback' };

export function parseRoute(pathname: string, search: string): Route {
  const path = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname;
  const parts = path.split('/').filter(Boolean);
  if (parts[0] === 'callback') return { page: 'callback' };
  if (parts[0] === 'sessions' && parts[1])
    return { page: 'session', id: decodeURIComponent(parts[1]) };
  if (parts[0] === 'bulk') return { page: 'bulk' };
  if (parts[0] === 'audit') return { page: 'audit', query: new URLSearchParams(search) };
  return { page: 'sessions' };
}

export function sessionHref(id: string): string {
  return `${BASE}/sessions/${encodeURIComponent(id)}`;
}

export function auditHref(filter: Record<string, string>): string {
  const q = new URLSearchParams(filter).toString();
  return `${BASE}/audit${q ? `?${q}` : ''}`;
}

export function navigate(href: string, replace = false): void {
  if (replace) window.history.replaceState(null, '', href);
  else window.history.pushState(null, '', href);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() =>
    parseRoute(window.location.pathname, window.location.search),
  );
  useEffect(() => {
    const onPop = () => setRoute(parseRoute(window.location.pathname, window.location.search));
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  return route;
}

/** A plain link that navigates inside the app (new tab and modifier clicks still work). */
export function onLinkClick(e: MouseEvent<HTMLAnchorElement>): void {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey)
    return;
  e.preventDefault();
  navigate(e.currentTarget.getAttribute('href') ?? `${BASE}/`);
}
