import { useEffect, useState } from 'react';

const BASE = '/admin';

/** The app's path without /admin (e.g. "/refunds/12"), and its query parameters. */
export function useRoute(): { path: string; params: URLSearchParams } {
  const [loc, setLoc] = useState(() => window.location.pathname + window.location.search);
  useEffect(() => {
    const on = () => setLoc(window.location.pathname + window.location.search);
    window.addEventListener('popstate', on);
    return () => window.removeEventListener('popstate', on);
  }, []);
  const url = new URL(loc, window.location.origin);
  const path = url.pathname.startsWith(BASE) ? url.pathname.slice(BASE.length) || '/' : url.pathname;
  return { path: path.replace(/\/+$/, '') || '/', params: url.searchParams };
}

export function href(path: string): string {
  return BASE + path;
}

export function navigate(path: string): void {
  window.history.pushState(null, '', href(path));
  window.dispatchEvent(new PopStateEvent('popstate'));
}
