/**
 * An answer whose status is decided at run time (a replay, 200 vs 201, 200 vs 202). Nest
 * applies a route's fixed status after every interceptor, so these answers travel as a
 * throwable that ProblemFilter sends as they are.
 */
export class SendResponse extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(`response ${status}`);
  }
}
