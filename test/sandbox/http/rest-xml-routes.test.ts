// Which operation a path-style request names, for every operation of the S3 model.
import { describe, expect, it } from "vitest";
import { allRoutes, matchRoute, type RestXmlRoute } from "../../../src/sandbox/http/rest-xml-routes.js";

/** The request the SDK builds for a route (path-style, labels filled in, required headers and query keys). */
function requestFor(route: RestXmlRoute): {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
} {
  const path = route.pattern.source
    .replace(/^\^|\$$/g, "")
    .replace("/?", "/")
    .replace(/\(\.\+\)/g, "some/deep key.txt")
    .replace(/\(\[\^\/\]\+\)/g, "label")
    .replace(/\\(.)/g, "$1");
  const query = new URLSearchParams(route.literals);
  for (const key of route.requiredQuery) query.set(key, "1");
  const headers = Object.fromEntries(route.requiredHeaders.map((header) => [header, "x"]));
  return { method: route.method, path: route.bucketed ? `/mc-bucket${path}` : path, query, headers };
}

describe("matchRoute", () => {
  it("knows every operation of the model", () => {
    expect(allRoutes().length).toBeGreaterThan(100);
  });

  it.each(allRoutes().map((route) => [route.operation, route] as const))(
    "routes the request the SDK builds for %s back to it",
    (operation, route) => {
      const { method, path, query, headers } = requestFor(route);
      expect(matchRoute(method, path, query, headers)?.route.operation).toBe(operation);
    },
  );

  it("takes the bucket from the first segment and the key from the rest", () => {
    const matched = matchRoute("GET", "/mc-bucket/a/b c/d.txt", new URLSearchParams("x-id=GetObject"));
    expect(matched?.route.operation).toBe("GetObject");
    expect(matched?.labels).toEqual({ Bucket: "mc-bucket", Key: "a/b c/d.txt" });
  });

  it.each([
    ["PUT", "/b", "", {}, "CreateBucket"],
    ["PUT", "/b/", "versioning", {}, "PutBucketVersioning"],
    ["GET", "/b/", "list-type=2&prefix=x", {}, "ListObjectsV2"],
    ["GET", "/b", "", {}, "ListObjects"],
    ["GET", "/b", "versions&key-marker=a", {}, "ListObjectVersions"],
    ["DELETE", "/b", "tagging", {}, "DeleteBucketTagging"],
    ["DELETE", "/b", "", {}, "DeleteBucket"],
    ["HEAD", "/b", "", {}, "HeadBucket"],
    ["HEAD", "/b/k", "", {}, "HeadObject"],
    ["GET", "/", "", {}, "ListBuckets"],
    // Without the SDK's x-id, a PUT of a key is a PutObject unless it names the object to copy.
    ["PUT", "/b/k", "", {}, "PutObject"],
    ["PUT", "/b/k", "", { "x-amz-copy-source": "other/k" }, "CopyObject"],
  ])("%s %s?%s is %s", (method, path, query, headers, operation) => {
    expect(matchRoute(method, path, new URLSearchParams(query), headers)?.route.operation).toBe(operation);
  });

  it.each([
    ["PATCH", "/b", ""],
    ["POST", "/b", ""],
    ["POST", "/b/k", ""],
    ["PUT", "/b/k", "x-id=NoSuchOperation"],
  ])("names no operation for %s %s?%s", (method, path, query) => {
    expect(matchRoute(method, path, new URLSearchParams(query))).toBeUndefined();
  });
});
