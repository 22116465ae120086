import { z } from "zod";
import { Cohort, CohortRole, Member } from "./cohorts.js";
import { route } from "./define.js";
import { IdParams, isoTime, uuid } from "./primitives.js";

export const Invitation = z.object({
  id: uuid,
  cohortId: uuid,
  code: z.string(),
  role: CohortRole,
  maxUses: z.number().int(),
  uses: z.number().int(),
  expiresAt: isoTime,
  createdAt: isoTime,
});
export type Invitation = z.infer<typeof Invitation>;

export const CreateInvitationBody = z.object({
  role: CohortRole,
  maxUses: z.number().int().min(1).max(1000).optional().default(1),
  expiresInDays: z.number().int().min(1).max(90).optional().default(7),
});
/** Any string up to 128 characters: a code the server never issued is 404 like an expired one, not 400. */
export const InvitationCodeParams = z.object({ code: z.string().min(1).max(128) });

const TAG = "Cohorts";
/** Enrolment by invitation code: mentors of the cohort (and admins) create codes, any logged-in user accepts one. */
export const invitationRoutes = {
  createInvitation: route({
    method: "post",
    path: "/api/cohorts/:id/invitations",
    tag: TAG,
    summary: "Create an invitation code (the cohort's mentors and admins)",
    description:
      "`maxUses` 1..1000 (default 1), `expiresInDays` 1..90 (default 7). A mentor invitation grants the cohort role mentor only.",
    auth: true,
    params: IdParams,
    body: CreateInvitationBody,
    status: 201,
    response: z.object({ invitation: Invitation }),
    errors: ["FORBIDDEN", "NOT_FOUND"],
  }),
  listInvitations: route({
    method: "get",
    path: "/api/cohorts/:id/invitations",
    tag: TAG,
    summary: "The cohort's invitations, newest first (the cohort's mentors and admins)",
    auth: true,
    params: IdParams,
    status: 200,
    response: z.object({ invitations: z.array(Invitation) }),
    errors: ["FORBIDDEN", "NOT_FOUND"],
  }),
  deleteInvitation: route({
    method: "delete",
    path: "/api/invitations/:id",
    tag: TAG,
    summary: "Delete an invitation: its code stops working (the cohort's mentors and admins)",
    auth: true,
    params: IdParams,
    status: 204,
    errors: ["FORBIDDEN", "NOT_FOUND"],
  }),
  acceptInvitation: route({
    method: "post",
    path: "/api/invitations/:code/accept",
    tag: TAG,
    summary: "Join a cohort with an invitation code (any logged-in user)",
    description:
      "An expired, used-up, deleted or unknown code → 404. An existing member gets 200 with their role unchanged, and no use is counted.",
    auth: true,
    params: InvitationCodeParams,
    status: 200,
    response: z.object({ cohort: Cohort, member: Member }),
    errors: ["NOT_FOUND"],
  }),
};
