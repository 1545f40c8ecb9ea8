// The request handler on its own, around a scripted inner handler: what each attempt ends with.
import { HttpRequest, HttpResponse } from "@smithy/core/protocols";
import type { NodeHttpHandlerOptions } from "@smithy/node-http-handler";
import type { HttpHandlerOptions } from "@smithy/types";
import { describe, expect, it } from "vitest";
import { AwsTimeoutError, endpointOf } from "../../src/aws/limits.js";
import { BoundedHttpHandler } from "../../src/aws/transport.js";

const TIMEOUTS = { connectMs: 5_000, requestMs: 200, callMs: 1_000 };
const request = new HttpRequest({ protocol: "https:", hostname: "ecs.eu-west-1.amazonaws.com", path: "/" });

/** An inner handler that answers with `answer`, or hangs until its abort signal aborts. */
function inner(answer?: () => Promise<{ response: HttpResponse }>) {
  const seen: { aborted?: boolean } = {};
  return {
    seen,
    handler: {
      metadata: { handlerProtocol: "http/1.1" },
      handle: (_request: HttpRequest, options: HttpHandlerOptions = {}) =>
        answer?.() ??
        new Promise<{ response: HttpResponse }>((_resolve, reject) => {
          (options.abortSignal as AbortSignal | undefined)?.addEventListener("abort", () => {
            seen.aborted = true;
            reject(Object.assign(new Error("Request aborted"), { name: "AbortError" }));
          });
        }),
      updateHttpClientConfig: () => {},
      httpHandlerConfigs: (): NodeHttpHandlerOptions => ({}),
    },
  };
}

async function rejection(work: Promise<unknown>): Promise<Error> {
  return work.then(
    () => {
      throw new Error("expected a rejection");
    },
    (error: Error) => error,
  );
}

describe("BoundedHttpHandler", () => {
  it("ends an unanswered attempt at the request timeout, as an error the SDK retries", async () => {
    const { handler, seen } = inner();
    const started = Date.now();
    const error = await rejection(new BoundedHttpHandler(TIMEOUTS, handler).handle(request));
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(error).toBeInstanceOf(AwsTimeoutError);
    expect(error).toMatchObject({
      name: "TimeoutError",
      code: "ETIMEDOUT",
      phase: "request",
      timeoutMs: 200,
    });
    expect(endpointOf(error)).toBe("https://ecs.eu-west-1.amazonaws.com");
    expect(seen.aborted).toBe(true);
  });

  it("names smithy's connection timeout as one, and leaves a reset socket alone", async () => {
    const connect = Object.assign(
      new Error(
        "@smithy/node-http-handler - the request socket did not establish a connection with the server within the configured timeout of 5000 ms.",
      ),
      { name: "TimeoutError" },
    );
    const timedOut = await rejection(
      new BoundedHttpHandler(TIMEOUTS, inner(() => Promise.reject(connect)).handler).handle(request),
    );
    expect(timedOut).toMatchObject({
      name: "TimeoutError",
      phase: "connect",
      timeoutMs: 5_000,
      cause: connect,
    });

    const reset = Object.assign(new Error("socket hang up"), { name: "TimeoutError", code: "ECONNRESET" });
    const failed = await rejection(
      new BoundedHttpHandler(TIMEOUTS, inner(() => Promise.reject(reset)).handler).handle(request),
    );
    expect(failed).toBe(reset);
    expect(endpointOf(failed)).toBe("https://ecs.eu-west-1.amazonaws.com");
  });

  it("passes an answer through and keeps the caller's own abort signal", async () => {
    const response = new HttpResponse({ statusCode: 200, headers: {} });
    const answered = await new BoundedHttpHandler(
      TIMEOUTS,
      inner(() => Promise.resolve({ response })).handler,
    ).handle(request);
    expect(answered.response).toBe(response);

    const { handler, seen } = inner();
    const controller = new AbortController();
    const pending = rejection(
      new BoundedHttpHandler({ ...TIMEOUTS, requestMs: 10_000 }, handler).handle(request, {
        abortSignal: controller.signal,
      }),
    );
    controller.abort();
    expect((await pending).name).toBe("AbortError");
    expect(seen.aborted).toBe(true);
  });
});
