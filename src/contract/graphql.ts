import { z } from "zod";
import { ErrorCodeSchema } from "./errors.js";
import { route } from "./define.js";

/** A GraphQL request (GraphQL over HTTP): the operation, its variables, and which operation of the document to run. */
export const GraphQLRequest = z.object({
  query: z.string(),
  variables: z.record(z.string(), z.unknown()).nullish(),
  operationName: z.string().nullish(),
});

/** A GraphQL response: `data` as the query asked, `errors` each with a contract code in `extensions.code`. */
export const GraphQLResponse = z.object({
  data: z.record(z.string(), z.unknown()).nullish(),
  errors: z
    .array(
      z.object({
        message: z.string(),
        path: z.array(z.union([z.string(), z.number()])).optional(),
        extensions: z.object({ code: ErrorCodeSchema }),
      }),
    )
    .optional(),
});

const TAG = "GraphQL";
const description =
  "A read API over the REST data and permissions (`me`, `cohorts`, `cohort`, `session`, `review`, `notifications`); " +
  "send `Authorization: Bearer`. Refusals are errors whose `extensions.code` is a contract code; queries deeper " +
  "than 10 or asking for too many list items are INVALID_PAYLOAD. The schema: introspection (outside production).";

/** Served by the GraphQL domain; listed so the reference documents them. */
export const graphqlRoutes = {
  graphqlGet: route({
    method: "get",
    path: "/graphql",
    tag: TAG,
    summary: "Run a GraphQL query (`variables` as JSON text); GraphiQL for browsers outside production",
    description,
    auth: false,
    query: z.object({ query: z.string(), variables: z.string().optional(), operationName: z.string().optional() }),
    status: 200,
    response: GraphQLResponse,
  }),
  graphqlPost: route({
    method: "post",
    path: "/graphql",
    tag: TAG,
    summary: "Run a GraphQL query",
    description,
    auth: false,
    body: GraphQLRequest,
    status: 200,
    response: GraphQLResponse,
  }),
};
