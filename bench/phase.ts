/** Announces the phase a bench script is in (stderr, so the results on stdout stay clean). */
const started = Date.now();

export function phase(what: string): void {
  process.stderr.write(`[bench +${((Date.now() - started) / 1000).toFixed(1)} s] ${what}\n`);
}
