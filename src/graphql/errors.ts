import { type ExecutionResult, GraphQLError } from "graphql";
import type { Plugin } from "graphql-yoga";
import { ERROR_STATUS, type ErrorCode } from "../contract/index.js";
import { AppError, isDatabaseError, toErrorBody } from "../errors.js";
import type { Logger } from "../logger.js";
import type { Metrics } from "../metrics.js";

const isErrorCode = (code: unknown): code is ErrorCode => typeof code === "string" && code in ERROR_STATUS;

/** The first error in a chain of `originalError`s that is not a GraphQLError: what a resolver threw, if anything. */
function thrownBy(error: unknown): unknown {
  let current = error;
  while (current instanceof GraphQLError) {
    if (!current.originalError) return null;
    current = current.originalError;
  }
  return current;
}

/**
 * Every error of a GraphQL response carries one of the contract's codes in `extensions.code`. An error with no
 * thrown cause is the query's own fault (syntax, validation, variables, limits): INVALID_PAYLOAD, never INTERNAL.
 * A service's AppError keeps its code and message; anything else is mapped as REST maps it (UNAVAILABLE,
 * INVALID_PAYLOAD, else INTERNAL with no internals).
 */
export function contractErrors(deps: { logger: Logger; metrics: Metrics }) {
  return (error: unknown): GraphQLError => {
    const graphqlError = error instanceof GraphQLError ? error : null;
    const location = graphqlError ? { nodes: graphqlError.nodes, path: graphqlError.path } : {};
    const thrown = thrownBy(error);
    if (thrown === null && graphqlError) {
      const { code: given, http, details } = graphqlError.extensions;
      const code = isErrorCode(given) ? given : "INVALID_PAYLOAD";
      const extensions = { code, ...(http ? { http } : {}), ...(details !== undefined ? { details } : {}) };
      return new GraphQLError(graphqlError.message, { ...location, extensions });
    }
    const body = toErrorBody(thrown);
    if (isDatabaseError(thrown)) deps.metrics.dbErrors.inc();
    if (body.code === "INTERNAL" || body.code === "UNAVAILABLE") deps.logger.error({ err: thrown }, "graphql field failed");
    const details = thrown instanceof AppError && thrown.details !== undefined ? { details: thrown.details } : {};
    return new GraphQLError(body.message, { ...location, extensions: { code: body.code, ...details } });
  };
}

/**
 * Applies `mapError` to every error of every response, those yoga reports itself (syntax, validation, limits)
 * included: masking only sees what execution threw.
 */
export function contractErrorsPlugin(mapError: (error: unknown) => GraphQLError): Plugin {
  const mapResult = (result: ExecutionResult): ExecutionResult =>
    result.errors?.length ? { ...result, errors: result.errors.map(mapError) } : result;
  return {
    onResultProcess({ result, setResult }) {
      if (Array.isArray(result)) setResult(result.map(mapResult));
      else if (!(Symbol.asyncIterator in result)) setResult(mapResult(result));
    },
  };
}
