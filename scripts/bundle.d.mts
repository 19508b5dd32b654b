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

/** Bundles of earlier builds kept beside the current one, for gateways still running from them. */
export declare const KEEP_PREVIOUS: number;

/**
 * Makes `built` (a finished `<bundleDir>.<id>` folder beside `bundleDir`) the one `bundleDir`
 * names: `bundleDir` becomes a symbolic link to it, swapped in with a rename, so
 * `<bundleDir>/main.js` is never missing; then removes bundle folders older than the
 * KEEP_PREVIOUS before it. Resolves with the folders removed.
 */
export declare function publishBundle(bundleDir: string, built: string): Promise<string[]>;

/**
 * bundleGateway into a new folder beside `bundleDir`, then publishBundle; a failed bundling leaves
 * `bundleDir` as it was. Resolves with the new folder's path.
 */
export declare function buildBundle(opts: { compiled: string; bundleDir: string; sourcemap?: boolean }): Promise<string>;

/** The folder `bundleDir` names now (its link's target), bundleDir itself when it is a real folder, undefined when absent. */
export declare function currentBundle(bundleDir: string): Promise<string | undefined>;
