import { cohortRoutes } from "../contract/index.js";
import type { Core } from "../core.js";
import { mountRoutes } from "../http/routes.js";
import type { CohortService } from "./service.js";

/** The cohort routes of the contract: translation only, the rules live in the service. */
export function cohortRouter(core: Core, cohorts: CohortService) {
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
    core,
  );
}
