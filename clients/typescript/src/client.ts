/**
 * The Rebound client as a React Native app builds it: openapi-fetch over the types that
 * openapi-typescript generated from openapi/openapi.json, with the session's bearer token on
 * every request.
 */
import createClient, { type Client } from "openapi-fetch";

import type { components, paths } from "./schema.js";

export type Schemas = components["schemas"];
export type ReboundClient = Client<paths>;

/** The tokens of the signed-in user; the app replaces them after every refresh. */
export interface Session {
  accessToken: string | null;
  refreshToken: string | null;
}

export function createReboundClient(baseUrl: string, session: Session): ReboundClient {
  const client = createClient<paths>({ baseUrl });
  client.use({
    onRequest({ request }) {
      // Read at request time, so a refreshed token is used from the next request on.
      if (session.accessToken !== null && !request.headers.has("Authorization")) {
        request.headers.set("Authorization", `Bearer ${session.accessToken}`);
      }
      return request;
    },
  });
  return client;
}

/** OAuth2 password form fields, URL-encoded (what Swagger UI's Authorize sends too). */
export function formEncoded(fields: Record<string, string | null | undefined>): URLSearchParams {
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) {
    if (value !== null && value !== undefined) form.append(name, value);
  }
  return form;
}

/** Signs in with the OAuth2 password form and stores the pair in the session. */
export async function signIn(
  client: ReboundClient,
  session: Session,
  email: string,
  password: string,
) {
  const result = await client.POST("/v1/auth/token", {
    body: { grant_type: "password", username: email, password },
    bodySerializer: formEncoded,
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
  });
  if (result.data !== undefined) {
    session.accessToken = result.data.access_token;
    session.refreshToken = result.data.refresh_token;
  }
  return result;
}

/** Trades the session's refresh token for a new pair (the old one stops working). */
export async function refresh(client: ReboundClient, session: Session) {
  if (session.refreshToken === null) throw new Error("not signed in");
  const result = await client.POST("/v1/auth/refresh", {
    body: { refresh_token: session.refreshToken },
  });
  if (result.data !== undefined) {
    session.accessToken = result.data.access_token;
    session.refreshToken = result.data.refresh_token;
  }
  return result;
}
