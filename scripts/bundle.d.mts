/** Types of scripts/bundle.mjs (plain JavaScript, run by node before anything is compiled): see its doc comments. */

/** Packages left outside the bundle. */
export declare const EXTERNAL: RegExp[];

/** Modules run in worker threads by URL, each bundled on its own as `<name>.js`: name -> path in the compiled tree. */
export declare const WORKER_ENTRIES: Record<string, string>;

/**
 * Bundles the compiled gateway under `compiled` (holding src/main.js) into `outDir` (emptied
 * first): main.js, its chunks, one file per worker entry. Resolves with the file names written
 * (relative to outDir); rejects on a rolldown error or a worker entry without its exports.
 */
export declare function bundleGateway(opts: { compiled: string; outDir: string; sourcemap?: boolean }): Promise<string[]>;
