/**
 * The rep's side of a call: what the call page loads, adding an action item the drafts missed, and taking the action items
 * out as calendar events (.ics) and CSV. Decisions on drafted items go through the review API
 * (`POST /api/review/items/:id/decisions`), which records whether a rep or a trainer made them.
 */
import { Router } from "express";
import type { Request, Response } from "express";
import { z } from "zod";
import { formatActionItemsCsv } from "../../core/follow-up/action-items-csv.ts";
import { callActionItems } from "../../core/follow-up/call-action-items.ts";
import { getCallPage } from "../../core/follow-up/call-page.ts";
import { typeLabel } from "../../core/follow-up/follow-up-item.ts";
import { formatActionItemsIcs } from "../../core/follow-up/ics.ts";
import { addActionItem, addedActionItemSchema } from "../../core/review/added-items.ts";
import { ValidationError } from "../../core/errors.ts";
import type { AppContext } from "../context.ts";
import { actorOf, allow } from "../http/authenticate.ts";
import { attachment } from "../http/attachment.ts";
import { body, params } from "../http/validate.ts";

const idParams = z.object({ id: z.uuid() });

export function followUpRoutes(context: AppContext): Router {
  const router = Router();
  const { db } = context;

  router.get("/recordings/:id/follow-up", allow(), async (request: Request, response: Response) => {
    const { id } = params(request, idParams);
    response.json(await getCallPage(db, actorOf(request), id));
  });

  router.post("/recordings/:id/action-items", allow("rep", "trainer", "admin"), async (request: Request, response: Response) => {
    const { id } = params(request, idParams);
    const input = body(request, addedActionItemSchema);
    if (input.shownAt.getTime() > Date.now() + 60_000) throw new ValidationError("shownAt is in the future; check the device clock.");
    response.status(201).json(await addActionItem(db, actorOf(request), id, input, { dispatcher: context.dispatcher }));
  });

  router.get("/recordings/:id/action-items.ics", allow(), async (request: Request, response: Response) => {
    const { id } = params(request, idParams);
    const { recording, language, items } = await callActionItems(db, actorOf(request), id);
    const title = recording.title || recording.originalFilename;
    const ics = formatActionItemsIcs(
      items.map((item) => ({ ...item, typeLabel: typeLabel(item, language) })),
      {
        calendarName: title,
        context: [title, recording.customerReference, recording.callDate].filter(Boolean).join(" · "),
        now: new Date(),
        uidDomain: request.hostname.replace(/[^\w.-]/g, "") || "calibrate",
      },
    );
    attachment(response.type("text/calendar; charset=utf-8"), `${title}-action-items.ics`).send(ics);
  });

  router.get("/recordings/:id/action-items.csv", allow(), async (request: Request, response: Response) => {
    const { id } = params(request, idParams);
    const { recording, items } = await callActionItems(db, actorOf(request), id);
    attachment(response.type("text/csv; charset=utf-8"), `${recording.title || recording.originalFilename}-action-items.csv`).send(
      formatActionItemsCsv(items),
    );
  });

  return router;
}
