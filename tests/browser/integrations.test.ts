/**
 * Webhooks and outcomes in the browser, against the real server, workers and a local receiver:
 * an admin adds a webhook from the Integrations page, sends a test to a receiver that fails twice,
 * and watches the delivery log fill with three attempts until it is delivered, then resends; a
 * manager reads the capability map's outcome view with its intervals, a too-little-data cell and the
 * drill-down; the call page shows its outcomes and the account's calls; a trainer reads the approved
 * talk tracks with their advance counts, filtered by outcome. Screenshots go to /tmp.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ingestOutcomes } from "../../core/outcomes/outcomes.ts";
import { insertTalkTrackCall } from "../support/outcome-fixtures.ts";
import { startWebhookReceiver } from "../support/webhook-receiver.ts";
import type { WebhookReceiver } from "../support/webhook-receiver.ts";
import type { AppUnderTest } from "./support/app-under-test.ts";
import { startAppUnderTest } from "./support/app-under-test.ts";

const screenshots = process.env.SCREENSHOT_DIR ?? "/tmp/calibrate-screenshots";

describe("integrations and outcomes in the browser", () => {
  let app: AppUnderTest;
  let receiver: WebhookReceiver;
  let firstCallId: string;

  const shoot = async (name: string) => {
    fs.mkdirSync(screenshots, { recursive: true });
    await app.page.screenshot({ path: path.join(screenshots, `${name}.png`), fullPage: true });
  };

  beforeAll(async () => {
    app = await startAppUnderTest({ work: true });
    receiver = await startWebhookReceiver();
    const organisation = app.organisation!;
    const { northRep, otherNorthRep, southRep } = organisation.users;
    const today = new Date().toISOString().slice(0, 10);
    // North × discovery: 12 calls where the rep accepted the talk track (8 advanced), 10 where not (3 advanced).
    const events: any[] = [];
    for (let index = 0; index < 22; index += 1) {
      const accepted = index < 12;
      const owner = index % 2 ? northRep : otherNorthRep;
      const reference = `ACME-${index}`;
      const id = await insertTalkTrackCall(app.database.db, organisation, {
        reference,
        owner,
        day: today,
        suggestion: accepted ? "Offer a two-week pilot" : undefined,
        talkTrack: accepted ? [{ by: owner, action: "accept" }] : [{ by: owner, action: "reject" }],
      });
      if (index === 0) firstCallId = id;
      const advanced = accepted ? index < 8 : index < 15;
      if (advanced) events.push({ customerReference: reference, type: "stage_changed", stage: "demo", occurredAt: new Date() });
      else if (index % 3 === 0) events.push({ customerReference: reference, type: "customer_replied", text: "Let us think about it", keywords: ["budget"], occurredAt: new Date() });
    }
    events.push({ customerReference: "ACME-0", type: "deal_won", amount: 48000, currency: "CNY", occurredAt: new Date() });
    // South × demo: two calls, too little data.
    for (const index of [1, 2]) {
      await insertTalkTrackCall(app.database.db, organisation, { reference: `GLOBEX-${index}`, owner: southRep, stage: "demo", day: today, talkTrack: [{ by: southRep, action: "accept" }] });
    }
    // A second, earlier call of ACME-0 for the account list.
    await insertTalkTrackCall(app.database.db, organisation, { reference: "ACME-0", owner: otherNorthRep, day: "2026-01-05", talkTrack: [] });
    await ingestOutcomes(app.database.db, { workspaceId: organisation.workspaceId, actor: null, source: "webhook", events });
  });

  afterAll(async () => {
    await app?.close();
    await receiver?.close();
  });

  it("adds a webhook, sends a test through two failures, shows the delivery log and resends", async () => {
    const { page } = app;
    await app.signInAs("admin@example.com", "/integrations");
    await page.getByTestId("create-webhook").locator("summary").click();
    await page.locator('input[name="name"]').fill("CRM (HubSpot)");
    await page.locator('input[name="url"]').fill(receiver.url);
    await page.getByRole("button", { name: "Add webhook" }).click();
    await expect.poll(async () => (await page.getByTestId("secret-once").textContent()) ?? "").toMatch(/whsec_/);

    receiver.script = [500, 502];
    const row = page.getByTestId("webhook-row").filter({ hasText: "CRM (HubSpot)" });
    await row.getByTestId("send-test").click();
    await row.getByTestId("toggle-log").click();
    await page.locator('[data-testid="delivery-row"][data-state="succeeded"]').waitFor({ timeout: 30_000 });
    const log = await page.getByTestId("delivery-log").textContent();
    expect(log).toMatch(/Attempt 1:\s*500/);
    expect(log).toMatch(/Attempt 2:\s*502/);
    expect(log).toMatch(/Attempt 3:\s*200/);
    expect(receiver.received).toHaveLength(3);
    await page.getByRole("button", { name: "Create secret" }).click();
    await page.getByTestId("inbound-outcomes").getByTestId("secret-once").waitFor();
    await shoot("integrations-webhooks");

    await page.getByTestId("resend").first().click();
    await expect.poll(async () => page.locator('[data-testid="delivery-row"][data-state="succeeded"]').count(), { timeout: 30_000 }).toBe(2);
    expect(receiver.received).toHaveLength(4);
  });

  it("shows the capability map's outcome metric with intervals, too-little-data cells and the calls behind a cell", async () => {
    const { page } = app;
    await app.signInAs("manager@example.com", "/capability-map");
    const view = page.getByTestId("outcome-view");
    await view.getByTestId("outcome-cell").first().waitFor();
    expect(await page.getByTestId("outcome-caveat").textContent()).toMatch(/Association, not proof/);
    const text = await view.textContent();
    // North squad × discovery: 8/12 and 3/10.
    expect(text).toContain("8/12 calls");
    expect(text).toContain("3/10 calls");
    expect(text).toMatch(/Too little data \(2 \+ 0 calls/);
    await view.getByTestId("outcome-cell").filter({ hasText: "8/12 calls" }).last().click();
    await expect.poll(async () => page.getByTestId("outcome-call").count()).toBe(22);
    await shoot("capability-map-outcomes");
  });

  it("shows the outcomes on the call and the account's calls", async () => {
    const { page } = app;
    await app.signInAs("admin@example.com", `/recordings/${firstCallId}`);
    const panel = page.getByTestId("outcomes-panel");
    await panel.getByTestId("outcome").first().waitFor();
    expect(await panel.getByTestId("outcome").count()).toBe(2);
    expect(await panel.textContent()).toMatch(/Deal won/);
    expect(await panel.getByTestId("account-calls").locator("li").count()).toBe(2);
    await shoot("call-outcomes");
  });

  it("lists approved talk tracks with how often they were followed by an advance, filtered by outcome", async () => {
    const { page } = app;
    await app.signInAs("trainer@example.com", "/review");
    await page.getByTestId("open-talk-track-pool").click();
    const row = page.getByTestId("pool-row").filter({ hasText: "Offer a two-week pilot" });
    await row.waitFor();
    expect(await row.getByTestId("pool-advanced").textContent()).toBe("8 of 12");
    await page.getByTestId("pool-outcome").selectOption("advanced");
    await expect.poll(async () => row.getByTestId("pool-advanced").textContent()).toBe("8 of 8");
    expect(page.url()).toContain("outcome=advanced");
    await shoot("talk-track-pool");
  });
});
