import { TOKEN_KEY } from './api';

/** Fetches a file with the staff token and hands it to the browser as a download. */
export async function downloadWithToken(url: string, filename: string): Promise<void> {
  const token = localStorage.getItem(TOKEN_KEY);
  const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { error?: string };
    throw new Error(body.error ?? `HTTP ${res.status}`);
  }
  const blob = await res.blob();
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}
