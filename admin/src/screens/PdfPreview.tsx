import { Loader, Text } from '@mantine/core';
import { getDocument, GlobalWorkerOptions } from 'pdfjs-dist';
import workerUrl from 'pdfjs-dist/build/pdf.worker.min.mjs?url';
import { useEffect, useRef, useState } from 'react';

GlobalWorkerOptions.workerSrc = workerUrl;

/** A link of this server (PUBLIC_URL may name another host on the staff network): path and query only. */
export function sameOrigin(url: string): string {
  const u = new URL(url, window.location.origin);
  return u.pathname + u.search;
}

/** The first page of a PDF drawn with pdf.js (its worker is a bundled file: no eval, no CDN). */
export function PdfPreview({ url }: { url: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [state, setState] = useState<'loading' | 'done' | string>('loading');
  useEffect(() => {
    let cancelled = false;
    void (async () => {
      try {
        const res = await fetch(url);
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        const pdf = await getDocument({ data: new Uint8Array(await res.arrayBuffer()), isEvalSupported: false }).promise;
        const page = await pdf.getPage(1);
        const viewport = page.getViewport({ scale: 1.5 });
        const c = canvas.current;
        if (!c || cancelled) return;
        c.width = viewport.width;
        c.height = viewport.height;
        await page.render({ canvas: c, viewport }).promise;
        if (!cancelled) setState('done');
      } catch (e) {
        if (!cancelled) setState(e instanceof Error ? e.message : String(e));
      }
    })();
    return () => void (cancelled = true);
  }, [url]);
  return (
    <>
      {state === 'loading' && <Loader size="sm" aria-label="PDF" />}
      {state !== 'loading' && state !== 'done' && <Text c="red.9" role="alert">{state}</Text>}
      <canvas ref={canvas} data-testid="pdf-preview" data-state={state} aria-label="PDF" role="img" style={{ maxWidth: '100%', height: 'auto' }} />
    </>
  );
}
