// Bounds every AWS call in one place rather than at each `send`: a middleware around the whole call
// (the SDK's retries included) and a request handler around each attempt. Paginators and every command
// of every client go through both.
import { AsyncLocalStorage } from "node:async_hooks";
import type { HttpHandler, HttpRequest, HttpResponse } from "@smithy/core/protocols";
import { NodeHttpHandler, type NodeHttpHandlerOptions } from "@smithy/node-http-handler";
import type { HttpHandlerOptions, MiddlewareStack } from "@smithy/types";
import { type AwsConfig, sdkClientOptions } from "./config.js";
import {
  AwsDeadlineError,
  AwsInterruptError,
  type AwsLimits,
  AwsTimeoutError,
  type AwsTimeouts,
  DEFAULT_TIMEOUTS,
  limitsInForce,
  recordEndpoint,
} from "./limits.js";

/** One call in flight: aborted when the command is interrupted, its deadline passes or the call takes too long. */
interface CallScope {
  signal: AbortSignal;
  /** The endpoint of the latest attempt, for the error message. */
  endpoint?: string;
}

// The request handler is shared by the calls of a client and gets no call context from the SDK: each
// attempt finds its call here (the async context follows the SDK's promise chain and retry timers).
const currentCall = new AsyncLocalStorage<CallScope>();

/** What every SDK client of mcctl is built with: region, profile, retries and the bounded handler. */
export function clientOptions(config: AwsConfig) {
  return {
    ...sdkClientOptions(config),
    requestHandler: new BoundedHttpHandler(timeoutsOf(config)),
    logger: sdkLogger,
  };
}

// With a profile and AWS_ACCESS_KEY_ID both set, the SDK prints seven lines saying it uses the profile,
// which is what --profile / AWS_PROFILE promise. Other warnings still reach stderr; failed calls are
// reported by mcctl itself (the SDK would log each one at "error").
const sdkLogger = {
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: (message: unknown) => {
    if (!/Multiple credential sources detected/.test(String(message))) console.warn(message);
  },
  error: () => {},
};

/**
 * Makes every call of `client` obey the call timeout and `limits`, or the limits of the phase the call is
 * made in (`withCallLimits`). Call once per client.
 */
export function applyLimits<Input extends object, Output extends object>(
  client: { middlewareStack: MiddlewareStack<Input, Output> },
  config: AwsConfig,
  limits: AwsLimits,
): void {
  const { callMs } = timeoutsOf(config);
  client.middlewareStack.add(
    (next) => async (args) => {
      const { scope, dispose } = openCall(limitsInForce(limits), callMs);
      try {
        // Interrupted or out of time already: send nothing.
        if (scope.signal.aborted) throw scope.signal.reason;
        return await untilAborted(
          currentCall.run(scope, () => next(args)),
          scope.signal,
        );
      } catch (error) {
        // The call's own abort reason says why better than the AbortError the SDK saw.
        const failure = scope.signal.aborted ? scope.signal.reason : error;
        recordEndpoint(failure, scope.endpoint);
        throw failure;
      } finally {
        dispose();
      }
    },
    { step: "initialize", priority: "high", name: "mcctlCallLimits" },
  );
}

function timeoutsOf(config: AwsConfig): AwsTimeouts {
  return config.timeouts ?? DEFAULT_TIMEOUTS;
}

function openCall(limits: AwsLimits, callMs: number): { scope: CallScope; dispose: () => void } {
  const controller = new AbortController();
  const scope: CallScope = { signal: controller.signal };
  const abort = (reason: Error) => {
    if (!controller.signal.aborted) controller.abort(reason);
  };
  const { signal, deadline } = limits;
  const onInterrupt = () => abort(new AwsInterruptError(scope.endpoint, signal?.reason));
  if (signal?.aborted) onInterrupt();
  signal?.addEventListener("abort", onInterrupt, { once: true });

  const left = deadline === undefined ? Number.POSITIVE_INFINITY : deadline - Date.now();
  if (left <= 0) abort(new AwsDeadlineError(undefined));
  const timer = setTimeout(
    () =>
      abort(
        left <= callMs
          ? new AwsDeadlineError(scope.endpoint)
          : new AwsTimeoutError("call", callMs, scope.endpoint),
      ),
    Math.max(0, Math.min(left, callMs)),
  );
  return {
    scope,
    dispose: () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onInterrupt);
    },
  };
}

/** Settles like `work`, or rejects with the signal's reason as soon as it aborts (also between retries). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  let onAbort = () => {};
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
  });
  return Promise.race([work, aborted]).finally(() => signal.removeEventListener("abort", onAbort));
}

function endpointOfRequest(request: HttpRequest): string {
  return `${request.protocol}//${request.hostname}${request.port ? `:${request.port}` : ""}`;
}

/**
 * Smithy names its connection timeout "TimeoutError", as it does a reset socket (code ECONNRESET);
 * only the message tells the connection timeout apart.
 */
function isConnectTimeout(error: unknown): boolean {
  return (
    error instanceof Error &&
    error.name === "TimeoutError" &&
    /establish a connection/.test(error.message) &&
    (error as { code?: string }).code === undefined
  );
}

/**
 * A NodeHttpHandler whose every attempt ends within the request timeout (the answer's body included),
 * and as soon as the call it belongs to is aborted.
 */
export class BoundedHttpHandler implements HttpHandler<NodeHttpHandlerOptions> {
  constructor(
    private readonly timeouts: AwsTimeouts,
    private readonly inner: HttpHandler<NodeHttpHandlerOptions> = new NodeHttpHandler({
      connectionTimeout: timeouts.connectMs,
    }),
  ) {}

  get metadata() {
    return this.inner.metadata;
  }

  async handle(request: HttpRequest, options: HttpHandlerOptions = {}): Promise<{ response: HttpResponse }> {
    const call = currentCall.getStore();
    const endpoint = endpointOfRequest(request);
    if (call) call.endpoint = endpoint;
    const attempt = new AbortController();
    const timer = setTimeout(
      () => attempt.abort(new AwsTimeoutError("request", this.timeouts.requestMs, endpoint)),
      this.timeouts.requestMs,
    );
    // A finished attempt needs no timer; one whose body is never read must not keep mcctl running.
    timer.unref();
    const signals = [attempt.signal, call?.signal, options.abortSignal].filter(
      (signal): signal is AbortSignal => signal instanceof AbortSignal,
    );
    try {
      const result = await this.inner.handle(request, { ...options, abortSignal: AbortSignal.any(signals) });
      const body = result.response.body as
        | { once?: (event: string, listener: () => void) => void }
        | undefined;
      if (typeof body?.once === "function") body.once("close", () => clearTimeout(timer));
      else clearTimeout(timer);
      return result;
    } catch (error) {
      clearTimeout(timer);
      let failure = error;
      if (attempt.signal.aborted && !call?.signal.aborted) failure = attempt.signal.reason;
      else if (isConnectTimeout(error)) {
        failure = new AwsTimeoutError("connect", this.timeouts.connectMs, endpoint, { cause: error });
      }
      recordEndpoint(failure, endpoint);
      throw failure;
    }
  }

  updateHttpClientConfig(key: keyof NodeHttpHandlerOptions, value: unknown): void {
    this.inner.updateHttpClientConfig(key, value as never);
  }

  httpHandlerConfigs(): NodeHttpHandlerOptions {
    return this.inner.httpHandlerConfigs();
  }

  destroy(): void {
    this.inner.destroy?.();
  }
}
