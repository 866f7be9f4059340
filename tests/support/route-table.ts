/**
 * The app's route table, read from Express itself: every (method, path) its routers declare, with
 * mount prefixes joined. The role matrix is checked against this list, so a route added anywhere
 * shows up here without anyone remembering to list it.
 */
import type express from "express";

export interface RouteEntry {
  method: string;
  path: string;
}

interface Layer {
  rawPath?: unknown;
  slash?: boolean;
  route?: { path: unknown; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

export function listRoutes(app: express.Express): RouteEntry[] {
  const routes: RouteEntry[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const method of Object.keys(layer.route.methods)) {
          if (method === "_all") continue;
          routes.push({ method: method.toUpperCase(), path: joinPath(prefix, String(layer.route.path)) });
        }
      } else if (layer.handle?.stack) {
        const mount = typeof layer.rawPath === "string" && !layer.slash ? layer.rawPath : "";
        walk(layer.handle.stack, joinPath(prefix, mount));
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, "");
  const seen = new Set<string>();
  return routes.filter((route) => {
    const key = `${route.method} ${route.path}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function joinPath(prefix: string, path: string): string {
  if (!path || path === "/") return prefix || "/";
  return `${prefix.replace(/\/$/, "")}${path.startsWith("/") ? "" : "/"}${path}`;
}
