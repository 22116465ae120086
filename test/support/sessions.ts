/** The starting point of most live-session tests: a mentor's cohort of learners, and a live session in it. */
import type { NewSession, Session } from "./contract.js";
import { api, makeCohort, makeUser, type TestUser } from "./rest.js";

export interface MentoredCohort {
  mentor: TestUser;
  learners: TestUser[];
  cohortId: string;
}

/**
 * Registers a mentor on `node` and `learnerCount` learners (the i-th on `learnersOn[i % learnersOn.length]`,
 * all at once), and makes them one cohort of the mentor's on `node`.
 */
export async function makeMentoredCohort(
  node: { url: string },
  learnerCount: number,
  learnersOn: { url: string }[] = [node],
): Promise<MentoredCohort> {
  const mentor = await makeUser(node, "mentor");
  const learners = await Promise.all(
    Array.from({ length: learnerCount }, (_, i) => makeUser(learnersOn[i % learnersOn.length], "learner")),
  );
  const cohort = await makeCohort(node, mentor, learners);
  return { mentor, learners, cohortId: cohort.id };
}

/** Creates a session in the cohort through `node` and starts it through `startOn` (201, then 200, or throws); its id. */
export async function startLiveSession(
  node: { url: string },
  mentor: TestUser,
  cohortId: string,
  body: NewSession,
  startOn: { url: string } = node,
): Promise<string> {
  const created = await api<{ session: Session }>(node, "POST", `/api/cohorts/${cohortId}/sessions`, {
    token: mentor.accessToken,
    body,
  });
  if (created.status !== 201) throw new Error(`session create failed: ${created.status} ${JSON.stringify(created.body)}`);
  const id = created.body.session.id;
  const started = await api(startOn, "POST", `/api/sessions/${id}/start`, { token: mentor.accessToken });
  if (started.status !== 200) throw new Error(`session start failed: ${started.status} ${JSON.stringify(started.body)}`);
  return id;
}
