/** Dates are shown in Europe/Paris, whatever the browser's zone, with the zone named. */
export const PARIS = 'Europe/Paris';

export function dateTime(iso: string | null | undefined, lang: string): string {
  if (!iso) return '—';
  const d = new Date(iso);
  const text = new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'fr-FR', { timeZone: PARIS, dateStyle: 'short', timeStyle: 'short' }).format(d);
  const zone = new Intl.DateTimeFormat('en-GB', { timeZone: PARIS, timeZoneName: 'short' }).formatToParts(d).find((p) => p.type === 'timeZoneName')?.value ?? '';
  return `${text} ${zone} (Paris)`;
}

export function dayOf(iso: string, zone = PARIS): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso));
}

export function timeIn(iso: string, zone: string, lang: string): string {
  return new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'fr-FR', { timeZone: zone, hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
}

export function money(cents: number, currency = 'EUR', lang = 'fr'): string {
  return new Intl.NumberFormat(lang === 'en' ? 'en-GB' : 'fr-FR', { style: 'currency', currency }).format(cents / 100);
}

/** "2 j 03 h 12 min" until the instant (negative: "overdue"). */
export function countdown(iso: string, now: number, lang: string): string {
  const ms = new Date(iso).getTime() - now;
  if (ms <= 0) return lang === 'en' ? 'overdue' : 'échu';
  const m = Math.floor(ms / 60_000);
  const d = Math.floor(m / 1440);
  const h = Math.floor((m % 1440) / 60);
  return `${d} ${lang === 'en' ? 'd' : 'j'} ${String(h).padStart(2, '0')} h ${String(m % 60).padStart(2, '0')} min`;
}
