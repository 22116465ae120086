import { Router } from "express";
import { cohortRoutes, invitationRoutes } from "../contract/index.js";
import type { Core } from "../core.js";
import { mountRoutes } from "../http/routes.js";
import type { InvitationService } from "./invitations.js";
import type { CohortService } from "./service.js";

/** The cohort and invitation routes of the contract: translation only, the rules live in the services. */
export function cohortRouter(core: Core, cohorts: CohortService, invitations: InvitationService) {
  const router = Router();
  mountRoutes(
    invitationRoutes,
    {
      createInvitation: async ({ params, body }, { caller }) => ({
        invitation: await invitations.create(caller.access, params.id, body),
      }),
      listInvitations: async ({ params }, { caller }) => ({ invitations: await invitations.list(caller.access, params.id) }),
      deleteInvitation: async ({ params }, { caller }) => invitations.remove(caller.access, params.id),
      acceptInvitation: async ({ params }, { caller }) => invitations.accept(caller.access, params.code),
    },
    { ...core, router },
  );
  return mountRoutes(
    cohortRoutes,
    {
      createCohort: async ({ body }, { caller }) => ({ cohort: await cohorts.create(caller.access, body) }),
      listCohorts: async ({ query }, { caller }) => {
        const { items, nextCursor } = await cohorts.listMine(caller.userId, query);
        return { cohorts: items, nextCursor };
      },
      getCohort: async ({ params }, { caller }) => ({ cohort: await cohorts.get(caller.access, params.id) }),
      listMembers: async ({ params, query }, { caller }) => {
        const { items, nextCursor } = await cohorts.members(caller.access, params.id, query);
        return { members: items, nextCursor };
      },
      addMember: async ({ params, body }, { caller }) => ({ member: await cohorts.addMember(caller.access, params.id, body) }),
      setMemberRole: async ({ params, body }, { caller }) => ({
        member: await cohorts.setMemberRole(caller.access, params.id, params.userId, body.role),
      }),
      removeMember: async ({ params }, { caller }) => cohorts.removeMember(caller.access, params.id, params.userId),
    },
    { ...core, router },
  );
}
