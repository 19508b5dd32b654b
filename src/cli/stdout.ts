/**
 * The command-line programs' standard output when its reader goes away: `key:list --json | head -3`
 * closes the pipe after three lines, the next write fails with EPIPE, and Node reported it as an
 * unhandled 'error' event (`Error: write EPIPE`) with a stack trace, exit 1. Every entry point
 * that writes to stdout calls quietOnClosedStdout() first.
 */

/** True for the errors of a write to a pipe (or socket) whose reader has gone: EPIPE, then ERR_STREAM_DESTROYED for later writes. */
function readerGone(err: NodeJS.ErrnoException): boolean {
  return err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED';
}

/**
 * Makes a closed standard output quiet: once its reader has gone, what the program still writes
 * there is dropped without a message, and the program ends as it would have (its database closed,
 * its own exit code), instead of dying half way with a stack trace. Unlike a C tool killed by
 * SIGPIPE it does not stop at once: a key command then still closes an embedded database cleanly,
 * and the bulk CLI and OT&E runner (which write progress to stderr) still finish their run. Any
 * other error on the stream is thrown as before. `stream` is a parameter for tests.
 */
export function quietOnClosedStdout(stream: NodeJS.WritableStream = process.stdout): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (!readerGone(err)) throw err;
  });
}
