/**
 * A mobile user's story against a live Rebound server (REBOUND_URL): every step asserts the
 * status and the fields that matter, prints one line, and the first failure exits non-zero.
 */
import { randomUUID } from "node:crypto";

import {
  createReboundClient,
  refresh,
  type ReboundClient,
  type Schemas,
  type Session,
  signIn,
} from "./client.js";

class StepFailure extends Error {}

interface Result<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new StepFailure(message);
}

function equal<T>(actual: T, expected: T, what: string): void {
  check(
    actual === expected,
    `${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`,
  );
}

function describeError(error: unknown): string {
  if (error === undefined) return "";
  const text = JSON.stringify(error);
  return `: ${text.length > 400 ? `${text.slice(0, 400)}…` : text}`;
}

/** A response that must have `status` (a 204 has no body to check). */
function expectStatus(what: string, result: Result<unknown>, status: number): void {
  const actual = result.response.status;
  const error = describeError(result.error);
  check(actual === status, `${what}: HTTP ${actual}, expected ${status}${error}`);
}

/** The body of a response that must have `status`. */
function expectData<T>(what: string, result: Result<T>, status: number): T {
  expectStatus(what, result, status);
  check(result.data !== undefined, `${what}: HTTP ${status} without a body`);
  return result.data;
}

/** An error that must be an RFC 9457 problem document with `status`. */
function expectProblem(what: string, result: Result<unknown>, status: number): Schemas["Problem"] {
  const actual = result.response.status;
  check(actual === status, `${what}: HTTP ${actual}, expected ${status}`);
  const type = result.response.headers.get("content-type") ?? "";
  check(type.startsWith("application/problem+json"), `${what}: content-type ${type}`);
  const problem = result.error as Schemas["Problem"] | undefined;
  check(problem !== undefined && problem.status === status, `${what}: not a problem document`);
  return problem;
}

function header(result: Result<unknown>, name: string): string {
  const value = result.response.headers.get(name);
  check(value !== null && value !== "", `the response has no ${name} header`);
  return value;
}

interface SyncRecord {
  id: string;
  deleted_at?: string | null;
}

interface SyncPage<T extends SyncRecord> {
  items: T[];
  next_cursor: string | null;
  sync_token: string;
}

/** Every page of a list, as a mirroring client reads it; returns the items and the last token. */
async function readAll<T extends SyncRecord>(
  fetchPage: (cursor: string | undefined) => Promise<SyncPage<T>>,
): Promise<{ items: T[]; syncToken: string }> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 100; pages += 1) {
    const page = await fetchPage(cursor);
    items.push(...page.items);
    if (page.next_cursor === null) return { items, syncToken: page.sync_token };
    cursor = page.next_cursor;
  }
  throw new StepFailure("more than 100 pages: the cursor does not advance");
}

/** List query parameters: the largest page, from `cursor` when there is one. */
function pageQuery(cursor: string | undefined, updatedSince?: string) {
  return {
    limit: 200,
    ...(cursor === undefined ? {} : { cursor }),
    ...(updatedSince === undefined ? {} : { updated_since: updatedSince }),
  };
}

function tombstone<T extends SyncRecord>(items: T[], id: string, what: string): T {
  const record = items.find((item) => item.id === id);
  check(record !== undefined, `${what}: the delta sync does not return ${id}`);
  check(
    typeof record.deleted_at === "string" && record.deleted_at !== "",
    `${what}: ${id} came back without deleted_at`,
  );
  return record;
}

let passed = 0;

async function step<T>(name: string, run: () => Promise<[T, string]>): Promise<T> {
  const started = performance.now();
  try {
    const [value, summary] = await run();
    passed += 1;
    const ms = Math.round(performance.now() - started);
    console.log(`ok   ${String(passed).padStart(2)} ${name}: ${summary} (${ms} ms)`);
    return value;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.log(`FAIL ${String(passed + 1).padStart(2)} ${name}: ${message}`);
    if (!(error instanceof StepFailure) && error instanceof Error && error.stack) {
      console.log(error.stack);
    }
    console.log(`scenario: ${passed} passed, 1 failed`);
    process.exit(1);
  }
}

function isoDate(offsetDays = 0): string {
  return new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
}

async function main(baseUrl: string): Promise<void> {
  const session: Session = { accessToken: null, refreshToken: null };
  const api: ReboundClient = createReboundClient(baseUrl, session);
  const email = `mobile-${randomUUID().slice(0, 8)}@example.com`;
  const password = "a long mobile passphrase";
  const company = "Northwind Robotics";
  const roleTitle = "Senior mobile engineer";
  const contactName = "Priya Raman";
  const nextStepText = "Rehearse the system design answer with a friend";
  const today = isoDate();

  await step("register", async () => {
    const registration = expectData(
      "POST /v1/auth/register",
      await api.POST("/v1/auth/register", {
        body: { email, password, display_name: "Sam Mobile", timezone: "UTC" },
      }),
      201,
    );
    equal(registration.user.email, email, "user.email");
    equal(registration.user.timezone, "UTC", "user.timezone");
    check(registration.tokens.access_token.length > 0, "no access token");
    check(registration.tokens.refresh_token.length > 0, "no refresh token");
    return [null, `${email} (user ${registration.user.id})`];
  });

  await step("sign in with the OAuth2 password form", async () => {
    const signedIn = await signIn(api, session, email, password);
    const tokens = expectData("POST /v1/auth/token", signedIn, 200);
    equal(tokens.token_type, "bearer", "token_type");
    check(tokens.expires_in > 0, `expires_in ${tokens.expires_in}`);
    const me = expectData("GET /v1/me", await api.GET("/v1/me"), 200);
    equal(me.email, email, "me.email");
    equal(me.display_name, "Sam Mobile", "me.display_name");
    return [null, `bearer token, expires in ${tokens.expires_in} s; GET /v1/me is ${me.email}`];
  });

  const application = await step("create an application (client-generated id)", async () => {
    const id = randomUUID();
    const result = await api.POST("/v1/applications", {
      body: {
        id,
        company,
        role_title: roleTitle,
        source: "referral",
        stage: "interviewing",
        work_mode: "hybrid",
        applied_on: isoDate(-14),
        interest: 5,
        tags: ["mobile", "react-native"],
      },
    });
    const created = expectData("POST /v1/applications", result, 201);
    equal(created.id, id, "id");
    equal(created.company, company, "company");
    equal(created.stage, "interviewing", "stage");
    equal(created.version, 1, "version");
    check(header(result, "location").endsWith(`/v1/applications/${id}`), "Location header");
    header(result, "etag");
    return [created, `${created.company} — ${created.role_title}, stage ${created.stage}`];
  });

  const pasted = await step("read a pasted rejection email (POST /v1/intake/message)", async () => {
    const text = [
      `From: ${company} Talent <careers@northwind-robotics.example>`,
      `Subject: Your application for ${roleTitle}`,
      "",
      "Hi Sam,",
      "",
      `Thank you for interviewing for the ${roleTitle} role at ${company}.`,
      "Unfortunately we have decided not to move forward with your application, as we " +
        "are looking for someone with more hands-on experience with native iOS development.",
      "We'd be happy to share some feedback if you would like: just reply to this email.",
      "",
      "Best regards,",
      "Dana Park",
      `Talent Acquisition, ${company}`,
    ].join("\n");
    const reading = expectData(
      "POST /v1/intake/message",
      await api.POST("/v1/intake/message", { body: { text, received_on: today } }),
      200,
    );
    equal(reading.kind, "rejection", "kind");
    equal(reading.matched_applications[0]?.id, application.id, "best match");
    equal(reading.feedback_offered, true, "feedback_offered");
    const draft = reading.draft_outcome;
    check(draft, "a rejection comes with a draft outcome");
    equal(draft.application_id, application.id, "draft_outcome.application_id");
    equal(draft.kind, "rejection", "draft_outcome.kind");
    check(reading.stated_reason && text.includes(reading.stated_reason), "stated_reason quoted");
    const keys = reading.reasons.map((reason) => reason.key);
    equal(keys.join(","), "experience_gap", "stated reason keys");
    return [draft, `${reading.kind} (${reading.confidence}), stated: ${keys.join(", ") || "none"}`];
  });

  const outcome = await step("record the draft as an outcome, with a suspected reason", async () => {
    const recorded = expectData(
      "POST /v1/outcomes",
      await api.POST("/v1/outcomes", {
        body: {
          ...pasted,
          application_id: application.id,
          reasons: [...(pasted.reasons ?? []), { key: "chemistry", source: "suspected" }],
          disappointment: 7,
        },
      }),
      201,
    );
    equal(recorded.kind, "rejection", "kind");
    equal(recorded.application_id, application.id, "application_id");
    equal(recorded.stated_reason, pasted.stated_reason ?? null, "stated_reason");
    const keys = (recorded.reasons ?? []).map((reason) => `${reason.key}/${reason.source}`);
    check(keys.includes("chemistry/suspected"), `reasons: ${keys.join(",")}`);
    const moved = expectData(
      "GET /v1/applications/{id}",
      await api.GET("/v1/applications/{record_id}", {
        params: { path: { record_id: application.id } },
      }),
      200,
    );
    equal(moved.stage, "rejected", "application stage after the rejection");
    return [recorded, `${keys.join(", ")}; the application moved to ${moved.stage}`];
  });

  const planned = await step("plan a feedback conversation", async () => {
    const result = await api.POST("/v1/feedback-conversations", {
      body: {
        application_id: application.id,
        outcome_id: outcome.id,
        contact_name: contactName,
        contact_role: "Engineering manager",
        contact_email: "priya@example.com",
        channel: "phone",
        status: "planned",
      },
    });
    const conversation = expectData("POST /v1/feedback-conversations", result, 201);
    equal(conversation.status, "planned", "status");
    equal(conversation.outcome_id, outcome.id, "outcome_id");
    equal(conversation.contact_name, contactName, "contact_name");
    return [
      { conversation, etag: header(result, "etag") },
      `with ${conversation.contact_name} by ${conversation.channel}, status ${conversation.status}`,
    ];
  });

  await step("complete the feedback conversation (PATCH status, If-Match)", async () => {
    const path = { record_id: planned.conversation.id };
    const completed = expectData(
      "PATCH /v1/feedback-conversations/{id}",
      await api.PATCH("/v1/feedback-conversations/{record_id}", {
        params: { path },
        headers: { "If-Match": planned.etag },
        body: {
          status: "completed",
          completed_on: today,
          answers: [
            { question_key: "prepare_better", answer: "Practise whiteboard system design." },
          ],
          takeaways: "Strong product sense; system design answers were too shallow.",
          trust: "genuine",
          stay_in_touch: true,
          follow_up_on: today,
        },
      }),
      200,
    );
    equal(completed.status, "completed", "status");
    equal(completed.version, planned.conversation.version + 1, "version");
    equal(completed.trust, "genuine", "trust");
    equal(completed.answers?.length, 1, "answers");
    const back = await api.PATCH("/v1/feedback-conversations/{record_id}", {
      params: { path },
      body: { status: "planned" },
    });
    expectProblem("PATCH completed → planned", back, 422);
    return [null, `status ${completed.status}, version ${completed.version}; going back is 422`];
  });

  await step("fetch the request draft (email)", async () => {
    const draft = expectData(
      "GET request-draft?format=email",
      await api.GET("/v1/feedback-conversations/{record_id}/request-draft", {
        params: { path: { record_id: planned.conversation.id }, query: { format: "email" } },
      }),
      200,
    );
    equal(draft.format, "email", "format");
    check(draft.subject !== null && draft.subject.length > 0, "an email draft has a subject");
    for (const name of ["Priya", company, roleTitle, "Sam Mobile"]) {
      check(draft.body.includes(name), `the email body does not mention ${name}`);
    }
    check(draft.questions.length > 0, "no questions");
    return [null, `"${draft.subject}", ${draft.questions.length} questions`];
  });

  await step("fetch the request draft (call_script)", async () => {
    const draft = expectData(
      "GET request-draft?format=call_script",
      await api.GET("/v1/feedback-conversations/{record_id}/request-draft", {
        params: { path: { record_id: planned.conversation.id }, query: { format: "call_script" } },
      }),
      200,
    );
    equal(draft.format, "call_script", "format");
    equal(draft.subject, null, "subject");
    check(draft.body.includes("Priya"), "the call script does not mention the contact");
    check(draft.questions.length > 0, "no questions");
    return [null, `${draft.body.split("\n").length} lines, ${draft.questions.length} questions`];
  });

  const reflection = await step("write a reflection", async () => {
    const written = expectData(
      "POST /v1/reflections",
      await api.POST("/v1/reflections", {
        body: {
          application_id: application.id,
          outcome_id: outcome.id,
          answers: [
            { prompt_key: "what_learned", answer: "Depth beats breadth in design rounds." },
          ],
          went_well: ["Rapport with the hiring manager"],
          to_improve: ["System design depth"],
          gratitude: ["A manager who gave honest feedback"],
          mood: 6,
          diagnosis: "in_person",
          still_want_similar_roles: "yes",
          next_steps: [{ text: nextStepText, due_on: today, done: false }],
        },
      }),
      201,
    );
    equal(written.application_id, application.id, "application_id");
    equal(written.diagnosis, "in_person", "diagnosis");
    equal(written.next_steps?.[0]?.text, nextStepText, "next_steps[0].text");
    return [written, `diagnosis ${written.diagnosis}, mood ${written.mood}, 1 next step`];
  });

  await step("read insights", async () => {
    const insights = expectData("GET /v1/insights", await api.GET("/v1/insights"), 200);
    equal(insights.applications.total, 1, "applications.total");
    equal(insights.rejections_per_offer.rejections, 1, "rejections_per_offer.rejections");
    equal(insights.rejections_per_offer.offers, 0, "rejections_per_offer.offers");
    equal(insights.rejections_per_offer.ratio, null, "rejections_per_offer.ratio");
    equal(insights.reasons.stated, 1, "reasons.stated");
    equal(insights.reasons.suspected, 1, "reasons.suspected");
    const top = insights.reasons.top.map((reason) => reason.key).sort();
    equal(top.join(","), "chemistry,experience_gap", "reasons.top");
    equal(insights.feedback.completed, 1, "feedback.completed");
    equal(insights.next_steps.open, 1, "next_steps.open");
    const { rejections } = insights.rejections_per_offer;
    const summary = `${insights.applications.total} application, ${rejections} rejection`;
    return [null, `${summary}, ${insights.suggestions.length} suggestions`];
  });

  await step("read the agenda", async () => {
    const agenda = expectData("GET /v1/agenda", await api.GET("/v1/agenda"), 200);
    equal(agenda.timezone, "UTC", "timezone");
    const kinds = agenda.items.map((item) => item.kind);
    const step = agenda.items.find((item) => item.kind === "next_step_due");
    check(step !== undefined, `no next_step_due item (kinds: ${kinds.join(", ")})`);
    equal(step.title, nextStepText, "next step title");
    equal(step.record.type, "reflection", "next step record.type");
    equal(step.record.id, reflection.id, "next step record.id");
    equal(step.record.next_step_index, 0, "next step record.next_step_index");
    equal(step.record.next_step_id, reflection.next_steps?.[0]?.id, "next step record.next_step_id");
    equal(step.due_on, today, "next step due_on");
    check(agenda.counts.next_step_due >= 1, "counts.next_step_due");
    const followUp = agenda.items.find((item) => item.kind === "stay_in_touch_due");
    check(followUp !== undefined, `no stay_in_touch_due item (kinds: ${kinds.join(", ")})`);
    equal(followUp.record.type, "feedback_conversation", "stay-in-touch record.type");
    equal(followUp.record.id, planned.conversation.id, "stay-in-touch record.id");
    equal(followUp.record.application_id, application.id, "stay-in-touch record.application_id");
    check(agenda.counts.total >= agenda.items.length, "counts.total below the items listed");
    return [null, `${agenda.items.length} items today (${agenda.today}): ${kinds.join(", ")}`];
  });

  await step("mark the next step done (PATCH one step by id, If-Match)", async () => {
    const stepId = reflection.next_steps?.[0]?.id;
    check(typeof stepId === "string" && stepId !== "", "the next step has no id");
    const path = { record_id: reflection.id, step_id: stepId };
    const current = await api.GET("/v1/reflections/{record_id}", {
      params: { path: { record_id: reflection.id } },
    });
    expectData("GET /v1/reflections/{id}", current, 200);
    const etag = header(current, "etag");
    const done = await api.PATCH("/v1/reflections/{record_id}/next-steps/{step_id}", {
      params: { path },
      headers: { "If-Match": etag },
      body: { done: true },
    });
    const updated = expectData("PATCH /v1/reflections/{id}/next-steps/{step_id}", done, 200);
    equal(updated.next_steps?.[0]?.id, stepId, "next_steps[0].id");
    equal(updated.next_steps?.[0]?.done, true, "next_steps[0].done");
    check(header(done, "etag") !== etag, "the ETag did not change");
    const stale = await api.PATCH("/v1/reflections/{record_id}/next-steps/{step_id}", {
      params: { path },
      headers: { "If-Match": etag },
      body: { done: false },
    });
    expectProblem("PATCH a step with a stale ETag", stale, 412);
    const agenda = expectData("GET /v1/agenda", await api.GET("/v1/agenda"), 200);
    const open = agenda.items.find((item) => item.record.next_step_id === stepId);
    check(open === undefined, "the done step is still on the agenda");
    return [null, `step ${stepId} done; a stale If-Match is 412; off the agenda`];
  });

  await step("refresh the token and use the new one", async () => {
    const before = { access: session.accessToken, refresh: session.refreshToken };
    const pair = expectData("POST /v1/auth/refresh", await refresh(api, session), 200);
    check(pair.refresh_token !== before.refresh, "the refresh token was not rotated");
    check(pair.access_token !== before.access, "the access token did not change");
    equal(session.accessToken, pair.access_token, "session access token");
    const me = expectData("GET /v1/me (new token)", await api.GET("/v1/me"), 200);
    equal(me.email, email, "me.email");
    const anonymous = await api.GET("/v1/me", { headers: { Authorization: "Bearer not-a-token" } });
    expectProblem("GET /v1/me with a bad token", anonymous, 401);
    return [null, `new pair, expires in ${pair.expires_in} s; GET /v1/me 200 with it`];
  });

  const beforeDelete = await step("list everything before the delete (sync tokens)", async () => {
    const applications = await readAll(async (cursor) =>
      expectData(
        "GET /v1/applications",
        await api.GET("/v1/applications", { params: { query: pageQuery(cursor) } }),
        200,
      ),
    );
    const listed = applications.items.find((item) => item.id === application.id);
    check(listed !== undefined, "the application is not listed");
    equal(listed.deleted_at ?? null, null, "deleted_at before the delete");
    const outcomes = await readAll(async (cursor) =>
      expectData(
        "GET /v1/outcomes",
        await api.GET("/v1/outcomes", { params: { query: pageQuery(cursor) } }),
        200,
      ),
    );
    const conversations = await readAll(async (cursor) =>
      expectData(
        "GET /v1/feedback-conversations",
        await api.GET("/v1/feedback-conversations", { params: { query: pageQuery(cursor) } }),
        200,
      ),
    );
    const reflections = await readAll(async (cursor) =>
      expectData(
        "GET /v1/reflections",
        await api.GET("/v1/reflections", { params: { query: pageQuery(cursor) } }),
        200,
      ),
    );
    const lists = [applications, outcomes, conversations, reflections];
    const counts = lists.map((list) => list.items.length);
    equal(counts.join(","), "1,1,1,1", "applications, outcomes, conversations, reflections listed");
    return [
      {
        applications: applications.syncToken,
        outcomes: outcomes.syncToken,
        conversations: conversations.syncToken,
        reflections: reflections.syncToken,
      },
      `1 of each; sync token ${applications.syncToken}`,
    ];
  });

  await step("delete the application (If-Match)", async () => {
    const path = { record_id: application.id };
    const current = await api.GET("/v1/applications/{record_id}", { params: { path } });
    expectData("GET /v1/applications/{id}", current, 200);
    const deleted = await api.DELETE("/v1/applications/{record_id}", {
      params: { path },
      headers: { "If-Match": header(current, "etag") },
    });
    expectStatus("DELETE /v1/applications/{id}", deleted, 204);
    const gone = await api.GET("/v1/applications/{record_id}", { params: { path } });
    expectProblem("GET a deleted application", gone, 404);
    return [null, "204; reading it again is a 404 problem"];
  });

  await step("delta sync after the delete sees the tombstones", async () => {
    const applications = await readAll(async (cursor) =>
      expectData(
        "GET /v1/applications?updated_since",
        await api.GET("/v1/applications", {
          params: { query: pageQuery(cursor, beforeDelete.applications) },
        }),
        200,
      ),
    );
    const gone = tombstone(applications.items, application.id, "applications");
    equal(applications.items.length, 1, "applications changed since the token");
    check(applications.syncToken !== beforeDelete.applications, "the sync token did not move");
    // The delete cascades: its outcome, conversation and reflection come back as tombstones too.
    const outcomes = await readAll(async (cursor) =>
      expectData(
        "GET /v1/outcomes?updated_since",
        await api.GET("/v1/outcomes", {
          params: { query: pageQuery(cursor, beforeDelete.outcomes) },
        }),
        200,
      ),
    );
    tombstone(outcomes.items, outcome.id, "outcomes");
    const conversations = await readAll(async (cursor) =>
      expectData(
        "GET /v1/feedback-conversations?updated_since",
        await api.GET("/v1/feedback-conversations", {
          params: { query: pageQuery(cursor, beforeDelete.conversations) },
        }),
        200,
      ),
    );
    tombstone(conversations.items, planned.conversation.id, "feedback conversations");
    const reflections = await readAll(async (cursor) =>
      expectData(
        "GET /v1/reflections?updated_since",
        await api.GET("/v1/reflections", {
          params: { query: pageQuery(cursor, beforeDelete.reflections) },
        }),
        200,
      ),
    );
    tombstone(reflections.items, reflection.id, "reflections");
    const again = expectData(
      "GET /v1/applications?updated_since (latest token)",
      await api.GET("/v1/applications", {
        params: { query: { updated_since: applications.syncToken } },
      }),
      200,
    );
    equal(again.items.length, 0, "changes since the latest token");
    const cascade = "its outcome, conversation and reflection too";
    return [null, `application deleted_at ${gone.deleted_at}; ${cascade}`];
  });

  await step("one change feed since the same token (GET /v1/changes)", async () => {
    const seen: { collection: string; id: string; deleted: boolean }[] = [];
    let cursor: string | undefined;
    let syncToken = "";
    for (let pages = 0; pages < 100; pages += 1) {
      const page = expectData(
        "GET /v1/changes?updated_since",
        await api.GET("/v1/changes", {
          params: { query: pageQuery(cursor, beforeDelete.applications) },
        }),
        200,
      );
      for (const change of page.items) {
        const deleted = typeof change.record.deleted_at === "string";
        seen.push({ collection: change.collection, id: change.record.id, deleted });
      }
      syncToken = page.sync_token;
      if (page.next_cursor === null) break;
      cursor = page.next_cursor;
    }
    const expected: [string, string][] = [
      ["applications", application.id],
      ["outcomes", outcome.id],
      ["feedback-conversations", planned.conversation.id],
      ["reflections", reflection.id],
    ];
    for (const [collection, id] of expected) {
      const change = seen.find((item) => item.collection === collection && item.id === id);
      check(change !== undefined, `/v1/changes: no ${collection} ${id}`);
      check(change.deleted, `/v1/changes: ${collection} ${id} is not a tombstone`);
    }
    const again = expectData(
      "GET /v1/changes (latest token)",
      await api.GET("/v1/changes", { params: { query: { updated_since: syncToken } } }),
      200,
    );
    equal(again.items.length, 0, "changes since the feed's latest token");
    return [null, `${seen.length} changes in one feed, the four tombstones among them`];
  });

  console.log(`scenario: ${passed} passed, 0 failed`);
}

const baseUrl = process.env["REBOUND_URL"];
if (baseUrl === undefined || baseUrl === "") {
  console.error("REBOUND_URL is not set (e.g. REBOUND_URL=http://127.0.0.1:8000)");
  process.exit(2);
}
await main(baseUrl.replace(/\/+$/, ""));
