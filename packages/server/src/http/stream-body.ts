/**
 * A response body that pulls `chunks` one at a time (memory bounded by one chunk). An error
 * after the first byte cannot become an error response any more: it is reported to
 * `onError` and the transfer is cut, so the client sees a short body, never a wrong one.
 * A reader that stops early (a client that went away) is no error: the chunks stop.
 */
export function streamBody(
  chunks: AsyncIterable<Uint8Array>,
  onError: (error: unknown) => void,
): ReadableStream<Uint8Array> {
  const iterator = chunks[Symbol.asyncIterator]();
  // Set when the reader stops (the client went away): a chunk still on its way is dropped,
  // since the stream can take nothing more.
  let isCancelled = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next: IteratorResult<Uint8Array> = await iterator.next();
        if (isCancelled) return;
        if (next.done === true) controller.close();
        else controller.enqueue(next.value);
      } catch (error: unknown) {
        if (isCancelled) return;
        onError(error);
        controller.error(error);
      }
    },
    async cancel() {
      isCancelled = true;
      await iterator.return?.();
    },
  });
}
