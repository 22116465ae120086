import { z } from "zod";
import { route } from "./define.js";
import { IdParams, isoTime, nextCursor, pageQuery, text, uuid } from "./primitives.js";
import { UserRef } from "./users.js";

export const CohortRole = z.enum(["learner", "mentor"]);
export type CohortRole = z.infer<typeof CohortRole>;

export const Cohort = z.object({ id: uuid, name: z.string(), slug: z.string(), createdAt: isoTime }).meta({ id: "Cohort" });
export type Cohort = z.infer<typeof Cohort>;

export const Member = z.object({ user: UserRef, role: CohortRole, joinedAt: isoTime }).meta({ id: "Member" });
export type Member = z.infer<typeof Member>;

// URL-safe and readable; the contract sets no form, so letters of either case, `_` and `.` are allowed too
const SLUG = /^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,62}[A-Za-z0-9])?$/;

export const CreateCohortBody = z.object({
  name: text(1, 120),
  slug: z.string().regex(SLUG, { message: "must be 1..64 letters, digits and inner `-`, `_` or `.`" }),
});
export const AddMemberBody = z.object({ userId: uuid, role: CohortRole });
export const MemberRoleBody = z.object({ role: CohortRole });
export const MemberParams = z.object({ id: uuid, userId: uuid });
export const CohortPageQuery = pageQuery(100);

const CohortBody = z.object({ cohort: Cohort });
const MemberBody = z.object({ member: Member });

const TAG = "Cohorts";
export const cohortRoutes = {
  createCohort: route({
    method: "post",
    path: "/api/cohorts",
    tag: TAG,
    summary: "Create a cohort (mentors and admins); the creator becomes its mentor",
    auth: true,
    body: CreateCohortBody,
    status: 201,
    response: CohortBody,
    errors: ["FORBIDDEN", "CONFLICT"],
  }),
  listCohorts: route({
    method: "get",
    path: "/api/cohorts",
    tag: TAG,
    summary: "The caller's cohorts, paged",
    auth: true,
    query: CohortPageQuery,
    status: 200,
    response: z.object({ cohorts: z.array(Cohort), nextCursor }),
    errors: ["NOT_FOUND"],
  }),
  getCohort: route({
    method: "get",
    path: "/api/cohorts/:id",
    tag: TAG,
    summary: "A cohort (members only)",
    auth: true,
    params: IdParams,
    status: 200,
    response: CohortBody,
    errors: ["FORBIDDEN", "NOT_FOUND"],
  }),
  listMembers: route({
    method: "get",
    path: "/api/cohorts/:id/members",
    tag: TAG,
    summary: "A cohort's members, paged (emails only to the cohort's mentors and admins)",
    auth: true,
    params: IdParams,
    query: CohortPageQuery,
    status: 200,
    response: z.object({ members: z.array(Member), nextCursor }),
    errors: ["FORBIDDEN", "NOT_FOUND"],
  }),
  addMember: route({
    method: "post",
    path: "/api/cohorts/:id/members",
    tag: TAG,
    summary: "Add a member (the cohort's mentors and admins)",
    auth: true,
    params: IdParams,
    body: AddMemberBody,
    status: 201,
    response: MemberBody,
    errors: ["FORBIDDEN", "NOT_FOUND", "CONFLICT"],
  }),
  setMemberRole: route({
    method: "patch",
    path: "/api/cohorts/:id/members/:userId",
    tag: TAG,
    summary: "Change a member's cohort role (the cohort's mentors and admins)",
    auth: true,
    params: MemberParams,
    body: MemberRoleBody,
    status: 200,
    response: MemberBody,
    errors: ["FORBIDDEN", "NOT_FOUND"],
  }),
  removeMember: route({
    method: "delete",
    path: "/api/cohorts/:id/members/:userId",
    tag: TAG,
    summary: "Remove a member; their sockets leave the cohort's rooms on every node at once",
    auth: true,
    params: MemberParams,
    status: 204,
    errors: ["FORBIDDEN", "NOT_FOUND"],
  }),
};
